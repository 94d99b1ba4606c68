import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FileBase } from "projen/lib/file";
import { JsonFile } from "projen/lib/json";
import { Project } from "projen/lib/project";
import { projenFileMode, renderProjenFile, withProjenWriter } from "../src/files/projen-internals";
import { demoProject } from "./fixtures/demo-project";
import { readTree, tmpdir } from "./helpers";

/**
 * What src/files/projen-internals.ts relies on in projen, outside its public API. When a projen
 * upgrade changes any of it, these tests fail, and that module is the one place to adapt.
 */
describe("projen internals prism-projen relies on", () => {
  it("FileBase.synthesize writes through util.writeFile, looked up at call time", () => {
    // GIVEN one of projen's own file kinds in a plain projen project
    const dir = tmpdir();
    const file = new JsonFile(new Project({ name: "plain", outdir: dir }), "settings.json", { obj: { a: 1 }, readonly: true });
    const written: [string, string, unknown][] = [];
    // WHEN it synthesizes with the writer replaced
    withProjenWriter((f, data, options) => written.push([path.relative(dir, f), data, options]), () => file.synthesize());
    // THEN the replacement got the write, with projen's options, and nothing reached the disk
    expect(written).toEqual([["settings.json", expect.stringContaining('"a": 1'), { readonly: true, executable: false }]]);
    expect(fs.existsSync(path.join(dir, "settings.json"))).toBe(false);
  });

  it("every file of a synthesis is written once, atomically: no partial write, modes as projen gives them", () => {
    const dir = tmpdir();
    demoProject(dir, "1.0.0").synth();
    expect(fs.statSync(path.join(dir, ".gitignore")).mode & 0o777).toBe(0o444);
    expect(fs.statSync(path.join(dir, "containers/api/Dockerfile")).mode & 0o777).toBe(0o444);
  });

  it("the replaced writer is projen's own again afterwards, also after a throw", () => {
    const util = require("projen/lib/util") as { writeFile: unknown };
    const original = util.writeFile;
    expect(() => withProjenWriter(() => undefined, () => {
      throw new Error("synth failed");
    })).toThrow("synth failed");
    expect(util.writeFile).toBe(original);
  });

  it("synthesizeContent with projen's resolver renders what synthesis writes, without writing", () => {
    const dir = tmpdir();
    const project = demoProject(dir, "1.0.0");
    project.synth();
    const files = readTree(dir);
    const own = project.files.filter((f) => [".gitignore", ".projen/tasks.json", ".gitattributes", "policy-exceptions.json"].includes(f.path));
    expect(own).toHaveLength(4);
    for (const file of own) {
      expect(file).toBeInstanceOf(FileBase);
      expect(renderProjenFile(file), file.path).toBe(files[file.path]);
    }
  });

  it("util.getFilePermissions gives the modes both writers use", () => {
    expect(projenFileMode({ readonly: true })).toBe(0o444);
    expect(projenFileMode({})).toBe(0o644);
    expect(projenFileMode({ executable: true })).toBe(0o755);
    expect(projenFileMode({ readonly: true, executable: true })).toBe(0o544);
  });
});
