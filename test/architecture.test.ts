import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tmpdir } from "./helpers";

// madge's CommonJS entry: the import graph of src/, as the style guide asks CI to check.
const madge = require("madge") as (dir: string, config: object) => Promise<{ circular(): string[][] }>;
const SRC = path.resolve(__dirname, "../src");

describe("import graph", () => {
  it("src/ has no import cycles", async () => {
    const graph = await madge(SRC, { fileExtensions: ["ts"], tsConfig: path.resolve(__dirname, "../tsconfig.json") });
    expect(graph.circular()).toEqual([]);
  });

  it("the check finds a cycle when there is one", async () => {
    const dir = tmpdir("prism-cycle-");
    fs.writeFileSync(path.join(dir, "a.ts"), "import { b } from \"./b\";\nexport const a = () => b;\n");
    fs.writeFileSync(path.join(dir, "b.ts"), "import { a } from \"./a\";\nexport const b = () => a;\n");
    const graph = await madge(dir, { fileExtensions: ["ts"] });
    expect(graph.circular()).toEqual([["a.ts", "b.ts"]]);
  });
});

describe("public API", () => {
  it("exports what a .projenrc.ts needs, and none of the internals (renderers, helpers, environment names)", async () => {
    const api = (await import("../src")) as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([
      "CargoProfilePreset", "ContainerMonorepo", "DebianRelease", "GoComponent", "Linkage", "ReqwestVersion", "RuntimeBase",
      "RustComponent", "StaticLibc", "WorkloadKind", "cargoProfile", "isContainerComponent", "isRefusal", "reqwestFeatureProblems", "resolveReqwest",
    ]);
  });

  it("names a construct's props XxxProps, and keeps XxxOptions for plain option bags", () => {
    const index = fs.readFileSync(path.join(SRC, "index.ts"), "utf-8");
    const types = [...index.matchAll(/type (\w+(?:Props|Options))\b/g)].map((m) => m[1]).sort();
    expect(types).toEqual(["ContainerComponentProps", "ContainerMonorepoProps", "GoComponentProps", "ReqwestOptions", "RustComponentProps"]);
  });
});
