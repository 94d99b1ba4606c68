/**
 * `npm run bench`: medians of repeated runs, after a warm-up, each beside a
 * baseline measured in the same run.
 *
 *   1. `npx projen` on this repository's six-component tree with nothing to
 *      change, against stock projen synthesizing a plain Project with the same
 *      number of files through its default runner (ts-node, type-checked).
 *   2. In-process synthesis of 6, 100 and 1,000 generated components into a
 *      temporary folder (tmpfs, and the disk), against a plain projen Project
 *      writing the same number of files, and beside the floor: the same files
 *      written with plain writeFile; and 1,000 components synthesized again
 *      where an identical synthesis already wrote; 1000/100 also measured
 *      with the two sizes in alternation (tmpfs).
 *   3. The drift check on the default tree, against `npx projen` (the two
 *      measured in alternation, so the machine's load hits both alike), and
 *      the same two without npx and projen's CLI around them.
 *   4. What the explain trace costs a normal synthesis: the same synthesis
 *      with and without the trace calls in the source, and against the
 *      sources from before explain (bench/trace-cost.ts).
 *
 * Everything it prints also goes to bench/results.md, with the machine and the date: the figures
 * the README points to are that file's, never copied by hand.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Project } from "projen/lib/project";
import { TextFile } from "projen/lib/textfile";
import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "../src";
import { readTextIfExists } from "../src/files/read-text";
import { median, traceCost } from "./trace-cost";

const REPO = path.resolve(__dirname, "..");
const WARMUP = 1;
const RUNS = 7;
// `npx projen` takes about a second: more runs for a steadier median on a machine whose speed varies.
const RUNS_NPX = 15;

interface Result {
  readonly median: number;
  readonly runs: number[];
}

/** Median wall times of commands measured in alternation (ABCABC...), after one warm-up each, so drift in the machine's load hits all alike. */
function measureAlternating(fns: Array<() => void>, runs = RUNS): Result[] {
  return measureAlternatingTimed(fns.map(timed), runs);
}

/** As measureAlternating, with the times each `fn` reports itself (so its set-up and clean-up stay out of the figure). */
function measureAlternatingTimed(fns: Array<() => number>, runs = RUNS): Result[] {
  for (const fn of fns) fn();
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, j) => times[j].push(fn()));
  }
  return times.map((t) => ({ median: median(t), runs: t }));
}

/**
 * The median of per-run ratios b/a of two alternated measurements: each run of b against the run
 * of a just before it, so a slow phase of the machine hits both sides of every ratio alike.
 */
function pairedRatio(a: Result, b: Result): number {
  return median(a.runs.map((t, i) => b.runs[i] / t));
}

/** Median wall time of `fn` in ms, after warm-ups. */
function measure(fn: () => void, runs = RUNS, warmup = WARMUP): Result {
  return measureTimed(timed(fn), runs, warmup);
}

/** `fn` as a function that reports its own wall time in ms. */
function timed(fn: () => void): () => number {
  return () => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
}

