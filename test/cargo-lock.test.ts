import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoCopy } from "./helpers";

/**
 * Cargo.lock is cargo's file: every Rust Dockerfile builds with --locked, so synthesis creates it
 * when the workspace has none (cargo generate-lockfile --offline), and never rewrites one.
 */

const ROOT = path.resolve(__dirname, "..");
const synth = (dir: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ["bin/prism-projen-synth.cjs", ".projenrc.ts"], { cwd: dir, encoding: "utf-8", env });

describe("Cargo.lock", () => {
  it("is created by cargo when missing: the same file as the committed one", () => {
    const dir = repoCopy();
    fs.rmSync(path.join(dir, "Cargo.lock"));
    const run = synth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("prism-projen: created Cargo.lock (cargo generate-lockfile --offline); commit it");
    expect(fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8")).toBe(fs.readFileSync(path.join(ROOT, "Cargo.lock"), "utf-8"));
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
    fs.writeFileSync(path.join(dir, ".projenrc.ts"), [
      'import { ContainerMonorepo, GoComponent } from "./src";',
      'const project = new ContainerMonorepo({ name: "prism", allowUnpinnedBaseImages: "test", synthCommand: ["node", "bin/prism-projen-synth.cjs", ".projenrc.ts"],',
      '  policyCommand: "tsx src/policy/cli.ts", newComponentCommand: "tsx src/cli/new-component.ts", adoptFiles: [] });',
      'new GoComponent(project, "prism-cli");',
      "project.synth();",
      "",
    ].join("\n"));
    const run = synth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, "Cargo.toml"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "Cargo.lock"))).toBe(false);
  });
});
