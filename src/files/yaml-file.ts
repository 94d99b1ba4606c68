import { FileBase, type IResolver } from "projen";
import type { IConstruct } from "constructs";
import { Document, isScalar, visit } from "yaml";

/** Options for `YamlDocumentsFile`. */
export interface YamlDocumentsFileOptions {
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
export class YamlDocumentsFile extends FileBase {
  private readonly options: YamlDocumentsFileOptions;

  constructor(scope: IConstruct, filePath: string, options: YamlDocumentsFileOptions) {
    super(scope, filePath, { readonly: true, marker: true, editGitignore: false });
    this.options = options;
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const body = this.options.documents()
      .map((data) => toYaml(data, this.options.valueComments ?? {}))
      .join("---\n");
    return `# ${this.marker}\n${body}`;
  }
}

function toYaml(data: object, comments: Readonly<Record<string, string>>): string {
  const doc = new Document(data, { aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.value) && typeof pair.value.value === "string" && comments[pair.value.value] !== undefined) {
        pair.value.comment = ` ${comments[pair.value.value]}`;
      }
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2 });
}
