#!/usr/bin/env node
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createTwoFilesPatch } from "diff";
import { readGeneratedManifest, sha256, type GeneratedManifestData } from "../files/generated-manifest";
import { SYNTH_DIR_ENV } from "../project";

/**
 * `prism-projen-drift [DIR]`: synthesizes `.projenrc.ts` into a temporary
 * folder, compares it with DIR (default: the current folder) and lists every
 * generated file that is missing, out of date, edited by hand, or orphaned,
 * with a unified diff and the construct that produces it. Writes nothing in
 * DIR; needs no git. Exit 0: no drift; 1: drift; 2: the synthesis failed.
 */

export type DriftKind = "missing" | "out of date" | "edited by hand" | "orphaned";

export interface Drift {
  readonly file: string;
  readonly kind: DriftKind;
  readonly producer: string;
  readonly diff: string;
}

/** Compares a fresh synthesis (`fresh`) with the working tree (`dir`). Pure reads. */
export function compareTrees(dir: string, fresh: string): Drift[] {
  const now = readGeneratedManifest(fresh);
  if (!now) throw new Error(`the synthesis wrote no ${".projen/generated.json"}: is .projenrc.ts a ContainerMonorepo?`);
  const before: GeneratedManifestData = readGeneratedManifest(dir) ?? { files: {} };
  const read = (root: string, file: string) => {
    const absolute = path.join(root, file);
    return fs.existsSync(absolute) ? fs.readFileSync(absolute, "utf-8") : undefined;
  };
  const drifts: Drift[] = [];
  for (const [file, entry] of Object.entries(now.files)) {
    // The manifest itself changes whenever another file does; it is not reported on its own.
    if (file === ".projen/generated.json") continue;
    const expected = read(fresh, file)!;
    const actual = read(dir, file);
    if (actual === expected) continue;
    const recorded = before.files[file]?.sha256;
    const kind: DriftKind = actual === undefined ? "missing"
      : recorded !== undefined && sha256(actual) !== recorded ? "edited by hand"
      : "out of date";
    drifts.push({ file, kind, producer: entry.producer, diff: createTwoFilesPatch(`a/${file}`, `b/${file}`, actual ?? "", expected, "working tree", "synthesized") });
  }
  for (const [file, entry] of Object.entries(before.files)) {
    const actual = read(dir, file);
    if (now.files[file] === undefined && actual !== undefined) {
      drifts.push({ file, kind: "orphaned", producer: `${entry.producer} (no longer declared)`, diff: createTwoFilesPatch(`a/${file}`, "/dev/null", actual, "", "working tree", "synthesized") });
    }
  }
  return drifts.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Runs the project's own synth command (the projen default task), writing to
 * `out` when given (the project's files are then read, not written).
 */
export function synthesizeInto(dir: string, out?: string): { status: number; output: string } {
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, ".projen", "tasks.json"), "utf-8"));
  const command = (tasks.tasks.default?.steps ?? []).map((s: { exec?: string }) => s.exec).filter(Boolean).join(" && ");
  if (!command) throw new Error(`${dir}/.projen/tasks.json has no default task to synthesize with`);
  const run = spawnSync(command, {
    cwd: dir,
    shell: true,
    encoding: "utf-8",
    env: {
      ...process.env,
      ...(out !== undefined ? { [SYNTH_DIR_ENV]: out } : {}),
      PATH: `${path.join(dir, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    },
  });
  return { status: run.status ?? 1, output: `${run.stdout ?? ""}${run.stderr ?? ""}` };
}

/** The report as text: a line per drifted file, its producer, its diff; then a summary line. */
export function formatDrift(drifts: readonly Drift[]): string {
  const parts = drifts.map((d) => `${d.kind}: ${d.file}\n  produced by ${d.producer}\n${d.diff}`);
  parts.push(drifts.length === 0
    ? "drift: none, every generated file matches .projenrc.ts"
    : `drift: ${drifts.length} file(s); run "npx projen" and commit the result (a hand edit belongs in .projenrc.ts)`);
  return parts.join("\n") + "\n";
}

function main(argv: string[]): number {
  const dir = path.resolve(argv[0] ?? ".");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "prism-drift-"));
  try {
    const synth = synthesizeInto(dir, out);
    if (synth.status !== 0) {
      process.stderr.write(`drift: the synthesis failed, so nothing could be compared:\n${synth.output}`);
      return 2;
    }
    const drifts = compareTrees(dir, out);
    process.stdout.write(formatDrift(drifts));
    return drifts.length > 0 ? 1 : 0;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
