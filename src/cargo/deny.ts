import { because, fixed, from, projectOptions } from "../explain/trace";
import type { ProjectModel } from "../model/project";

/**
 * `deny.toml`, cargo-deny's configuration, which the workflow's cargo-deny job checks the workspace
 * against: known advisories, the crates no component may link, licenses, and where crates come from.
 *
 * @see https://embarkstudios.github.io/cargo-deny/checks/cfg.html
 */

/** The targets the images are built for; a crate that only another platform pulls is not linked. */
export const LINUX_TARGETS = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] as const;

/** Crates that bring OpenSSL: every component uses rustls, and a static or scratch image could not link them. */
export const OPENSSL_CRATES = ["openssl", "openssl-sys", "native-tls"] as const;

/** A banned crate, with the reason cargo-deny prints. */
export interface DenyBan {
  readonly crate: string;
  readonly reason: string;
}

/** The part of cargo-deny's configuration format that prism-projen writes. */
export interface DenyConfig {
  readonly graph: { readonly targets: readonly string[] };
  readonly advisories: { readonly yanked: "deny" | "warn" | "allow" };
  readonly licenses: {
    readonly "allow": readonly string[];
    readonly "confidence-threshold": number;
    readonly "unused-allowed-license": "deny" | "warn" | "allow";
    readonly "private": { readonly ignore: boolean };
  };
  readonly bans: {
    readonly "multiple-versions": "deny" | "warn" | "allow";
    readonly "wildcards": "deny" | "warn" | "allow";
    readonly "allow-wildcard-paths": boolean;
    readonly "deny": readonly DenyBan[];
  };
  readonly sources: { readonly "unknown-registry": "deny" | "warn" | "allow"; readonly "unknown-git": "deny" | "warn" | "allow" };
}

/** Permissive licenses common in the Rust ecosystem (tokio, hyper, rustls, serde, ...). */
export const DEFAULT_ALLOWED_LICENSES = [
  "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause", "BSD-3-Clause", "CDLA-Permissive-2.0",
  "ISC", "MIT", "Unicode-3.0", "Unicode-DFS-2016", "Zlib",
] as const;

const RENDERER = "src/cargo/deny.ts";

export function renderDenyConfig(project: ProjectModel): DenyConfig {
  const rule = (why: string) => fixed(`${why}; not configurable`, RENDERER);
  return because({
    // The platforms the images are built for: a crate only another platform pulls is not linked.
    graph: because({ targets: [...LINUX_TARGETS] }, rule("the graph of the Linux targets every image may be built for (a crate only another platform pulls is not linked)")),
    // Vulnerabilities, unsound and unmaintained crates fail by cargo-deny's defaults; a yanked version fails too.
    advisories: because({ yanked: "deny" }, rule("known vulnerabilities, unsound and unmaintained crates fail (cargo-deny's defaults), and so does a yanked version")),
    licenses: because({
      "allow": [...project.allowedLicenses],
      "confidence-threshold": 0.93,
      // The list is a policy, not an inventory: an allowed license no crate uses yet is fine.
      "unused-allowed-license": "allow",
      // The workspace's own crates are `publish = false` and carry no license.
      "private": because({ ignore: true }, rule("the workspace's own crates are never published and carry no license")),
    }, rule("a crate under a license not allowed fails"), {
      "allow": from(projectOptions("allowedLicenses"), { renderer: RENDERER }),
      "confidence-threshold": rule("a license is read from a crate's license text only on a close (93%) match"),
      "unused-allowed-license": rule("the list is a policy, not an inventory: an allowed license no crate uses yet is fine"),
    }),
    bans: because({
      "multiple-versions": "warn",
      "wildcards": "deny",
      // A path dependency between the workspace's own crates (all `publish = false`) has no version: not a wildcard.
      "allow-wildcard-paths": true,
      "deny": OPENSSL_CRATES.map((crate) => ({
        crate,
        reason: "every component uses rustls; static and scratch images cannot link OpenSSL (policy PRISM-C001)",
      })),
    }, rule("crates and versions the workspace may not use: no version wildcards (a path dependency between the workspace's crates has none)"), {
      "multiple-versions": rule("two versions of one crate are reported, not refused"),
      "deny": rule("every component uses rustls: the crates that bring OpenSSL are banned (policy PRISM-C001)"),
    }),
    sources: because({ "unknown-registry": "deny", "unknown-git": "deny" }, rule("crates come from crates.io only: an unknown registry or git source fails")),
  }, rule("cargo-deny's configuration, which the workflow's cargo-deny job checks the workspace against"));
}
