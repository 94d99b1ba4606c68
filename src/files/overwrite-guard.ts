import * as path from "node:path";
import { GENERATED_MANIFEST, sha256, writtenHashes, type GeneratedManifestData } from "./generated-manifest";
import { readTextIfExists } from "./read-text";

/**
 * No synthesis destroys bytes it did not write. Before anything is written, every generated path
 * is compared with the record of the last synthesis (`.projen/generated.json`): a file whose
 * content is neither what the last synthesis wrote nor what this one would write was written by
 * someone else (a file of the user's own, or a hand edit), and the synthesis stops.
 */

/** What one synthesis would write at a path (undefined: it removes the file). */
export interface PlannedFile {
  readonly path: string;
  readonly content: string | undefined;
}

/** A file whose bytes synthesis did not write and would overwrite or delete. */
export interface Overwrite {
  readonly file: string;
  readonly kind: "edited by hand" | "not written by prism-projen";
  readonly action: "overwrite" | "delete";
  /** The working file against what synthesis would leave there, a few lines of unified diff. */
  readonly diff: string;
}

const DIFF_LINES = 24;

/**
 * The files this synthesis would overwrite or delete without having written them: `planned` are
 * the files it writes, `record` what the last one wrote, `allowed` the paths the user lets it take.
 */
export function findOverwrites(
  outdir: string,
  planned: readonly PlannedFile[],
  record: GeneratedManifestData | undefined,
  allowed: (file: string) => boolean,
): Overwrite[] {
  const found: Overwrite[] = [];
  for (const { path: file, content } of planned) {
    const current = readTextIfExists(path.join(outdir, file));
    if (current === undefined || current === content || allowed(file)) continue;
    const hashes = writtenHashes(record?.files[file]);
    if (hashes.includes(sha256(current))) continue;
    found.push({
      file,
      kind: hashes.length === 0 ? "not written by prism-projen" : "edited by hand",
      action: content === undefined ? "delete" : "overwrite",
      diff: shortDiff(file, current, content ?? ""),
    });
  }
  // Files the last synthesis wrote and this one no longer does: projen's clean-up deletes them.
  const plannedPaths = new Set(planned.map((p) => p.path));
  for (const [file, entry] of Object.entries(record?.files ?? {})) {
    if (plannedPaths.has(file) || file === GENERATED_MANIFEST || allowed(file)) continue;
    const current = readTextIfExists(path.join(outdir, file));
    if (current === undefined || writtenHashes(entry).includes(sha256(current))) continue;
    found.push({ file, kind: "edited by hand", action: "delete", diff: shortDiff(file, current, "") });
  }
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The refusal: each file with what would happen to it and a short diff, then the ways out. */
export function formatOverwrites(found: readonly Overwrite[], forceCommand: string): string {
  const files = found.map((o) => `  - ${o.file}: ${o.kind}; synthesis would ${o.action} it\n${indent(o.diff)}`);
  return [
    `prism-projen: nothing was written; ${found.length} generated path(s) hold bytes that prism-projen did not write:`,
    ...files,
    "Keep what you need first (a change to a generated file belongs in .projenrc.ts), then either:",
    `  - run "${forceCommand}" once: synthesis overwrites these files and your bytes in them are lost; or`,
    `  - let synthesis own these paths from now on, in .projenrc.ts: adoptFiles: [${found.map((o) => JSON.stringify(o.file)).join(", ")}]`,
  ].join("\n");
}

/** A unified diff cut to its first lines: enough to recognize the change, not a wall of text. */
function shortDiff(file: string, current: string, planned: string): string {
  // Required here: the diff library loads only when there is something to refuse.
  const { createTwoFilesPatch } = require("diff") as typeof import("diff");
  const lines = createTwoFilesPatch(`a/${file}`, `b/${file}`, current, planned, "working tree", "synthesized", { context: 1 }).split("\n")
    .filter((l) => !l.startsWith("===")).slice(0, -1);
  const shown = lines.slice(0, DIFF_LINES);
  if (lines.length > DIFF_LINES) shown.push(`... (${lines.length - DIFF_LINES} more diff lines)`);
  return shown.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => `      ${l}`).join("\n");
}
