// @ts-check
/**
 * What an esbuild build of the projenrc looked at, and whether it is all still as it was: the
 * record bin/compile-projenrc.cjs keeps beside a compiled projenrc (see there for why it is sound).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** esbuild's default resolveExtensions, in its order. */
const RESOLVE_EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".css", ".json"];
/** A path inside a package: below `node_modules/NAME` or `node_modules/@SCOPE/NAME`. */
const INSIDE_PACKAGE = /[\\/]node_modules[\\/](@[^\\/]+[\\/])?[^\\/@][^\\/]*([\\/]|$)/;
/** What esbuild may read in a folder besides sources: resolution and compiler settings. */
const CONFIG_FILES = ["package.json", "tsconfig.json", "jsconfig.json"];

/** @param {string | Buffer} data */
const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

/** Every folder from `dir` up to the filesystem's root. @param {string} dir */
function upFrom(dir) {
  const dirs = [];
  for (let d = dir; ; d = path.dirname(d)) {
    dirs.push(d);
    if (path.dirname(d) === d) return dirs;
  }
}

/**
 * What a build looked at: each path's identity (its type, inode, size, modification and change times;
 * null when absent), and for an entry changed shortly before or during the build its content too (a
 * file's bytes, a folder's names), since two writes within one tick of the file system's clock can
 * leave the same times behind (git's "racy" entries, handled as git does). Whether a name exists in a
 * folder is observed through the folder's identity (a name added or removed changes it), except in
 * the folders above the project, where other programs add and remove names all the time (/tmp):
 * there each name asked about is observed alone.
 */
class Observed {
  /** @param {string} root the project folder @param {number} since entries changed after this time (ms) are checked by content too */
  constructor(root, since) {
    this.root = root;
    this.since = since;
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
    /** @type {Set<string>} folders whose settings were observed */
    this.settled = new Set();
    /** Whether a settings file extends another (see settingsFor). */
    this.extendsUnseen = false;
  }

  /** Observes a path as it is now. @param {string} p */
  see(p) {
    if (!this.entries.has(p)) this.record(p, fs.statSync(p, { throwIfNoEntry: false }), (st) => contentOf(p, st));
  }

  /**
   * A file's bytes (undefined when it is not a file), observed: its identity is taken before the read, so a write
   * after it changes the identity the next run compares; within one clock tick, the bytes read are compared too.
   * @param {string} file @returns {Buffer | undefined}
   */
  file(file) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    let bytes;
    try {
      bytes = st?.isFile() ? fs.readFileSync(file) : undefined;
    } catch {
      bytes = undefined;
    }
    if (!this.entries.has(file)) this.record(file, st, () => bytes ?? "");
    return bytes;
  }

  /** @param {string} p @param {fs.Stats | undefined} st @param {(st: fs.Stats) => Buffer | string} content */
  record(p, st, content) {
    const id = identity(st);
    const racy = st !== undefined && Math.max(st.mtimeMs, st.ctimeMs) >= this.since;
    this.entries.set(p, racy ? { path: p, id, content: sha256(content(st)) } : { path: p, id });
  }

  /** That `name` in `dir` is what it is now (absent, a file, a folder). @param {string} dir @param {string} name */
  child(dir, name) {
    const p = path.join(dir, name);
    if (this.isOwnFolder(dir)) {
      this.see(dir);
      if (fs.existsSync(p)) this.see(p);
    } else {
      this.see(p);
    }
  }

  /**
   * Whether names in `dir` are observed through the folder's identity: folders below the project's root, and
   * folders inside a package (below `node_modules/NAME`). Not `node_modules` folders themselves, nor the project's
   * own folder, the folders above it, or any other folder that merely holds a `node_modules`: there synthesis,
   * editors, npm and other programs (/tmp) add and remove names all the time, and each name asked about is observed
   * alone.
   * @param {string} dir
   */
  isOwnFolder(dir) {
    const base = path.basename(dir);
    if (base === "node_modules" || (base.startsWith("@") && path.basename(path.dirname(dir)) === "node_modules")) return false;
    const below = path.relative(this.root, dir);
    if (below !== "" && !below.startsWith("..") && !path.isAbsolute(below)) return true;
    return INSIDE_PACKAGE.test(dir);
  }

  /**
   * The file or folder a relative import names, and every name esbuild would try before or instead of it.
   * @param {string} target
   */
  importTarget(target) {
    const dir = path.dirname(target);
    const base = path.basename(target);
    if (this.isOwnFolder(dir)) {
      this.child(dir, base);
    } else {
      // esbuild's resolver: the path as written, then with each extension of resolveExtensions (default order);
      // an import of x.js from TypeScript also tries x.ts and x.tsx.
      const stem = base.replace(/\.(m|c)?jsx?$/, "");
      for (const name of [base, ...RESOLVE_EXTENSIONS.map((e) => base + e), ...(stem !== base ? [".ts", ".tsx", ".mts", ".cts"].map((e) => stem + e) : [])]) {
        this.child(dir, name);
      }
    }
    if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
      // a folder: its index file, or the entry its package.json names
      this.see(target);
      this.child(target, "package.json");
    }
  }

  /**
   * Every settings file esbuild can consult for a source in `dir`: those of its folder and of every folder above. A
   * tsconfig.json or jsconfig.json that extends another file makes esbuild read that file too, which is not observed
   * here: `extendsUnseen` is then set, and the bundle is not kept.
   * @param {string} dir
   */
  settingsFor(dir) {
    if (this.settled.has(dir)) return;
    this.settled.add(dir);
    const local = /[\\/]node_modules([\\/]|$)/;
    for (const d of upFrom(dir)) {
      for (const name of CONFIG_FILES) {
        this.child(d, name);
        // esbuild applies no tsconfig.json to a file inside node_modules (tried with esbuild 0.28): only a local source's count.
        if (name !== "package.json" && !local.test(dir) && fs.statSync(path.join(d, name), { throwIfNoEntry: false })?.isFile()) {
          if (/"extends"/.test(fs.readFileSync(path.join(d, name), "utf-8"))) this.extendsUnseen = true;
        }
      }
    }
  }

  /** @returns {Entry[]} what a later run checks */
  toRecord() {
    return [...this.entries.values()];
  }
}

/** @typedef {{ path: string, id: string | null, content?: string }} Entry (id null: absent) */

/** A file's bytes or a folder's sorted names. @param {string} p @param {fs.Stats} st */
function contentOf(p, st) {
  return st.isDirectory() ? fs.readdirSync(p).sort().join("\0") : fs.readFileSync(p);
}

/** A path's identity: type, inode, size, modification and change times; null when absent. @param {fs.Stats | undefined} st */
function identity(st) {
  if (!st) return null;
  const type = st.isFile() ? "f" : st.isDirectory() ? "d" : "o";
  return `${type}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Whether every path a build looked at is as it was. @param {Entry[]} entries */
function unchanged(entries) {
  for (const was of entries) {
    const st = fs.statSync(was.path, { throwIfNoEntry: false });
    if (identity(st) !== was.id) return false;
    if (was.content === undefined || !st) continue;
    try {
      if (sha256(contentOf(was.path, st)) !== was.content) return false;
    } catch {
      return false;
    }
  }
  return true;
}

module.exports = { CONFIG_FILES, Observed, identity, sha256, unchanged, upFrom };
