import type { IConstruct } from "constructs";
import type { LineReasons } from "../explain/lines";
import { withTracing } from "../explain/trace";
import { GeneratedFile } from "./generated-file";

/** Props of `GeneratedTextFile`. */
export interface GeneratedTextFileProps {
  /** Produces the file's text from the projen marker line; called at synth time, so later changes to the model count. */
  readonly render: (marker: string) => string;
  /**
   * Renders the file with its trace on: the text, and the reason of each of its lines (`npx projen explain`).
   * @default - no trace: explain says so for each line
   */
  readonly trace?: (marker: string) => { readonly text: string; readonly reasons: LineReasons };
}

/**
 * A generated file whose text comes from a pure renderer. The renderer decides
 * where the projen marker goes (a Dockerfile's marker must follow its
 * `# syntax=` directive).
 */
export class GeneratedTextFile extends GeneratedFile {
  private readonly renderText: (marker: string) => string;
  private readonly traceText?: GeneratedTextFileProps["trace"];

  constructor(scope: IConstruct, filePath: string, options: GeneratedTextFileProps) {
    super(scope, filePath);
    this.renderText = options.render;
    this.traceText = options.trace;
  }

  public _traced() {
    const trace = this.traceText;
    return trace ? withTracing(() => trace(this.marker ?? "")) : undefined;
  }

  protected render(): string {
    return this.renderText(this.marker ?? "");
  }
}
