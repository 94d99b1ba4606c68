import * as fs from "node:fs";
import * as path from "node:path";

/**
 * What a synthesis changed on disk, so that a write that fails half-way (EACCES, EROFS, ENOSPC, EISDIR, an
 * immutable file) puts every file back as it was: each path's bytes and mode before its first change, and the
 * folders the synthesis made.
 */
export class WriteJournal {
  /**
   * Each changed path's state before its first change: its bytes and mode, null when it did not exist, "other" when
   * it is not a file (a folder where a file goes: the write fails, and the folder is left as it is).
   */
  private readonly before = new Map<string, { readonly content: Buffer; readonly mode: number } | null | "other">();
  /** Folders the synthesis made (the first folder each recursive mkdir created). */
  private readonly madeFolders: string[] = [];

  /** Keeps what `file` holds now, the first time it is about to change. `stat`: its stat, when the caller has it. */
  public remember(file: string, stat?: fs.Stats | null): void {
    if (this.before.has(file)) return;
    const current = stat === undefined ? fs.statSync(file, { throwIfNoEntry: false }) : stat;
    this.before.set(file, !current ? null : current.isFile() ? { content: fs.readFileSync(file), mode: current.mode & 0o7777 } : "other");
  }

  /** Records a folder `mkdirSync(..., { recursive: true })` made (its return value). */
  public madeFolder(first: string | undefined): void {
    if (first !== undefined) this.madeFolders.push(first);
  }

  /**
   * Puts every remembered path back, the last changed first: its old bytes and mode, or no file where there was
   * none; then removes the folders it made that are empty again. Returns the paths it could not put back.
   */
  public rollback(): string[] {
    const failed: string[] = [];
    for (const [file, was] of [...this.before].reverse()) {
      if (was === "other") continue;
      try {
        if (was === null) {
          fs.rmSync(file, { force: true });
        } else {
          // A write that failed (a rename over an immutable file) changed nothing: nothing to put back.
          const now = fs.statSync(file, { throwIfNoEntry: false });
          if (now?.isFile() && (now.mode & 0o7777) === was.mode && fs.readFileSync(file).equals(was.content)) continue;
          const temp = `${file}.prism-rollback-${process.pid}`;
          fs.writeFileSync(temp, was.content, { mode: 0o600 });
          fs.chmodSync(temp, was.mode);
          fs.renameSync(temp, file);
        }
      } catch {
        failed.push(file);
      }
    }
    for (const folder of [...this.madeFolders].reverse()) removeEmptyFolders(folder);
    return failed;
  }
}

/** Removes `folder` and the folders below it, if no file is left in any of them. */
function removeEmptyFolders(folder: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) if (entry.isDirectory()) removeEmptyFolders(path.join(folder, entry.name));
  try {
    fs.rmdirSync(folder);
  } catch {
    // not empty (a file of someone else's), or gone: left as it is
  }
}

/** What to do about a failed write, by the OS error's code. */
const FIXES: Readonly<Record<string, (file: string) => string>> = {
  EACCES: (file) => `make ${path.dirname(file)} and ${file} writable for this user, or run as their owner`,
  EPERM: (file) => `${file} or its folder may not be changed (an immutable file: chattr -i ${file}; or not this user's)`,
  EROFS: () => "the file system is mounted read-only; synthesize into a writable checkout",
  ENOSPC: () => "the disk is full; free space, then run npx projen again",
  EDQUOT: () => "this user's disk quota is used up; free space, then run npx projen again",
  EISDIR: (file) => `${file} is a folder, where synthesis writes a file; move it away`,
  ENOTDIR: (file) => `a file stands where a folder on the way to ${file} must be; move it away`,
};

/**
 * The one line a failed write ends a synthesis with: the path, the OS error and the fix, and whether every file is
 * back as it was. Undefined for an error that is not an OS error about a path.
 */
export function failedWriteMessage(error: unknown, outdir: string, notRestored: readonly string[]): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof e.code !== "string" || typeof e.path !== "string") return undefined;
  const file = path.relative(outdir, e.path) || ".";
  const fix = FIXES[e.code]?.(file) ?? "fix what the error names, then run npx projen again";
  const restored = notRestored.length === 0
    ? "every file is as it was before this run"
    : `these could not be put back as they were: ${notRestored.map((f) => path.relative(outdir, f)).join(", ")}`;
  return `prism-projen: writing ${file} failed (${e.code}: ${e.syscall ?? "write"}); ${restored}; ${fix}`;
}
