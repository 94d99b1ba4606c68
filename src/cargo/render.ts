import type { ComponentModel, RustBuild } from "../model/component";
import { because, fixed, from, optionsOf, projectOptions, type Because } from "../explain/trace";
import { CargoProfilePreset, cargoProfile, type CargoProfile } from "../model/cargo-profile";
import type { ProjectModel } from "../model/project";
import type { CargoPackageManifest, CargoWorkspaceManifest } from "./manifest-model";

/**
 * Renderers for Cargo manifests: pure functions from the models to the TOML
 * typed manifest (serialized by `TomlFile`).
 *
 * @see https://doc.rust-lang.org/cargo/reference/workspaces.html
 */

const RENDERER = "src/cargo/render.ts";

/** The root workspace manifest: members, `[profile.release]`, reqwest pinned to rustls. */
export function renderWorkspaceManifest(project: ProjectModel, members: readonly ComponentModel[]): CargoWorkspaceManifest {
  const reqwest = from(projectOptions("reqwest.version"), { renderer: RENDERER });
  return because({
    "workspace": because({
      // Resolver 3 (edition 2024's default): dependency versions that fit the packages' rust-version, and resolver 2's feature handling.
      "resolver": "3",
      "members": members.map((m) => m.path).sort(),
      "dependencies": {
        reqwest: because({
          "version": project.reqwest.version,
          // Default features select native-tls (OpenSSL) in 0.11/0.12; we list every feature we want.
          "default-features": false,
          "features": [...project.reqwest.features],
        }, fixed("the workspace's one reqwest, which members that set httpClient inherit", RENDERER), {
          "version": reqwest,
          "default-features": fixed("reqwest's default features bring native-tls (OpenSSL); every feature wanted is listed instead; not configurable", RENDERER),
          "features": from(projectOptions("reqwest.version", "reqwest.extraFeatures"), { rule: "rustls as the TLS backend, with the other default features kept", renderer: RENDERER }),
        }),
      },
    }, fixed("a virtual workspace of every Rust component", RENDERER), {
      resolver: fixed("resolver 3, edition 2024's default: it picks dependency versions that support the packages' rust-version; not configurable", RENDERER),
      members: from(members.flatMap((m) => optionsOf(m.name, "path")), { rule: "every Rust component is a member", renderer: RENDERER }),
    }),
    "profile": {
      release: because({ ...project.cargoProfile }, fixed("the release profile every Rust image builds with", RENDERER), profileReasons(project)),
    },
  }, fixed("the workspace manifest", RENDERER));
}

/** Each key of `[profile.release]`: the preset decides it, unless every preset sets it alike. */
function profileReasons(project: ProjectModel): Record<string, Because> {
  return Object.fromEntries(Object.entries(project.cargoProfile).map(([key, value]) => [key,
    PRESETS.every((preset) => cargoProfile(preset)[key as keyof CargoProfile] === value)
      ? fixed(`every cargoProfile preset sets ${key} alike; not configurable`, RENDERER)
      : from(projectOptions("cargoProfile"), { renderer: RENDERER })]));
}

const PRESETS = Object.values(CargoProfilePreset);

/** A member's own manifest: package, the one `[[bin]]`, and the workspace reqwest when it uses HTTP. */
export function renderMemberManifest(component: ComponentModel, project: ProjectModel): CargoPackageManifest {
  const build = component.build as RustBuild;
  const option = (...names: string[]) => from(optionsOf(component.name, ...names), { renderer: RENDERER });
  const sources = fixed("the starter's layout: the binary's source is src/main.rs; not configurable", RENDERER);
  return {
    package: because({
      "name": build.packageName,
      "description": component.description,
      // Written out rather than inherited: the file is generated, and explicit keys read without the root manifest.
      "version": project.version,
      "edition": project.rustEdition,
      "rust-version": project.rustVersion,
      "publish": false,
    }, fixed("the component's crate", RENDERER), {
      "name": option("packageName"),
      "description": option("description"),
      "version": from(projectOptions("version"), { renderer: RENDERER }),
      "edition": from(projectOptions("rustEdition"), { renderer: RENDERER }),
      "rust-version": from(projectOptions("rustVersion"), { renderer: RENDERER }),
      "publish": fixed("the crate is built into an image, never published to a registry; not configurable", RENDERER),
    }),
    bin: [because({ name: component.binary, path: "src/main.rs" }, fixed("the one binary the image runs", RENDERER), { name: option("binary"), path: sources })],
    ...(build.httpClient ? { dependencies: { reqwest: because({ workspace: true }, option("httpClient")) } } : {}),
  };
}
