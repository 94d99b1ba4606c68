// @ts-check
/**
 * What a synthesis read, recorded while it runs, so that "up to date" can be answered only when a
 * fresh synthesis would read exactly the same things: every file it read (content hash), every path
 * whose existence or kind it asked about, every folder it listed, every symlink it resolved, every
 * module it resolved (request, from where, to which file), every environment variable it read, and
 * the Node.js version and default locale. Anything it reads in a way not recorded here (a read by file
 * descriptor, a child process, an asynchronous read, a listing of the whole environment) makes the
 * run unrecordable: no record is written, and the next run synthesizes again.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const url = require("node:url");

/** @typedef {{ sha256: string, encoding: string | null } | null} FileFact */
/**
 * @typedef {{
 *   node: string,
 *   files: Record<string, FileFact>,
 *   stats: Record<string, string | null>,
 *   lstats: Record<string, string | null>,
 *   access: Record<string, string>,
 *   lists: Record<string, string | null>,
 *   links: Record<string, string | null>,
 *   resolutions: [string, string, string][],
 *   env: Record<string, string | null>,
 * }} Facts
 */

/** The facts about this process that decide what a synthesis writes besides its inputs (relative paths resolve against the folder). */
function nodeFact() {
  return `${process.version} ${process.platform} ${process.arch} icu ${process.versions.icu ?? "none"} locale ${new Intl.Collator().resolvedOptions().locale} cwd ${process.cwd()}`;
}

