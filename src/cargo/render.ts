import type { ComponentModel, RustBuild } from "../component/model";
import type { ProjectModel } from "../project-model";

/**
 * Renderers for Cargo manifests: pure functions from the models to the TOML
 * document as plain data (serialized by `TomlFile`).
 *
 * @see https://doc.rust-lang.org/cargo/reference/workspaces.html
 */

/** The root workspace manifest: members, `[profile.release]`, reqwest pinned to rustls. */
export function renderWorkspaceManifest(project: ProjectModel, members: readonly ComponentModel[]): Record<string, unknown> {
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
export function renderMemberManifest(component: ComponentModel, project: ProjectModel): Record<string, unknown> {
  const build = component.build as RustBuild;
  const manifest: Record<string, unknown> = {
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
  };
  if (build.httpClient) {
    manifest.dependencies = { reqwest: { workspace: true } };
  }
  return manifest;
}
