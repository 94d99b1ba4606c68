/**
 * The trace of a synthesis: why each part of a generated file is what it is. Renderers attach a
 * `Because` to the nodes they emit (an object, or single keys of it); `npx projen explain` reads it
 * back line by line. Tracing is off for a normal synthesis, where `because` returns its node as it is.
 */

/** The project's own options, as opposed to a component's. */
export const PROJECT = "(project)";

/** One option a node depends on: whose (a component's name, or `PROJECT`) and its path as `.projenrc.ts` writes it. */
export interface OptionRef {
  readonly of: string;
  /** e.g. `replicas`, `resources.cpuLimit`, `version`. */
  readonly option: string;
}

/** Why a node of a generated file is what it is. */
export interface Because {
  /** The options whose values the node is made from: change one, and the node changes. */
  readonly options?: readonly OptionRef[];
  /** The rule or invariant behind what no option changes (e.g. "restricted Pod Security Standard: ..."). */
  readonly rule?: string;
  /** The renderer that wrote the node (a source file of prism-projen, and the function when it helps). */
  readonly renderer?: string;
  /**
   * Options that decide whether the node is there at all: every line below it names them too
   * (a NetworkPolicy rule exists for the ports it opens; the cargo-auditable install, unless allowUnauditableBinary).
   */
  readonly requires?: readonly OptionRef[];
}

/** What is attached to a node: its own reason, and reasons for single keys (or indices) of it. */
export interface NodeTrace {
  readonly node?: Because;
  readonly keys?: Readonly<Record<string, Because>>;
  /** For a key holding a multi-line string (a workflow step's script): the reason of each of its lines. */
  readonly lines?: Readonly<Record<string, readonly Because[]>>;
}

const TRACE = Symbol("prism-projen.trace");
let tracing = false;

/** Runs `fn` with tracing on: the nodes its renderers emit carry their reasons. */
export function withTracing<T>(fn: () => T): T {
  const was = tracing;
  tracing = true;
  try {
    return fn();
  } finally {
    tracing = was;
  }
}

/** Attaches the reason for `node` (and, in `keys`, for single keys of it); returns `node`. A no-op unless tracing. */
export function because<T extends object>(
  node: T,
  why: Because | undefined,
  keys?: Readonly<Record<string, Because>>,
  lines?: Readonly<Record<string, readonly Because[]>>,
): T {
  if (!tracing) return node;
  const before = (node as { [TRACE]?: NodeTrace })[TRACE];
  const trace: NodeTrace = { node: why ?? before?.node, keys: { ...before?.keys, ...keys }, lines: { ...before?.lines, ...lines } };
  Object.defineProperty(node, TRACE, { value: trace, enumerable: false, configurable: true });
  return node;
}

/** The reasons attached to a node, if any. */
export function traceOf(node: unknown): NodeTrace | undefined {
  return node !== null && typeof node === "object" ? (node as { [TRACE]?: NodeTrace })[TRACE] : undefined;
}

// Without tracing, the helpers below build nothing: a synthesis pays for a trace only when explain asks for one.
const NOTHING: Because = Object.freeze({});
const NO_OPTIONS: OptionRef[] = [];

/** Options of one component, as `OptionRef`s. */
export function optionsOf(component: string, ...options: string[]): OptionRef[] {
  return tracing ? options.map((option) => ({ of: component, option })) : NO_OPTIONS;
}

/** Options of the project, as `OptionRef`s. */
export function projectOptions(...options: string[]): OptionRef[] {
  return tracing ? options.map((option) => ({ of: PROJECT, option })) : NO_OPTIONS;
}

/** A reason made of options, and optionally a rule and the renderer. */
export function from(options: readonly OptionRef[], extra: Omit<Because, "options"> = {}): Because {
  return tracing ? { options, ...extra } : NOTHING;
}

/**
 * A multi-line string (a script) built line by line, each line with its reason: `text` is the string,
 * `reasons` what `because(holder, why, keys, { [key]: reasons })` attaches. Without tracing, no reason
 * is computed (each is given as a function) or kept.
 */
