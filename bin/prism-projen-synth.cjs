#!/usr/bin/env node
// @ts-check
/**
 * Runs a TypeScript projenrc: esbuild bundles it with the local sources it imports (packages stay
 * external), and node runs the bundle as the main module. It does not type-check: `npm test` runs
 * `tsc --noEmit` over .projenrc.ts and src/, so a type error still fails CI.
 *
 * Up to date: after a synthesis, the runner records everything it read (bin/record-inputs.cjs) and
 * everything it wrote. The next run bundles again (the bundle is the code that would run, however
 * esbuild resolved it) and skips the synthesis only when the bundle, every recorded input and every
 * generated file are as they were: a fresh synthesis would then write exactly what is there.
 * PRISM_PROJEN_NO_CACHE=1 turns the skip off.
 *
 * A refusal (bad input: `[component] field: problem; fix`) prints its message and exits 1; any
 * other error is a crash, printed with a stack whose frames point at the TypeScript sources.
 *
 * usage: prism-projen-synth [.projenrc.ts] [--check] [--force] [--explain FILE[:LINE] [--json]]
 *   --check    the drift check: synthesize into a temporary folder and report
 *              what differs from the working tree; writes nothing there.
 *   --force    overwrite generated paths that hold bytes prism-projen did not write.
 *   --explain  print why each line of a generated file (or line LINE) is what it is; writes nothing.
 *   --json     with --explain: the explanation as JSON, for tools.
 */
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const { firstChanged, reobserved, sha256, startRecording, withoutOutputs } = require("./record-inputs.cjs");

const RECORD_VERSION = 3;
const USAGE = "usage: prism-projen-synth [.projenrc.ts] [--check] [--force] [--explain FILE[:LINE] [--json]]";
const args = process.argv.slice(2);
const check = args.includes("--check");
const force = args.includes("--force");
const explainAt = args.indexOf("--explain");
// The file to explain: the first argument after --explain that is not a flag (`--explain --json FILE` works too).
const explainIndex = explainAt >= 0 ? args.findIndex((a, i) => i > explainAt && !a.startsWith("--")) : -1;
const explainTarget = explainIndex >= 0 ? args[explainIndex] : undefined;
const unknown = args.filter((a) => a.startsWith("--") && !["--check", "--force", "--explain", "--json"].includes(a));
if (unknown.length > 0 || (explainAt >= 0 && explainTarget === undefined)) {
  process.stderr.write(`prism-projen-synth: ${unknown.length > 0 ? `unknown option ${unknown.join(", ")}` : "--explain needs a generated file, e.g. proxy/Dockerfile:14"}\n${USAGE}\n`);
  process.exit(2);
}
const entry = path.resolve(args.find((a, i) => !a.startsWith("--") && i !== explainIndex) ?? ".projenrc.ts");
// projen reads PROJEN_DISABLE_POST, and treats unset as "false": projen's CLI sets it for the default task, not for
// named ones (drift). One value for the same meaning keeps the record of `npx projen` valid for `npx projen drift`.
process.env.PROJEN_DISABLE_POST ??= "false";
const root = path.dirname(entry);
const useCache = process.env.PRISM_PROJEN_NO_CACHE !== "1" && process.env.PRISM_PROJEN_SYNTH_DIR === undefined;
// Per project folder: copies of a repository may share one node_modules (a symlink), and must not share a record.
const cacheDir = path.join(root, "node_modules", ".cache", "prism-projen", sha256(root).slice(0, 16));
const recordFile = path.join(cacheDir, `${path.basename(entry)}.record.json`);
const manifestFile = path.join(root, ".projen", "generated.json");
const TEMP_INFIX = ".prism-tmp-";

/** @param {string} file @returns {unknown} */
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf-8"));
  } catch {
    return undefined;
  }
}

/** @param {string} file @param {string} text */
function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** The bundle, or undefined after printing esbuild's errors (a syntax error in .projenrc.ts is the user's to fix, not a crash). */
function bundle() {
  const esbuild = require("esbuild");
  let result;
  try {
    result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    write: false,
    sourcemap: "external",
    // Never written: names the output so the source map's paths are relative to the project folder.
    outfile: path.join(root, "prism-projen-bundle.cjs"),
    logLevel: "silent",
    });
  } catch (e) {
    const messages = /** @type {{ errors?: import("esbuild").Message[] }} */ (e).errors ?? [];
    const formatted = messages.length > 0 ? esbuild.formatMessagesSync(messages, { kind: "error", color: false }).join("") : `${e}\n`;
    process.stderr.write(`prism-projen: nothing was written; ${path.basename(entry)} does not compile:\n${formatted}`);
    process.exitCode = 1;
    return undefined;
  }
  const code = result.outputFiles.find((f) => f.path.endsWith(".cjs"))?.text ?? "";
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "";
  return { code, map, sha256: sha256(code) };
}

/**
 * What the last synthesis wrote, as the working tree holds it now: each generated file's hash and
 * mode, the manifest's own hash, and whether each starter exists.
 * @returns {{ files: Record<string, string>, manifest: string, starters: string[] } | undefined}
 */
