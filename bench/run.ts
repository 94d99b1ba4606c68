/**
 * `npm run bench`: medians of repeated runs, after a warm-up, each beside a
 * baseline measured in the same run.
 *
 *   1. `npx projen` on this repository's six-component tree with nothing to
 *      change, against stock projen synthesizing a plain Project with the same
 *      number of files through its default runner (ts-node, type-checked).
 *   2. In-process synthesis of 6, 100 and 1,000 generated components into a
 *      temporary folder (tmpfs, and the disk), against a plain projen Project
 *      writing the same number of files.
 *   3. The drift check on the default tree, against `npx projen` (the two
 *      measured in alternation, so the machine's load hits both alike).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Project } from "projen/lib/project";
import { TextFile } from "projen/lib/textfile";
import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "../src";

const REPO = path.resolve(__dirname, "..");
const WARMUP = 1;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall times of two commands measured in alternation (ABAB...), so drift in the machine's load hits both alike. */
function measurePair(a: () => void, b: () => void, runs = RUNS): [{ median: number; runs: number[] }, { median: number; runs: number[] }] {
  a();
  b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    b();
    tb.push(performance.now() - t0);
  }
  return [{ median: median(ta), runs: ta }, { median: median(tb), runs: tb }];
}

/** Median wall time of `fn` in ms, after warm-ups. */
function measure(fn: () => void, runs = RUNS, warmup = WARMUP): { median: number; runs: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), runs: times };
}

function command(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): () => void {
  return () => {
    const run = spawnSync("npx", args, { cwd, encoding: "utf-8", env: { ...process.env, ...env } });
    if (run.status !== 0 && !(args[1] === "drift" && run.status === 1)) {
      throw new Error(`npx ${args.join(" ")} failed in ${cwd}:\n${run.stdout}${run.stderr}`);
    }
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const list = (r: { runs: number[] }) => r.runs.map((t) => (t / 1000).toFixed(2)).join(", ");

/** A stock projen project: a plain Project whose .projenrc.ts writes `files` text files, run by ProjenrcTs's default runner. */
function stockProject(files: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-stock-"));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "stock", private: true }));
  fs.writeFileSync(path.join(dir, ".projenrc.ts"), [
    "import { Project, TextFile } from \"projen\";",
    "import { ProjenrcTs } from \"projen/lib/typescript\";",
    "",
    "const project = new Project({ name: \"stock\" });",
    "new ProjenrcTs(project);",
    `for (let i = 0; i < ${files}; i++) {`,
    "  new TextFile(project, `files/file-${i}.txt`, { lines: [`generated file ${i}`] });",
    "}",
    "project.synth();",
    "",
  ].join("\n"));
  // Bootstrap once so that .projen/tasks.json holds projen's default runner for .projenrc.ts.
  const boot = spawnSync(process.execPath, ["--require", "tsx/cjs", ".projenrc.ts"], { cwd: dir, encoding: "utf-8" });
  if (boot.status !== 0) throw new Error(boot.stderr);
  return dir;
}

/** The in-process workload: `n` components, two Rust (glibc and static) for each Go one. */
function synthComponents(n: number, base: string): void {
  const outdir = fs.mkdtempSync(path.join(base, "bench-synth-"));
  const p = new ContainerMonorepo({ name: "bench", outdir, allowUnpinnedBaseImages: "benchmark" });
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) new GoComponent(p, `tool-${i}`, { workload: i % 2 ? WorkloadKind.JOB : WorkloadKind.NONE });
    else new RustComponent(p, `svc-${i}`, { linkage: i % 2 ? Linkage.STATIC : Linkage.GLIBC, ports: [{ name: "metrics", port: 9090 }] });
  }
  p.synth();
  fs.rmSync(outdir, { recursive: true, force: true });
}

function stockSynth(files: number, base: string): void {
  const outdir = fs.mkdtempSync(path.join(base, "bench-stock-synth-"));
  const p = new Project({ name: "stock", outdir });
  for (let i = 0; i < files; i++) new TextFile(p, `files/file-${i}.txt`, { lines: [`generated file ${i}`] });
  p.synth();
  fs.rmSync(outdir, { recursive: true, force: true });
}

