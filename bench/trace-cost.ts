/**
 * What the explain trace costs a normal synthesis (`npm run bench`, section 4). The same in-process
 * synthesis is bundled with esbuild three ways:
 *
 *   - as it is;
 *   - with every call to the trace helpers (`because`, `from`, `fixed`, `optionsOf`, `projectOptions`,
 *     `projectSetting`, `folderOptions`, from src/explain/trace.ts) and to each module's own wrappers
 *     around them (`why.of`, `rule`, `option`, functions typed to return a Because) taken out of the
 *     source by a TypeScript transform, arguments and all;
 *   - from the sources of the last commit before explain existed (PRE_EXPLAIN), when this clone has it:
 *     no annotation at all, but also without what changed since.
 *
 * Each bundle runs in its own node process, in alternation with the current one; each result is the
 * median of the ratios of alternated pairs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import * as ts from "typescript";

const REPO = path.resolve(__dirname, "..");
/** The helpers whose calls are taken out, and what each call becomes. */
const STRIPPED: Readonly<Record<string, "first argument" | "undefined" | "empty list">> = {
  because: "first argument",
  from: "undefined",
  fixed: "undefined",
  optionsOf: "empty list",
  projectOptions: "empty list",
  projectSetting: "empty list",
  folderOptions: "empty list",
};

/** The parent of the commit that introduced `npx projen explain` (6ef0a2f). */
const PRE_EXPLAIN = "a9199c9";

/** The source of one module with the trace helpers' calls replaced, and how many; undefined when it imports none. */
function withoutTrace(file: string): { readonly contents: string; readonly replaced: number } | undefined {
  const text = fs.readFileSync(file, "utf-8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imported = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/(^|\/)(explain\/)?trace$/.test(statement.moduleSpecifier.text) || statement.importClause?.isTypeOnly) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if (!element.isTypeOnly && STRIPPED[element.name.text]) imported.add(element.name.text);
    }
  }
  if (imported.size === 0) return undefined;
  // The module's own wrappers around the helpers: a function typed to return a Because, an arrow whose body
  // is a helper call, or an object of such arrows (`why.of(...)`). Their calls go too, arguments and all.
  // (`because` returns the node it annotates: a function around it is no wrapper of a reason.)
  const callsHelper = (body: ts.Node): boolean => ts.isCallExpression(body) && ts.isIdentifier(body.expression) &&
    imported.has(body.expression.text) && STRIPPED[body.expression.text] !== "first argument";
  const isWrapper = (fn: ts.Node): boolean => ts.isArrowFunction(fn) && (callsHelper(fn.body) || /\bBecause\b/.test(fn.type?.getText(source) ?? ""));
  const wrappers = new Set<string>();
  const wrapperObjects = new Set<string>();
  const collect = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name && /\bBecause\b/.test(node.type?.getText(source) ?? "")) wrappers.add(node.name.text);
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      if (isWrapper(node.initializer)) wrappers.add(node.name.text);
      if (ts.isObjectLiteralExpression(node.initializer) && node.initializer.properties.length > 0 &&
        node.initializer.properties.every((p) => ts.isPropertyAssignment(p) && isWrapper(p.initializer))) wrapperObjects.add(node.name.text);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);
  const isWrapperCall = (node: ts.CallExpression): boolean =>
    (ts.isIdentifier(node.expression) && wrappers.has(node.expression.text)) ||
    (ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && wrapperObjects.has(node.expression.expression.text));
  let replaced = 0;
  const strip: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node) && isWrapperCall(node)) {
        replaced++;
        return ts.factory.createIdentifier("undefined");
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && imported.has(node.expression.text)) {
        const becomes = STRIPPED[node.expression.text];
        replaced++;
        if (becomes === "first argument") return ts.visitNode(node.arguments[0], visit) as ts.Expression;
        return becomes === "undefined" ? ts.factory.createIdentifier("undefined") : ts.factory.createArrayLiteralExpression([]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (file) => ts.visitNode(file, visit) as ts.SourceFile;
  };
  const result = ts.transform(source, [strip]);
  const printed = ts.createPrinter().printFile(result.transformed[0]);
  result.dispose();
  return { contents: printed, replaced };
}

/**
 * Bundles the workload of `root` (a checkout: its bench/trace-cost-workload.ts and src/); with `stripped`,
 * every module of src/ without its trace calls. Returns the number of call sites taken out.
 */
