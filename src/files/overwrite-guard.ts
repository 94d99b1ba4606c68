import * as fs from "node:fs";
import * as path from "node:path";
import { GENERATED_MANIFEST, sha256, writtenHashes, type GeneratedManifestData } from "./generated-manifest";
import { realpathIfExists } from "./tree-path";
import { driftDiff } from "../drift/diff";
import { byCodeUnits } from "../model/order";

/**
 * No synthesis destroys bytes it did not write. Before anything is written, every generated path
 * is compared with the record of the last synthesis (`.projen/generated.json`): a file whose
 * content is neither what the last synthesis wrote nor what this one would write was written by
 * someone else (a file of the user's own, or a hand edit), and the synthesis stops. So does a
 * generated path that is a folder or a link, or lies below a file or a link out of the repository.
 */

/** What one synthesis would write at a path (undefined: it removes the file). */
export interface PlannedFile {
  readonly path: string;
  readonly content: string | undefined;
  /** For a file partly owned by others: the hash of `text` reduced to synthesis' part (see `GeneratedEntry.owned`). */
  readonly ownedHash?: (text: string, declared: readonly string[]) => string | undefined;
}

/** A file whose bytes synthesis did not write and would overwrite or delete. */
export interface Overwrite {
  readonly file: string;
  readonly kind: "edited by hand" | "not written by prism-projen";
  readonly action: "overwrite" | "delete";
  /** The working file against what synthesis would leave there, a few lines of unified diff. */
  readonly diff: string;
}

/** What the working tree holds at the paths a synthesis writes, and whether it may go ahead. */
export interface TreeInspection {
  /** Files whose bytes synthesis did not write and would overwrite or delete. */
  readonly overwrites: readonly Overwrite[];
  /** Paths synthesis cannot write as files at all: `path: problem; fix`. */
  readonly blocked: readonly string[];
  /** The hash of every generated path that holds a file now (the bytes a killed synthesis may leave). */
  readonly onDisk: ReadonlyMap<string, string>;
  /** Files the last synthesis wrote and this one no longer does: the clean-up deletes them. */
  readonly orphans: readonly string[];
}

const DIFF_LINES = 24;

/**
 * Looks at every path this synthesis writes or deletes: `planned` are the files it writes,
 * `record` what the last one wrote, `allowed` the paths the user lets it overwrite anyway: asked with whether
 * synthesis wrote the path before (an adopted path is adopted with the bytes it had then, not for good).
 */
export function inspectTree(
  outdir: string,
  planned: readonly PlannedFile[],
  record: GeneratedManifestData | undefined,
  allowed: (file: string, writtenBefore: boolean) => boolean,
): TreeInspection {
  const overwrites: Overwrite[] = [];
  const blocked = blockedPaths(outdir, planned.map((p) => p.path));
  const onDisk = new Map<string, string>();
  const blockedFiles = new Set(blocked.map((b) => b.file));
  for (const { path: file, content, ownedHash } of planned) {
    if (blockedFiles.has(file)) continue;
    const current = readFile(path.join(outdir, file));
    if (current === undefined) continue;
    const hash = sha256(current);
    onDisk.set(file, hash);
    if (current === content) continue;
    const hashes = writtenHashes(record?.files[file]);
    if (hashes.includes(hash) || allowed(file, hashes.length > 0)) continue;
    // Edited only where others write (cargo add in a member's dependencies): no hand edit of synthesis' part.
    const owned = record?.files[file]?.owned;
    if (owned && ownedHash && ownedHash(current, owned.declared) === owned.sha256) continue;
    overwrites.push({
      file,
      kind: hashes.length === 0 ? "not written by prism-projen" : "edited by hand",
      action: content === undefined ? "delete" : "overwrite",
      diff: shortDiff(file, current, content ?? ""),
    });
  }
  const plannedPaths = new Set(planned.map((p) => p.path));
  const orphans: string[] = [];
  for (const [file, entry] of Object.entries(record?.files ?? {})) {
    if (plannedPaths.has(file) || file === GENERATED_MANIFEST) continue;
    const current = readFile(path.join(outdir, file));
    if (current === undefined) continue;
    onDisk.set(file, sha256(current));
    orphans.push(file);
    if (!allowed(file, true) && !writtenHashes(entry).includes(sha256(current))) {
      overwrites.push({ file, kind: "edited by hand", action: "delete", diff: shortDiff(file, current, "") });
    }
  }
  return { overwrites: overwrites.sort(byFile), blocked: blocked.map((b) => b.problem), onDisk, orphans: orphans.sort() };
}

