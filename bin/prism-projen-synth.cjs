#!/usr/bin/env node
// @ts-check
/**
 * Runs a TypeScript projenrc: bin/compile-projenrc.cjs compiles it with esbuild into one file (the
 * projenrc, the local sources it imports and prism-projen's own packages) and keeps that file while
 * every byte it came from is unchanged; node runs it as the main module, with V8's code cache. It
 * does not type-check: `npm test` runs `tsc --noEmit` over .projenrc.ts and src/, so a type error
 * still fails CI. Every run synthesizes: nothing but the compilation is kept between runs, so no
 * answer comes from a record of an earlier synthesis. PRISM_PROJEN_NO_CACHE=1 compiles every time.
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
const vm = require("node:vm");
const { compile, sha256, writeAtomic } = require("./compile-projenrc.cjs");

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
const root = path.dirname(entry);
const manifestFile = path.join(root, ".projen", "generated.json");
// Per project folder: copies of a repository may share one node_modules (a symlink), and must not share a compilation.
const cacheDir = process.env.PRISM_PROJEN_NO_CACHE === "1" || !fs.existsSync(path.join(root, "node_modules"))
  ? undefined
  : path.join(root, "node_modules", ".cache", "prism-projen", sha256(root).slice(0, 16));

/** @param {string} file @returns {unknown} */
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf-8"));
  } catch {
    return undefined;
  }
}

/**
 * Prints a refusal as its message alone; anything else as a crash, its stack mapped back from the
 * bundles to the TypeScript sources.
 * @param {unknown} error @param {import("./compile-projenrc.cjs").Compiled | undefined} compiled
 * @param {boolean} [late] thrown after the projenrc's synchronous run (a timer, a promise): a synthesis may have written by then
 */
function report(error, compiled, late = false) {
  const e = /** @type {any} */ (error);
  if (e && typeof e === "object" && e[Symbol.for("prism-projen.refusal")]) {
    process.stderr.write(`${e.message}\n`);
  } else {
    const bundles = compiled ? [compiled.project, ...(compiled.world ? [compiled.world] : [])] : [];
    const stack = bundles.reduce((s, bundle) => mapStack(s, bundle.filename, sourceMap(bundle)), e?.stack ?? String(e));
    // The first frame says whose code threw: the projenrc's own (a mistake to fix there) or the library's (a bug).
    const first = /^\s+at .*?\(?(\/[^():]+):\d+:\d+\)?$/m.exec(stack)?.[1];
    const own = first !== undefined && [entry, fs.realpathSync(entry)].includes(path.resolve(first));
    process.stderr.write(own
      ? `prism-projen: ${path.basename(entry)} threw an error${late ? "" : "; nothing was written"}:\n${stack}\n`
      : `prism-projen: unexpected error (please report it with this output):\n${stack}\n`);
  }
  process.exitCode = 1;
}

/** A bundle's source map, read only when a crash needs it. @param {import("./compile-projenrc.cjs").Bundle} bundle */
function sourceMap(bundle) {
  if (bundle.map !== undefined) return bundle.map;
  try {
    return bundle.mapFile ? fs.readFileSync(bundle.mapFile, "utf-8") : "";
  } catch {
    return "";
  }
}

/** How many characters Module.wrap puts before a module's code, on its first line. */
const WRAPPER_OPENING = Module.wrap("\u0000").indexOf("\u0000");

/**
 * Rewrites the `FILE:LINE:COL` frames of a bundle to the source file and line they came from.
 * @param {string} stack @param {string} file the bundle's file name in the frames @param {string} map
 */
function mapStack(stack, file, map) {
  let sourceMap;
  try {
    sourceMap = map ? new Module.SourceMap(JSON.parse(map)) : undefined;
  } catch {
    sourceMap = undefined; // a damaged map: the stack as it is, rather than no stack
  }
  if (!sourceMap) return stack;
  const frame = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g");
  return stack.replace(frame, (whole, line, column) => {
    // The bundle runs inside Module.wrap's function: its first line starts after the wrapper's opening.
    const col = Number(column) - 1 - (Number(line) === 1 ? WRAPPER_OPENING : 0);
    const found = /** @type {any} */ (sourceMap.findEntry(Number(line) - 1, col));
    if (!found || found.originalSource === undefined) return whole;
    return `${path.resolve(root, found.originalSource)}:${found.originalLine + 1}:${found.originalColumn + 1}`;
  });
}

/**
 * Compiles a bundle with V8's code cache when there is one that fits.
 * @param {import("./compile-projenrc.cjs").Bundle} bundle @returns {{ script: vm.Script, cachedData: Buffer | undefined }}
 */
