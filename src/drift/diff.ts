/**
 * Line diffs between a generated file in the working tree and what synthesis writes, for the drift
 * check, explain and the overwrite guard. The diff library loads only when one of them is called.
 */

const diffLibrary = () => require("diff") as typeof import("diff");

/** A file's lines, without the empty one after its last newline. */
export function textLines(text: string): string[] {
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

/** The unified diff from the working tree's text to the synthesized one (to `/dev/null` for a file synthesis no longer writes). */
export function driftDiff(file: string, working: string, synthesized: string, options: { readonly removed?: boolean; readonly context?: number } = {}): string {
  return diffLibrary().createTwoFilesPatch(`a/${file}`, options.removed ? "/dev/null" : `b/${file}`, working, synthesized,
    "working tree", "synthesized", options.context === undefined ? undefined : { context: options.context });
}

/** The parts of a line diff from `before` to `after` (each part added, removed or common). */
export function lineDiff(before: string, after: string) {
  return diffLibrary().diffArrays(textLines(before), textLines(after));
}
