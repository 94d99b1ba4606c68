import type { IConstruct } from "constructs";
import { markerLine, yamlLineReasons } from "../explain/lines";
import { withTracing } from "../explain/trace";
import { GeneratedFile } from "./generated-file";
import { Document, isScalar, visit } from "yaml";

/** Props of `YamlDocumentsFile`. */
export interface YamlDocumentsFileProps {
  /** Produces the documents as plain data; called at synth time. */
  readonly documents: () => readonly object[];
  /**
   * Trailing comments for string values, by value: a scalar equal to a key
   * gets ` # <comment>` after it (used to name the version of a SHA-pinned action).
   * @default - no comments
   */
  readonly valueComments?: Readonly<Record<string, string>>;
}

/**
 * A generated YAML file of one or more documents (`---` between them), the
 * projen marker as its first line. Keys keep the order the renderer gave them.
 */
export class YamlDocumentsFile extends GeneratedFile {
  private readonly options: YamlDocumentsFileProps;

  constructor(scope: IConstruct, filePath: string, options: YamlDocumentsFileProps) {
    super(scope, filePath);
    this.options = options;
  }

  protected render(): string {
    return this.renderDocuments(this.options.documents());
  }

  public _traced() {
    return withTracing(() => {
      const documents = this.options.documents();
      const text = this.renderDocuments(documents);
      return { text, reasons: yamlLineReasons(text, documents, markerLine()) };
    });
  }

  private renderDocuments(documents: readonly object[]): string {
    const body = documents.map((data) => toYaml(data, this.options.valueComments ?? {})).join("---\n");
    return `# ${this.marker}\n${body}`;
  }
}

// directives: false: the documents have none, and yaml would otherwise walk every node to look for tags to declare.
const FORMAT = { lineWidth: 0, indent: 2, directives: false } as const;

function toYaml(data: object, comments: Readonly<Record<string, string>>): string {
  const doc = new Document(data, { aliasDuplicateObjects: false });
  if (Object.keys(comments).length === 0) return doc.toString(FORMAT);
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.value) && typeof pair.value.value === "string" && comments[pair.value.value] !== undefined) {
        pair.value.comment = ` ${comments[pair.value.value]}`;
      }
    },
  });
  return doc.toString(FORMAT);
}