/** Median of the times `fn` reports itself (so its set-up and clean-up stay out of the figure), after warm-ups. */
function measureTimed(fn: () => number, runs = RUNS, warmup = WARMUP): Result {
  for (let i = 0; i < warmup; i++) fn();
  const times = Array.from({ length: runs }, fn);
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

/** projen's CLI without npx around it, as npx starts it. */
function projenCli(cwd: string, args: string[]): () => void {
  return () => {
    const run = spawnSync(process.execPath, [path.join(REPO, "node_modules/.bin/projen"), ...args], { cwd, encoding: "utf-8" });
    if (run.status !== 0) throw new Error(`projen ${args.join(" ")} failed in ${cwd}:\n${run.stdout}${run.stderr}`);
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const list = (r: { runs: number[] }) => r.runs.map((t) => (t / 1000).toFixed(2)).join(", ");

/** Folders the projects below live in, removed when the bench exits. */
const projectDirs: string[] = [];
process.on("exit", () => projectDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function projectDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  projectDirs.push(dir);
  return dir;
}

/** A stock projen project: a plain Project whose .projenrc.ts writes `files` text files, run by ProjenrcTs's default runner. */
function stockProject(files: number): string {
  const dir = projectDir("bench-stock-");
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
function declare(n: number, outdir: string): ContainerMonorepo {
  const p = new ContainerMonorepo({ name: "bench", outdir, allowUnpinnedBaseImages: "benchmark" });
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) new GoComponent(p, `tool-${i}`, { workload: i % 2 ? WorkloadKind.JOB : WorkloadKind.NONE });
    else new RustComponent(p, `svc-${i}`, { linkage: i % 2 ? Linkage.STATIC : Linkage.GLIBC, ports: [{ name: "metrics", port: 9090 }] });
  }
  return p;
}

/** Runs `work` in a new temporary folder under `base`; times only `work`, not making or removing the folder. */
function inTempDir(base: string, prefix: string, work: (dir: string) => void): number {
  const dir = fs.mkdtempSync(path.join(base, prefix));
  const t0 = performance.now();
  work(dir);
  const elapsed = performance.now() - t0;
  fs.rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

/** Declaring and synthesizing `n` components. */
const synthComponents = (n: number, base: string) => inTempDir(base, "bench-synth-", (outdir) => declare(n, outdir).synth());

/** Declaring and synthesizing `n` components again and again where an identical synthesis already wrote (before the timing). */
function resynth(n: number, base: string, runs: number): Result {
  const outdir = fs.mkdtempSync(path.join(base, "bench-resynth-"));
  declare(n, outdir).synth();
  const result = measure(() => declare(n, outdir).synth(), runs);
  fs.rmSync(outdir, { recursive: true, force: true });
  return result;
}

/** Baseline: a plain projen Project writing `files` one-line text files. */
const stockSynth = (files: number, base: string) => inTempDir(base, "bench-stock-synth-", (outdir) => {
  const p = new Project({ name: "stock", outdir });
  for (let i = 0; i < files; i++) new TextFile(p, `files/file-${i}.txt`, { lines: [`generated file ${i}`] });
  p.synth();
});

/** Floor: the same files, same paths and bytes, written with plain mkdir + writeFile (no synthesis, no atomic rename). */
const rawWrites = (tree: ReadonlyMap<string, string>, base: string) => inTempDir(base, "bench-raw-", (dir) => {
  const made = new Set<string>();
  for (const [file, content] of tree) {
    const target = path.join(dir, file);
    const folder = path.dirname(target);
    if (!made.has(folder)) fs.mkdirSync(folder, { recursive: true });
    made.add(folder);
    fs.writeFileSync(target, content);
  }
});

/** What `n` components synthesize: each generated file's path and content. */
function treeOf(n: number, base: string): Map<string, string> {
  const tree = new Map<string, string>();
  inTempDir(base, "bench-count-", (outdir) => {
    const p = declare(n, outdir);
    p.synth();
    for (const file of p.files) {
      const text = readTextIfExists(path.join(outdir, file.path));
      if (text !== undefined) tree.set(file.path, text);
    }
  });
  return tree;
}

/**
 * A copy of this repository (its node_modules linked), where the bench may edit .projenrc.ts. Its cargo reads
 * Debian's crates, as the repository's .cargo/config.toml says: the tree's Cargo check runs once and keeps its verdict.
 */
function repoCopy(prefix = "bench-edit-"): string {
  const dir = projectDir(prefix);
  fs.cpSync(REPO, dir, { recursive: true, filter: (src) => ![".git", "node_modules", "target"].includes(path.basename(src)) });
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

let defaultTreeDir: string | undefined;

/** The default tree the `npx projen` runs measure: a copy of this repository, made once. */
function defaultTree(): string {
  defaultTreeDir ??= repoCopy("bench-tree-");
  return defaultTreeDir;
}

/** `npx projen` right after an edit of .projenrc.ts (a comment appended): the project's bundle is compiled again, the world's is kept. */
function afterEdit(dir: string): () => void {
  let edits = 0;
  const run = command(dir, ["projen"]);
  return () => {
    fs.appendFileSync(path.join(dir, ".projenrc.ts"), `// edit ${++edits}\n`);
    run();
  };
}

/** A folder whose projen tasks do nothing: what npx and projen's CLI cost before any synthesis. */
function noopProject(): string {
  const dir = projectDir("bench-noop-");
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "noop", private: true }));
  fs.mkdirSync(path.join(dir, ".projen"));
  const noop = (name: string) => ({ name, steps: [] });
  fs.writeFileSync(path.join(dir, ".projen/tasks.json"), JSON.stringify({ tasks: { default: noop("default"), drift: noop("drift") } }));
  return dir;
}

/** The argv of the default task's step: how `npx projen` starts the runner. */
function defaultTaskArgv(): string[] {
  const tasks = JSON.parse(fs.readFileSync(path.join(REPO, ".projen/tasks.json"), "utf-8"));
  return tasks.tasks.default.steps[0].execArgs;
}

/**
 * The runner alone, as the synth and drift tasks start it (without the extra CA bundle), with no
 * npx or projen CLI around it; `argv` replaces the task's, e.g. to start the node runner directly.
 */
function runner(args: string[], env: NodeJS.ProcessEnv = {}, argv = defaultTaskArgv()): () => void {
  return () => {
    const [program, ...rest] = argv;
    const run = spawnSync(program, [...rest, ...args], { cwd: defaultTree(), env: { ...process.env, NODE_EXTRA_CA_CERTS: "", ...env } });
    if (run.status !== 0) throw new Error(`${argv.join(" ")} ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
  };
}

/** Node's own start, as each of the three processes of `npx projen` pays it. */
function nodeStart(env: NodeJS.ProcessEnv): () => void {
  return () => {
    spawnSync(process.execPath, ["-e", "0"], { env: { ...process.env, ...env } });
  };
}

/** Every line the bench prints, for bench/results.md. */
const printed: string[] = [];
const print = console.log;
console.log = (...args: unknown[]) => {
  printed.push(args.join(" "));
  print(...args);
};

/** bench/results.md: the machine, the date, the command and everything this run printed. */
function writeResults(started: Date, load: number[]): void {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const text = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (bench/run.ts) at the end of its run; not edited by hand.",
    "",
    `- date: ${started.toISOString()} (run took ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min)`,
    `- machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}; node ${process.version}`,
    `- load average (1, 5, 15 min) when it started: ${load.map((l) => l.toFixed(2)).join(", ")}`,
    "",
    "```",
    ...printed,
    "```",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(REPO, "bench", "results.md"), text);
}

function main(): void {
  console.log(`bench: ${os.cpus().length} cores, node ${process.version}; medians after ${WARMUP} warm-up of ${RUNS_NPX} runs (commands), ${RUNS} (in-process), 5 (1,000 components)`);
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa) {
    const [withCa, withoutCa] = measureAlternating([nodeStart({}), nodeStart({ NODE_EXTRA_CA_CERTS: "" })], RUNS_NPX);
    console.log(`NODE_EXTRA_CA_CERTS=${extraCa} is set: \`node -e 0\` takes ${s(withCa.median)}, ${s(withoutCa.median)} without it ` +
      "(npx and projen's CLI load it; the synth and drift tasks clear it)");
  }

  // 1. npx projen, nothing to change, against stock projen with as many files, and against the launchers alone.
  const generated = (JSON.parse(fs.readFileSync(path.join(REPO, ".projen/files.json"), "utf-8")).files as string[]).length;
  // The drift check is measured here, alternating with the synthesis it repeats (section 3 prints it).
  const noop = noopProject();
  const [ours, drift, floor, floorNamed] = measureAlternating(
    [command(defaultTree(), ["projen"]), command(defaultTree(), ["projen", "drift"]), command(noop, ["projen"]), command(noop, ["projen", "drift"])], RUNS_NPX);
  // Every run synthesizes; the one thing kept between runs is the compiled .projenrc.ts. Without it, every run compiles again.
  const noCache = { PRISM_PROJEN_NO_CACHE: "1" };
  const [oursUncached, driftUncached] = measureAlternating([command(defaultTree(), ["projen"], noCache), command(defaultTree(), ["projen", "drift"], noCache)], RUNS_NPX);
  const [runnerSynth, runnerDrift] = measureAlternating([runner([]), runner(["--check"])], RUNS_NPX);
  const [runnerSynthUncached, runnerDriftUncached] = measureAlternating([runner([], noCache), runner(["--check"], noCache)], RUNS_NPX);
  const edited = measure(afterEdit(repoCopy()), RUNS_NPX);
  const stock = measure(command(stockProject(generated), ["projen"]));
  console.log(`npx projen, default tree, nothing to change:      ${s(ours.median)}  (${list(ours)})`);
  console.log(fs.existsSync(path.join(defaultTree(), "target/prism-projen/cargo-check.json"))
    ? "  the tree's Cargo check passed in the warm-up and kept its verdict: the runs measured called no cargo"
    : "  the tree's Cargo check kept no verdict (cargo cannot resolve its crates here): every run measured called cargo");
  console.log(`npx projen, same, right after an edit of .projenrc.ts (its bundle compiled again, the world's kept): ${s(edited.median)}  (${list(edited)})`);
  console.log(`npx projen, same, everything compiled again (no kept bundle, as in a fresh clone): ${s(oursUncached.median)}  (${list(oursUncached)})`);
  const ownShare = median(floor.runs.map((t, i) => ours.runs[i] - t));
  console.log(`npx projen, a default task with no steps (npx and projen's CLI alone): ${s(floor.median)}  (${list(floor)}); ` +
    `the default tree takes ${s(ownShare)} more (median of paired runs)`);
  console.log(`  of which the runner (${defaultTaskArgv().join(" ")}) alone, a synthesis from the kept bundle: ` +
    `${s(runnerSynth.median)}; compiling .projenrc.ts again: ${s(runnerSynthUncached.median)}`);
  console.log(`stock projen, plain Project, ${generated} files, ts-node: ${s(stock.median)}  (${list(stock)})`);
  const ratio = ours.median / stock.median;
  const ratioFloor = pairedRatio(floor, ours);
  const ratioFull = oursUncached.median / stock.median;
  const ratioEdited = edited.median / stock.median;
  const verdict = (holds: boolean) => (holds ? "holds" : "does not hold");
  console.log(`ratio to stock projen, nothing to change: ${ratio.toFixed(3)} (target <= 0.2: ${verdict(ratio <= 0.2)})`);
  console.log(`ratio to the launcher floor, nothing to change: ${ratioFloor.toFixed(3)} (median of paired runs; target <= 1.15: ${verdict(ratioFloor <= 1.15)})`);
  console.log(`ratio to stock projen, a full synthesis (every run is one): right after an edit of .projenrc.ts ${ratioEdited.toFixed(3)} ` +
    `(target <= 0.3: ${verdict(ratioEdited <= 0.3)}); with everything compiled again ${ratioFull.toFixed(3)} (target <= 0.3: ${verdict(ratioFull <= 0.3)})`);

  // 2. In-process synthesis; tmpfs isolates synthesis from this disk's slow file creation, measured by the raw-write floor.
  const bases = [...(fs.existsSync("/dev/shm") ? [["tmpfs /dev/shm", "/dev/shm"]] : []), ["disk " + os.tmpdir(), os.tmpdir()]];
  const trees = new Map([6, 100, 1000].map((n) => [n, treeOf(n, bases[0][1])]));
  for (const [label, base] of bases) {
    const times: Record<number, number> = {};
    for (const [n, tree] of trees) {
      const runs = n === 1000 ? 5 : RUNS;
      const r = measureTimed(() => synthComponents(n, base), runs);
      times[n] = r.median;
      const raw = measureTimed(() => rawWrites(tree, base), runs);
      // projen looks files up by walking the whole tree per file: quadratic, so the 1,000-component baseline runs once.
      const baseline = measureTimed(() => stockSynth(tree.size, base), n === 1000 ? 1 : runs, n === 1000 ? 0 : WARMUP);
      console.log(`in-process synthesis, ${label}, ${String(n).padStart(4)} components (${tree.size} files): ${s(r.median)} (${list(r)}); ` +
        `plain projen Project writing ${tree.size} files: ${s(baseline.median)}${n === 1000 ? " (1 run)" : ""}, ratio ${(r.median / baseline.median).toFixed(3)}; ` +
        `the same files written with plain writeFile (floor): ${s(raw.median)}`);
    }
    console.log(`in-process synthesis, ${label}: 1000/100 = ${(times[1000] / times[100]).toFixed(2)}x`);
    if (base === bases[0][1]) {
      console.log(`in-process synthesis of 1,000 components on ${label}: ${s(times[1000])} (target <= 1 s: ${times[1000] <= 1000 ? "holds" : "does not hold"})`);
    }
    if (base === bases[0][1]) {
      // The two medians above come minutes apart; measured in alternation, a slow phase of the machine hits both sides.
      const [hundred, thousand] = measureAlternatingTimed([() => synthComponents(100, base), () => synthComponents(1000, base)], 7);
      console.log(`in-process synthesis, ${label}: 1000/100 measured in alternation = ${pairedRatio(hundred, thousand).toFixed(2)}x ` +
        `(median of 7 paired runs; ${s(hundred.median)} / ${s(thousand.median)})`);
    }
    // The everyday case of a large tree: synthesizing again where the last synth wrote (here, nothing changed).
    const again = resynth(1000, base, 5);
    console.log(`in-process synthesis, ${label}, 1000 components into the folder of an earlier synth (nothing to write): ${s(again.median)} (${list(again)})`);
  }

  // 3. The drift check, against the synthesis it repeats (measured above, in alternation with it).
  console.log(`npx projen drift, default tree:                   ${s(drift.median)}  (${list(drift)}); ratio to npx projen (median of paired runs) ${pairedRatio(ours, drift).toFixed(3)}`);
  console.log(`npx projen drift, .projenrc.ts compiled again:  ${s(driftUncached.median)}  (${list(driftUncached)}); ratio to npx projen compiling again (paired) ${pairedRatio(oursUncached, driftUncached).toFixed(3)}`);
  console.log(`the runner alone, drift check against synthesis: ${s(runnerDrift.median)} against ${s(runnerSynth.median)}, paired ratio ${pairedRatio(runnerSynth, runnerDrift).toFixed(3)}; ` +
    `compiling again ${s(runnerDriftUncached.median)} against ${s(runnerSynthUncached.median)}, paired ratio ${pairedRatio(runnerSynthUncached, runnerDriftUncached).toFixed(3)}`);
  // Without npx's 0.4 s around it, the difference between the two tasks stands out of the noise.
  const [cliSynth, cliDrift] = measureAlternating([projenCli(defaultTree(), []), projenCli(defaultTree(), ["drift"])], 25);
  console.log(`projen's CLI without npx, default tree: drift ${s(cliDrift.median)} against synthesis ${s(cliSynth.median)}, ` +
    `paired difference ${s(median(cliSynth.runs.map((t, i) => cliDrift.runs[i] - t)))} (25 alternated runs)`);
  const dispatch = median(floor.runs.map((t, i) => floorNamed.runs[i] - t));
  console.log(`npx projen with a named task rather than the default one, both with no steps: ${s(floorNamed.median)} against ${s(floor.median)} ` +
    `(${dispatch < 0 ? "-" : "+"}${s(Math.abs(dispatch))}: what projen's CLI adds to \`npx projen drift\` for a named task)`);
}

const started = new Date();
const load = os.loadavg();
main();
// 4. The trace explain records, in a synthesis that records none: with its calls, and with them taken out of the source.
traceCost(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), [
  { components: 0, pairs: 15, runsPerProcess: 20 },
  { components: 300, pairs: 9, runsPerProcess: 5 },
]).then((lines) => {
  for (const line of lines) console.log(line);
  writeResults(started, load);
}, (error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
