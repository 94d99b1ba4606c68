import * as path from "node:path";
import type { IConstruct } from "constructs";
import type { FileBase } from "projen/lib/file";
import { isContainerComponent } from "./component/container-component";
import { isGeneratedFile } from "./files/generated-file";
import { renderProjenFile } from "./files/projen-internals";
import type { LineReasons } from "./explain/lines";
import { projenFileReasons, type ProjenFilesContext } from "./explain/projen-files";
import { readTextIfExists } from "./files/read-text";
import { Refusal } from "./refusal";
import { explainLines, formatExplanation, type LineExplanation } from "./explain/explain";
import { folderOptions, optionsOf, PROJECT, type OptionRef } from "./explain/trace";
import { manifestPath } from "./k8s/kustomize";

/** What explain reads from the project. */
export interface ExplainContext {
  readonly sourceDir: string;
  readonly projectName: string;
  readonly projectOptions: Readonly<Record<string, unknown>>;
  readonly projectModel: object;
  /** The constructs whose options a line may name: the components and the library crates. */
  readonly components: readonly ExplainedConstruct[];
  /** Explain the file as synthesis writes it, whatever the working tree holds (the drift check's view). */
  readonly asSynthesized?: boolean;
  /** What the project knows of projen's own files. */
  readonly projen: ProjenFilesContext;
}

/** What explain reads of a construct whose options a line names. */
export interface ExplainedConstruct extends IConstruct {
  /** @internal */ _givenOptions(): Readonly<Record<string, unknown>>;
  /** @internal */ _toModel(): object;
  /** @internal */ _className(): string;
}

/** Where a component option's resolved value lives in its model, when not under the same path. */
const MODEL_PATHS: Readonly<Record<string, string>> = {
  packageName: "build.packageName",
  httpClient: "build.httpClient",
  staticLibc: "build.libc",
  allowUnauditableBinary: "build.unauditableBecause",
  ldflags: "build.ldflags",
};

/** The same, for project options. */
const PROJECT_MODEL_PATHS: Readonly<Record<string, string>> = {
  "cargoProfile": "cargoProfilePreset",
  // The release line the option names (e.g. "0.12"), not the exact version it pins.
  "reqwest.version": "reqwest.line",
};

const at = (root: unknown, dotted: string) =>
  dotted.split(".").reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), root);

/** The explanation of every line of one generated file, as the working tree has it. */
export function explainGeneratedFile(file: FileBase, ctx: ExplainContext): { readonly lines: LineExplanation[]; readonly diff?: string; readonly missing?: boolean } {
  const owner = file.node.scope as IConstruct | undefined;
  const component = ctx.components.find((c) => c === owner);
  const construct = component ? `${component._className()} "${component.node.id}"` : `ContainerMonorepo "${ctx.projectName}"`;
  const working = readTextIfExists(path.join(ctx.sourceDir, file.path));
  let rendered: string | undefined;
  let reasons: LineReasons | undefined;
  if (isGeneratedFile(file)) {
    const traced = file._traced();
    rendered = file._renderAhead();
    if (traced && traced.text !== rendered) {
      throw new Error(`${file.path}: the traced rendering differs from the synthesized one; this is a prism-projen bug, please report it`);
    }
    reasons = traced?.reasons;
  } else {
    // projen's own file: what prism-projen asked projen for, and the generated files its lines name.
    rendered = renderProjenFile(file);
    reasons = rendered === undefined ? [] : projenFileReasons(file.path, rendered, ctx.projen);
    if (reasons === undefined) {
      throw new Refusal(`prism-projen explain: ${file.path} is written by projen itself, and prism-projen knows nothing of its lines; ` +
        "explain the files prism-projen writes (Dockerfiles, Cargo files, the workflow, deploy/, ...), e.g. \"npx projen explain proxy/Dockerfile:14\"");
    }
  }
  if (rendered === undefined) {
    // A file the project declares but this synthesis leaves out, having nothing to put in it (deps.json without dependencies).
    throw new Refusal(`prism-projen explain: this synthesis writes no ${file.path}: it would be empty, so there is no line to explain`);
  }
  const text = rendered;
  // A line with no reason says so (explainLines names NO_TRACE), never a guess.
  reasons ??= [];
  const valueOf = (ref: OptionRef) => {
    const given = ref.of === PROJECT ? ctx.projectOptions : ctx.components.find((c) => c.node.id === ref.of)?._givenOptions();
    const value = at(given, ref.option);
    if (value !== undefined) return { value, isDefault: false };
    const model = ref.of === PROJECT ? ctx.projectModel : ctx.components.find((c) => c.node.id === ref.of)?._toModel();
    const paths = ref.of === PROJECT ? PROJECT_MODEL_PATHS : MODEL_PATHS;
    return { value: at(model, paths[ref.option] ?? ref.option), isDefault: true };
  };
  const explained = explainLines({ file: file.path, rendered: text, working: ctx.asSynthesized ? undefined : working, reasons, construct, valueOf });
  // A file synthesis writes but the working tree lacks: the lines are what synthesis would write, and that is said.
  return working === undefined && !ctx.asSynthesized ? { ...explained, missing: true } : explained;
}

/** Prints the explanation asked for; returns the exit code (1 for a line the file does not have). */
export function printExplanation(
  explained: { readonly lines: readonly LineExplanation[]; readonly diff?: string; readonly missing?: boolean },
  request: { readonly file: string; readonly line?: number; readonly json?: boolean },
): number {
  const lines = request.line === undefined ? explained.lines : explained.lines.filter((l) => l.line === request.line);
  if (request.line !== undefined && lines.length === 0) {
    process.stderr.write(`prism-projen explain: ${request.file} has ${explained.lines.length} lines; ask for one from 1 to ${explained.lines.length}\n`);
    return 1;
  }
  if (request.json) {
    process.stdout.write(`${JSON.stringify({ lines, ...(explained.diff ? { diff: explained.diff } : {}), ...(explained.missing ? { missing: true } : {}) }, null, 2)}\n`);
  } else {
    if (explained.missing) process.stdout.write(`${request.file} is missing from the working tree: these are the lines synthesis writes (run "npx projen")\n\n`);
    process.stdout.write(`${lines.map(formatExplanation).join("\n\n")}\n`);
    if (explained.diff && lines.some((l) => l.source === "hand edit")) process.stdout.write(`\n${explained.diff}`);
  }
  return 0;
}

/**
 * The options a generated file's path is made from: its component's folder, or its manifest's name (the
 * component has a workload); none for a file of the project; undefined for a path no construct generates.
 */
export function pathOptionsOf(find: (path: string) => FileBase | undefined): (path: string) => readonly OptionRef[] | undefined {
  return (filePath) => {
    const generated = find(filePath);
    if (!generated) return undefined;
    const owner = generated.node.scope;
    if (!isContainerComponent(owner)) return [];
    const model = owner._toModel();
    // A file in the component's folder moves with it; its manifest is there because it has a workload.
    if (filePath.startsWith(`${model.path}/`)) return folderOptions(model);
    return filePath === manifestPath(model.name) ? optionsOf(model.name, "workload") : [];
  };
}