/** @param {crypto.BinaryLike} data */
function sha256(data) {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** @param {unknown} p @returns {string | undefined} */
function toPath(p) {
  if (typeof p === "string") return path.resolve(p);
  if (Buffer.isBuffer(p)) return path.resolve(p.toString("utf-8"));
  if (p instanceof URL) return url.fileURLToPath(p);
  return undefined;
}

/** @param {unknown} options @returns {string | null} */
function encodingOf(options) {
  if (typeof options === "string") return options;
  if (options && typeof options === "object" && "encoding" in options && typeof options.encoding === "string") return options.encoding;
  return null;
}

/** @param {fs.Stats | undefined} s */
function kind(s) {
  if (!s) return null;
  return s.isFile() ? "file" : s.isDirectory() ? "dir" : s.isSymbolicLink() ? "link" : "other";
}

/** @param {unknown[]} entries */
function listingHash(entries) {
  const names = entries.map((e) => {
    if (typeof e === "string") return e;
    if (Buffer.isBuffer(e)) return e.toString("utf-8");
    const d = /** @type {fs.Dirent & { parentPath?: string }} */ (e);
    // withFileTypes: a name and its kind (a file that became a folder is another listing)
    return `${d.parentPath ?? ""}/${d.name} ${d.isFile() ? "f" : d.isDirectory() ? "d" : d.isSymbolicLink() ? "l" : "o"}`;
  });
  return sha256(names.sort().join("\n"));
}

/**
 * The key of a listing: the options that change what readdirSync returns, then the folder.
 * @param {unknown} options @param {string} dir
 */
function listKey(options, dir) {
  const o = /** @type {{ recursive?: boolean, withFileTypes?: boolean }} */ (options && typeof options === "object" ? options : {});
  return `${o.recursive ? "r" : "-"}${o.withFileTypes ? "t" : "-"} ${dir}`;
}

/**
 * The observations, taken afresh with the unwrapped functions. The same code records and verifies,
 * so a fact is equal exactly when the observation would be.
 */
const observe = {
  /** @param {string} file @param {string | null} encoding @returns {FileFact} */
  file(file, encoding) {
    try {
      const data = encoding ? fs.readFileSync(file, /** @type {BufferEncoding} */ (encoding)) : fs.readFileSync(file);
      return { sha256: sha256(data), encoding };
    } catch {
      return null;
    }
  },
  /** @param {string} p */
  stat: (p) => kind(fs.statSync(p, { throwIfNoEntry: false })),
  /** @param {string} p */
  lstat: (p) => kind(fs.lstatSync(p, { throwIfNoEntry: false })),
  /** @param {string} key "<mode> <path>" */
  access(key) {
    const [mode, ...rest] = key.split(" ");
    try {
      fs.accessSync(rest.join(" "), Number(mode));
      return "ok";
    } catch (e) {
      return /** @type {NodeJS.ErrnoException} */ (e).code ?? "error";
    }
  },
  /** @param {string} key "<options> <folder>", as listKey makes it */
  list(key) {
    const dir = key.slice(3);
    const recursive = key[0] === "r";
    try {
      return listingHash(key[1] === "t" ? fs.readdirSync(dir, { recursive, withFileTypes: true }) : fs.readdirSync(dir, { recursive }));
    } catch {
      return null;
    }
  },
  /** @param {string} p */
  link(p) {
    try {
      return fs.realpathSync(p);
    } catch {
      return null;
    }
  },
  /** @param {string} request @param {string} fromDir */
  resolution(request, fromDir) {
    const parent = new Module(path.join(fromDir, "[resolver]"), undefined);
    parent.filename = parent.id;
    // @ts-ignore -- internal, stable since Node 0.x (require.resolve is built on it)
    parent.paths = Module._nodeModulePaths(fromDir);
    try {
      // @ts-ignore -- internal, as above
      return /** @type {string} */ (Module._resolveFilename(request, parent, false));
    } catch {
      return "";
    }
  },
};

/**
 * Starts recording what this process reads; `stop()` ends it and returns the facts. Recording lasts
 * until stop, so a synthesis that awaits something is recorded whole. `pause(fn)` (on globalThis
 * under Symbol.for("prism-projen.recorder")) lets the synthesis do housekeeping that is not an
 * input of what it writes (removing stale temporaries).
 * @returns {{ stop(): { facts: Facts, untracked: string[] } }}
 */
function startRecording() {
  /** @type {Facts} */
  const facts = { node: nodeFact(), files: {}, stats: {}, lstats: {}, access: {}, lists: {}, links: {}, resolutions: [], env: {} };
  /** @type {Set<string>} */
  const untracked = new Set();
  const seenResolutions = new Set();
  let depth = 0;
  /** @type {[object, string, Function][]} */
  const restore = [];

  /**
   * @param {any} target @param {string} name
   * @param {(args: any[], result: any, threw: boolean) => void} note
   */
  const wrap = (target, name, note) => {
    const original = target[name];
    restore.push([target, name, original]);
    target[name] = /** @this {any} */ function (/** @type {any[]} */ ...args) {
      if (depth > 0) return original.apply(this, args);
      depth++;
      let threw = true;
      let result;
      try {
        result = original.apply(this, args);
        threw = false;
        return result;
      } finally {
        try {
          note(args, result, threw);
        } finally {
          depth--;
        }
      }
    };
    // realpathSync.native and friends hang off the function.
    Object.assign(target[name], original);
  };
  /** @param {string} what */
  const untrackable = (what) => (/** @type {any} */ target, /** @type {string} */ name) =>
    wrap(target, name, () => untracked.add(what.replace("%s", name)));

  wrap(fs, "readFileSync", ([p, options]) => {
    const file = toPath(p);
    if (file === undefined) untracked.add("fs.readFileSync by file descriptor");
    else facts.files[file] = observe.file(file, encodingOf(options));
  });
  wrap(fs, "existsSync", ([p]) => { const f = toPath(p); if (f) facts.stats[f] = observe.stat(f); });
  wrap(fs, "statSync", ([p]) => { const f = toPath(p); if (f) facts.stats[f] = observe.stat(f); else untracked.add("fs.statSync by file descriptor"); });
  wrap(fs, "lstatSync", ([p]) => { const f = toPath(p); if (f) facts.lstats[f] = observe.lstat(f); });
  wrap(fs, "accessSync", ([p, mode]) => {
    const f = toPath(p);
    if (f) {
      const key = `${mode ?? fs.constants.F_OK} ${f}`;
      facts.access[key] = observe.access(key);
    }
  });
  wrap(fs, "readdirSync", ([p, options]) => {
    const f = toPath(p);
    if (f) {
      const key = listKey(options, f);
      facts.lists[key] = observe.list(key);
    }
  });
  const noteLink = (/** @type {unknown[]} */ [p]) => { const f = toPath(p); if (f) facts.links[f] = observe.link(f); };
  const realpathNative = fs.realpathSync.native;
  wrap(fs, "realpathSync", noteLink);
  fs.realpathSync.native = realpathNative;
  wrap(fs.realpathSync, "native", noteLink);
  wrap(fs, "readlinkSync", noteLink);
  wrap(fs, "openSync", ([, flags]) => {
    // Only a write-only open is no read: writeFileSync opens with "w" or "wx".
    const writeOnly = typeof flags === "string" ? /^[wa]x?$/.test(flags) : typeof flags === "number" && (flags & 3) === fs.constants.O_WRONLY;
    if (!writeOnly) untracked.add("fs.openSync for reading");
  });
  for (const name of ["readSync", "readvSync", "fstatSync", "opendirSync", "copyFileSync", "cpSync", "readFile", "readdir", "stat", "lstat", "access", "exists",
    "realpath", "readlink", "open", "opendir", "copyFile", "cp", "createReadStream", "watch", "watchFile"]) {
    untrackable("fs.%s")(fs, name);
  }
  for (const name of ["readFile", "readdir", "stat", "lstat", "access", "realpath", "readlink", "open", "opendir"]) {
    untrackable("fs.promises.%s")(fs.promises, name);
  }
  const childProcess = require("node:child_process");
  for (const name of ["exec", "execFile", "execFileSync", "execSync", "fork", "spawn", "spawnSync"]) {
    untrackable("child_process.%s")(childProcess, name);
  }
  // @ts-ignore -- internal, as above: every require resolves through it
  wrap(Module, "_resolveFilename", ([request, parent, , options], result, threw) => {
    if (typeof request !== "string" || Module.isBuiltin(request)) return;
    if (options?.paths) {
      untracked.add("a module resolved with explicit paths");
      return;
    }
    const fromDir = parent?.filename ? path.dirname(parent.filename) : process.cwd();
    const key = `${request}\0${fromDir}`;
    if (seenResolutions.has(key)) return;
    seenResolutions.add(key);
    // A failed resolution is a fact too: installing the package later changes what the synthesis loads.
    facts.resolutions.push([request, fromDir, threw ? "" : result]);
  });

  const env = process.env;
  process.env = new Proxy(env, {
    get(target, name) {
      if (typeof name === "string" && depth === 0) facts.env[name] ??= target[name] ?? null;
      return Reflect.get(target, name);
    },
    has(target, name) {
      if (typeof name === "string" && depth === 0) facts.env[name] ??= target[name] ?? null;
      return Reflect.has(target, name);
    },
    getOwnPropertyDescriptor(target, name) {
      if (typeof name === "string" && depth === 0) facts.env[name] ??= target[name] ?? null;
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    ownKeys(target) {
      if (depth === 0) untracked.add("a listing of the whole environment");
      return Reflect.ownKeys(target);
    },
  });

  const key = Symbol.for("prism-projen.recorder");
  /** @type {any} */ (globalThis)[key] = {
    /** @template T @param {() => T} fn @returns {T} */
    pause(fn) {
      depth++;
      try {
        return fn();
      } finally {
        depth--;
      }
    },
  };
  return {
    stop() {
      process.env = env;
      delete (/** @type {any} */ (globalThis)[key]);
      for (const [target, name, original] of restore.reverse()) /** @type {any} */ (target)[name] = original;
      return { facts, untracked: [...untracked].sort() };
    },
  };
}

/**
 * Drops the facts about files the synthesis itself writes: the record checks those as outputs.
 * @param {Facts} facts @param {(file: string) => boolean} isOutput
 * @returns {Facts}
 */
function withoutOutputs(facts, isOutput) {
  /** @param {Record<string, any>} map @param {(k: string) => string} pathOf */
  const keep = (map, pathOf = (k) => k) => Object.fromEntries(Object.entries(map).filter(([k]) => !isOutput(pathOf(k))).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    ...facts,
    files: keep(facts.files),
    stats: keep(facts.stats),
    lstats: keep(facts.lstats),
    access: keep(facts.access, (k) => k.slice(k.indexOf(" ") + 1)),
    lists: keep(facts.lists, (k) => k.slice(3)),
    links: keep(facts.links),
  };
}

/**
 * The facts about `paths` taken again now: the synthesis itself writes starters (once, when
 * missing), so what it saw of them before writing no longer holds afterwards.
 * @param {Facts} facts @param {(file: string) => boolean} isStarter
 * @returns {Facts}
 */
function reobserved(facts, isStarter) {
  /** @template T @param {Record<string, T>} map @param {(k: string) => T} look */
  const again = (map, look) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, isStarter(k) ? look(k) : v]));
  return {
    ...facts,
    files: again(facts.files, (k) => observe.file(k, facts.files[k]?.encoding ?? null)),
    stats: again(facts.stats, observe.stat),
    lstats: again(facts.lstats, observe.lstat),
  };
}