/** The refusal: each file with what would happen to it and a short diff, then the ways out. */
export function formatOverwrites(found: readonly Overwrite[], forceCommand: string): string {
  const files = found.map((o) => `  - ${o.file}: ${o.kind}; synthesis would ${o.action} it\n${indent(o.diff)}`);
  // adoptFiles takes over a file of the user's own, with the bytes it holds now; a hand edit of a file synthesis wrote is not adopted.
  const own = found.filter((o) => o.kind === "not written by prism-projen");
  return [
    `prism-projen: nothing was written; ${found.length} generated path(s) hold bytes that prism-projen did not write:`,
    ...files,
    `Keep what you need first (a change to a generated file belongs in .projenrc.ts), then${own.length > 0 ? " either" : ""}:`,
    `  - run "${forceCommand}" once: synthesis overwrites these files and your bytes in them are lost${own.length > 0 ? "; or" : ""}`,
    ...(own.length > 0
      ? [`  - let synthesis take over these files of yours, with the bytes they hold now, in .projenrc.ts: adoptFiles: [${own.map((o) => JSON.stringify(o.file)).join(", ")}]`]
      : []),
  ].join("\n");
}

/**
 * Generated paths that cannot be written as files: a folder or a link where the file goes, a file
 * where a folder goes, or a folder that is a link leading out of the repository.
 */
function blockedPaths(outdir: string, files: readonly string[]): { file: string; problem: string }[] {
  const root = realpathIfExists(outdir) ?? path.resolve(outdir);
  const found: { file: string; problem: string }[] = [];
  const folders = new Map<string, string | undefined>();
  const folderProblem = (folder: string): string | undefined => {
    if (folders.has(folder)) return folders.get(folder);
    const absolute = path.join(outdir, folder);
    const stat = lstat(absolute);
    let problem: string | undefined;
    if (stat?.isSymbolicLink()) {
      const target = realpathIfExists(absolute);
      if (target === undefined || (target !== root && !target.startsWith(root + path.sep))) {
        problem = `${folder} is a link that leads out of the repository (to ${target ?? "nowhere"}); synthesis never writes outside it; replace the link with a folder`;
      } else if (!fs.statSync(target).isDirectory()) {
        problem = `${folder} is a link to a file where synthesis needs a folder; move it away`;
      }
    } else if (stat && !stat.isDirectory()) {
      problem = `${folder} is a file where synthesis needs a folder; move it away`;
    }
    folders.set(folder, problem);
    return problem;
  };
  for (const file of files) {
    const parts = file.split("/");
    let parent: string | undefined;
    for (let i = 1; i < parts.length && parent === undefined; i++) parent = folderProblem(parts.slice(0, i).join("/"));
    if (parent) {
      found.push({ file, problem: `${file}: cannot be written, ${parent}` });
      continue;
    }
    const stat = lstat(path.join(outdir, file));
    if (stat?.isDirectory()) found.push({ file, problem: `${file}: is a folder where synthesis writes a file; move it away` });
    else if (stat?.isSymbolicLink()) found.push({ file, problem: `${file}: is a link where synthesis writes a file (it never writes through links); replace the link with the file, or move it away` });
  }
  return found;
}

/** lstat, or undefined where nothing is (a missing path, or one below a file). */
function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw e;
  }
}

/** A file's text, or undefined when there is no file (blocked paths are looked at before this). */
function readFile(file: string): string | undefined {
  const stat = lstat(file);
  return stat?.isFile() ? fs.readFileSync(file, "utf-8") : undefined;
}

function byFile(a: Overwrite, b: Overwrite): number {
  return byCodeUnits(a.file, b.file);
}

/** A unified diff cut to its first lines: enough to recognize the change, not a wall of text. */
function shortDiff(file: string, current: string, planned: string): string {
  const lines = driftDiff(file, current, planned, { context: 1 }).split("\n")
    .filter((l) => !l.startsWith("===")).slice(0, -1);
  const shown = lines.slice(0, DIFF_LINES);
  if (lines.length > DIFF_LINES) shown.push(`... (${lines.length - DIFF_LINES} more diff lines)`);
  return shown.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => `      ${l}`).join("\n");
}
