import type { CargoProfile, CargoProfilePreset } from "./cargo-profile";
import type { ReqwestSpec } from "./reqwest";
import type { DebianRelease } from "./component";
import type { DependencyEntry } from "./cargo-dependencies";

/**
 * Project-wide settings every renderer needs, resolved once by
 * `ContainerMonorepo`. Types only.
 */
export interface ProjectModel {
  readonly name: string;
  /** Image repository prefix, e.g. `ghcr.io/prism`: images are `<registry>/<component>`. */
  readonly imageRegistry: string;
  /** Release version (without `v`); manifests use the `v<version>` image tag. */
  readonly version: string;
  readonly debian: DebianRelease;
  readonly rustVersion: string;
  readonly rustEdition: string;
  readonly goVersion: string;
  readonly goModuleDir: string;
  readonly goModulePath: string;
  /** The `cargoProfile` preset, and the `[profile.release]` table it stands for. */
  readonly cargoProfilePreset: CargoProfilePreset;
  readonly cargoProfile: CargoProfile;
  readonly reqwest: ReqwestSpec;
  /** The `[workspace.dependencies]` entries `.projenrc.ts` declares (workspaceDependencies), reqwest aside. */
  readonly workspaceDependencies: readonly DependencyEntry[];
  /** The user's own `[workspace.dependencies]` entries of the root Cargo.toml, kept as they are. */
  readonly keptWorkspaceDependencies: readonly DependencyEntry[];
  /** SPDX license identifiers cargo-deny allows in the Rust dependency graph. */
  readonly allowedLicenses: readonly string[];
  /** The platforms each image is built for (`linux/amd64`, `linux/arm64`), sorted. */
  readonly platforms: readonly string[];
  readonly namespace: string;
  /** Namespace whose pods may reach the ports named `metrics`. */
  readonly monitoringNamespace: string;
  readonly defaultBranch: string;
  readonly nodeVersion: string;
  /** The options `.projenrc.ts` gave the project (rather than left to their defaults). */
  readonly optionsGiven: readonly string[];
  /** Digests from the base-image lock, by `image:tag`. */
  readonly baseImageDigests: Readonly<Record<string, string>>;
}
