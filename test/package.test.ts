import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { builtinModules } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDockerfile } from "../src/policy/dockerfile-rules";
import { hasInterpreter, hasNeeded } from "./binaries";
import { goBuildStage, runCargoBuild, runGoBuild, rustBuildStage } from "./dockerfile-builds";
import { readTree, repoCopy, tmpdir } from "./helpers";
import { readmeBlock } from "./readme-blocks";

/**
 * The library as another repository gets it: `npm pack` (which builds lib/ first), then `npm install`
 * of the tarball into an empty folder (npm's cache first: `npm ci` filled it with the packages; their
 * registry metadata may still have to be fetched, as for any `npm install`). Nothing of this
 * repository's node_modules or sources is visible there.
 */

const ROOT = path.resolve(__dirname, "..");
const EXAMPLE = path.join(ROOT, "examples/consumer");
// npm flags that change nothing about what is installed: no registry round trip when the cache has it, no audit.
const QUIET_INSTALL = ["--prefer-offline", "--no-audit", "--no-fund"];

let tarball: string;
let packedFiles: string[];

function run(command: string, args: readonly string[], cwd: string, options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { cwd, encoding: "utf-8", ...options });
  return { status: result.status, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? "") };
}

/** Runs one README line in `cwd`, the package name in `npm install` replaced by the tarball. */
function runReadmeLine(line: string, cwd: string) {
  const command = line.startsWith("npm install ")
    ? `${line.replace(/ prism-projen$/, ` ${tarball}`)} ${QUIET_INSTALL.join(" ")}`
    : line;
  expect(command, `the README's "${line}" names the package last`).not.toBe(`${line} ${QUIET_INSTALL.join(" ")}`);
  return run("sh", ["-c", command], cwd);
}

beforeAll(() => {
  const packed = tmpdir("pack-");
  const pack = run("npm", ["pack", "--json", "--pack-destination", packed], repoCopy());
  expect(pack.status, pack.stderr).toBe(0);
  const report = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(packed, report[0].filename);
  packedFiles = report[0].files.map((f) => f.path).sort();
});

