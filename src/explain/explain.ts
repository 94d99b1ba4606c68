import { driftDiff, lineDiff, textLines } from "../drift/diff";
import type { LineReasons } from "./lines";
import { PROJECT, type Because, type OptionRef } from "./trace";

/**
 * `npx projen explain FILE[:LINE]`: for each line of a generated file, what wrote it and why, from the
 * trace its renderer recorded. Pure: the caller (the project, in explain mode) renders the file with
 * tracing on and reads the working tree's copy; this module only lines them up and formats.
 */

/** What explain says of a line whose renderer recorded no reason for it: never a guess. */
export const NO_TRACE = "its renderer records no trace yet (see docs/explain.md): explain does not guess";

/** One option a line depends on, with its value now. */
export interface ExplainedOption {
  /** The component's name, or "(project)". */
  readonly of: string;
  /** The option as `.projenrc.ts` writes it, e.g. `resources.cpuLimit`. */
  readonly option: string;
  /** The value it has in this synthesis (given, or its default). */
  readonly value: unknown;
  /** Whether `.projenrc.ts` left it to its default. */
  readonly isDefault: boolean;
}

/** The explanation of one line. */
export interface LineExplanation {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** `synthesis`: the line is what synthesis writes; `hand edit`: it is not (see `diff`). */
  readonly source: "synthesis" | "hand edit";
  /** False when the renderer recorded no reason for the line (its kind of file is not traced yet): nothing is guessed. */
  readonly traced: boolean;
  /** The construct that declares the file: a component's construct path, or the project's. */
  readonly construct: string;
  readonly options: readonly ExplainedOption[];
  /** The rule or invariant behind the line, when no option (or not only options) decides it. */
  readonly rule?: string;
  /** The prism-projen source that rendered it. */
  readonly renderer?: string;
}

/** What explain needs from the project about the file. */
export interface ExplainInput {
  readonly file: string;
  /** The text synthesis writes now. */
  readonly rendered: string;
  /** The working tree's text, or undefined when the file is missing there. */
  readonly working: string | undefined;
  /** The reason of each line of `rendered`. */
  readonly reasons: LineReasons;
  readonly construct: string;
  /** An option's value now, and whether it is the default. */
  readonly valueOf: (ref: OptionRef) => { readonly value: unknown; readonly isDefault: boolean };
}

/** Every line of the working tree's file (or of the rendered one when missing), explained. */
export function explainLines(input: ExplainInput): { readonly lines: LineExplanation[]; readonly diff?: string } {
  const rendered = textLines(input.rendered);
  const explained = (line: number, text: string, reason: Because | undefined): LineExplanation => ({
    file: input.file,
    line,
    text,
    source: "synthesis",
    traced: reason !== undefined,
    construct: input.construct,
    options: (reason?.options ?? []).map((ref) => ({ ...ref, ...input.valueOf(ref) })),
    ...(reason?.rule ? { rule: reason.rule } : {}),
    ...(reason?.renderer ? { renderer: reason.renderer } : {}),
  });
  if (input.working === undefined || input.working === input.rendered) {
    return { lines: rendered.map((text, i) => explained(i + 1, text, input.reasons[i])) };
  }
  // A hand edit: the lines synthesis also writes keep their explanation; the others are reported as edits.
  const lines: LineExplanation[] = [];
  let renderedLine = 0;
  for (const part of lineDiff(input.rendered, input.working)) {
    if (part.added) {
      for (const text of part.value) {
        lines.push({ file: input.file, line: lines.length + 1, text, source: "hand edit", traced: false, construct: input.construct, options: [] });
      }
    } else if (part.removed) {
      renderedLine += part.value.length;
    } else {
      for (const text of part.value) {
        lines.push(explained(lines.length + 1, text, input.reasons[renderedLine]));
        renderedLine++;
      }
    }
  }
  return { lines, diff: driftDiff(input.file, input.working, input.rendered) };
}


/** One line, for people: the text, then what made it. */
export function formatExplanation(e: LineExplanation): string {
  const out = [`${e.file}:${e.line}  ${e.text.trim()}`];
  if (e.source === "hand edit") {
    out.push("  not written by synthesis: a hand edit (the diff below); make the change in .projenrc.ts instead");
    return out.join("\n");
  }
  out.push(`  declared by  ${e.construct} in .projenrc.ts`);
  if (!e.traced) {
    out.push(`  no trace     ${NO_TRACE}`);
    return out.join("\n");
  }
  for (const o of e.options) out.push(`  option       ${optionText(o)}`);
  if (e.rule) out.push(`  ${e.options.length > 0 ? "because" : "fixed by"}     ${e.rule}`.replace("because     ", "because      "));
  if (e.renderer) out.push(`  renderer     ${e.renderer}`);
  return out.join("\n");
}

/** `proxy.replicas = 2 (the default)`, `version = "0.1.0"` (a project option has no prefix). */
function optionText(o: ExplainedOption): string {
  const name = o.of === PROJECT ? o.option : `${o.of}.${o.option}`;
  if (o.value === undefined) return `${name}: not set (the default)`;
  return `${name} = ${JSON.stringify(o.value)}${o.isDefault ? " (the default)" : ""}`;
}

/** The explanation on one line, to print next to a finding: the options to change, or the rule. */
export function explanationSummary(e: LineExplanation): string {
  if (e.source === "hand edit") return "a hand edit, not written by synthesis";
  if (!e.traced) return "no trace recorded for this file yet";
  const options = e.options.map(optionText);
  return [options.length > 0 ? `set by ${options.join(", ")}` : undefined, e.rule].filter(Boolean).join("; ") || "no option";
}
