/**
 * reqwest pinned to rustls, per release line. Feature names differ between
 * releases (0.13 renamed `rustls-tls` to `rustls`), and a feature that does not
 * exist is a cargo build failure, so the names are kept here, per version.
 *
 * @see https://docs.rs/crate/reqwest/latest/features
 */

import * as v from "valibot";
import { cargoFeature, optionalEnum } from "./grammars";

/** A reqwest release line prism-projen knows the feature names of. */
export enum ReqwestVersion {
  V0_11 = "0.11",
  V0_12 = "0.12",
  V0_13 = "0.13",
}

interface ReqwestRelease {
  /** The exact version written to `[workspace.dependencies]`. */
  readonly version: string;
  /** The feature that selects rustls. */
  readonly rustlsFeature: string;
  /** The default features other than the TLS backend, kept explicitly. */
  readonly nonTlsDefaults: readonly string[];
  /** Whether the rustls feature bundles the Mozilla (webpki) roots in the binary. */
  readonly bundlesWebpkiRoots: boolean;
  /** Every feature name of the release line. */
  readonly features: readonly string[];
  /** Features that pull OpenSSL / native-tls. */
  readonly nativeTlsFeatures: readonly string[];
}

const RELEASES: Record<ReqwestVersion, ReqwestRelease> = {
  // Debian bookworm packages 0.11.13 (librust-reqwest-dev).
  [ReqwestVersion.V0_11]: {
    version: "0.11.13",
    rustlsFeature: "rustls-tls",
    nonTlsDefaults: [],
    bundlesWebpkiRoots: true,
    features: [
      "blocking", "brotli", "cookies", "default-tls", "deflate", "gzip", "json",
      "multipart", "native-tls", "native-tls-alpn", "native-tls-vendored",
      "rustls-tls", "rustls-tls-manual-roots", "rustls-tls-native-roots",
      "rustls-tls-webpki-roots", "socks", "stream", "trust-dns",
    ],
    nativeTlsFeatures: ["default-tls", "native-tls", "native-tls-alpn", "native-tls-vendored"],
  },
  // The set the seed document ships: defaults minus native-tls, plus rustls.
  [ReqwestVersion.V0_12]: {
    version: "0.12.24",
    rustlsFeature: "rustls-tls",
    nonTlsDefaults: ["charset", "http2", "system-proxy"],
    bundlesWebpkiRoots: true,
    features: [
      "blocking", "brotli", "charset", "cookies", "default-tls", "deflate", "gzip",
      "hickory-dns", "http2", "http3", "json", "macos-system-configuration",
      "multipart", "native-tls", "native-tls-alpn", "native-tls-vendored",
      "rustls-tls", "rustls-tls-manual-roots", "rustls-tls-native-roots",
      "rustls-tls-no-provider", "rustls-tls-webpki-roots", "socks", "stream",
      "system-proxy", "zstd",
    ],
    nativeTlsFeatures: ["default-tls", "native-tls", "native-tls-alpn", "native-tls-vendored"],
  },
  // 0.13 made rustls the default and renamed the feature; roots come from the
  // platform verifier, so a scratch image needs CA certificates copied in.
  [ReqwestVersion.V0_13]: {
    version: "0.13.5",
    rustlsFeature: "rustls",
    nonTlsDefaults: ["charset", "http2", "system-proxy"],
    bundlesWebpkiRoots: false,
    features: [
      "blocking", "brotli", "charset", "cookies", "default-tls", "deflate", "form",
      "gzip", "hickory-dns", "http2", "http3", "json", "multipart", "native-tls",
      "native-tls-no-alpn", "native-tls-vendored", "native-tls-vendored-no-alpn",
      "query", "rustls", "rustls-no-provider", "socks", "stream", "system-proxy", "zstd",
    ],
    nativeTlsFeatures: ["native-tls", "native-tls-no-alpn", "native-tls-vendored", "native-tls-vendored-no-alpn"],
  },
};

/** The schema of `ReqwestOptions` (not part of the public API). */
export const REQWEST_OPTIONS = v.strictObject({
  /**
   * The reqwest release line.
   * @default ReqwestVersion.V0_12
   */
  version: optionalEnum(ReqwestVersion, "ReqwestVersion"),
  /**
   * Features added to the rustls feature and the non-TLS defaults (e.g. `json`).
   * @default []
   */
  extraFeatures: v.optional(v.array(cargoFeature)),
});

/** Options for the workspace's reqwest dependency. */
export type ReqwestOptions = Readonly<v.InferInput<typeof REQWEST_OPTIONS>>;

/** The resolved reqwest dependency. */
export interface ReqwestSpec {
  readonly line: ReqwestVersion;
  readonly version: string;
  /** Sorted, without duplicates. */
  readonly features: readonly string[];
  readonly bundlesWebpkiRoots: boolean;
}

/** Resolves reqwest options to the exact version and feature list. */
export function resolveReqwest(options: ReqwestOptions = {}): ReqwestSpec {
  const line = options.version ?? ReqwestVersion.V0_12;
  const release = RELEASES[line];
  const features = new Set([release.rustlsFeature, ...release.nonTlsDefaults, ...(options.extraFeatures ?? [])]);
  return {
    line,
    version: release.version,
    features: [...features].sort(),
    bundlesWebpkiRoots: release.bundlesWebpkiRoots,
  };
}

/**
 * Problems with a resolved reqwest feature list: unknown names and any feature
 * that brings native-tls/OpenSSL back.
 */
export function reqwestFeatureProblems(spec: ReqwestSpec): string[] {
  const release = RELEASES[spec.line];
  const problems: string[] = [];
  for (const feature of spec.features) {
    if (!release.features.includes(feature)) {
      problems.push(
        `reqwest ${spec.line} has no feature "${feature}" (the rustls feature of this release is "${release.rustlsFeature}"); ` +
          "remove it from reqwest.extraFeatures or pick the reqwest version that has it",
      );
    } else if (release.nativeTlsFeatures.includes(feature)) {
      problems.push(
        `reqwest feature "${feature}" pulls in native-tls/OpenSSL; prism-projen pins reqwest to rustls, so remove it from reqwest.extraFeatures`,
      );
    }
  }
  return problems;
}
