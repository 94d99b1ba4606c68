import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { repoCopy } from "./helpers";

/**
 * Cargo.lock is cargo's file: every Rust Dockerfile builds with --locked, so synthesis creates it
 * when the workspace has none (cargo generate-lockfile --offline), and never rewrites one.
 */

const ROOT = path.resolve(__dirname, "..");
const synth = (dir: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ["bin/prism-projen-synth.cjs", ".projenrc.ts"], { cwd: dir, encoding: "utf-8", env });

/** Replaces the copy's `.projenrc.ts` with a tree of the one component `declaration` declares (on `project`). */
function oneComponentTree(dir: string, declaration: string): void {
  fs.writeFileSync(path.join(dir, ".projenrc.ts"), [
    'import { ContainerMonorepo, GoComponent, RustComponent } from "./src";',
    'const project = new ContainerMonorepo({ name: "prism", allowUnpinnedBaseImages: "test", synthCommand: ["node", "bin/prism-projen-synth.cjs", ".projenrc.ts"],',
    '  policyCommand: "tsx src/policy/cli.ts", newComponentCommand: "tsx src/cli/new-component.ts", adoptFiles: [] });',
    declaration,
    "project.synth();",
    "",
  ].join("\n"));
}

describe("Cargo.lock", () => {
  it("is created by cargo when missing: the same file as the committed one", () => {
    const dir = repoCopy();
    fs.rmSync(path.join(dir, "Cargo.lock"));
    const run = synth(dir);
    expect(run.status, run.stderr).toBe(0);
    // cargo makes it as it resolves the dependencies before the first write (the tree's crates are Debian's: repoCopy)
    expect(run.stdout).toContain("prism-projen: created Cargo.lock (cargo metadata --offline); commit it");
    expect(fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8")).toBe(fs.readFileSync(path.join(ROOT, "Cargo.lock"), "utf-8"));
  });

  it("is created by the runner for a workspace whose members have no dependency (nothing for cargo to resolve before the writes)", () => {
    const dir = repoCopy();
    fs.rmSync(path.join(dir, "Cargo.lock"));
    oneComponentTree(dir, 'new RustComponent(project, "solo", { ports: [{ name: "metrics", port: 9090 }] });');
    const run = synth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("prism-projen: created Cargo.lock (cargo generate-lockfile --offline); commit it");
    const lock = parse(fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8")) as { package: { name: string }[] };
    expect(lock.package.map((p) => p.name)).toEqual(["solo"]);
  });

  it("is never rewritten: a synthesis (cached or full) leaves an existing one byte for byte", () => {
    const dir = repoCopy();
    const lock = path.join(dir, "Cargo.lock");
    fs.appendFileSync(lock, "# kept as it is\n");
    const before = fs.readFileSync(lock, "utf-8");
    for (const env of [process.env, { ...process.env, PRISM_PROJEN_NO_CACHE: "1" }]) {
      const run = synth(dir, env);
      expect(run.status, run.stderr).toBe(0);
      expect(fs.readFileSync(lock, "utf-8")).toBe(before);
    }
  });

  it("when cargo cannot create it, the synthesis says so and how to fix it, and writes no lock of its own", () => {
    const dir = repoCopy();
    fs.rmSync(path.join(dir, "Cargo.lock"));
    // node, but no cargo, on the PATH
    const run = synth(dir, { ...process.env, PATH: path.dirname(process.execPath), PRISM_PROJEN_NO_CACHE: "1" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("warning: Cargo.lock is missing and `cargo generate-lockfile --offline` could not create it");
    expect(run.stderr).toContain("Run `cargo generate-lockfile` where crates.io is reachable and commit Cargo.lock");
    expect(fs.existsSync(path.join(dir, "Cargo.lock"))).toBe(false);
  });

  it("is not created for a tree without Rust components", () => {
    const dir = repoCopy();
    fs.rmSync(path.join(dir, "Cargo.lock"));
    oneComponentTree(dir, 'new GoComponent(project, "prism-cli");');
    const run = synth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, "Cargo.toml"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "Cargo.lock"))).toBe(false);
  });
});