function filesOf(n: number): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-count-"));
  const p = new ContainerMonorepo({ name: "bench", outdir, allowUnpinnedBaseImages: "benchmark" });
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) new GoComponent(p, `tool-${i}`, { workload: i % 2 ? WorkloadKind.JOB : WorkloadKind.NONE });
    else new RustComponent(p, `svc-${i}`, { linkage: i % 2 ? Linkage.STATIC : Linkage.GLIBC, ports: [{ name: "metrics", port: 9090 }] });
  }
  p.synth();
  const count = p.files.length;
  fs.rmSync(outdir, { recursive: true, force: true });
  return count;
}

function main(): void {
  console.log(`bench: ${os.cpus().length} cores, node ${process.version}; medians of ${RUNS} runs after ${WARMUP} warm-up`);

  // 1. npx projen, nothing to change, against stock projen with as many files.
  const generated = (JSON.parse(fs.readFileSync(path.join(REPO, ".projen/files.json"), "utf-8")).files as string[]).length;
  // The drift check is measured here, alternating with the synthesis it repeats (section 3 prints it).
  const [ours, drift] = measurePair(command(REPO, ["projen"]), command(REPO, ["projen", "drift"]));
  const noCache = { PRISM_PROJEN_NO_CACHE: "1" };
  const [oursUncached, driftUncached] = measurePair(command(REPO, ["projen"], noCache), command(REPO, ["projen", "drift"], noCache));
  const stock = measure(command(stockProject(generated), ["projen"]));
  console.log(`npx projen, default tree, nothing to change:      ${s(ours.median)}  (${list(ours)})`);
  console.log(`npx projen, same, caches off (a full synthesis):  ${s(oursUncached.median)}  (${list(oursUncached)})`);
  console.log(`stock projen, plain Project, ${generated} files, ts-node: ${s(stock.median)}  (${list(stock)})`);
  console.log(`ratio to stock projen: ${(ours.median / stock.median).toFixed(3)} (caches off: ${(oursUncached.median / stock.median).toFixed(3)})`);

  // 2. In-process synthesis; tmpfs isolates synthesis from this disk's slow directory creation.
  const bases = [...(fs.existsSync("/dev/shm") ? [["tmpfs /dev/shm", "/dev/shm"]] : []), ["disk " + os.tmpdir(), os.tmpdir()]];
  for (const [label, base] of bases) {
    const times: Record<number, number> = {};
    for (const n of [6, 100, 1000]) {
      const runs = n === 1000 ? 5 : RUNS;
      const r = measure(() => synthComponents(n, base), runs);
      times[n] = r.median;
      const files = filesOf(n);
      // projen looks files up by walking the whole tree per file: quadratic, so the 1,000-component baseline runs once.
      const baseline = measure(() => stockSynth(files, base), n === 1000 ? 1 : runs, n === 1000 ? 0 : WARMUP);
      console.log(`in-process synthesis, ${label}, ${String(n).padStart(4)} components (${files} files): ${s(r.median)}; ` +
        `plain projen Project writing ${files} files: ${s(baseline.median)}${n === 1000 ? " (1 run)" : ""}; ratio ${(r.median / baseline.median).toFixed(3)}`);
    }
    console.log(`in-process synthesis, ${label}: 1000/100 = ${(times[1000] / times[100]).toFixed(2)}x`);
  }

  // 3. The drift check, against the synthesis it repeats (measured above, in alternation with it).
  console.log(`npx projen drift, default tree:                   ${s(drift.median)}  (${list(drift)}); ratio to npx projen ${(drift.median / ours.median).toFixed(3)}`);
  console.log(`npx projen drift, caches off (a full synthesis):  ${s(driftUncached.median)}  (${list(driftUncached)}); ratio to npx projen with caches off ${(driftUncached.median / oursUncached.median).toFixed(3)}`);
}

main();
