import type { IConstruct } from "constructs";
import { markerLine, yamlLineReasons } from "../explain/lines";
import { because, traceOf, withTracing } from "../explain/trace";
import { GeneratedFile } from "./generated-file";

/** Props of `GeneratedJsonFile`. */
export interface GeneratedJsonFileProps {
  /** Produces the JSON object (without the marker); called at synth time. */
  readonly document: () => object;
}

/**
 * A generated JSON file: the object, two-space indented, projen's marker as its last key `//`
 * (where projen's own JsonFile puts it).
 */
export class GeneratedJsonFile extends GeneratedFile {
  private readonly document: () => object;

  constructor(scope: IConstruct, filePath: string, options: GeneratedJsonFileProps) {
    super(scope, filePath);
    this.document = options.document;
  }

  protected render(): string {
    return this.serialize(this.document());
  }

  public _traced() {
    return withTracing(() => {
      const document = this.document();
      // The object written is a copy with the marker: its keys' values are the document's own, traces included.
      const data = because(this.withMarker(document), traceOf(document)?.node, { ...traceOf(document)?.keys, "//": markerLine() });
      const text = `${JSON.stringify(data, null, 2)}\n`;
      return { text, reasons: yamlLineReasons(text, [data], markerLine()) };
    });
  }

  private withMarker(document: object): object {
    return { ...document, "//": this.marker };
  }

  private serialize(document: object): string {
    return `${JSON.stringify(this.withMarker(document), null, 2)}\n`;
  }
}