function outputsNow() {
  let text;
  try {
    text = fs.readFileSync(manifestFile, "utf-8");
  } catch {
    return undefined;
  }
  const manifest = readJson(manifestFile);
  if (!manifest || typeof manifest !== "object" || !("files" in manifest) || typeof manifest.files !== "object" || !manifest.files) return undefined;
  // Only plain relative paths inside the folder: a record that names anything else is no record.
  const inside = (/** @type {unknown} */ p) => typeof p === "string" && p !== "" && !p.startsWith("/") && !/[\\\u0000]/.test(p) &&
    p.split("/").every((s) => s !== "" && s !== "." && s !== "..");
  const listed = [...Object.keys(manifest.files), ...("starters" in manifest && Array.isArray(manifest.starters) ? manifest.starters : [])];
  if (!listed.every(inside)) return undefined;
  /** @type {Record<string, string>} */
  const files = {};
  for (const file of Object.keys(manifest.files).sort()) {
    const absolute = path.resolve(root, file);
    try {
      files[file] = `${sha256(fs.readFileSync(absolute))} ${(fs.statSync(absolute).mode & 0o777).toString(8)}`;
    } catch {
      files[file] = "absent";
    }
  }
  const starters = "starters" in manifest && Array.isArray(manifest.starters) ? manifest.starters.filter((s) => typeof s === "string").sort() : [];
  return { files, manifest: sha256(text), starters };
}

/**
 * Whether the record of the last synthesis here still holds: same runner, same bundle, same
 * inputs, every output as written, every starter present.
 * @param {string} bundleHash
 */
function upToDate(bundleHash) {
  const record = /** @type {any} */ (useCache ? readJson(recordFile) : undefined);
  if (!record || record.version !== RECORD_VERSION || record.root !== root || record.runner !== runnerHash() || record.bundle !== bundleHash) return false;
  const outputs = outputsNow();
  if (!outputs || JSON.stringify(outputs) !== JSON.stringify(record.outputs)) return false;
  if (!outputs.starters.every((f) => fs.existsSync(path.resolve(root, f)))) return false;
  return firstChanged(record.facts) === undefined;
}

/** This runner and its recorder: a changed runner may synthesize differently. */
function runnerHash() {
  return sha256([__filename, path.join(__dirname, "record-inputs.cjs")].map((f) => fs.readFileSync(f, "utf-8")).join("\0"));
}

/** @param {string} code */
function runAsMain(code) {
  // As the main module, from the projenrc's own path: `require.main === module`, `__dirname` and
  // package resolution behave as if node ran .projenrc.ts itself.
  const main = new Module(entry, undefined);
  main.filename = entry;
  // @ts-ignore -- internal, stable since Node 0.x
  main.paths = Module._nodeModulePaths(root);
  process.mainModule = main;
  // @ts-ignore -- internal, stable since Node 0.x
  main._compile(code, entry);
}

/**
 * Prints a refusal as its message alone; anything else as a crash, its stack mapped back from the
 * bundle to the TypeScript sources.
 * @param {unknown} error @param {string} map
 */
function report(error, map) {
  const e = /** @type {any} */ (error);
  if (e && typeof e === "object" && e[Symbol.for("prism-projen.refusal")]) {
    process.stderr.write(`${e.message}\n`);
  } else {
    const stack = mapStack(e?.stack ?? String(e), map);
    // The first frame says whose code threw: the projenrc's own (a mistake to fix there) or the library's (a bug).
    const first = /^\s+at .*?\(?(\/[^():]+):\d+:\d+\)?$/m.exec(stack)?.[1];
    const own = first !== undefined && [entry, fs.realpathSync(entry)].includes(path.resolve(first));
    process.stderr.write(own
      ? `prism-projen: ${path.basename(entry)} threw an error; nothing was written:\n${stack}\n`
      : `prism-projen: unexpected error (please report it with this output):\n${stack}\n`);
  }
  process.exitCode = 1;
}

