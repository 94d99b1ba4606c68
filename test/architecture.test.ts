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
