import * as fs from "node:fs";
import * as path from "node:path";
import { projenFileMode, type WriteOptions } from "./projen-internals";
import { readTextIfExists } from "./read-text";
import { WriteJournal, failedWriteMessage } from "./write-journal";
import { Refusal } from "../refusal";

/**
 * Atomic file writes for synthesis: content goes to a temporary file in the
 * same folder, gets its final mode, and is renamed over the target, so a
 * synth killed at any moment leaves each file with its old or its new
 * content, never a part of it.
 */

/** Marks the temporary files; a synth removes any that a killed run left behind. */
export const TEMP_INFIX = ".prism-tmp-";

let tempCounter = 0;
// Folders this process already made: one mkdir per folder rather than per file.
const madeDirs = new Set<string>();
// The journal of the synthesis under way (withWriteJournal): what each write changes, to put back if one fails.
let journal: WriteJournal | undefined;

/**
 * Runs `writes` (a synthesis' writes into `outdir`) so that a failure leaves the tree as it was: every file the
 * writes changed gets its old bytes and mode back, every file they made is removed. An OS error about a path then
 * ends in one line (a Refusal: no stack) naming the path, the error and the fix; any other error is rethrown as is.
 */
export function withWriteJournal(outdir: string, writes: () => void): void {
  const outer = journal;
  const own = new WriteJournal();
  journal = own;
  try {
    writes();
  } catch (e) {
    const notRestored = own.rollback();
    const message = failedWriteMessage(e, outdir, notRestored);
    throw message === undefined ? e : new Refusal(message);
  } finally {
    journal = outer;
  }
}

/** Tells the journal of the synthesis under way that `file` may be created by another writer (a starter, by projen). */
export function aboutToCreate(file: string): void {
  const stat = journal && fs.statSync(file, { throwIfNoEntry: false });
  // An existing starter is never written again: only a missing one is the journal's to remove.
  if (journal && stat === undefined) journal.remember(file, null);
}

/** Removes `file` (a generated file no longer generated), kept in the journal of the synthesis under way first. */
export function removeFile(file: string): void {
  journal?.remember(file);
  fs.rmSync(file, { force: true });
}

/** Makes `dir` and the folders above it that are missing; the journal keeps the first it made. */
function makeFolder(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true });
  journal?.madeFolder(first);
}

/** Writes `data` to `file` atomically, read-only unless `readonly: false`, as projen's writer would. */
export function writeFileAtomic(file: string, data: string, options: WriteOptions = {}): void {
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    makeFolder(dir);
    madeDirs.add(dir);
  }
  // pid and a counter: unique per write of this process; the pid lets a later synth tell a dead writer's leftovers.
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_INFIX}${process.pid}-${tempCounter++}`);
  // The same modes projen gives its files (read-only generated files stay read-only).
  const mode = projenFileMode(options);
  try {
    // No fsync: rename is atomic for anything that reads the folder, a killed process included; only a power
    // loss could still see an empty file, and that is not worth an fsync per file (4,000 of them at 1,000 components).
    try {
      fs.writeFileSync(temp, data, { flag: "wx", mode: 0o600 });
    } catch (e) {
      // The folder cache is per process: a folder removed since (a cleaned outdir) is made again.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      makeFolder(dir);
      fs.writeFileSync(temp, data, { flag: "wx", mode: 0o600 });
    }
    fs.chmodSync(temp, mode);
    journal?.remember(file);
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    // The error names the file, not the temporary it was written to first (a failed write(2) names none).
    const error = e as NodeJS.ErrnoException;
    if (typeof error.code === "string" && (error.path === temp || error.path === undefined)) error.path = file;
    throw e;
  }
}

/** Removes temporary files that killed synths left in the folders of `files` (not those of a synth still running). */
export function removeStaleTemps(outdir: string, files: readonly string[]): void {
  const dirs = new Set(files.map((f) => path.dirname(path.join(outdir, f))));
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      // Exactly what writeFileAtomic names its temporaries: `.<file>.prism-tmp-<pid>-<counter>`; nothing else is touched.
      const match = STALE_TEMP.exec(name);
      if (match && !isAlive(Number(match[1]))) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

const STALE_TEMP = new RegExp(`^\\..+${TEMP_INFIX.replace(/[.]/g, "\\.")}(\\d+)-\\d+$`);

/**
 * Whether another live process has this pid (this process's own writes are all finished when a synth
 * starts). A killed writer that its parent has not reaped yet (a zombie) still answers signal 0, but
 * writes nothing more: where /proc tells the process state, a zombie counts as dead.
 */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  const stat = readTextIfExists(`/proc/${pid}/stat`);
  // "<pid> (<command>) <state> ...": the command may hold spaces and parentheses, the state follows the last ")".
  const state = stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/**
 * Writes a generated file unless it already holds exactly this content with
 * exactly its mode; removes it when `content` is undefined. projen's own
 * check asks `access(W_OK)`, which is always true for root, so as root (CI,
 * containers) it rewrote every file on every synth; this one reads the mode.
 */
export function synthesizeFile(outdir: string, file: string, content: string | undefined, options: WriteOptions): void {
  const absolute = path.join(outdir, file);
  if (content === undefined) {
    journal?.remember(absolute);
    fs.rmSync(absolute, { force: true, recursive: true });
    return;
  }
  writeIfChanged(absolute, content, options);
}

/** Writes `data` to `file` atomically unless it already holds exactly this content with exactly its mode. */
export function writeIfChanged(file: string, data: string, options: WriteOptions = {}): void {
  const mode = projenFileMode(options);
  // Without throwing: an error per missing file costs more than the stat itself.
  const current = fs.statSync(file, { throwIfNoEntry: false });
  if (current && (current.mode & 0o777) === mode && fs.readFileSync(file, "utf-8") === data) return;
  writeFileAtomic(file, data, options);
}
