import * as fs from "node:fs";

/** A file's text, or undefined when there is none: one read, no separate existence check. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf-8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
