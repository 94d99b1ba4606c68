import type { Component } from "projen/lib/component";
import type { FileBase, IResolver } from "projen/lib/file";
import type { Project } from "projen/lib/project";
import { byCodeUnits } from "../model/order";

/**
 * Everything prism-projen relies on that projen does not offer as a public extension point, in
 * one place; test/projen-internals.test.ts fails when a projen upgrade changes any of it. Nothing
 * of projen's, and nothing global, is replaced: prism-projen calls these, it does not patch them.
 *
 * - `FileBase.synthesizeContent(resolver)` (protected) with projen's resolver renders a file's
 *   content without writing it: synthesis renders every file before it writes any, so it can
 *   refuse to overwrite bytes it did not write, and then writes them itself, atomically.
 * - `Project.synth` is preSynthesize (the project's, then every component's), projen's clean-up,
 *   every component's `synthesize`, then postSynthesize unless `PROJEN_DISABLE_POST` is true:
 *   `ContainerMonorepo.synth` runs those phases itself (`synthesisPhases`), with its own writes
 *   and its own clean-up (which deletes only files whose bytes it wrote) in place of projen's.
 * - projen orders the entries of `.gitattributes` and the tasks of `.projen/tasks.json` with
 *   `String.prototype.localeCompare` and no locale, so by the machine's locale: their rendered
 *   content is put in code-unit order (`inCodeUnitOrder`), the one order of every generated file.
 * - `util.getFilePermissions`: the mode projen gives a file, so both writers agree.
 */

export interface WriteOptions {
  readonly readonly?: boolean;
  readonly executable?: boolean;
}

const projenUtil = require("projen/lib/util") as { getFilePermissions: (options: WriteOptions) => string; isTruthy: (value: string | undefined) => boolean };
const projenResolve = require("projen/lib/_resolve") as { resolve: (value: unknown, options?: unknown) => unknown };

/** The numeric mode projen gives a file: 0o444 read-only, 0o544 read-only executable, 0o755 executable, 0o644 otherwise. */
export function projenFileMode(options: WriteOptions): number {
  return parseInt(projenUtil.getFilePermissions(options), 8);
}

/** What `Project.synth` does between its phases, given by the project that runs them. */
export interface SynthesisSteps {
  /** Runs where projen would clean up: after every `preSynthesize`, before the first write. */
  readonly beforeFirstWrite: () => void;
  /** Writes one component: a file, or any other component's own `synthesize`. */
  readonly synthesize: (component: Component) => void;
}

/** `Project.synth`'s phases, in its order, with `steps` in place of projen's clean-up and writes. */
export function synthesisPhases(project: Project, steps: SynthesisSteps): void {
  project.preSynthesize();
  for (const component of project.components) component.preSynthesize();
  steps.beforeFirstWrite();
  for (const component of project.components) steps.synthesize(component);
  if (!projenUtil.isTruthy(process.env.PROJEN_DISABLE_POST)) {
    for (const component of project.components) component.postSynthesize();
    project.postSynthesize();
  }
}

const RESOLVER: IResolver = { resolve: (value, options) => projenResolve.resolve(value, options) as never };

/** The content projen would write for one of its own files in this synthesis (undefined: it removes the file), in code-unit order. */
export function renderProjenFile(file: FileBase): string | undefined {
  const content = (file as unknown as { synthesizeContent(resolver: IResolver): string | undefined }).synthesizeContent(RESOLVER);
  return content === undefined ? undefined : inCodeUnitOrder(file.path, content);
}

/**
 * The content of a projen file whose renderer sorts by the machine's locale, with those entries in
 * code-unit order instead; any other file as it is.
 */
export function inCodeUnitOrder(filePath: string, content: string): string {
  if (filePath === ".gitattributes") {
    // `# marker`, a blank line, then one `<pattern> <attributes>` line per pattern, sorted by pattern.
    const lines = content.split("\n");
    const first = lines.indexOf("") + 1;
    const patternOf = (line: string) => line.slice(0, line.indexOf(" "));
    const entries = lines.slice(first).sort((a, b) => byCodeUnits(patternOf(a), patternOf(b)));
    return [...lines.slice(0, first), ...entries].join("\n");
  }
  if (filePath === ".projen/tasks.json") {
    // projen's JsonFile: JSON.stringify with two spaces and a final newline; the tasks are one object, by name.
    const json = JSON.parse(content) as { tasks?: Record<string, unknown> };
    if (!json.tasks) return content;
    const tasks = json.tasks;
    json.tasks = Object.fromEntries(Object.keys(tasks).sort(byCodeUnits).map((name) => [name, tasks[name]]));
    return `${JSON.stringify(json, undefined, 2)}${content.endsWith("\n") ? "\n" : ""}`;
  }
  return content;
}
