import { LineCounter, isMap, isNode, isScalar, isSeq, parseAllDocuments, type Document } from "yaml";

/** A parsed YAML file whose values can be traced back to lines. */
export interface YamlSource {
  readonly documents: readonly { readonly doc: Document; readonly value: any }[];
  /**
   * The line of `path` in document `index`: the line of its key (or its item,
   * in a list), or of its nearest existing parent when it is absent.
   */
  line(index: number, path: readonly (string | number)[]): number;
}

/** Parses a (multi-document) YAML file, keeping positions. */
export function parseYamlSource(text: string): YamlSource {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: true });
  const documents = (Array.isArray(docs) ? docs : [docs]).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return { doc, value: doc.toJS() };
  });
  const at = (offset: number) => counter.linePos(offset).line;
  return {
    documents,
    line(index, path) {
      const doc = documents[index]?.doc;
      for (let n = path.length; n > 0 && doc; n--) {
        const parent = doc.getIn(path.slice(0, n - 1), true);
        const last = path[n - 1];
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
          if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
        } else if (isSeq(parent) && typeof last === "number") {
          const item = parent.items[last];
          if (isNode(item) && item.range) return at(item.range[0]);
        }
      }
      return 1;
    },
  };
}