export class TracedText {
  private readonly textLines: string[] = [];
  private readonly lineReasons: Because[] = [];

  /** Appends `lines`, each for the reason `why` gives; `why` is called only when tracing. */
  public add(why: () => Because, ...lines: string[]): this {
    this.textLines.push(...lines);
    if (tracing) {
      const reason = why();
      for (const _ of lines) this.lineReasons.push(reason);
    }
    return this;
  }

  public get text(): string {
    return this.textLines.join("\n");
  }

  public get reasons(): readonly Because[] {
    return this.lineReasons;
  }
}

/** A reason no option changes. */
export function fixed(rule: string, renderer?: string): Because {
  if (!tracing) return NOTHING;
  return renderer ? { rule, renderer } : { rule };
}

/**
 * The reason for the node at `path` below `root`: the deepest reason along the path, a key's own
 * reason applying to everything below that key. The renderer is the deepest one named on the way.
 */
export function reasonAt(root: unknown, path: readonly (string | number)[]): Because | undefined {
  let node: unknown = root;
  let reason = traceOf(node)?.node;
  let renderer = reason?.renderer;
  const required: OptionRef[] = [...(reason?.requires ?? [])];
  let holder: unknown;
  let heldAt: string | number | undefined;
  for (const key of path) {
    if (typeof node === "string" && typeof key === "number") {
      // A line of a multi-line string: the reason its renderer gave that line, if it gave one.
      reason = traceOf(holder)?.lines?.[String(heldAt)]?.[key] ?? reason;
      renderer = reason?.renderer ?? renderer;
      break;
    }
    holder = node;
    heldAt = key;
    const keyed = traceOf(node)?.keys?.[String(key)];
    if (keyed) reason = keyed;
    required.push(...(keyed?.requires ?? []));
    node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined;
    const own = traceOf(node)?.node;
    if (own) reason = own;
    required.push(...(own?.requires ?? []));
    renderer = reason?.renderer ?? renderer;
  }
  if (!reason) return undefined;
  const options = withRequired(reason.options, required);
  return { ...(options.length > 0 ? { options } : {}), ...(reason.rule ? { rule: reason.rule } : {}), ...(renderer ? { renderer } : {}) };
}

/**
 * The reason of a line that holds only a key of the object at `path` ("ports:", its value below): the
 * object's reason, and the options that decide whether the key is there at all (its reason's `requires`).
 */
export function keyLineReason(root: unknown, path: readonly (string | number)[], key: string | number): Because | undefined {
  const reason = reasonAt(root, path);
  const holder = path.reduce<unknown>((node, k) => (node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[k] : undefined), root);
  const requires = traceOf(holder)?.keys?.[String(key)]?.requires ?? [];
  if (!reason || requires.length === 0) return reason;
  return { ...reason, options: withRequired(reason.options, requires) };
}

/** A reason's options, then each required option it does not already name. */
function withRequired(options: readonly OptionRef[] | undefined, required: readonly OptionRef[]): OptionRef[] {
  const all = [...(options ?? [])];
  for (const ref of required) if (!all.some((o) => o.of === ref.of && o.option === ref.option)) all.push(ref);
  return all;
}

/** The options a component's folder comes from: its path, or, for a Go command left at its default, the Go module's folder too. */
export function folderOptions(component: { readonly name: string; readonly build: { readonly kind: string }; readonly optionsGiven: readonly string[] }): OptionRef[] {
  if (!tracing) return NO_OPTIONS;
  const moduleDefault = component.build.kind === "go" && !component.optionsGiven.includes("path");
  return [...optionsOf(component.name, "path"), ...(moduleDefault ? projectOptions("goModuleDir") : [])];
}

/**
 * The project options a derived project setting reads: the setting itself, and the project name
 * while the setting is left to its default (the namespace and the image registry default to it).
 */
export function projectSetting(project: { readonly optionsGiven: readonly string[] }, option: "namespace" | "imageRegistry"): OptionRef[] {
  if (!tracing) return NO_OPTIONS;
  return projectOptions(...(project.optionsGiven.includes(option) ? [option] : [option, "name"]));
}
