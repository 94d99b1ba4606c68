import type { ComponentModel, GoBuild, RustBuild, RustLibraryModel } from "../model/component";
import { because, fixed, from, optionsOf, projectOptions, type Because } from "../explain/trace";
import { CargoProfilePreset, cargoProfile, type CargoProfile } from "../model/cargo-profile";
import type { ProjectModel } from "../model/project";
import type { CargoPackageManifest, CargoWorkspaceManifest } from "./manifest-model";
import { DEPENDENCY_KINDS, OPTION_OF_TABLE, WORKSPACE_DEPENDENCIES, entryKey, type DependencyEntry } from "../model/cargo-dependencies";
import { byCodeUnits } from "../model/order";

/**
 * Renderers for Cargo manifests: pure functions from the models to the TOML
 * typed manifest (serialized by `TomlFile`).
 *
 * @see https://doc.rust-lang.org/cargo/reference/workspaces.html
 */

const RENDERER = "src/cargo/render.ts";

/** The root workspace manifest: members, `[profile.release]`, reqwest pinned to rustls. */
/** The shared versions of the project's library crates: each by its path, so a member takes it with `workspace = true`. */
export function libraryWorkspaceEntries(libraries: readonly RustLibraryModel[]): DependencyEntry[] {
  return libraries.map((l) => ({ table: WORKSPACE_DEPENDENCIES, crate: l.build.packageName, value: { path: l.path } }));
}

