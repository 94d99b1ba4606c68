import * as path from "node:path";
import { GENERATED_MANIFEST, readGeneratedManifest, sha256, writtenHashes, type GeneratedManifestData } from "../files/generated-manifest";
import { readTextIfExists } from "../files/read-text";
import { staysInside } from "../files/tree-path";
import { byCodeUnits } from "../model/order";
import { driftDiff, lineDiff } from "./diff";
import { explanationSummary, type LineExplanation } from "../explain/explain";

/**
 * The drift check's comparison: a fresh synthesis (in a temporary folder)
 * against the working tree. Loaded only in check mode, never on a plain synth.
 */

const read = (root: string, file: string) => readTextIfExists(path.join(root, file));

/** The 1-based lines of `synthesized` that a line diff from `working` adds or changes. */
function linesNotIn(working: string, synthesized: string): number[] {
  const out: number[] = [];
  let line = 0;
  for (const part of lineDiff(working, synthesized)) {
    if (part.removed) continue;
    for (let i = 0; i < part.value.length; i++) {
      line++;
      if (part.added) out.push(line);
    }
  }
  return out;
}

/** For each line synthesis writes that the working tree does not have: its line, text and why. */
function explainChanged(d: Drift, why?: (file: string) => readonly LineExplanation[] | undefined): string {
  if (!why || (d.kind !== "edited by hand" && d.kind !== "out of date")) return "";
  const lines = why(d.file);
  if (!lines) return "";
  const changed = lines.filter((l) => d.synthesizedLines?.includes(l.line));
  return changed.map((l) => `  line ${l.line} as synthesized (${l.text.trim()}): ${explanationSummary(l)}\n`).join("");
}

export type DriftKind = "missing" | "out of date" | "edited by hand" | "orphaned" | "outside the repository";

export interface Drift {
  readonly file: string;
  readonly kind: DriftKind;
  readonly producer: string;
  readonly diff: string;
  /** The lines (1-based) of the synthesized file that the working tree does not have as they are. */
  readonly synthesizedLines?: readonly number[];
}

/**
 * Compares a fresh synthesis (`fresh`) with the working tree (`dir`). Pure reads. `ownedHash` reduces a file
 * partly owned by others to synthesis' part (see `GeneratedEntry.owned`): one edited only elsewhere is out of date.
 */
export function compareTrees(dir: string, fresh: string, ownedHash?: (file: string, text: string, declared: readonly string[]) => string | undefined): Drift[] {
  const now = readGeneratedManifest(fresh);
  if (!now) throw new Error(`the synthesis wrote no ${GENERATED_MANIFEST}: is .projenrc.ts a ContainerMonorepo?`);
  const before: GeneratedManifestData = readGeneratedManifest(dir) ?? { files: {} };
  const drifts: Drift[] = [];
  for (const [file, entry] of Object.entries(now.files)) {
    // The manifest itself changes whenever another file does; it is not reported on its own.
    if (file === GENERATED_MANIFEST) continue;
    // A link on the way out of the repository: the working file is not read, and that is the drift.
    if (!staysInside(dir, file)) {
      drifts.push({ file, kind: "outside the repository", producer: entry.producer, diff: "  a link on this path leads out of the repository; nothing was read there\n" });
      continue;
    }
    const actual = read(dir, file);
    const actualHash = actual === undefined ? undefined : sha256(actual);
    // The fresh manifest holds each fresh file's hash: the fresh file is read only to show a diff.
    if (actualHash === entry.sha256) continue;
    const expected = read(fresh, file)!;
    if (actual === expected) continue;
    const recorded = writtenHashes(before.files[file]);
    const owned = before.files[file]?.owned;
    // cargo add in a member: the user's part changed, synthesis' did not; npx projen writes it in its own layout.
    const editedElsewhere = actual !== undefined && owned !== undefined && ownedHash?.(file, actual, owned.declared) === owned.sha256;
    const kind: DriftKind = actual === undefined ? "missing"
      : recorded.length > 0 && !recorded.includes(actualHash!) && !editedElsewhere ? "edited by hand"
      : "out of date";
    drifts.push({
      file, kind, producer: entry.producer,
      diff: driftDiff(file, actual ?? "", expected),
      synthesizedLines: linesNotIn(actual ?? "", expected),
    });
  }
  for (const [file, entry] of Object.entries(before.files)) {
    if (!staysInside(dir, file)) continue;
    const actual = read(dir, file);
    if (now.files[file] === undefined && actual !== undefined) {
      drifts.push({ file, kind: "orphaned", producer: `${entry.producer} (no longer declared)`, diff: driftDiff(file, actual, "", { removed: true }) });
    }
  }
  return drifts.sort((a, b) => byCodeUnits(a.file, b.file));
}

/**
 * The report as text: a line per drifted file, its producer, its diff, and (when `why` knows the
 * file's synthesized lines) why each line synthesis writes differently is what it is; then a summary line.
 */
export function formatDrift(drifts: readonly Drift[], why?: (file: string) => readonly LineExplanation[] | undefined): string {
  const parts = drifts.map((d) => `${d.kind}: ${d.file}\n  produced by ${d.producer}\n${d.diff}${explainChanged(d, why)}`);
  const handEdited = drifts.some((d) => d.kind === "edited by hand");
  parts.push(drifts.length === 0
    ? "drift: none, every generated file matches .projenrc.ts"
    : handEdited
      // Synthesis refuses to overwrite bytes it did not write: say how to get past that, on purpose.
      ? `drift: ${drifts.length} file(s); a hand edit belongs in .projenrc.ts: make the change there, then run ` +
        "\"npx projen default --force\" once to replace the edited files (or list them in adoptFiles), and commit the result"
      : `drift: ${drifts.length} file(s); run "npx projen" and commit the result`);
  return parts.join("\n") + "\n";
}
