import type { IConstruct } from "constructs";
import { GeneratedFile } from "./generated-file";

/** Props of `GeneratedTextFile`. */
export interface GeneratedTextFileProps {
  /** Produces the file's text from the projen marker line; called at synth time, so later changes to the model count. */
  readonly render: (marker: string) => string;
}

/**
 * A generated file whose text comes from a pure renderer. The renderer decides
 * where the projen marker goes (a Dockerfile's marker must follow its
 * `# syntax=` directive).
 */
export class GeneratedTextFile extends GeneratedFile {
  private readonly renderText: (marker: string) => string;

  constructor(scope: IConstruct, filePath: string, options: GeneratedTextFileProps) {
    super(scope, filePath);
    this.renderText = options.render;
  }

  protected render(): string {
    return this.renderText(this.marker ?? "");
  }
}
