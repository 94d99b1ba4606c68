import type { ComponentModel, RustBuild } from "../component/model";
import type { ProjectModel } from "../project-model";
import type { CargoPackageManifest, CargoWorkspaceManifest } from "./manifest-model";

/**
 * Renderers for Cargo manifests: pure functions from the models to the TOML
 * typed manifest (serialized by `TomlFile`).
 *
 * @see https://doc.rust-lang.org/cargo/reference/workspaces.html
 */

/** The root workspace manifest: members, `[profile.release]`, reqwest pinned to rustls. */
export function renderWorkspaceManifest(project: ProjectModel, members: readonly ComponentModel[]): CargoWorkspaceManifest {
  return {
    "workspace": {
      // Resolver 3 (edition 2024) keeps per-package features from leaking across members.
      "resolver": "3",
      "members": members.map((m) => m.path).sort(),
      "dependencies": {
        reqwest: {
          "version": project.reqwest.version,
          // Default features select native-tls (OpenSSL) in 0.11/0.12; we list every feature we want.
          "default-features": false,
          "features": [...project.reqwest.features],
        },
      },
    },
    "profile": {
      release: { ...project.cargoProfile },
    },
  };
}

/** A member's own manifest: package, the one `[[bin]]`, and the workspace reqwest when it uses HTTP. */
export function renderMemberManifest(component: ComponentModel, project: ProjectModel): CargoPackageManifest {
  const build = component.build as RustBuild;
  return {
    package: {
      "name": build.packageName,
      "description": component.description,
      // Written out rather than inherited: the file is generated, and explicit keys read without the root manifest.
      "version": project.version,
      "edition": project.rustEdition,
      "rust-version": project.rustVersion,
      "publish": false,
    },
    bin: [{ name: component.binary, path: "src/main.rs" }],
    ...(build.httpClient ? { dependencies: { reqwest: { workspace: true } } } : {}),
  };
}
