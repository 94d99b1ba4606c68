import type { CrateSpec } from "./option-specs";
import { byCodeUnits } from "./order";

/**
 * Cargo dependency tables as values: where each entry sits in a manifest (`dependencies`,
 * `dev-dependencies`, `build-dependencies`, the same below `target.<cfg>`, or the workspace's
 * `workspace.dependencies`) and its TOML value. Types and pure functions over parsed TOML only.
 *
 * @see https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html
 */

/** The kinds of dependency table a package manifest has. */
export const DEPENDENCY_KINDS = ["dependencies", "dev-dependencies", "build-dependencies"] as const;
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];

/** The table of the root manifest whose entries members inherit with `workspace = true`. */
export const WORKSPACE_DEPENDENCIES: readonly string[] = ["workspace", "dependencies"];

/** One dependency entry: its table's path, the crate's key in it, and its value as TOML holds it. */
export interface DependencyEntry {
  readonly table: readonly string[];
  readonly crate: string;
  readonly value: unknown;
}

/**
 * A stable name of an entry, as the record of a synthesis keeps it: its table as TOML heads it, then the crate
 * (`[dependencies] tokio`); a crate name has no space, so the last space ends the table.
 */
export const entryKey = (e: { readonly table: readonly string[]; readonly crate: string }): string => `[${e.table.join(".")}] ${e.crate}`;

const isTable = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof Date);

/**
 * The tables of a parsed manifest whose entries are the user's unless `.projenrc.ts` declares them: the
 * dependency tables, at the paths cargo reads them from, and `[features]` (cargo add --optional writes there).
 */
function tablePaths(doc: Record<string, unknown>, withFeatures = true): string[][] {
  const paths: string[][] = DEPENDENCY_KINDS.filter((k) => k in doc).map((k) => [k]);
  if (withFeatures && isTable(doc.features)) paths.push(["features"]);
  if (isTable(doc.target)) {
    for (const [cfg, below] of Object.entries(doc.target)) {
      if (isTable(below)) paths.push(...DEPENDENCY_KINDS.filter((k) => k in below).map((k) => ["target", cfg, k]));
    }
  }
  if (isTable(doc.workspace) && "dependencies" in doc.workspace) paths.push([...WORKSPACE_DEPENDENCIES]);
  return paths;
}

function at(doc: Record<string, unknown>, table: readonly string[]): unknown {
  return table.reduce<unknown>((node, key) => (isTable(node) ? node[key] : undefined), doc);
}

/** Every entry of the shared tables of a parsed manifest (dependencies and features), in the order the manifest gives them. */
export function sharedEntries(doc: Record<string, unknown>): DependencyEntry[] {
  return entriesOf(doc, tablePaths(doc));
}

/** Every dependency entry of a parsed manifest (no feature), in the order the manifest gives them. */
export function dependencyEntries(doc: Record<string, unknown>): DependencyEntry[] {
  return entriesOf(doc, tablePaths(doc, false));
}

/** Whether an entry is a dependency (not a feature of the package). */
export const isDependency = (e: DependencyEntry): boolean => e.table[0] !== "features";

function entriesOf(doc: Record<string, unknown>, tables: readonly string[][]): DependencyEntry[] {
  return tables.flatMap((table) => {
    const node = at(doc, table);
    return isTable(node) ? Object.entries(node).map(([crate, value]) => ({ table, crate, value })) : [];
  });
}

/**
 * A copy of a parsed manifest with only the dependency entries `keep` keeps (tables left empty go, and
 * so does a `target` table left without any).
 */
export function keepingEntries(doc: Record<string, unknown>, keep: (e: DependencyEntry) => boolean): Record<string, unknown> {
  const copy = structuredClone(doc);
  for (const e of sharedEntries(doc)) {
    if (keep(e)) continue;
    const table = at(copy, e.table) as Record<string, unknown>;
    delete table[e.crate];
  }
  for (const table of tablePaths(copy)) {
    if (Object.keys(at(copy, table) as object).length > 0) continue;
    const parent = at(copy, table.slice(0, -1)) as Record<string, unknown>;
    delete parent[table.at(-1)!];
    if (table[0] === "target" && Object.keys(copy.target as object).every((cfg) => Object.keys((copy.target as Record<string, object>)[cfg]).length === 0)) {
      delete copy.target;
    }
  }
  return copy;
}

