/**
 * The part of Cargo's manifest format (`Cargo.toml`) that prism-projen writes, as types:
 * what the Cargo renderers return and `TomlFile` serializes.
 *
 * @see https://doc.rust-lang.org/cargo/reference/manifest.html
 */

import type { CargoProfile } from "../model/cargo-profile";

/** A dependency table: from a registry with its own features, or inherited from the workspace. */
export type CargoDependency =
  | { readonly "version": string; readonly "default-features"?: boolean; readonly "features"?: readonly string[] }
  | { readonly workspace: true };

/** A dependency table: crate name to its entry (a version requirement, or a table); the user's entries as TOML holds them. */
export type CargoDependencyTable = Readonly<Record<string, CargoDependency | string | unknown>>;

/** The root manifest of a virtual workspace. */
export interface CargoWorkspaceManifest {
  readonly workspace: {
    readonly resolver: "2" | "3";
    readonly members: readonly string[];
    readonly dependencies: CargoDependencyTable;
  };
  readonly profile: { readonly release: CargoProfile };
}

/** A `[[bin]]` target. */
export interface CargoBinTarget {
  readonly name: string;
  readonly path: string;
}

/** A member package's manifest. */
export interface CargoPackageManifest {
  readonly package: {
    readonly "name": string;
    readonly "description": string;
    readonly "version": string;
    readonly "edition": string;
    readonly "rust-version": string;
    readonly "publish": boolean;
  };
  /** A component's one binary; none for a library. */
  readonly bin?: readonly CargoBinTarget[];
  /** A library's `[lib]`. */
  readonly lib?: { readonly path: string };
  readonly "dependencies"?: CargoDependencyTable;
  readonly "dev-dependencies"?: CargoDependencyTable;
  readonly "build-dependencies"?: CargoDependencyTable;
  /** Platform-specific tables (`[target.'cfg(unix)'.dependencies]`), the user's own. */
  readonly "target"?: Readonly<Record<string, Readonly<Record<string, CargoDependencyTable>>>>;
  /** The package's features, the user's own (cargo add --optional writes them). */
  readonly "features"?: Readonly<Record<string, unknown>>;
}
