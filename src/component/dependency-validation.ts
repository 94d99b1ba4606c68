import { declaredMemberDependencies, declaredWorkspaceDependencies } from "../cargo/render";
import { OPENSSL_CRATES } from "../cargo/deny";
import { OPTION_OF_TABLE, entryKey, isDependency, sameValue, type DependencyEntry } from "../model/cargo-dependencies";
import type { ComponentModel, GoBuild, RustBuild, RustLibraryModel } from "../model/component";
import type { ProjectModel } from "../model/project";
import { subject } from "../refusal";

/**
 * The Rust members' dependencies as synthesis would write them, checked before anything is written (the
 * graph cargo resolves is checked after, in the Cargo resolution); and the library crates beside the components.
 */

/** A member of the workspace: a Rust component, or a library crate. */
type RustMember = { readonly name: string; readonly path: string; readonly build: RustBuild | GoBuild | RustLibraryModel["build"] };

/** How `.projenrc.ts` and Cargo.toml write a dependency entry, for a message. */
export const shownEntry = (e: DependencyEntry) => `${e.crate} = ${JSON.stringify(e.value)}`;


/**
 * A member's dependencies as synthesis would write them: a crate `.projenrc.ts` declares that the member's
 * Cargo.toml also has as the user's own, differently; a crate that pulls OpenSSL by its name; `workspace = true`
 * for a crate the workspace does not share. The graph cargo resolves is checked too, before anything is written.
 */
export function dependencyProblems(c: RustMember, project: ProjectModel, libraries: readonly RustLibraryModel[] = []): string[] {
  if (c.build.kind === "go") return [];
  const errors: string[] = [];
  const declared = declaredMemberDependencies(c);
  const manifest = `${c.path}/Cargo.toml`;
  for (const kept of c.build.keptDependencies) {
    const twin = declared.find((d) => entryKey(d) === entryKey(kept));
    if (!twin || sameValue(twin.value, kept.value)) continue;
    const option = twin.crate === "reqwest" && !c.build.dependencies.includes(twin) ? "httpClient" : OPTION_OF_TABLE[twin.table[0]];
    errors.push(`${option}: ${manifest} has ${shownEntry(kept)} in [${kept.table.join(".")}] (cargo add), and .projenrc.ts declares ${shownEntry(twin)}; ` +
      `keep one: remove it from Cargo.toml (cargo remove ${kept.crate}${kept.table[0] === "dev-dependencies" ? " --dev" : kept.table[0] === "build-dependencies" ? " --build" : ""}) ` +
      `and synthesis writes the declared one, or drop it from .projenrc.ts`);
  }
  if (c.build.httpClient && c.build.dependencies.some((d) => d.crate === "reqwest" && d.table[0] === "dependencies")) {
    errors.push("dependencies: reqwest is declared twice, by httpClient: true (the workspace's reqwest, pinned to rustls) and in dependencies; drop it from dependencies");
  }
  const shared = new Set([...declaredWorkspaceDependencies(project, libraries), ...project.keptWorkspaceDependencies].map((e) => e.crate));
  for (const e of [...declared, ...c.build.keptDependencies].filter(isDependency)) {
    const where = c.build.keptDependencies.includes(e) ? `${manifest} [${e.table.join(".")}]` : `.projenrc.ts (${OPTION_OF_TABLE[e.table[0]] ?? "httpClient"})`;
    // By name, where every Linux build links it (a dev-dependency, a target table: the graph cargo resolves decides).
    if ((OPENSSL_CRATES as readonly string[]).includes(e.crate) && e.table.length === 1 && ["dependencies", "build-dependencies"].includes(e.table[0])) {
      errors.push(`dependencies: ${c.name} -> ${e.crate} (in ${where}) links OpenSSL, which no image may (policy PRISM-C001; static and scratch images cannot link it); ` +
        "use a rustls-based crate instead (reqwest: httpClient: true)");
    }
    const value = e.value as { workspace?: unknown };
    if (value !== null && typeof value === "object" && value.workspace === true && !shared.has(e.crate)) {
      errors.push(`dependencies: ${e.crate} (in ${where}) has workspace = true, but [workspace.dependencies] has no ${e.crate}, so cargo refuses the member; ` +
        `add ${e.crate} to the project's workspaceDependencies, or give it a version`);
    }
  }
  return errors;
}


/**
 * Problems of the library crates, each as `[name] field: problem; fix`: their options, their names, folders and
 * package names beside the components' (one folder and one package name each), and their dependencies.
 */
export function libraryProblems(
  libraries: readonly { readonly node: { readonly id: string }; _optionProblems(): readonly string[]; _toModel(): RustLibraryModel }[],
  components: readonly ComponentModel[],
  project: ProjectModel,
): string[] {
  const errors = libraries.flatMap((l) => l._optionProblems().map((p) => `${subject(l.node.id)} ${p}`));
  const models = libraries.filter((l) => l._optionProblems().length === 0).map((l) => l._toModel());
  for (const lib of models) {
    const own: string[] = [];
    for (const c of components) {
      const nested = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
      if (nested(lib.path, c.path)) own.push(`path: "${lib.path}" and the component ${c.name}'s folder "${c.path}" overlap; give the library a folder of its own`);
      if (c.build.kind === "rust" && c.build.packageName === lib.build.packageName) {
        own.push(`packageName: "${lib.build.packageName}" is also the component ${c.name}'s; cargo package names must be unique in a workspace, rename one`);
      }
    }
    for (const other of models.filter((m) => m !== lib && m.path === lib.path)) own.push(`path: "${lib.path}" is also the library ${other.name}'s; change one path`);
    own.push(...dependencyProblems(lib, project, models));
    errors.push(...own.map((e) => `${subject(lib.name)} ${e}`));
  }
  return errors;
}
