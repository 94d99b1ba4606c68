import * as fs from "node:fs";

/**
 * A file's text, or undefined when there is no file there (nothing, a folder, or a path below a
 * file). A missing file is the common case in a first synthesis (every generated path is looked at
 * before anything is written): stat without throwing answers it without building an error object.
 */
export function readTextIfExists(file: string): string | undefined {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw e;
  }
  if (!stat?.isFile()) return undefined;
  try {
    return fs.readFileSync(file, "utf-8");
  } catch (e) {
    // Removed between the two calls.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
