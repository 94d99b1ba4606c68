import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Atomic file writes for synthesis: content goes to a temporary file in the
 * same folder, gets its final mode, and is renamed over the target, so a
 * synth killed at any moment leaves each file with its old or its new
 * content, never a part of it.
 *
 * projen writes files through `util.writeFile` (looked up at call time by
 * `FileBase`), so replacing that one function covers every generated file,
 * projen's own included.
 */

/** Marks the temporary files; a synth removes any that a killed run left behind. */
export const TEMP_INFIX = ".prism-tmp-";

interface WriteOptions {
  readonly readonly?: boolean;
  readonly executable?: boolean;
}

const projenUtil = require("projen/lib/util") as {
  writeFile: (file: string, data: string, options?: WriteOptions) => void;
  getFilePermissions: (options: WriteOptions) => string;
};

let installed = false;

/** Routes projen's file writes through `writeFileAtomic`; idempotent. */
export function installAtomicWrites(): void {
  if (installed) return;
  projenUtil.writeFile = writeFileAtomic;
  installed = true;
}

/** Writes `data` to `file` atomically, read-only unless `readonly: false`, as projen's writer would. */
export function writeFileAtomic(file: string, data: string, options: WriteOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}${TEMP_INFIX}${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
  // The same modes projen gives its files (read-only generated files stay read-only).
  const mode = parseInt(projenUtil.getFilePermissions(options), 8);
  try {
    const fd = fs.openSync(temp, "wx", 0o600);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

/** Removes temporary files that killed synths left in the folders of `files` (not those of a synth still running). */
export function removeStaleTemps(outdir: string, files: readonly string[]): void {
  const dirs = new Set(files.map((f) => path.dirname(path.join(outdir, f))));
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const pid = name.includes(TEMP_INFIX) ? Number(name.split(TEMP_INFIX)[1].split("-")[0]) : undefined;
      if (pid !== undefined && !isAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

/** Whether another live process has this pid (this process's own writes are all finished when a synth starts). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
