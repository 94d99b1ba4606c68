import * as path from "node:path";

/** `goModuleDir` for a Go module at the repository root (`go.mod` beside `.projenrc.ts`). */
export const REPOSITORY_ROOT = ".";

/** A path inside the Go module, relative to the repository root: `go.mod` for the module at the root, `tools/go.mod` below tools. */
export function inGoModule(moduleDir: string, rel: string): string {
  return path.posix.join(moduleDir, rel);
}

/** The module's folder as a prefix of every path below it: "" at the root, "tools/" below tools. */
export function goModulePrefix(moduleDir: string): string {
  return moduleDir === REPOSITORY_ROOT ? "" : `${moduleDir}/`;
}