/** A copy with each shared table's entries in code-unit order of their names (their order means nothing to cargo). */
export function sortedTables(doc: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(doc);
  for (const table of tablePaths(copy)) {
    const parent = at(copy, table.slice(0, -1)) as Record<string, unknown>;
    const entries = Object.entries(at(copy, table) as Record<string, unknown>).sort(([a], [b]) => byCodeUnits(a, b));
    parent[table.at(-1)!] = Object.fromEntries(entries);
  }
  return copy;
}

/** A copy with `entries` set (each at its table, tables made where missing). */
export function withEntries(doc: Record<string, unknown>, entries: readonly DependencyEntry[]): Record<string, unknown> {
  const copy = structuredClone(doc);
  for (const e of entries) {
    let node = copy;
    for (const key of e.table) node = (isTable(node[key]) ? node[key] : (node[key] = {})) as Record<string, unknown>;
    node[e.crate] = structuredClone(e.value);
  }
  return copy;
}

/** The options of a Rust member that declare dependencies, and the table each writes. */
export const TABLE_OF_OPTION = { dependencies: "dependencies", devDependencies: "dev-dependencies", buildDependencies: "build-dependencies" } as const;

/** The option that declares a table's entries (`dependencies` for `[dependencies]`, ...). */
export const OPTION_OF_TABLE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TABLE_OF_OPTION).map(([option, table]) => [table, option]));

/** The entries a member's dependency options declare, each table's by crate name. */
export function declaredEntries(options: { readonly [K in keyof typeof TABLE_OF_OPTION]?: Readonly<Record<string, CrateSpec>> }): DependencyEntry[] {
  return (Object.keys(TABLE_OF_OPTION) as (keyof typeof TABLE_OF_OPTION)[]).flatMap((option) =>
    Object.entries(options[option] ?? {}).sort(([a], [b]) => byCodeUnits(a, b))
      .map(([crate, spec]) => ({ table: [TABLE_OF_OPTION[option]], crate, value: entryValue(spec) })));
}

/** The TOML value of a dependency declared in `.projenrc.ts`. */
export function entryValue(spec: CrateSpec): unknown {
  if (typeof spec === "string") return spec;
  return {
    ...(spec.workspace ? { workspace: true } : { version: spec.version }),
    ...(spec.defaultFeatures === false ? { "default-features": false } : {}),
    ...(spec.features?.length ? { features: [...spec.features] } : {}),
    ...(spec.optional ? { optional: true } : {}),
  };
}

/** Whether two TOML values are the same (key order aside). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isTable(a) && isTable(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b;
}

/** Whether an entry is needed to build the package's binaries: a normal or build dependency (here or below a target). */
export const isBuildDependency = (e: DependencyEntry): boolean => ["dependencies", "build-dependencies"].includes(e.table.at(-1)!) && e.table[0] !== "workspace";

/**
 * The folder (relative to the repository root, no trailing slash) of the crate a dependency entry takes by path:
 * its own `path`, relative to the member's folder, or that of the shared version it inherits (`workspace = true`),
 * relative to the root. Undefined for a registry crate, or a path that leaves the repository.
 */
export function pathDependencyFolder(memberFolder: string, e: DependencyEntry, shared: readonly DependencyEntry[]): string | undefined {
  const value = e.value as { path?: unknown; workspace?: unknown } | null;
  if (value === null || typeof value !== "object") return undefined;
  const inherited = value.workspace === true ? shared.find((w) => w.crate === e.crate)?.value as { path?: unknown } | undefined : undefined;
  const [base, relative] = typeof value.path === "string" ? [memberFolder, value.path] : typeof inherited?.path === "string" ? ["", inherited.path] : [];
  if (relative === undefined) return undefined;
  const joined = [...(base ? base.split("/") : []), ...relative.split("/")].reduce<string[]>((parts, part) => {
    if (part === "" || part === ".") return parts;
    if (part === "..") return parts.length === 0 ? [".."] : parts[parts.length - 1] === ".." ? [...parts, ".."] : parts.slice(0, -1);
    return [...parts, part];
  }, []);
  return joined.length === 0 || joined[0] === ".." ? undefined : joined.join("/");
}
