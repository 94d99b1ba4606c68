#!/usr/bin/env node
// @ts-check
/**
 * Runs a TypeScript projenrc quickly: esbuild bundles it with the local
 * sources it imports (packages stay external) into node_modules/.cache, the
 * bundle is reused while none of its inputs changed, and node runs it as the
 * main module. It does not type-check: `npm test` runs `tsc --noEmit` over
 * .projenrc.ts and src/, so a type error still fails CI.
 *
 * usage: prism-projen-synth [.projenrc.ts]
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const entry = path.resolve(process.argv[2] ?? ".projenrc.ts");
const root = path.dirname(entry);
const cacheDir = path.join(root, "node_modules", ".cache", "prism-projen");
const bundleFile = path.join(cacheDir, `${path.basename(entry)}.cjs`);
const inputsFile = `${bundleFile}.inputs.json`;

/** @param {string} file */
function hash(file) {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The cached bundle, if every input still has the content it was built from. */
function cachedBundle() {
  try {
    const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf-8"));
    for (const [file, digest] of Object.entries(inputs)) {
      if (hash(path.resolve(root, file)) !== digest) return undefined;
    }
    return fs.readFileSync(bundleFile, "utf-8");
  } catch {
    return undefined;
  }
}

/** @param {string} file @param {string} text */
function writeAtomic(file, text) {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
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
  fs.mkdirSync(cacheDir, { recursive: true });
  writeAtomic(bundleFile, code);
  writeAtomic(inputsFile, JSON.stringify(inputs, null, 2));
  return code;
}

const code = cachedBundle() ?? build();
// Run as the main module, from the projenrc's own path, so `require.main === module`, `__dirname`
// and package resolution behave as if node ran .projenrc.ts itself.
const main = new Module(entry, undefined);
main.filename = entry;
// @ts-ignore -- internal, stable since Node 0.x
main.paths = Module._nodeModulePaths(root);
process.mainModule = main;
// @ts-ignore -- internal, stable since Node 0.x
main._compile(code, entry);