function scriptOf(bundle) {
  let cachedData;
  try {
    cachedData = bundle.codeCacheFile ? fs.readFileSync(bundle.codeCacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  return { script: new vm.Script(Module.wrap(bundle.code), { filename: bundle.filename, cachedData }), cachedData };
}

/**
 * Runs the project's bundle as the main module, from the projenrc's own path: `require.main === module`,
 * `__dirname` and package resolution behave as if node ran the projenrc itself. Its require gives the packages of
 * prism-projen's world from the world's bundle (loaded on first use), and any other through Node. V8's code cache
 * for each bundle is read when there is one, and written after the run (it then holds the functions that ran).
 * @param {import("./compile-projenrc.cjs").Compiled} compiled @param {string} entry
 */
function runAsMain(compiled, entry) {
  const main = new Module(entry, undefined);
  main.filename = entry;
  // @ts-ignore -- internal, stable since Node 0.x
  main.paths = Module._nodeModulePaths(path.dirname(entry));
  const nodeRequire = Module.createRequire(entry);
  /** @type {{ bundle: import("./compile-projenrc.cjs").Bundle, script: vm.Script, cachedData: Buffer | undefined }[]} */
  const ran = [];
  /** @type {{ load(id: string): unknown } | undefined} */
  let world;
  const worldSpecs = new Set(compiled.worldSpecs);
  const loadWorld = () => {
    if (world) return world;
    const bundle = /** @type {import("./compile-projenrc.cjs").Bundle} */ (compiled.world);
    const compiledWorld = scriptOf(bundle);
    ran.push({ bundle, ...compiledWorld });
    const worldModule = new Module(bundle.filename, undefined);
    compiledWorld.script.runInThisContext().call(worldModule.exports, worldModule.exports, nodeRequire, worldModule, bundle.filename, path.dirname(entry));
    world = /** @type {{ load(id: string): unknown }} */ (worldModule.exports);
    return world;
  };
  // The projenrc's own require, whose `main` is the projenrc: `require.main === module` holds, as when node runs it.
  const projenrcRequire = Object.assign((/** @type {string} */ id) => (worldSpecs.has(id) ? loadWorld().load(id) : nodeRequire(id)), {
    resolve: nodeRequire.resolve, cache: nodeRequire.cache, extensions: nodeRequire.extensions, main,
  });
  const project = scriptOf(compiled.project);
  ran.push({ bundle: compiled.project, ...project });
  try {
    project.script.runInThisContext().call(main.exports, main.exports, projenrcRequire, main, entry, path.dirname(entry));
  } finally {
    main.loaded = true;
    for (const { bundle, script, cachedData } of ran) {
      if (!bundle.codeCacheFile || (cachedData !== undefined && !script.cachedDataRejected)) continue;
      try {
        writeAtomic(bundle.codeCacheFile, script.createCachedData());
      } catch {
        // as above: only the next run's start is slower
      }
    }
  }
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

/** The environment of the run, by mode: what the project reads to know where to write and what to do. */
function prepareMode() {
  // projen reads PROJEN_DISABLE_POST, and treats unset as "false": projen's CLI sets it for the default task, not for
  // named ones (drift). One value for the same meaning: the drift check synthesizes what `npx projen` would.
  process.env.PROJEN_DISABLE_POST ??= "false";
  if (explainTarget !== undefined) {
    // FILE or FILE:LINE; nothing is written.
    const [, given, line] = /^(.*?)(?::(\d+))?$/.exec(explainTarget) ?? [];
    // projen runs tasks from the project root; npm records where `npx projen explain` was typed (INIT_CWD): a path
    // relative to a subfolder of the project is taken from there when it names a file, else from the root.
    const typedIn = process.env.INIT_CWD;
    const fromTyped = typedIn && !path.relative(root, typedIn).startsWith("..") ? path.resolve(typedIn, given) : undefined;
    const chosen = fromTyped && fs.existsSync(fromTyped) ? fromTyped : path.resolve(root, given);
    const file = path.relative(root, chosen).split(path.sep).join("/");
    process.env.PRISM_PROJEN_EXPLAIN = JSON.stringify({ file, ...(line ? { line: Number(line) } : {}), json: args.includes("--json") });
  } else if (check) {
    // Memory-backed when the machine has it: the check writes a whole fresh tree, and new folders on a
    // slow disk would make it slower than the synthesis it repeats.
    const scratch = fs.existsSync("/dev/shm") && fs.statSync("/dev/shm").isDirectory() ? "/dev/shm" : os.tmpdir();
    const out = fs.mkdtempSync(path.join(scratch, "prism-drift-"));
    process.env.PRISM_PROJEN_SYNTH_DIR = out;
    process.env.PRISM_PROJEN_CHECK = root;
    process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));
  } else if (force) {
    process.env.PRISM_PROJEN_FORCE = "1";
  }
}

async function main() {
  /** @type {Awaited<ReturnType<typeof compile>>} */
  let compiled;
  // An error that escapes the synchronous part (a projenrc that awaits something, a timer) is reported the same way.
  process.on("unhandledRejection", (e) => report(e, compiled, true));
  process.on("uncaughtException", (e) => {
    report(e, compiled, true);
    process.exit(1);
  });
  compiled = await compile({ entry, root, cacheDir, runnerFiles: [__filename, ...["compile-projenrc.cjs", "observed-inputs.cjs"].map((f) => path.join(__dirname, f))] });
  if (!compiled) return; // esbuild printed why
  prepareMode();
  try {
    runAsMain(compiled, entry);
  } catch (e) {
    report(e, compiled);
  }
  if (explainTarget === undefined && !check) {
    // When everything the projenrc started has finished (beforeExit does not come after an uncaught error or process.exit).
    process.once("beforeExit", () => {
      if (!process.exitCode) ensureCargoLock();
    });
  }
}

main().catch((e) => report(e, undefined));
