import { FileBase, type IResolver } from "projen";
import type { IConstruct } from "constructs";
import * as TOML from "smol-toml";

/** Options for `TomlFile`. */
export interface TomlFileOptions {
  /** Produces the TOML document as plain data, or undefined for no file; called at synth time. */
  readonly document: () => Record<string, unknown> | undefined;
}

/** A generated TOML file, serialized by smol-toml, the projen marker as its first comment. */
export class TomlFile extends FileBase {
  private readonly document: () => Record<string, unknown> | undefined;

  constructor(scope: IConstruct, filePath: string, options: TomlFileOptions) {
    super(scope, filePath, { readonly: true, marker: true, editGitignore: false });
    this.document = options.document;
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const document = this.document();
    return document === undefined ? undefined : `# ${this.marker}\n\n${TOML.stringify(document)}\n`;
  }
}
