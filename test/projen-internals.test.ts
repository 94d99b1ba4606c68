import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Component } from "projen/lib/component";
import { FileBase } from "projen/lib/file";
import { JsonFile } from "projen/lib/json";
import { Project } from "projen/lib/project";
import { inCodeUnitOrder, projenFileMode, renderProjenFile, synthesisPhases } from "../src/files/projen-internals";
import { demoProject } from "./fixtures/demo-project";
import { readTree, tmpdir } from "./helpers";

/**
 * What src/files/projen-internals.ts relies on in projen, outside its public API. When a projen
 * upgrade changes any of it, these tests fail, and that module is the one place to adapt.
 */
describe("projen internals prism-projen relies on", () => {
  it("Project.synth runs preSynthesize (the project's, then each component's), its clean-up, each synthesize, then postSynthesize: the phases synthesisPhases runs", () => {
    /** A plain projen project and a component that record each phase, and whether an orphan of an earlier synthesis is still there. */
    const recorded = (dir: string, withOrphan: boolean) => {
      const events: string[] = [];
      const orphan = () => (fs.existsSync(path.join(dir, "old.json")) ? "orphan there" : "orphan gone");
      const project = new (class extends Project {
        public preSynthesize(): void {
          events.push(`project pre, ${orphan()}`);
        }
        public postSynthesize(): void {
          events.push("project post");
        }
      })({ name: "plain", outdir: dir });
      if (withOrphan) new JsonFile(project, "old.json", { obj: { a: 1 } });
      new (class extends Component {
        public preSynthesize(): void {
          events.push(`component pre, ${orphan()}`);
        }
        public synthesize(): void {
          events.push(`component synthesize, ${orphan()}`);
        }
        public postSynthesize(): void {
          events.push("component post");
        }
      })(project);
      return { project, events };
    };
    // GIVEN a file an earlier synthesis wrote (so projen's clean-up deletes it) and PROJEN_DISABLE_POST as the runner sets it
    const dir = tmpdir();
    const env = process.env.PROJEN_DISABLE_POST;
    process.env.PROJEN_DISABLE_POST = "false";
    try {
      recorded(dir, true).project.synth();
      // WHEN projen synthesizes it, and synthesisPhases runs the same phases (its clean-up step deleting the orphan)
      const byProjen = recorded(dir, false);
      byProjen.project.synth();
      fs.writeFileSync(path.join(dir, "old.json"), "{}");
      const ours = recorded(dir, false);
      synthesisPhases(ours.project, {
        beforeFirstWrite: () => fs.rmSync(path.join(dir, "old.json")),
        synthesize: (component) => component.synthesize(),
      });
      // THEN the clean-up falls between the last preSynthesize and the first synthesize, in both
      expect(byProjen.events).toEqual([
        "project pre, orphan there", "component pre, orphan there", "component synthesize, orphan gone", "component post", "project post",
      ]);
      expect(ours.events).toEqual(byProjen.events);
    } finally {
      if (env === undefined) delete process.env.PROJEN_DISABLE_POST;
      else process.env.PROJEN_DISABLE_POST = env;
    }
  });

  it("projen orders .gitattributes and the tasks of tasks.json by localeCompare; inCodeUnitOrder puts them in code-unit order, and changes nothing else", () => {
    // GIVEN a plain projen project whose patterns and task names the locale and code units order differently ("B" < "a" in code units)
    const dir = tmpdir();
    const project = new Project({ name: "plain", outdir: dir });
    for (const name of ["a-task", "B-task", "c-task"]) project.addTask(name, { exec: "true" });
    for (const glob of ["/a.txt", "/B.txt", "/c.txt"]) project.gitattributes.addAttributes(glob, "linguist-generated");
    // WHEN projen writes them itself (under this process's locale, en-US or C: "a" before "B")
    project.synth();
    const written = readTree(dir);
    expect(written[".projen/tasks.json"].indexOf("\"a-task\"")).toBeLessThan(written[".projen/tasks.json"].indexOf("\"B-task\""));
    // THEN the same entries in code-unit order, every other byte as projen wrote it
    const tasks = inCodeUnitOrder(".projen/tasks.json", written[".projen/tasks.json"]);
    expect(Object.keys(JSON.parse(tasks).tasks)).toEqual(Object.keys(JSON.parse(written[".projen/tasks.json"]).tasks).sort());
    expect(JSON.parse(tasks)).toEqual(JSON.parse(written[".projen/tasks.json"]));
    expect(tasks.endsWith("}\n")).toBe(true);
    const attributes = inCodeUnitOrder(".gitattributes", written[".gitattributes"]);
    const lines = written[".gitattributes"].split("\n");
    expect(attributes).not.toBe(written[".gitattributes"]);
    expect(attributes.split("\n").slice(0, 2)).toEqual(lines.slice(0, 2));
    expect(attributes.split("\n").slice(2)).toEqual(lines.slice(2).sort());
    // and a file already in code-unit order is left as it is
    expect(inCodeUnitOrder(".gitattributes", attributes)).toBe(attributes);
    expect(inCodeUnitOrder(".projen/tasks.json", tasks)).toBe(tasks);
    expect(renderProjenFile(project.tryFindFile(".projen/tasks.json")!)).toBe(tasks);
  });

  it("synthesizeContent with projen's resolver renders, before anything is written, what synthesis then writes", () => {
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