export function renderWorkspaceManifest(project: ProjectModel, members: readonly ComponentModel[], libraries: readonly RustLibraryModel[] = []): CargoWorkspaceManifest {
  const libraryEntries = libraryWorkspaceEntries(libraries);
  const reqwest = from(projectOptions("reqwest.version"), { renderer: RENDERER });
  return because({
    "workspace": because({
      // Resolver 3 (edition 2024's default): dependency versions that fit the packages' rust-version, and resolver 2's feature handling.
      "resolver": "3",
      "members": [...members.map((m) => m.path), ...libraries.map((l) => l.path)].sort(),
      "dependencies": dependencyTable([{ table: WORKSPACE_DEPENDENCIES, crate: "reqwest", value: because({
          "version": project.reqwest.version,
          // Default features select native-tls (OpenSSL) in 0.11/0.12; we list every feature we want.
          "default-features": false,
          "features": [...project.reqwest.features],
        }, fixed("the workspace's one reqwest, which members that set httpClient inherit", RENDERER), {
          "version": reqwest,
          "default-features": fixed("reqwest's default features bring native-tls (OpenSSL); every feature wanted is listed instead; not configurable", RENDERER),
          "features": from(projectOptions("reqwest.version", "reqwest.extraFeatures"), { rule: "rustls as the TLS backend, with the other default features kept", renderer: RENDERER }),
        }) }, ...libraryEntries, ...project.workspaceDependencies, ...project.keptWorkspaceDependencies], (e) => (e.crate === "reqwest" && e.table === WORKSPACE_DEPENDENCIES
        ? fixed("the workspace's one reqwest, which members that set httpClient inherit", RENDERER)
        : libraryEntries.includes(e) ? from(optionsOf(libraries[libraryEntries.indexOf(e)].name, "path", "packageName"), { rule: "a library crate of the project, by its path", renderer: RENDERER })
        : project.workspaceDependencies.includes(e) ? from(projectOptions("workspaceDependencies"), { renderer: RENDERER }) : kept())),
    }, fixed("a virtual workspace of every Rust component", RENDERER), {
      resolver: fixed("resolver 3, edition 2024's default: it picks dependency versions that support the packages' rust-version; not configurable", RENDERER),
      members: from([...members, ...libraries].flatMap((m) => optionsOf(m.name, "path")), { rule: "every Rust component and library crate is a member", renderer: RENDERER }),
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

/**
 * A member's own manifest: package, the one `[[bin]]`, and its dependency tables: the workspace reqwest
 * when it uses HTTP, the dependencies `.projenrc.ts` declares, and the member's own entries (cargo add).
 */
export function renderMemberManifest(component: ComponentModel, project: ProjectModel): CargoPackageManifest {
  const build = component.build as RustBuild;
  const declared = declaredMemberDependencies(component);
  const declaredKeys = new Set(declared.map(entryKey));
  const option = (...names: string[]) => from(optionsOf(component.name, ...names), { renderer: RENDERER });
  const sources = fixed("the starter's layout: the binary's source is src/main.rs; not configurable", RENDERER);
  return {
    package: packageSection(component.name, build.packageName, component.description, project, "the component's crate", "built into an image"),
    bin: [because({ name: component.binary, path: "src/main.rs" }, fixed("the one binary the image runs", RENDERER), { name: option("binary"), path: sources })],
    ...dependencyTables([...declared, ...build.keptDependencies.filter((e) => !declaredKeys.has(entryKey(e)))], (e) => {
      if (!declaredKeys.has(entryKey(e))) return kept();
      return e.crate === "reqwest" && build.httpClient && e.table.join() === "dependencies" && !build.dependencies.includes(e)
        ? option("httpClient") : option(OPTION_OF_TABLE[e.table[0]]);
    }),
  };
}

/** A member's `[package]`: its names, and the project's version, edition and Rust version, written out. */
function packageSection(name: string, packageName: string, description: string, project: ProjectModel, what: string, builtInto: string): CargoPackageManifest["package"] {
  const option = (...names: string[]) => from(optionsOf(name, ...names), { renderer: RENDERER });
  return because({
    "name": packageName,
    "description": description,
    // Written out rather than inherited: the file is generated, and explicit keys read without the root manifest.
    "version": project.version,
    "edition": project.rustEdition,
    "rust-version": project.rustVersion,
    "publish": false,
  }, fixed(what, RENDERER), {
    "name": option("packageName"),
    "description": option("description"),
    "version": from(projectOptions("version"), { renderer: RENDERER }),
    "edition": from(projectOptions("rustEdition"), { renderer: RENDERER }),
    "rust-version": from(projectOptions("rustVersion"), { renderer: RENDERER }),
    "publish": fixed(`the crate is ${builtInto}, never published to a registry; not configurable`, RENDERER),
  });
}

/** Why a dependency entry of the user's own is there (a function: a reason is made only while tracing). */
const kept = () => fixed("the user's own entry (cargo add, or an edit of Cargo.toml): kept as the file has it", RENDERER);


/** The `[workspace.dependencies]` entries `.projenrc.ts` declares: the project's reqwest and its workspaceDependencies. */
export function declaredWorkspaceDependencies(project: ProjectModel, libraries: readonly RustLibraryModel[] = []): DependencyEntry[] {
  return [{ table: WORKSPACE_DEPENDENCIES, crate: "reqwest", value: {} }, ...libraryWorkspaceEntries(libraries), ...project.workspaceDependencies];
}

/** The dependency entries of a member that `.projenrc.ts` declares: the workspace's reqwest (httpClient), then each dependency option's. */
export function declaredMemberDependencies(member: { readonly build: RustBuild | GoBuild | RustLibraryModel["build"] }): DependencyEntry[] {
  const build = member.build;
  if (build.kind === "go") return [];
  return [...(build.httpClient ? [{ table: ["dependencies"], crate: "reqwest", value: { workspace: true } }] : []), ...build.dependencies];
}

/** A library crate's manifest: its package, its `[lib]`, its dependency tables (declared, and the user's own). */
export function renderLibraryManifest(library: RustLibraryModel, project: ProjectModel): CargoPackageManifest {
  const option = (...names: string[]) => from(optionsOf(library.name, ...names), { renderer: RENDERER });
  const declared = declaredMemberDependencies(library);
  const declaredKeys = new Set(declared.map(entryKey));
  return {
    package: packageSection(library.name, library.build.packageName, library.description, project, "the library's crate", "built into the images that depend on it"),
    lib: because({ path: "src/lib.rs" }, fixed("the library's layout: its source is src/lib.rs; not configurable", RENDERER)),
    ...dependencyTables([...declared, ...library.build.keptDependencies.filter((e) => !declaredKeys.has(entryKey(e)))],
      (e) => (declaredKeys.has(entryKey(e)) ? option(OPTION_OF_TABLE[e.table[0]]) : kept())),
  } as CargoPackageManifest;
}

/**
 * One dependency table from its entries, by crate name, each with its reason. The table's own reason is its
 * header's: TOML writes `[dependencies]` for the entries that are plain values (a version), and a header of its
 * own (`[dependencies.serde]`) for each that is a table; so the header is there for the plain entries' reasons.
 */
function dependencyTable(entries: readonly DependencyEntry[], why: (e: DependencyEntry) => Because): Record<string, unknown> {
  const sorted = [...entries].sort((a, b) => byCodeUnits(a.crate, b.crate));
  const plain = sorted.filter((e) => e.value === null || typeof e.value !== "object").map(why);
  // (A reason may be missing: the trace-cost benchmark builds the renderers with every reason taken out.)
  const header: Because = plain.some((w) => !w?.options?.length) || plain.length === 0
    ? fixed("a dependency table", RENDERER)
    : from(plain.flatMap((w) => w?.options ?? []).filter((o, i, all) => all.findIndex((x) => x.of === o.of && x.option === o.option) === i), { renderer: RENDERER });
  return because(Object.fromEntries(sorted.map((e) => [e.crate, e.value])), header, Object.fromEntries(sorted.map((e) => [e.crate, why(e)])));
}

/**
 * A package manifest's dependency tables from their entries: `[dependencies]`, `[dev-dependencies]`,
 * `[build-dependencies]`, then the platform-specific ones, each table's entries by crate name.
 */
function dependencyTables(entries: readonly DependencyEntry[], why: (e: DependencyEntry) => Because): Partial<CargoPackageManifest> {
  const tables: Record<string, unknown> = {};
  for (const kind of DEPENDENCY_KINDS) {
    const of = entries.filter((e) => e.table.length === 1 && e.table[0] === kind);
    if (of.length > 0) tables[kind] = dependencyTable(of, why);
  }
  const targeted = entries.filter((e) => e.table[0] === "target");
  if (targeted.length > 0) {
    const target: Record<string, Record<string, unknown>> = {};
    for (const cfg of [...new Set(targeted.map((e) => e.table[1]))]) {
      target[cfg] = Object.fromEntries(DEPENDENCY_KINDS.map((kind) => [kind, targeted.filter((e) => e.table[1] === cfg && e.table[2] === kind)])
        .filter(([, of]) => of.length > 0).map(([kind, of]) => [kind, dependencyTable(of as DependencyEntry[], why)]));
    }
    tables.target = target;
  }
  // The package's features: what cargo add --optional writes beside the dependency (none is synthesis').
  const features = entries.filter((e) => e.table.length === 1 && e.table[0] === "features");
  if (features.length > 0) tables.features = dependencyTable(features, why);
  return tables;
}
