import type { IConstruct } from "constructs";
import * as TOML from "smol-toml";
import { GeneratedFile } from "./generated-file";

/** Options for `TomlFile`. */
export interface TomlFileOptions {
  /** Produces the TOML document as plain data, or undefined for no file; called at synth time. */
  readonly document: () => Record<string, unknown> | undefined;
}

/** A generated TOML file, serialized by smol-toml, the projen marker as its first comment. */
export class TomlFile extends GeneratedFile {
  private readonly document: () => Record<string, unknown> | undefined;

  constructor(scope: IConstruct, filePath: string, options: TomlFileOptions) {
    super(scope, filePath);
    this.document = options.document;
  }

  protected render(): string | undefined {
    const document = this.document();
    return document === undefined ? undefined : `# ${this.marker}\n\n${TOML.stringify(document)}\n`;
  }
}
