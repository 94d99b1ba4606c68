import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TEMP_INFIX } from "../src/files/atomic-write";
import { demoProject } from "./fixtures/demo-project";
import { readTree, tmpdir } from "./helpers";

// tsx as a require hook, so the loop is one process: SIGKILL then stops the synth itself, not a wrapper.
const TSX_HOOK = ["--require", "tsx/cjs"];
const LOOP = path.resolve(__dirname, "fixtures/synth-loop.ts");

function synthesized(version: string): Record<string, string> {
  const dir = tmpdir();
  demoProject(dir, version).synth();
  return readTree(dir);
}

/** Starts the synth loop, waits for its first synth, lets it run `ms`, then SIGKILLs it. */
function killDuringSynth(dir: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX_HOOK, LOOP, dir], { cwd: path.resolve(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    child.stdout.on("data", (d) => {
      if (String(d).includes("ready")) setTimeout(() => child.kill("SIGKILL"), ms);
    });
    child.on("exit", (_code, signal) => signal === "SIGKILL" ? resolve() : reject(new Error(`loop exited on its own: ${stderr}`)));
  });
}

describe("atomic writes", () => {
  it("a synth killed at random moments leaves every file with its old or its new content, never a part", async () => {
    // GIVEN the two complete trees the loop alternates between
    const a = synthesized("1.0.0");
    const b = synthesized("2.0.0");
    const files = Object.keys(a).filter((f) => !f.includes("src/main.rs") && !f.endsWith("main.go") && !f.endsWith("go.mod"));
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    const changing = files.filter((f) => a[f] !== b[f]);
    expect(changing.length).toBeGreaterThan(5);

    const dir = tmpdir();
    let mixed = 0;
    const runs = 15;
    for (let i = 0; i < runs; i++) {
      // WHEN a synth is killed part-way
      await killDuringSynth(dir, Math.floor(Math.random() * 400));
      // THEN each file is whole: A's bytes or B's bytes
      const tree = readTree(dir);
      for (const f of files.filter((file) => file !== ".projen/generated.json")) {
        expect([a[f], b[f]], `${f} after kill ${i + 1}`).toContain(tree[f]);
      }
      // the record is A's, B's, or the intent a synthesis writes before its first file: whole JSON in every case
      expect(() => JSON.parse(tree[".projen/generated.json"]), `.projen/generated.json after kill ${i + 1}`).not.toThrow();
      const fromA = changing.filter((f) => tree[f] === a[f]).length;
      if (fromA > 0 && fromA < changing.length) mixed++;
    }
    // How many kills landed mid-synth depends on the machine's speed, so it is reported, not asserted: the kills at
    // exact points (after 2, 4 and 8 files landed) in test/overwrite-guard.test.ts are the ones that always land mid-synth.
    console.log(`atomic writes: ${runs} kills, ${mixed} landed mid-synth with files of both versions, none left a partial file`);

    // A later synth clears the temporary files killed runs left behind.
    demoProject(dir, "1.0.0").synth();
    expect(Object.keys(readTree(dir)).filter((f) => f.includes(TEMP_INFIX))).toEqual([]);
  });

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
