import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Node } from "yaml";
import type { DockerfileModel } from "../dockerfile/dockerfile-model";
import { dockerfileLines } from "../dockerfile/render";
import { fixed, reasonAt, traceOf, type Because } from "./trace";

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
 * each line gets the reason of the deepest key or list item on it; the lines of a multi-line string
 * get the reasons its owner attached to each of its lines, if any, else the key's.
 */
export function yamlLineReasons(text: string, documents: readonly object[], marker: Because): LineReasons {
  const counter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: counter });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const lineCount = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  const paths: ({ doc: number; path: (string | number)[] } | undefined)[] = new Array(lineCount).fill(undefined);
  const lineOf = (offset: number) => counter.linePos(offset).line - 1;
  /** Lines that hold only a key whose value is a map or a list, with the path of the object holding the key. */
  const keyLines = new Map<string, (string | number)[]>();
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
        const path = [...parent, pair.key.value as string | number];
        const end = isNode(pair.value) && pair.value.range ? lineOf(Math.max(pair.value.range[1] - 1, pair.key.range[0])) : lineOf(pair.key.range[0]);
        // A key holding a map or a list is a line of its own ("ports:"): the object it is in wrote it, not its value.
        if (isScalar(pair.value)) claim(lineOf(pair.key.range[0]), end, path);
        else keyLines.set(`${index}:${lineOf(pair.key.range[0])}`, parent);
        if (!isScalar(pair.value)) claim(lineOf(pair.key.range[0]), lineOf(pair.key.range[0]), path);
      },
      Seq(_key, seq, ancestry) {
        const base = pathOf([...ancestry, seq]);
        seq.items.forEach((item, i) => {
          if (isNode(item) && item.range) claim(lineOf(item.range[0]), isScalar(item) ? lineOf(item.range[1] - 1) : lineOf(item.range[0]), [...base, i]);
        });
      },
    });
  });
  const textLines = text.split("\n");
  return paths.map((held, line) => {
    if (!held) return line === 0 ? marker : textLines[line] === "---" ? documentSeparator() : undefined;
    const root = documents[held.doc];
    const container = keyLines.get(`${held.doc}:${line}`);
    const reason = container && held.path.length === container.length + 1 ? reasonAt(root, container) : reasonAt(root, held.path);
    const keyLine = lineOfKey(held, docs[held.doc], counter);
    const stringLines = textLineReasons(root, held.path);
    // A line inside a multi-line string: the reason its owner gave that line of the string.
    return stringLines && keyLine !== undefined && line > keyLine ? stringLines[line - keyLine - 1] ?? reason : reason;
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

/** The 0-based line of the key (or item) the path ends at. */
function lineOfKey(held: { path: (string | number)[] }, doc: ReturnType<typeof parseAllDocuments>[number] | undefined, counter: LineCounter): number | undefined {
  const parent = doc?.getIn(held.path.slice(0, -1), true);
  const last = held.path.at(-1);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line - 1;
  }
  return undefined;
}

/** The per-line reasons a renderer attached to the multi-line string at `path`, if any. */
function textLineReasons(root: unknown, path: readonly (string | number)[]): readonly (Because | undefined)[] | undefined {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], root);
  return traceOf(parent)?.textLines?.[String(path.at(-1))];
}

/** A Dockerfile: each line gets the reason of the instruction, stage or header entry that wrote it. */
export function dockerfileLineReasons(model: DockerfileModel): LineReasons {
  return dockerfileLines(model).map(({ path }) => reasonAt(model, path));
}
