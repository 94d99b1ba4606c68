import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * docs/options.md, rendered from the props types of the public API with the TypeScript compiler:
 * each option's doc comment and `@default` are the ones the editor shows, so the page cannot
 * disagree with the code (test/readme.test.ts compares it with this rendering).
 * `npm run docs` writes it.
 */

const ROOT = path.resolve(__dirname, "..");
export const OPTIONS_DOC = path.join(ROOT, "docs/options.md");

/** The option types, in the order the page gives them, with what each one configures. */
const TYPES: readonly [name: string, what: string][] = [
  ["ContainerMonorepoProps", "`new ContainerMonorepo({...})`: the project"],
  ["RustComponentProps", "`new RustComponent(project, name, {...})`: a Rust component"],
  ["GoComponentProps", "`new GoComponent(project, name, {...})`: a Go component"],
  ["RustLibraryProps", "`new RustLibrary(project, name, {...})`: a Rust library crate of the workspace, no image"],
  ["PortSpec", "an entry of `ports`"],
  ["PeerSpec", "an entry of a port's `allowFrom`: one source that may connect to it"],
  ["ConnectionSpec", "an entry of `connectsTo`: a port of another component this one connects to"],
  ["HealthSpec", "`health`: the probes of a Deployment"],
  ["ResourceSpec", "`resources`: requests and limits"],
  ["EgressSpec", "an entry of `egress`: one destination a workload may connect to"],
  ["ImageUser", "`imageUser`: the user the images and Pods run as"],
  ["ReqwestOptions", "`reqwest`: the workspace's HTTP client"],
];

export function renderOptionsDoc(): string {
  const index = path.join(ROOT, "src/index.ts");
  const program = ts.createProgram([index], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: ["node"] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index)!;
  const exports = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => [s.name, s]));
  const problems: string[] = [];
  const out = [
    "# Options",
    "",
    "Every option of `.projenrc.ts`, with its default. Rendered by `npm run docs` from the doc comments",
    "of the props types, which are also what your editor shows; a test fails when this page and the code disagree.",
    "Every option is checked when `.projenrc.ts` runs: a misspelled name or a value outside its grammar",
    "stops the synthesis with a message naming the component, the option and the fix.",
    "",
  ];
  const declared = (name: string) => {
    const symbol = exports.get(name);
    if (!symbol) throw new Error(`src/index.ts does not export ${name}`);
    return checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(symbol));
  };
  const spelled = (type: ts.Type, flags = ts.TypeFormatFlags.None) =>
    checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation | flags).replace(/\breadonly /g, "");
  // A documented type inside another is shown by its name (`ports: PortSpec[]`), not spelled out.
  const named = TYPES.map(([name]) => [name, spelled(declared(name), ts.TypeFormatFlags.InTypeAlias)] as const);
  const shown = (type: ts.Type) => named.reduce((text, [name, spelling]) => text.split(spelling).join(name), spelled(type)).replace(/ \| undefined\b/g, "");
  for (const [name, what] of TYPES) {
    const type = declared(name);
    out.push(`## ${name}`, "", `${what}.`, "", "| option | type | default | what it does |", "|---|---|---|---|");
    for (const prop of checker.getPropertiesOfType(type)) {
      const declaration = prop.valueDeclaration ?? prop.declarations?.[0];
      const propType = declaration ? checker.getTypeOfSymbolAtLocation(prop, declaration) : undefined;
      const typeText = propType ? shown(checker.getNonNullableType(propType)) : "";
      const doc = ts.displayPartsToString(prop.getDocumentationComment(checker)).replace(/\s*\n\s*/g, " ").trim();
      const tag = prop.getJsDocTags(checker).find((t) => t.name === "default");
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      const fallback = tag ? ts.displayPartsToString(tag.text).replace(/^-\s*/, "").replace(/\s*\n\s*/g, " ").trim() : optional ? "none" : "required";
      if (!doc) problems.push(`${name}.${prop.name} has no doc comment`);
      if (optional && !tag) problems.push(`${name}.${prop.name} is optional and has no @default`);
      out.push(`| \`${prop.name}\` | ${cell(`\`${typeText}\``)} | ${cell(fallback)} | ${cell(doc)} |`);
    }
    out.push("");
  }
  if (problems.length > 0) throw new Error(`the options are not all documented:\n${problems.join("\n")}`);
  return out.join("\n");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

if (require.main === module) {
  fs.writeFileSync(OPTIONS_DOC, renderOptionsDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPTIONS_DOC)}\n`);
}
