import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import { tmpdir } from "./helpers";

// madge's CommonJS entry: the import graph of src/, as the style guide asks CI to check.
const madge = require("madge") as (dir: string, config: object) => Promise<{ circular(): string[][] }>;
const ROOT = path.resolve(__dirname, "..");
const SRC = path.join(ROOT, "src");

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
      "RustComponent", "RustLibrary", "StaticLibc", "WorkloadKind", "cargoProfile", "isContainerComponent", "isRefusal", "reqwestFeatureProblems", "resolveReqwest",
    ]);
  });

  it("names a construct's props XxxProps, and keeps XxxOptions for plain option bags", () => {
    const index = fs.readFileSync(path.join(SRC, "index.ts"), "utf-8");
    const types = [...index.matchAll(/type (\w+(?:Props|Options))\b/g)].map((m) => m[1]).sort();
    expect(types).toEqual(["ContainerComponentProps", "ContainerMonorepoProps", "GoComponentProps", "ReqwestOptions", "RustComponentProps", "RustLibraryProps"]);
  });
});

/**
 * The layers of src/, bottom first: a module may import its own layer and those below it, never one above.
 * The model names nothing of the project; renderers turn the model into formats; files, drift and explain
 * write and read those formats; the policy reads what was written; constructs and the project wire it all;
 * the entry points sit on top.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["model/"],
  ["refusal.ts", "env-names.ts", "explain/trace.ts"],
  ["cargo/", "dockerfile/", "k8s/", "github/"],
  ["drift/", "explain/", "files/"],
  ["policy/"],
  ["component/", "monorepo/", "project.ts", "project-explain.ts"],
  ["cli/", "index.ts"],
];

/** The layer of a module (a path relative to the root), by the most specific entry that names it. */
function layerOf(module: string): number {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((entries, layer) => {
    for (const entry of entries) {
      const hit = entry.endsWith("/") ? module.startsWith(entry) : module === entry;
      if (hit && (!best || entry.length > best.length)) best = { layer, length: entry.length };
    }
  });
  if (!best) throw new Error(`src/${module} is in no layer: add it to LAYERS in test/architecture.test.ts`);
  return best.layer;
}

/** Every import of a module of `root` from another (static, dynamic, require, type-only), as TypeScript's own pre-parser reads them. */
function importsOf(root: string): { from: string; to: string }[] {
  const modules = fs.readdirSync(root, { recursive: true, encoding: "utf-8" }).filter((f) => f.endsWith(".ts")).map((f) => f.split(path.sep).join("/"));
  return modules.flatMap((from) => ts.preProcessFile(fs.readFileSync(path.join(root, from), "utf-8"), true, true).importedFiles
    .filter((i) => i.fileName.startsWith("."))
    .map((i) => path.posix.normalize(path.posix.join(path.posix.dirname(from), i.fileName)))
    .map((target) => [`${target}.ts`, `${target}/index.ts`].find((f) => modules.includes(f)))
    .filter((to): to is string => to !== undefined)
    .map((to) => ({ from, to })));
}

/** The imports that run from a lower layer up to a higher one. */
function upwardImports(root: string): string[] {
  return importsOf(root).filter(({ from, to }) => layerOf(to) > layerOf(from)).map(({ from, to }) => `${from} -> ${to}`);
}

describe("layers", () => {
  it("no module of src/ imports one of a higher layer, and the model imports nothing outside model/", () => {
    const imports = importsOf(SRC);
    // the check reads real imports: the renderers import the model, the project's parts import the renderers
    expect(imports).toContainEqual({ from: "k8s/render.ts", to: "model/component.ts" });
    expect(imports).toContainEqual({ from: "monorepo/images-workflow.ts", to: "github/render.ts" });
    expect(upwardImports(SRC)).toEqual([]);
    expect(imports.filter(({ from, to }) => from.startsWith("model/") && !to.startsWith("model/"))).toEqual([]);
  });

  it("the check finds an import from a lower layer to a higher one, and a module in no layer", () => {
    const dir = tmpdir("prism-layers-");
    fs.mkdirSync(path.join(dir, "model"));
    fs.mkdirSync(path.join(dir, "k8s"));
    fs.writeFileSync(path.join(dir, "model/component.ts"), "import type { X } from \"../k8s/render\";\nexport type Y = X;\n");
    fs.writeFileSync(path.join(dir, "k8s/render.ts"), "export type X = string;\n");
    expect(upwardImports(dir)).toEqual(["model/component.ts -> k8s/render.ts"]);
    fs.mkdirSync(path.join(dir, "elsewhere"));
    fs.writeFileSync(path.join(dir, "elsewhere/a.ts"), "import \"../k8s/render\";\n");
    expect(() => upwardImports(dir)).toThrow("src/elsewhere/a.ts is in no layer");
  });
});

describe("source files", () => {
  it("hold one concept each: none of src/, bin/ or scripts/ is over 400 lines", () => {
    const files = ["src", "bin", "scripts"].flatMap((dir) => fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf-8" })
      .map((f) => path.join(dir, f)).filter((f) => fs.statSync(path.join(ROOT, f)).isFile()));
    expect(files.length).toBeGreaterThan(50);
    const long = files.map((f) => ({ f, lines: fs.readFileSync(path.join(ROOT, f), "utf-8").split("\n").length - 1 })).filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });

  it("docs/layout.md names every folder and top-level file of src/, every file of bin/, bench/ and scripts/, and nothing that is not there", () => {
    const layout = fs.readFileSync(path.join(ROOT, "docs/layout.md"), "utf-8");
    const block = /```\n([\s\S]*?)```/.exec(layout)![1];
    const named = block.split("\n").map((line) => /^(\S+)/.exec(line)?.[1]).filter((p): p is string => p !== undefined);
    const wanted = [
      ...fs.readdirSync(SRC, { withFileTypes: true }).map((e) => `src/${e.name}${e.isDirectory() ? "/" : ""}`),
      ...["bin", "bench", "scripts"].flatMap((dir) => fs.readdirSync(path.join(ROOT, dir)).map((f) => `${dir}/${f}`)),
    ];
    expect(wanted.filter((p) => !named.includes(p))).toEqual([]);
    expect(named.filter((p) => !fs.existsSync(path.join(ROOT, p)))).toEqual([]);
  });
});
