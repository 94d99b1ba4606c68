import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compareTrees } from "../src/drift/compare";
import { readGeneratedManifest } from "../src/files/generated-manifest";
import { runPolicy } from "../src/policy/run";
import { demoProject } from "./fixtures/demo-project";
import { readTree, snapshot, tmpdir, withCargoLock } from "./helpers";

/**
 * Nothing is written or read outside the project root: not through a link in the tree, not on
 * the word of the tree's own records (.projen/*.json are input like any other file).
 */

function editRecord(dir: string, file: string, edit: (data: any) => void): void {
  const absolute = path.join(dir, file);
  const data = JSON.parse(fs.readFileSync(absolute, "utf-8"));
  edit(data);
  fs.chmodSync(absolute, 0o644);
  fs.writeFileSync(absolute, JSON.stringify(data, null, 2));
}

describe("the tree's own records are untrusted input", () => {
  it("a .projen/generated.json that names a path outside the repository is no record: drift reads nothing there", () => {
    // GIVEN a synthesized tree, a secret beside it, and a record crafted to point at the secret
    const parent = tmpdir("confine-");
    const dir = path.join(parent, "repo");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(parent, "secret.txt"), "the secret\n");
    demoProject(dir, "1.0.0").synth();
    editRecord(dir, ".projen/generated.json", (data) => {
      data.files["../secret.txt"] = { sha256: "0".repeat(64), producer: "crafted" };
    });
    // THEN the record is not trusted at all, and the drift check (a fresh synthesis against the tree) never shows the secret
    expect(readGeneratedManifest(dir)).toBeUndefined();
    const fresh = tmpdir("fresh-");
    demoProject(fresh, "1.0.0").synth();
    const drifts = compareTrees(dir, fresh);
    expect(drifts.map((d) => d.file)).not.toContain("../secret.txt");
    expect(JSON.stringify(drifts)).not.toContain("the secret");
  });

  it("a .projen/files.json that names a path outside the repository stops the policy, which reads nothing", () => {
    const dir = tmpdir();
    demoProject(dir, "1.0.0").synth();
    editRecord(dir, ".projen/files.json", (data) => data.files.push("../../etc/passwd"));
    expect(() => runPolicy(dir)).toThrow(/\.projen\/files\.json does not list generated files as paths inside the repository/);
  });
});

describe("links that lead out of the repository", () => {
  function linkedDeploy(): { dir: string; outside: string } {
    const dir = tmpdir();
    demoProject(dir, "1.0.0").synth();
    const outside = tmpdir("outside-");
    fs.cpSync(path.join(dir, "deploy"), outside, { recursive: true });
    fs.rmSync(path.join(dir, "deploy"), { recursive: true, force: true });
    fs.symlinkSync(outside, path.join(dir, "deploy"));
    return { dir, outside };
  }

  it("synth refuses to write through them, names the path, and writes nothing anywhere", () => {
    const { dir, outside } = linkedDeploy();
    const [before, beforeOutside] = [snapshot(dir), snapshot(outside)];
    expect(() => demoProject(dir, "2.0.0").synth()).toThrow(/deploy\/base\/api\.yaml: cannot be written, deploy is a link that leads out of the repository/);
    expect([snapshot(dir), snapshot(outside)]).toEqual([before, beforeOutside]);
  });

  it("the drift check reports them and reads nothing behind them; the policy stops", () => {
    const { dir, outside } = linkedDeploy();
    fs.chmodSync(path.join(outside, "base/api.yaml"), 0o644);
    fs.appendFileSync(path.join(outside, "base/api.yaml"), "# outside the repository\n");
    const fresh = tmpdir("fresh-");
    demoProject(fresh, "1.0.0").synth();
    const drifts = compareTrees(dir, fresh);
    expect(drifts.filter((d) => d.file.startsWith("deploy/")).map((d) => d.kind)).toEqual(
      Object.keys(readTree(fresh)).filter((f) => f.startsWith("deploy/")).map(() => "outside the repository"));
    expect(JSON.stringify(drifts)).not.toContain("# outside the repository");
    expect(() => runPolicy(dir)).toThrow(/deploy\/base\/api\.yaml: a link on this path leads out of the repository/);
  });

  it("a link that stays inside the repository is followed as before", () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, "real-deploy"));
    fs.symlinkSync("real-deploy", path.join(dir, "deploy"));
    demoProject(dir, "1.0.0").synth();
    expect(fs.readFileSync(path.join(dir, "real-deploy/base/api.yaml"), "utf-8")).toContain("kind: Deployment");
    expect(runPolicy(withCargoLock(dir)).findings).toEqual([]);
  });
});
