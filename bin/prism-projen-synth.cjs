#!/usr/bin/env node
// @ts-check
/**
 * Runs a TypeScript projenrc quickly: esbuild bundles it with the local
 * sources it imports (packages stay external) into node_modules/.cache, the
 * bundle is reused while none of its inputs changed, and node runs it as the
 * main module. It does not type-check: `npm test` runs `tsc --noEmit` over
 * .projenrc.ts and src/, so a type error still fails CI.
 *
 * When nothing changed since the last synth it made here (same bundle inputs,
 * same package-lock.json, same extra inputs, every generated file still as it
 * wrote it, every starter present), the synthesis would write nothing and it
 * is skipped. PRISM_PROJEN_NO_CACHE=1 turns both caches off. The same facts are
 * written as a record that prism-projen-synth.sh checks with sha256sum, so the
 * tasks skip without starting node at all.
 *
 * usage: prism-projen-synth [.projenrc.ts] [--check]
 *   --check  the drift check: synthesize into a temporary folder and report
 *            what differs from the working tree; writes nothing there.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");

const args = process.argv.slice(2);
const check = args.includes("--check");
const entry = path.resolve(args.find((a) => !a.startsWith("--")) ?? ".projenrc.ts");
const root = path.dirname(entry);
// With PROJEN_EJECTING set never "up to date": the synthesis itself says that ejecting is not supported.
const useCache = process.env.PRISM_PROJEN_NO_CACHE !== "1" && process.env.PRISM_PROJEN_SYNTH_DIR === undefined && !process.env.PROJEN_EJECTING;
// Per project folder: copies of a repository may share one node_modules (a symlink), and must not share a bundle.
const cacheDir = path.join(root, "node_modules", ".cache", "prism-projen", crypto.createHash("sha256").update(root).digest("hex").slice(0, 16));
const bundleFile = path.join(cacheDir, `${path.basename(entry)}.cjs`);
const inputsFile = `${bundleFile}.inputs.json`;
const stateFile = `${bundleFile}.state.json`;
const manifestFile = path.join(root, ".projen", "generated.json");
// One per node_modules, for prism-projen-synth.sh, which cannot compute cacheDir without starting a process.
const recordFile = path.join(root, "node_modules", ".cache", "prism-projen", "last-synth");

/** @param {string} file @returns {string | null} */
function hash(file) {
  try {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch {
    return null;
  }
}

/** @param {string} file @returns {string | undefined} */
function readText(file) {
  try {
    return fs.readFileSync(file, "utf-8");
  } catch {
    return undefined;
  }
}

/** @param {string} file */
function readJson(file) {
  const text = readText(file);
  try {
    return text === undefined ? undefined : JSON.parse(text);
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

/** @param {Record<string, string | null>} hashes */
function allMatch(hashes) {
  return Object.entries(hashes).every(([file, digest]) => hash(path.resolve(root, file)) === digest);
}

/**
 * The cached bundle and the hashes of its inputs, if every input still has the content it was built from.
 * @returns {{ code: string, inputs: Record<string, string | null> } | undefined}
 */
function cachedBundle() {
  const inputs = useCache ? readJson(inputsFile) : undefined;
  return inputs && allMatch(inputs) ? { code: fs.readFileSync(bundleFile, "utf-8"), inputs } : undefined;
}

function build() {
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    metafile: true,
    write: false,
    logLevel: "error",
  });
  const code = result.outputFiles[0].text;
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).sort().map((f) => [f, hash(path.resolve(root, f))]));
  writeAtomic(bundleFile, code);
  writeAtomic(inputsFile, JSON.stringify(inputs, null, 2));
  return { code, inputs };
}

/** What the last synth here saw and wrote; equal now means a synth would change nothing. */
function currentState() {
  const manifest = readJson(manifestFile);
  if (!manifest || !manifest.files) return undefined;
  return {
    bundleInputs: hash(inputsFile),
    // This file: a changed runner may synthesize differently (an installed one changes package-lock.json too).
    runner: hash(__filename),
    packageLock: hash(path.join(root, "package-lock.json")),
    manifest: hash(manifestFile),
    outputs: Object.fromEntries(Object.entries(manifest.files).map(([f, e]) => [f, e.sha256])),
    inputs: manifest.inputs ?? {},
    starters: manifest.starters ?? [],
  };
}

/** @param {any} state */
function upToDate(state) {
  const now = currentState();
  return now !== undefined && state !== undefined &&
    now.bundleInputs === state.bundleInputs && now.runner === state.runner && now.packageLock === state.packageLock && now.manifest === state.manifest &&
    allMatch(now.outputs) && allMatch(now.inputs) &&
    now.starters.every((/** @type {string} */ f) => fs.existsSync(path.resolve(root, f)));
}

/**
 * The facts upToDate() checks, as prism-projen-synth.sh reads them: its own folder and entry, the
 * paths that must exist or be absent, then "<sha256>  <path>" lines for `sha256sum --strict -c`.
 * It describes one exact tree, so it can only hold while the tree is that tree; it is (re)written when
 * a synth or an up-to-date check has just verified it, and only when every path fits verbatim on a line.
 * @param {NonNullable<ReturnType<typeof currentState>>} state
 * @param {Record<string, string | null>} bundleInputs the hashes of the bundle's inputs
 */
function writeRecord(state, bundleInputs) {
  /** @type {Record<string, string | null>} */
  const digests = { ...bundleInputs, [path.relative(root, __filename)]: state.runner, "package-lock.json": state.packageLock, [path.relative(root, manifestFile)]: state.manifest, ...state.outputs, ...state.inputs };
  const lines = ["prism-projen-synth record 2", `root ${root}`, `entry ${path.basename(entry)}`];
  const sums = [];
  for (const [file, digest] of Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (digest === null) lines.push(`absent ${file}`);
    else sums.push(`${digest}  ${file}`);
  }
  for (const file of state.starters) lines.push(`exists ${file}`);
  lines.push("sha256", ...sums);
  const verbatim = [root, entry, ...Object.keys(digests), ...state.starters].every((p) => !/[\\\n\r]/.test(p));
  const text = `${lines.join("\n")}\n`;
  if (verbatim && readText(recordFile) !== text) writeAtomic(recordFile, text);
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

const { code, inputs: bundleInputs } = cachedBundle() ?? build();
const state = useCache ? readJson(stateFile) : undefined;

if (check) {
  // A tree unchanged since a synth of these same inputs is what a fresh synth would write: no drift.
  if (upToDate(state)) {
    writeRecord(state, bundleInputs);
    process.stdout.write(`drift: none, every generated file matches ${path.basename(entry)} (unchanged since the last synth)\n`);
  } else {
    // Memory-backed when the machine has it: the check writes a whole fresh tree, and new folders on a
    // slow disk would make it slower than the synthesis it repeats.
    const scratch = fs.existsSync("/dev/shm") && fs.statSync("/dev/shm").isDirectory() ? "/dev/shm" : os.tmpdir();
    const out = fs.mkdtempSync(path.join(scratch, "prism-drift-"));
    process.env.PRISM_PROJEN_SYNTH_DIR = out;
    process.env.PRISM_PROJEN_CHECK = root;
    process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));
    runAsMain(code);
  }
} else if (upToDate(state)) {
  writeRecord(state, bundleInputs);
  process.stdout.write("prism-projen: up to date (no input or generated file changed since the last synth)\n");
} else {
  runAsMain(code);
  const after = useCache && !process.exitCode ? currentState() : undefined;
  if (after) {
    writeAtomic(stateFile, JSON.stringify(after));
    writeRecord(after, bundleInputs);
  }
}