/**
 * The first recorded fact that no longer holds, or undefined when all hold. Cheapest first.
 * @param {Facts} facts
 * @returns {string | undefined}
 */
function firstChanged(facts) {
  if (facts.node !== nodeFact()) return "the Node.js version or locale";
  for (const [name, value] of Object.entries(facts.env)) if ((process.env[name] ?? null) !== value) return `environment variable ${name}`;
  for (const [p, fact] of Object.entries(facts.stats)) if (observe.stat(p) !== fact) return p;
  for (const [p, fact] of Object.entries(facts.lstats)) if (observe.lstat(p) !== fact) return p;
  for (const [key, fact] of Object.entries(facts.access)) if (observe.access(key) !== fact) return key;
  for (const [p, fact] of Object.entries(facts.links)) if (observe.link(p) !== fact) return p;
  for (const [p, fact] of Object.entries(facts.lists)) if (observe.list(p) !== fact) return p;
  for (const [request, fromDir, result] of facts.resolutions) if (observe.resolution(request, fromDir) !== result) return `${request} from ${fromDir}`;
  for (const [p, fact] of Object.entries(facts.files)) {
    const now = observe.file(p, fact?.encoding ?? null);
    if ((now?.sha256 ?? null) !== (fact?.sha256 ?? null)) return p;
  }
  return undefined;
}

module.exports = { startRecording, withoutOutputs, reobserved, firstChanged, sha256 };