describe("the package as published", () => {
  it("is publishable, and ships lib/, the runner's three files, the README, the license and package.json only", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf-8"));
    expect(manifest.private).toBeUndefined();
    const unexpected = packedFiles.filter((f) => !/^lib\/.+\.(js|d\.ts)$/.test(f) && !["LICENSE", "README.md", "package.json", "bin/prism-projen-synth.cjs", "bin/compile-projenrc.cjs", "bin/observed-inputs.cjs"].includes(f));
    expect(unexpected).toEqual([]);
    // every module of src/ is in lib/, and nothing else is (a stale lib/ would ship deleted modules)
    const sources = fs.readdirSync(path.join(ROOT, "src"), { recursive: true, encoding: "utf-8" })
      .filter((f) => f.endsWith(".ts")).map((f) => `lib/${f.replace(/\.ts$/, ".js")}`).sort();
    expect(packedFiles.filter((f) => f.endsWith(".js"))).toEqual(sources);
  });

  it("has runtime dependencies only: no type packages, one YAML library, each one imported by lib/ or bin/ (or a peer of one that is)", () => {
    const dependencies = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf-8")).dependencies);
    expect(dependencies.filter((d) => d.startsWith("@types/") || d.endsWith("-types"))).toEqual([]);
    expect(dependencies.filter((d) => ["yaml", "js-yaml"].includes(d))).toEqual(["yaml"]);
    const imported = new Set([...importsOf(path.join(ROOT, "src")), ...importsOf(path.join(ROOT, "bin"))].map(packageOf));
    // a peer dependency of a package we import (projen's constructs) is ours to install
    for (const used of [...imported]) {
      const peers = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", used, "package.json"), "utf-8")).peerDependencies ?? {};
      for (const peer of Object.keys(peers)) imported.add(peer);
    }
    expect(dependencies.filter((d) => !imported.has(d))).toEqual([]);
  });

  it("every import of lib/ and bin/ resolves in a project that installed it with --omit=dev", () => {
    const consumer = tmpdir("consumer-omit-dev-");
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    const install = run("npm", ["install", "--omit=dev", ...QUIET_INSTALL, "--ignore-scripts", tarball], consumer);
    expect(install.status, install.stderr).toBe(0);
    const installed = path.join(consumer, "node_modules/prism-projen");
    const unresolved: string[] = [];
    let checked = 0;
    for (const dir of ["lib", "bin"]) {
      for (const [file, specifier] of importsWithFiles(path.join(installed, dir))) {
        checked++;
        try {
          require.resolve(specifier, { paths: [path.dirname(file)] });
        } catch {
          unresolved.push(`${path.relative(installed, file)}: ${specifier}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(unresolved).toEqual([]);
  });
});

describe("a new repository, from an empty folder, with the README's commands", () => {
  it("starts with `npx prism-projen init`; policy (and --sarif), drift, new-component for Rust and Go, and the Dockerfiles' own builds pass there", () => {
    // The example's name comes from its folder, as a user's would.
    const consumer = path.join(tmpdir("start-"), "consumer");
    fs.mkdirSync(consumer);
    for (const line of readmeBlock("Start in your own repository")) {
      const step = runReadmeLine(line, consumer);
      expect(step.status, `${line}\n${step.stdout}${step.stderr}`).toBe(0);
    }
    expect(fs.realpathSync(path.join(consumer, "node_modules/.bin/prism-projen-synth")))
      .toBe(path.join(fs.realpathSync(consumer), "node_modules/prism-projen/bin/prism-projen-synth.cjs"));
    expect(JSON.parse(fs.readFileSync(path.join(consumer, "package.json"), "utf-8")).devDependencies).toHaveProperty("prism-projen");

    // examples/consumer is exactly what the start makes (its package.json names a published version, not a tarball).
    const made = readTree(consumer);
    delete made["package.json"];
    delete made["package-lock.json"];
    if (process.env.PRISM_UPDATE_EXAMPLE === "1") writeExample(made);
    const example = readTree(EXAMPLE);
    delete example["package.json"];
    expect(Object.keys(made).sort()).toEqual(Object.keys(example).sort());
    for (const file of Object.keys(example)) expect(made[file], `examples/consumer/${file} (PRISM_UPDATE_EXAMPLE=1 rewrites it)`).toBe(example[file]);
    expect(made["Cargo.lock"]).toMatch(/^name = "api"$/m);

    // The public types suffice to type-check the projenrc: strict, declaration files checked too.
    const tsc = run("npx", ["tsc", "--noEmit", "--strict", "--module", "commonjs", "--moduleResolution", "node", "--target", "es2022", ".projenrc.ts"], consumer);
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);

    const policy = run("npx", ["projen", "policy"], consumer);
    expect([policy.status, policy.stdout]).toEqual([0, expect.stringMatching(/^policy: 0 finding\(s\) in 2 dockerfile, 4 kubernetes, 1 workflow, 1 cargo file\(s\)$/m)]);
    const sarif = run("npx", ["projen", "policy", "--sarif", "policy.sarif"], consumer);
    expect(sarif.status, sarif.stderr).toBe(0);
    const log = JSON.parse(fs.readFileSync(path.join(consumer, "policy.sarif"), "utf-8"));
    expect([log.version, log.runs[0].results]).toEqual(["2.1.0", []]);
    fs.rmSync(path.join(consumer, "policy.sarif"));

    const again = run("npx", ["projen"], consumer);
    expect(again.status, again.stderr).toBe(0);
    const drift = run("npx", ["projen", "drift"], consumer);
    expect([drift.status, drift.stdout]).toEqual([0, expect.stringContaining("drift: none")]);

    // new-component, both languages: declared in .projenrc.ts, synthesized, the Rust one added to Cargo.lock
    for (const args of [["worker", "--lang", "rust"], ["seed", "--lang", "go", "--kind", "job"]]) {
      const added = run("npx", ["projen", "new-component", ...args], consumer);
      expect(added.status, added.stdout + added.stderr).toBe(0);
    }
    expect(fs.readFileSync(path.join(consumer, "Cargo.lock"), "utf-8")).toMatch(/^name = "worker"$/m);
    const policyAfter = run("npx", ["projen", "policy"], consumer);
    expect([policyAfter.status, policyAfter.stdout]).toEqual([0, expect.stringMatching(/^policy: 0 finding\(s\) in 4 dockerfile, 6 kubernetes, 1 workflow, 1 cargo file\(s\)$/m)]);

    // Each Dockerfile's own build command, run on the tree: cargo with --locked against the created Cargo.lock, go build.
    for (const name of ["api", "worker"]) {
      const build = rustBuildStage(parseDockerfile(fs.readFileSync(path.join(consumer, `containers/${name}/Dockerfile`), "utf-8")), consumer);
      expect(build.cargoArgs).toEqual(expect.arrayContaining(["build", "--release", "--locked"]));
      runCargoBuild(consumer, build);
      expect([hasInterpreter(build.built), hasNeeded(build.built)]).toEqual([false, false]);
    }
    for (const name of ["migrate", "seed"]) {
      const build = goBuildStage(parseDockerfile(fs.readFileSync(path.join(consumer, `tools/cmd/${name}/Dockerfile`), "utf-8")));
      const out = runGoBuild(consumer, build);
      expect(hasInterpreter(path.join(out, name))).toBe(false);
    }

    // A hand edit: the record no longer holds, and the drift check finds it.
    const dockerfile = path.join(consumer, "containers/api/Dockerfile");
    fs.chmodSync(dockerfile, 0o644);
    fs.appendFileSync(dockerfile, "USER root\n");
    const drifted = run("npx", ["projen", "drift"], consumer);
    expect(drifted.status).toBe(1);
    expect(drifted.stdout).toMatch(/^edited by hand: containers\/api\/Dockerfile$/m);
  });

  it("init changes nothing in a folder that already has a .projenrc.ts, and keeps nothing when the first synthesis refuses", () => {
    const consumer = tmpdir("init-twice-");
    const install = run("npm", ["install", "--save-dev", ...QUIET_INSTALL, tarball], consumer);
    expect(install.status, install.stderr).toBe(0);
    const help = run("npx", ["prism-projen", "init", "--help"], consumer);
    expect([help.status, help.stdout]).toEqual([0, expect.stringContaining("usage: prism-projen init [--name NAME]")]);
    fs.writeFileSync(path.join(consumer, ".projenrc.ts"), "// mine\n");
    const refused = run("npx", ["prism-projen", "init"], consumer);
    expect([refused.status, fs.readFileSync(path.join(consumer, ".projenrc.ts"), "utf-8")]).toEqual([1, "// mine\n"]);
    fs.rmSync(path.join(consumer, ".projenrc.ts"));

    const before = readTree(consumer);
    const bad = run("npx", ["prism-projen", "init", "--name", "Not_A_Name"], consumer);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("[project Not_A_Name] name:");
    expect(readTree(consumer)).toEqual(before);
  });
});

/** Writes the tree the start made into examples/consumer (PRISM_UPDATE_EXAMPLE=1), keeping its package.json. */
function writeExample(tree: Record<string, string>): void {
  const manifest = fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf-8");
  fs.rmSync(EXAMPLE, { recursive: true, force: true });
  for (const [file, content] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(EXAMPLE, file)), { recursive: true });
    fs.writeFileSync(path.join(EXAMPLE, file), content);
  }
  fs.writeFileSync(path.join(EXAMPLE, "package.json"), manifest);
}

/** Every bare module specifier that a file below `dir` requires or imports at run time, with the file. */
function importsWithFiles(dir: string): [string, string][] {
  const found: [string, string][] = [];
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: "utf-8" })) {
    if (!/\.(js|cjs|ts)$/.test(rel) || rel.endsWith(".d.ts")) continue;
    const file = path.join(dir, rel);
    const text = fs.readFileSync(file, "utf-8");
    const specifiers = [
      ...[...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]),
      ...[...text.matchAll(/^import (?!type )[^;]*? from "([^"]+)"/gms)].map((m) => m[1]),
    ];
    for (const s of specifiers) {
      if (s.startsWith(".") || s.startsWith("node:") || builtinModules.includes(s)) continue;
      found.push([file, s]);
    }
  }
  return found;
}

function importsOf(dir: string): string[] {
  return importsWithFiles(dir).map(([, s]) => s);
}

/** The package a specifier names: `projen/lib/x` is projen, `@scope/name/x` is @scope/name. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
