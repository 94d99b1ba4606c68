import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TEMP_INFIX } from "../src/files/atomic-write";
import { demoProject } from "./fixtures/demo-project";
import { readTree, tmpdir } from "./helpers";

describe("atomic writes", () => {
  it("generated files stay read-only", () => {
    const dir = tmpdir();
    demoProject(dir, "1.0.0").synth();
    for (const f of ["containers/api/Dockerfile", "Cargo.toml", "deploy/base/api.yaml", ".github/workflows/images.yml"]) {
      expect(fs.statSync(path.join(dir, f)).mode & 0o777, f).toBe(0o444);
    }
  });
});

describe("stale temporaries", () => {
  it("a synth removes only what a dead writer named as its temporary, never a file of the user's that looks alike", () => {
    const dir = tmpdir();
    demoProject(dir, "1.0.0").synth();
    const stale = path.join(dir, "deploy/base", `.api.yaml${TEMP_INFIX}999999999-0`);
    const lookalikes = [`notes${TEMP_INFIX}draft.md`, `.notes${TEMP_INFIX}12-3.md`, `.api.yaml${TEMP_INFIX}x-1`].map((f) => path.join(dir, "deploy/base", f));
    for (const f of [stale, ...lookalikes]) fs.writeFileSync(f, "x\n");
    demoProject(dir, "2.0.0").synth();
    expect(fs.existsSync(stale)).toBe(false);
    for (const f of lookalikes) expect(fs.existsSync(f), f).toBe(true);
  });
});

describe("a writer killed but not yet reaped (a zombie)", () => {
  it("counts as dead: its temporaries go with the next synth, and none reaches the image build context", async () => {
    // GIVEN a zombie: sh starts a child that exits at once, then becomes a sleep that never reaps it
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 60"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d) => resolve(String(d).trim()))));
      const state = () => fs.readFileSync(`/proc/${pid}/stat`, "utf-8").split(") ")[1][0];
      while (state() !== "Z") await new Promise((r) => setTimeout(r, 20));
      expect(() => process.kill(pid, 0)).not.toThrow();
      // a temporary file it left beside a generated file
      const dir = tmpdir();
      demoProject(dir, "1.0.0").synth();
      const temp = path.join(dir, "deploy/base", `.api.yaml${TEMP_INFIX}${pid}-0`);
      fs.writeFileSync(temp, "half a file");
      // WHEN the next synth runs THEN it is gone, and the build context would never have taken it
      demoProject(dir, "2.0.0").synth();
      expect(fs.existsSync(temp)).toBe(false);
      expect(fs.readFileSync(path.join(dir, ".dockerignore"), "utf-8")).toContain(`**/*${TEMP_INFIX}*`);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});

describe("folder cache", () => {
  it("a folder removed between two synths of one process is made again", () => {
    const dir = tmpdir();
    demoProject(dir, "1.0.0").synth();
    fs.rmSync(dir, { recursive: true, force: true });
    demoProject(dir, "2.0.0").synth();
    expect(readTree(dir)["deploy/base/api.yaml"]).toContain("ghcr.io/demo/api:v2.0.0");
  });
});
