import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { snapshot } from "./helpers";

/**
 * A write that fails during a synthesis (a folder this user may not write, a full disk, an immutable file) leaves the
 * tree as it was: every file the synthesis changed before the failure gets its bytes and mode back, every file it
 * made is gone, and the run ends with exit 1 and one line naming the path, the OS error and the fix, no stack.
 * Each case synthesizes one component, then changes its port (which rewrites its Dockerfile, written before its
 * manifests, its manifests and the workflow) where a write will fail.
 */

const FIXTURE = path.resolve(__dirname, "fixtures/synth-port.ts");
const NOBODY = 65534;
const made: string[] = [];
const mounts: string[] = [];

/** A folder outside the run's private temp folder (that one is 0700), so another user can reach it. */
function openFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  made.push(dir);
  return dir;
}

/**
 * Synthesizes the tree with `port` and `settings` environment variables into `dir`, as `uid` when given (with a home
 * and temp folder of its own, outside the tree).
 */
function synth(dir: string, port: number, uid?: number, settings = 0) {
  let env = process.env;
  if (uid !== undefined) {
    const home = openFolder("prism-home-");
    fs.chownSync(home, uid, uid);
    env = { ...process.env, HOME: home, TMPDIR: home };
  }
  return spawnSync(process.execPath, ["--require", "tsx/cjs", FIXTURE, dir, String(port), String(settings)], {
    cwd: path.resolve(__dirname, ".."),
    encoding: "utf-8",
    env,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
}

/** A tmpfs of `size` of its own (unmounted when the file's tests end), with the tree synthesized on it. */
function synthesizedOnTmpfs(prefix: string, size: string): string {
  const dir = openFolder(prefix);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", dir]);
  mounts.push(dir);
  expect(synth(dir, 8980).status).toBe(0);
  return dir;
}

/** The run's one line: exit 1, no stack, the path and the OS error named, every file as it was. */
function expectOneLine(run: ReturnType<typeof synth>, file: RegExp, code: string, fix: RegExp): void {
  expect(run.status, run.stderr).toBe(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^prism-projen: writing ${file.source} failed \\(${code}: \\w+\\); every file is as it was before this run; `));
  expect(lines[0]).toMatch(fix);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

afterAll(() => {
  for (const mount of mounts) spawnSync("umount", [mount]);
  for (const dir of made) {
    spawnSync("chattr", ["-R", "-i", dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe("a failed write leaves the tree as it was", () => {
  it("as a user who may not write one folder (EACCES): the Dockerfile written before it is put back", () => {
    // GIVEN a tree of this user's, with deploy/base not writable for them
    const dir = openFolder("prism-eacces-");
    expect(synth(dir, 8980).status).toBe(0);
    execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, dir]);
    fs.chmodSync(path.join(dir, "deploy/base"), 0o555);
    const before = snapshot(dir);
    // WHEN a synthesis, as that user, changes the port
    const run = synth(dir, 8981, NOBODY);
    // THEN one line, and no byte or mode changed (the Dockerfile, written first, is back)
    expectOneLine(run, /deploy\/base\/\S+/, "EACCES", /make deploy\/base and deploy\/base\/\S+ writable for this user/);
    expect(snapshot(dir)).toEqual(before);
    // AND once the folder is writable, the same synthesis goes through
    fs.chmodSync(path.join(dir, "deploy/base"), 0o755);
    expect(synth(dir, 8981, NOBODY).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "containers/api/Dockerfile"), "utf-8")).toContain("EXPOSE 8981/tcp");
  });

  it("a first synthesis that fails leaves the folder as it was: no starter, no record, no folder it made", () => {
    // GIVEN an empty folder of a user, but for a deploy folder they may not write
    const dir = openFolder("prism-first-");
    fs.mkdirSync(path.join(dir, "deploy"), { mode: 0o555 });
    fs.chmodSync(path.join(dir, "deploy"), 0o555);
    fs.chownSync(dir, NOBODY, NOBODY);
    const before = snapshot(dir);
    // WHEN the first synthesis runs (it writes the starters, the record and the Dockerfile before deploy/)
    const run = synth(dir, 8980, NOBODY);
    // THEN one line, and nothing of it is left
    expectOneLine(run, /deploy\/\S+/, "EACCES", /writable for this user/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("on a full disk (ENOSPC, a small tmpfs): every file put back", () => {
    const dir = synthesizedOnTmpfs("prism-enospc-", "400k");
    // Fill the disk to within two pages: the next synthesis' record and Dockerfile fit (each is written beside the old
    // one, then renamed over it), its manifest, made three pages long by 80 settings, does not.
    const free = () => Number(execFileSync("df", ["--output=avail", "-B1", dir], { encoding: "utf-8" }).trim().split("\n")[1]);
    fs.writeFileSync(path.join(dir, "filler"), Buffer.alloc(Math.max(0, free() - 8 * 1024)));
    const before = snapshot(dir);
    const run = synth(dir, 8981, undefined, 80);
    expectOneLine(run, /deploy\/base\/api\.yaml/, "ENOSPC", /the disk is full; free space, then run npx projen again$/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("on a file system mounted read-only (EROFS): nothing written, one line", () => {
    const dir = synthesizedOnTmpfs("prism-erofs-", "1m");
    execFileSync("mount", ["-o", "remount,ro", dir]);
    const before = snapshot(dir);
    const run = synth(dir, 8981);
    expectOneLine(run, /\S+/, "EROFS", /the file system is mounted read-only; synthesize into a writable checkout$/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("an immutable file (chattr +i, EPERM): every file put back", () => {
    const dir = openFolder("prism-immutable-");
    expect(synth(dir, 8980).status).toBe(0);
    const manifest = path.join(dir, "deploy/base/api.yaml");
    execFileSync("chattr", ["+i", manifest]);
    const before = snapshot(dir);
    const run = synth(dir, 8981);
    execFileSync("chattr", ["-i", manifest]);
    expectOneLine(run, /deploy\/base\/api\.yaml/, "EPERM", /an immutable file: chattr -i deploy\/base\/api\.yaml/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("the starters a failed synthesis wrote", () => {
  it("are removed: a component added, its starter written, then the last write (the record) fails", async () => {
    const { ContainerMonorepo, RustComponent } = await import("../src");
    const dir = openFolder("prism-starters-");
    const define = (names: string[]) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, allowUnpinnedBaseImages: "test tree" });
      for (const name of names) new RustComponent(p, name, { ports: [{ name: "metrics", port: 9090 }] });
      return p;
    };
    define(["api"]).synth();
    const before = snapshot(dir);
    // Node's fs, as CommonJS sees it: replacing its renameSync and syncing the ES module view is the one way a test
    // can make a given rename fail (no disk fails on cue).
    const nodeFs = createRequire(__filename)("node:fs") as typeof fs;
    const rename = nodeFs.renameSync;
    let records = 0;
    // The record is written twice (the intent first, then the final one, after every other file and the starters): the second fails.
    nodeFs.renameSync = (from, to) => {
      if (String(to).endsWith(".projen/generated.json") && ++records === 2) {
        throw Object.assign(new Error(`EACCES: permission denied, rename '${from}' -> '${to}'`), { code: "EACCES", syscall: "rename", path: String(from) });
      }
      rename(from, to);
    };
    syncBuiltinESMExports();
    let message = "";
    try {
      define(["api", "worker"]).synth();
    } catch (e) {
      message = (e as Error).message;
    } finally {
      nodeFs.renameSync = rename;
      syncBuiltinESMExports();
    }
    // the intent, the final record (failed), and the rollback putting the record back as it was
    expect(records).toBe(3);
    expect(message).toMatch(/^prism-projen: writing \.projen\/generated\.json failed \(EACCES: rename\); every file is as it was before this run; /);
    // worker's starter (written by projen, after its Dockerfile and manifests) is gone with the rest
    expect(snapshot(dir)).toEqual(before);
  });
});
