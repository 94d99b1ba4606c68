import { isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Node } from "yaml";
import type { DockerfileModel } from "../dockerfile/dockerfile-model";
import { dockerfileLines } from "../dockerfile/render";
import { fixed, reasonAt, type Because } from "./trace";

/**
 * From a rendered file back to the nodes its renderer emitted, line by line: the reason of each line
 * is the reason attached to the deepest node written on it (`trace.ts`). The files are parsed with
 * their format's own parser to find where each node went; nothing is inferred from the text itself.
 */

/** The line between two YAML documents of one file. */
const documentSeparator = () => fixed("the separator between two objects (YAML documents) of the file", "projen");

/** The reason of each line of a file (index 0 is line 1). */
export type LineReasons = readonly (Because | undefined)[];

/**
 * A YAML file of `documents` (written as `# marker`, then the documents with `---` between them):
 * each line gets the reason of the deepest key or list item on it.
 */
export function yamlLineReasons(text: string, documents: readonly object[], marker: Because): LineReasons {
  const counter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: counter });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const lines = text.split("\n");
  const lineCount = lines.length - (text.endsWith("\n") ? 1 : 0);
  const paths: ({ doc: number; path: (string | number)[] } | undefined)[] = new Array(lineCount).fill(undefined);
  const lineOf = (offset: number) => counter.linePos(offset).line - 1;
  docs.forEach((doc, index) => {
    const claim = (from: number, to: number, path: (string | number)[]) => {
      for (let line = from; line <= to && line < lineCount; line++) {
        const held = paths[line];
        if (!held || held.doc !== index || held.path.length <= path.length) paths[line] = { doc: index, path };
      }
    };
    visit(doc, {
      Pair(_key, pair, ancestry) {
        if (!isScalar(pair.key) || !pair.key.range) return;
        const parent = pathOf(ancestry);
        const keyLine = lineOf(pair.key.range[0]);
        if (isScalar(pair.value)) {
          const end = pair.value.range ? lineOf(Math.max(pair.value.range[1] - 1, pair.key.range[0])) : keyLine;
          claim(keyLine, end, [...parent, pair.key.value as string | number]);
        } else {
          // A key holding a map or a list is a line of its own ("ports:"): the object it is in wrote it, not its value.
          claim(keyLine, keyLine, parent);
        }
      },
      Seq(_key, seq, ancestry) {
        const base = pathOf([...ancestry, seq]);
        seq.items.forEach((item, i) => {
          if (isNode(item) && item.range) claim(lineOf(item.range[0]), isScalar(item) ? lineOf(item.range[1] - 1) : lineOf(item.range[0]), [...base, i]);
        });
      },
    });
  });
  return paths.map((held, line) => {
    if (!held) return line === 0 ? marker : lines[line] === "---" ? documentSeparator() : undefined;
    return reasonAt(documents[held.doc], held.path);
  });
}

/** The path of keys and indices from the document to the node whose ancestry this is. */
function pathOf(ancestry: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 1; i < ancestry.length; i++) {
    const node = ancestry[i];
    const parent = ancestry[i - 1];
    if (isPair(node) && isScalar(node.key)) path.push(node.key.value as string | number);
    else if (isSeq(parent) && isNode(node)) path.push(parent.items.indexOf(node as Node));
  }
  return path;
}

/** A Dockerfile: each line gets the reason of the instruction, stage or header entry that wrote it. */
export function dockerfileLineReasons(model: DockerfileModel): LineReasons {
  return dockerfileLines(model).map(({ path }) => reasonAt(model, path));
}
