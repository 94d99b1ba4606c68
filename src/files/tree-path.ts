import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Paths read from the tree's own records (`.projen/generated.json`, `.projen/files.json`) are input
 * like any other: one that is not a plain relative path inside the repository is never followed.
 */
export function isTreePath(p: unknown): p is string {
  return typeof p === "string" && p !== "" && !p.startsWith("/") && !/[\\\u0000]/.test(p) &&
    p.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/**
 * Whether `file` (relative to `root`) stays inside `root` once every link on the way is followed;
 * true too for a path that does not exist yet, as far as its existing part goes.
 */
export function staysInside(root: string, file: string): boolean {
  const realRoot = realpathOrSelf(root);
  let probe = path.join(root, file);
  // The deepest part of the path that exists decides where the rest would land.
  while (!fs.existsSync(probe) && path.dirname(probe) !== probe && probe.length > root.length) probe = path.dirname(probe);
  const real = realpathOrSelf(probe);
  return real === realRoot || real.startsWith(realRoot + path.sep);
}

function realpathOrSelf(p: string): string {
  return realpathIfExists(p) ?? path.resolve(p);
}

/** Where `p` leads once every link is followed, or undefined when it leads nowhere. */
export function realpathIfExists(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
