import type { IConstruct } from "constructs";
import * as TOML from "smol-toml";
import { markerLine, tomlLineReasons } from "../explain/lines";
import { withTracing } from "../explain/trace";
import { GeneratedFile } from "./generated-file";

/** Props of `TomlFile`. */
export interface TomlFileProps {
  /** Produces the TOML document (a typed format model), or undefined for no file; called at synth time. */
  readonly document: () => object | undefined;
}

/** A generated TOML file, serialized by smol-toml, the projen marker as its first comment. */
export class TomlFile extends GeneratedFile {
  private readonly document: () => object | undefined;

  constructor(scope: IConstruct, filePath: string, options: TomlFileProps) {
    super(scope, filePath);
    this.document = options.document;
  }

  protected render(): string | undefined {
    return this.serialize(this.document());
  }

  public _traced() {
    return withTracing(() => {
      const document = this.document();
      const text = this.serialize(document);
      return { text, reasons: document === undefined || text === undefined ? [] : tomlLineReasons(text, document, markerLine()) };
    });
  }

  private serialize(document: object | undefined): string | undefined {
    return document === undefined ? undefined : `# ${this.marker}\n\n${TOML.stringify(document)}\n`;
  }
}