async function bundle(root: string, outfile: string, stripped: boolean): Promise<number> {
  let calls = 0;
  const plugin: esbuild.Plugin = {
    name: "strip-trace",
    setup(build) {
      build.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
        if (!stripped) return undefined;
        const without = withoutTrace(args.path);
        if (without === undefined) return undefined;
        calls += without.replaced;
        return { contents: without.contents, loader: "ts" };
      });
    },
  };
  await esbuild.build({
    entryPoints: [path.join(root, "bench/trace-cost-workload.ts")], outfile, bundle: true, platform: "node", format: "cjs",
    target: "node20", packages: "external", plugins: [plugin], logLevel: "error",
    // .projenrc.ts synthesizes into the working directory when it is the main module, which in a bundle it
    // is: the workload must only import it, never write into this repository.
    define: { "require.main": "undefined" },
  });
  return calls;
}

/** The median of `values` (the mean of the middle two for an even count). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The sources of `commit` (src/, package.json, .projenrc.ts, and this workload) in `dir`; false when this clone lacks the commit. */
function checkout(commit: string, dir: string): boolean {
  const archive = spawnSync("git", ["archive", "--format=tar", commit, "src", "package.json", ".projenrc.ts"], { cwd: REPO, maxBuffer: 1 << 28 });
  if (archive.status !== 0) return false;
  fs.mkdirSync(path.join(dir, "bench"), { recursive: true });
  const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (untar.status !== 0) return false;
  fs.copyFileSync(path.join(REPO, "bench/trace-cost-workload.ts"), path.join(dir, "bench/trace-cost-workload.ts"));
  return true;
}

/** One size of the workload: `components` (0 for this repository's six), how many process pairs, and syntheses per process. */
export interface TraceCostSize {
  readonly components: number;
  readonly pairs: number;
  readonly runsPerProcess: number;
}

/** For each size: the synthesis with the trace calls against the one without, and against the sources before explain. */
export async function traceCost(base: string, sizes: readonly TraceCostSize[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-trace-"));
  try {
    const traced = path.join(dir, "traced.cjs");
    const plain = path.join(dir, "stripped.cjs");
    await bundle(REPO, traced, false);
    const calls = await bundle(REPO, plain, true);
    const before = path.join(dir, "pre-explain");
    const old = checkout(PRE_EXPLAIN, before) ? path.join(dir, "pre-explain.cjs") : undefined;
    if (old) await bundle(before, old, false);
    const run = (file: string, components: number, runs: number, keep?: string): number[] => {
      const out = spawnSync(process.execPath, [file, String(components), keep ? "0" : String(runs), base, ...(keep ? [keep] : [])], {
        cwd: REPO, encoding: "utf-8", maxBuffer: 1 << 26,
        // The bundles live in a temporary folder: the packages they leave external come from this repository.
        env: { ...process.env, NODE_PATH: path.join(REPO, "node_modules") },
      });
      if (out.status !== 0) throw new Error(`${path.basename(file)}: ${out.stderr}`);
      return JSON.parse(out.stdout.trim().split("\n").pop()!) as number[];
    };
    // The stripped bundle must synthesize the same files, byte for byte: the same synthesis, without the trace.
    run(traced, 100, 0, path.join(dir, "traced-tree"));
    run(plain, 100, 0, path.join(dir, "stripped-tree"));
    const differ = spawnSync("diff", ["-r", "-q", path.join(dir, "traced-tree"), path.join(dir, "stripped-tree")], { encoding: "utf-8" });
    if (differ.status !== 0) throw new Error(`the bundle without trace calls synthesizes other files:\n${differ.stdout}${differ.stderr}`);
    const lines: string[] = [];
    for (const { components, pairs, runsPerProcess } of sizes) {
      const compare = (other: string) => {
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let i = 0; i < pairs; i++) {
          ours.push(median(run(traced, components, runsPerProcess)));
          theirs.push(median(run(other, components, runsPerProcess)));
        }
        const ratio = median(ours.map((t, i) => t / theirs[i]));
        const difference = median(ours.map((t, i) => t - theirs[i]));
        return `${ms(median(ours))} with the trace, ${ms(median(theirs))} without; ratio ${ratio.toFixed(3)}, difference ${difference >= 0 ? "+" : ""}${ms(difference)}`;
      };
      const what = components === 0 ? "this repository's six components (what npx projen synthesizes)" : `${components} components`;
      const how = `median of ${pairs} alternated process pairs, each the median of ${runsPerProcess} syntheses after a warm-up`;
      lines.push(`the explain trace, in-process synthesis of ${what} (${base}), against all ${calls} call sites of the trace helpers and their wrappers ` +
        `taken out of the source (same files written): ${compare(plain)} (${how})`);
      lines.push(old
        ? `  and against the sources of ${PRE_EXPLAIN}, the last commit before explain (so also without what changed since): ${compare(old)}`
        : `  the sources of ${PRE_EXPLAIN}, the last commit before explain, are not in this clone: that comparison was not made`);
    }
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (t: number) => `${t.toFixed(1)} ms`;
