import type { AST } from "toml-eslint-parser";
import { isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, visit, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import type { DockerfileModel } from "../dockerfile/dockerfile-model";
import { dockerfileLines } from "../dockerfile/render";
import { textLines } from "../drift/diff";
import { fixed, keyLineReason, reasonAt, type Because } from "./trace";

type TOMLKeyValue = AST.TOMLKeyValue;
type TOMLTable = AST.TOMLTable;

/**
 * From a rendered file back to the nodes its renderer emitted, line by line: the reason of each line
 * is the reason attached to the deepest node written on it (`trace.ts`). The files are parsed with
 * their format's own parser to find where each node went; nothing is inferred from the text itself.
 */

/** The marker line of every generated file. */
export const markerLine = () => fixed("projen's marker: the file is generated; edit .projenrc.ts and run \"npx projen\" instead", "projen");

/** The line between two YAML documents of one file. */
const documentSeparator = () => fixed("the separator between two objects (YAML documents) of the file", "projen");

/** The reason of each line of a file (index 0 is line 1). */
export type LineReasons = readonly (Because | undefined)[];

/**
 * A YAML file of `documents` (written as `# marker`, then the documents with `---` between them), or
 * a JSON file of one document (JSON is YAML's flow syntax: the same parser finds its positions):
 * each line gets the reason of the deepest key or list item on it; each line of a multi-line string
 * (a block scalar, e.g. a workflow step's script), the reason its renderer gave that line.
 */
export function yamlLineReasons(text: string, documents: readonly object[], marker: Because): LineReasons {
  const counter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: counter });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const lines = textLines(text);
  const lineCount = lines.length;
  // `key`: the line holds only that key of the object at `path` ("ports:"), its value on the lines below.
  const paths: ({ doc: number; path: (string | number)[]; key?: string | number } | undefined)[] = new Array(lineCount).fill(undefined);
  const lineOf = (offset: number) => counter.linePos(offset).line - 1;
  docs.forEach((doc, index) => {
    const claim = (from: number, to: number, path: (string | number)[], key?: string | number) => {
      for (let line = from; line <= to && line < lineCount; line++) {
        const held = paths[line];
        if (!held || held.doc !== index || held.path.length <= path.length) paths[line] = { doc: index, path, ...(key === undefined ? {} : { key }) };
      }
    };
    // A flow collection ({...} or [...], as in JSON) spans lines of its own: its brackets' lines belong to
    // what holds it (the object whose key it is the value of; else the collection itself, an item or the root),
    // since they stay as they are whatever it holds. Its items and keys claim their own lines below.
    const claimFlow = (collection: YAMLMap | YAMLSeq, ancestry: readonly unknown[]) => {
      if (!collection.flow || !collection.range) return;
      const holder = isPair(ancestry[ancestry.length - 1]) ? pathOf(ancestry.slice(0, -1)) : pathOf([...ancestry, collection]);
      claim(lineOf(collection.range[0]), lineOf(collection.range[1] - 1), holder);
    };
    visit(doc, {
      Pair(_key, pair, ancestry) {
        if (!isScalar(pair.key) || !pair.key.range) return;
        const parent = pathOf(ancestry);
        const keyLine = lineOf(pair.key.range[0]);
        if (isScalar(pair.value) && pair.value.type === Scalar.BLOCK_LITERAL && pair.value.range) {
          // "run: |-", then the string's lines one per line: line i of the string is i lines below the key.
          claim(keyLine, keyLine, [...parent, pair.key.value as string | number]);
          const last = lineOf(pair.value.range[1] - 1);
          for (let line = keyLine + 1; line <= last; line++) claim(line, line, [...parent, pair.key.value as string | number, line - keyLine - 1]);
        } else if (isScalar(pair.value)) {
          const end = pair.value.range ? lineOf(Math.max(pair.value.range[1] - 1, pair.key.range[0])) : keyLine;
          claim(keyLine, end, [...parent, pair.key.value as string | number]);
        } else {
          // A key holding a map or a list is a line of its own ("ports:"): the object it is in wrote it, not its value.
          claim(keyLine, keyLine, parent, pair.key.value as string | number);
        }
      },
      Map(_key, map, ancestry) {
        claimFlow(map, ancestry);
      },
      Seq(_key, seq, ancestry) {
        claimFlow(seq, ancestry);
        const base = pathOf([...ancestry, seq]);
        seq.items.forEach((item, i) => {
          if (isNode(item) && item.range) claim(lineOf(item.range[0]), isScalar(item) ? lineOf(item.range[1] - 1) : lineOf(item.range[0]), [...base, i]);
        });
      },
    });
  });
  return paths.map((held, line) => {
    if (!held) return line === 0 ? marker : lines[line] === "---" ? documentSeparator() : undefined;
    return held.key === undefined ? reasonAt(documents[held.doc], held.path) : keyLineReason(documents[held.doc], held.path, held.key);
  });
}

/** A blank line of a TOML file. */
const tomlBlankLine = () => fixed("a blank line of the layout: after the marker, and after each table", "smol-toml");

/**
 * A TOML file rendered from `document` (written as `# marker`, a blank line, then smol-toml's text):
 * each line gets the reason of its table (a `[header]` line) or of its key (a `key = value` line),
 * found by toml-eslint-parser, whose syntax tree has positions (smol-toml's has none).
 */
export function tomlLineReasons(text: string, document: object, marker: Because): LineReasons {
  const lines = textLines(text);
  const paths: ((string | number)[] | undefined)[] = new Array(lines.length).fill(undefined);
  const claim = (node: TOMLTable | TOMLKeyValue, path: (string | number)[]) => {
    for (let line = node.loc.start.line - 1; line <= node.loc.end.line - 1; line++) paths[line] = path;
  };
  const keyPath = (kv: TOMLKeyValue) => kv.key.keys.map((k) => ("name" in k ? k.name : k.value));
  // Loaded here, not with the module: only explain reads positions, and a synthesis need not load a parser it never runs.
  const { parseTOML } = require("toml-eslint-parser") as typeof import("toml-eslint-parser");
  const top = parseTOML(text).body[0];
  for (const node of top.body) {
    if (node.type === "TOMLKeyValue") {
      claim(node, keyPath(node));
      continue;
    }
    // The header line is the table's own; each key below it, the key's.
    paths[node.loc.start.line - 1] = [...node.resolvedKey];
    for (const kv of node.body) claim(kv, [...node.resolvedKey, ...keyPath(kv)]);
  }
  return paths.map((path, line) => {
    if (path) return reasonAt(document, path);
    if (line === 0) return marker;
    // smol-toml writes a blank line before each table: it comes and goes with the table whose header follows it.
    const next = paths[line + 1];
    if (lines[line] === "" && next && lines[line + 1].startsWith("[")) return reasonAt(document, next);
    // Any other blank line is the layout's; any other line no node claims has no reason, and gets none.
    return lines[line] === "" ? tomlBlankLine() : undefined;
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
