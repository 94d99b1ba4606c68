/**
 * What the explain trace costs a normal synthesis (`npm run bench`, section 4). The same in-process
 * synthesis is bundled with esbuild three ways:
 *
 *   - as it is;
 *   - with every call to the trace helpers (`because`, `from`, `fixed`, `optionsOf`, `projectOptions`,
 *     `projectSetting`, `folderOptions`, from src/explain/trace.ts) taken out of the source by a
 *     TypeScript transform, arguments and all; the renderers' own small wrappers around them stay
 *     (a call returning what the helper returned);
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
  let replaced = 0;
  const strip: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
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
  });
  return calls;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The sources of `commit` (src/, package.json, and this workload) in `dir`; false when this clone lacks the commit. */
function checkout(commit: string, dir: string): boolean {
  const archive = spawnSync("git", ["archive", "--format=tar", commit, "src", "package.json"], { cwd: REPO, maxBuffer: 1 << 28 });
  if (archive.status !== 0) return false;
  fs.mkdirSync(path.join(dir, "bench"), { recursive: true });
  const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (untar.status !== 0) return false;
  fs.copyFileSync(path.join(REPO, "bench/trace-cost-workload.ts"), path.join(dir, "bench/trace-cost-workload.ts"));
  return true;
}

/** Median synthesis times of each bundle (`pairs` processes each, alternating), and the paired ratios. */
export async function traceCost(components: number, pairs: number, runsPerProcess: number, base: string): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-trace-"));
  try {
    const traced = path.join(dir, "traced.cjs");
    const plain = path.join(dir, "stripped.cjs");
    await bundle(REPO, traced, false);
    const calls = await bundle(REPO, plain, true);
    const run = (file: string, keep?: string): number[] => {
      const out = spawnSync(process.execPath, [file, String(components), keep ? "0" : String(runsPerProcess), base, ...(keep ? [keep] : [])], {
        cwd: REPO, encoding: "utf-8", maxBuffer: 1 << 26,
        // The bundles live in a temporary folder: the packages they leave external come from this repository.
        env: { ...process.env, NODE_PATH: path.join(REPO, "node_modules") },
      });
      if (out.status !== 0) throw new Error(`${path.basename(file)}: ${out.stderr}`);
      return JSON.parse(out.stdout.trim().split("\n").pop()!) as number[];
    };
    // The stripped bundle must synthesize the same files, byte for byte: the same synthesis, without the trace.
    run(traced, path.join(dir, "traced-tree"));
    run(plain, path.join(dir, "stripped-tree"));
    const differ = spawnSync("diff", ["-r", "-q", path.join(dir, "traced-tree"), path.join(dir, "stripped-tree")], { encoding: "utf-8" });
    if (differ.status !== 0) throw new Error(`the bundle without trace calls synthesizes other files:\n${differ.stdout}${differ.stderr}`);
    const compare = (other: string) => {
      const ours: number[] = [];
      const theirs: number[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < pairs; i++) {
        const a = median(run(traced));
        const b = median(run(other));
        ours.push(a);
        theirs.push(b);
        ratios.push(a / b);
      }
      return { ours: (median(ours) / 1000).toFixed(3), theirs: (median(theirs) / 1000).toFixed(3), ratio: median(ratios).toFixed(3) };
    };
    const how = `median of ${pairs} alternated process pairs, each the median of ${runsPerProcess} syntheses after a warm-up`;
    const stripped = compare(plain);
    const lines = [`the explain trace in a normal synthesis, ${components} components in-process (${base}): ${stripped.ours} s with the trace calls, ` +
      `${stripped.theirs} s with all ${calls} call sites taken out of the source (same files written); ratio ${stripped.ratio} (${how})`];
    const before = path.join(dir, "pre-explain");
    if (checkout(PRE_EXPLAIN, before)) {
      const old = path.join(dir, "pre-explain.cjs");
      await bundle(before, old, false);
      const since = compare(old);
      lines.push(`the same synthesis against the sources of ${PRE_EXPLAIN}, the last commit before explain: ${since.ours} s now, ${since.theirs} s then; ` +
        `ratio ${since.ratio} (${how}; this counts everything changed since, not the trace alone)`);
    } else {
      lines.push(`the sources of ${PRE_EXPLAIN}, the last commit before explain, are not in this clone: that comparison was not made`);
    }
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