/** Rewrites the `.projenrc.ts:LINE:COL` frames of the bundle to the source file and line they came from. @param {string} stack @param {string} map */
function mapStack(stack, map) {
  if (!map) return stack;
  const sourceMap = new Module.SourceMap(JSON.parse(map));
  const frame = new RegExp(`${entry.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g");
  return stack.replace(frame, (whole, line, column) => {
    const found = /** @type {any} */ (sourceMap.findEntry(Number(line) - 1, Number(column) - 1));
    if (!found || found.originalSource === undefined) return whole;
    return `${path.resolve(root, found.originalSource)}:${found.originalLine + 1}:${found.originalColumn + 1}`;
  });
}

/**
 * After a synthesis into the working tree: records what it read and wrote, unless it read
 * something the recorder cannot follow.
 * @param {string} bundleHash @param {ReturnType<ReturnType<typeof startRecording>["stop"]>} recorded
 */
function writeRecord(bundleHash, recorded) {
  const outputs = outputsNow();
  if (!outputs || recorded.untracked.length > 0) {
    fs.rmSync(recordFile, { force: true });
    return;
  }
  // Starters are inputs as well as outputs: written once, then the user's, and a projenrc may read them. What the
  // synthesis saw of them is taken again now, after it wrote the missing ones.
  const written = new Set([...Object.keys(outputs.files), ".projen/generated.json"].map((f) => path.resolve(root, f)));
  const starters = new Set(outputs.starters.map((f) => path.resolve(root, f)));
  const isOutput = (/** @type {string} */ p) => written.has(p) || path.basename(p).includes(TEMP_INFIX);
  const facts = reobserved(withoutOutputs(recorded.facts, isOutput), (p) => starters.has(p));
  const record = { version: RECORD_VERSION, root, runner: runnerHash(), bundle: bundleHash, outputs, facts };
  writeAtomic(recordFile, JSON.stringify(record));
}

/**
 * Cargo.lock is cargo's file, not a generated one, but every Rust Dockerfile builds with --locked: when the
 * synthesized workspace (a generated root Cargo.toml) has none, cargo creates it offline (a starter depends on
 * the standard library only; other crates must already be in cargo's cache). An existing one is never touched.
 */
function ensureCargoLock() {
  if (fs.existsSync(path.join(root, "Cargo.lock"))) return;
  const manifest = /** @type {{ files?: Record<string, unknown> } | undefined} */ (readJson(manifestFile));
  if (!manifest?.files || !Object.hasOwn(manifest.files, "Cargo.toml")) return;
  const cargo = require("node:child_process").spawnSync("cargo", ["generate-lockfile", "--offline"], { cwd: root, encoding: "utf-8" });
  if (cargo.status === 0) {
    process.stdout.write("prism-projen: created Cargo.lock (cargo generate-lockfile --offline); commit it\n");
    return;
  }
  const why = (cargo.error?.message ?? cargo.stderr ?? "").trim().split("\n").slice(-3).join("\n  ");
  process.stderr.write("prism-projen: warning: Cargo.lock is missing and `cargo generate-lockfile --offline` could not create it; " +
    "the Dockerfiles build with --locked, so image builds fail until it exists. Run `cargo generate-lockfile` " +
    `where crates.io is reachable and commit Cargo.lock:\n  ${why}\n`);
}

// An error that escapes the synchronous part (a projenrc that awaits something) is reported the same way.
process.on("unhandledRejection", (e) => report(e, built?.map ?? ""));
const built = bundle();
if (!built) {
  // esbuild printed why
} else if (explainTarget !== undefined) {
  // FILE or FILE:LINE; nothing is written and nothing is recorded.
  const [, given, line] = /^(.*?)(?::(\d+))?$/.exec(explainTarget) ?? [];
  // projen runs tasks from the project root; npm records where `npx projen explain` was typed (INIT_CWD): a path
  // relative to a subfolder of the project is taken from there when it names a file, else from the root.
  const typedIn = process.env.INIT_CWD;
  const fromTyped = typedIn && !path.relative(root, typedIn).startsWith("..") ? path.resolve(typedIn, given) : undefined;
  const chosen = fromTyped && fs.existsSync(fromTyped) ? fromTyped : path.resolve(root, given);
  const file = path.relative(root, chosen).split(path.sep).join("/");
  process.env.PRISM_PROJEN_EXPLAIN = JSON.stringify({ file, ...(line ? { line: Number(line) } : {}), json: args.includes("--json") });
  try {
    runAsMain(built.code);
  } catch (e) {
    report(e, built.map);
  }
} else if (check) {
  // A tree unchanged since a synth of these same inputs is what a fresh synth would write: no drift.
  if (upToDate(built.sha256)) {
    process.stdout.write(`drift: none, every generated file matches ${path.basename(entry)} (unchanged since the last synth)\n`);
  } else {
    // Memory-backed when the machine has it: the check writes a whole fresh tree, and new folders on a
    // slow disk would make it slower than the synthesis it repeats.
    const scratch = fs.existsSync("/dev/shm") && fs.statSync("/dev/shm").isDirectory() ? "/dev/shm" : os.tmpdir();
    const out = fs.mkdtempSync(path.join(scratch, "prism-drift-"));
    process.env.PRISM_PROJEN_SYNTH_DIR = out;
    process.env.PRISM_PROJEN_CHECK = root;
    process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));
    try {
      runAsMain(built.code);
    } catch (e) {
      report(e, built.map);
    }
  }
} else if (!force && upToDate(built.sha256)) {
  process.stdout.write("prism-projen: up to date (no input or generated file changed since the last synth)\n");
  ensureCargoLock();
} else {
  if (force) process.env.PRISM_PROJEN_FORCE = "1";
  // No record while a synthesis runs: one that fails or is killed leaves none behind.
  fs.rmSync(recordFile, { force: true });
  const recording = startRecording();
  try {
    runAsMain(built.code);
  } catch (e) {
    report(e, built.map);
  }
  // When everything the projenrc started has finished (beforeExit does not come after an uncaught error or process.exit).
  process.once("beforeExit", () => {
    const recorded = recording.stop();
    if (useCache && !process.exitCode) writeRecord(built.sha256, recorded);
    if (!process.exitCode) ensureCargoLock();
  });
}
