import { FileBase, type IResolver } from "projen";
import type { IConstruct } from "constructs";

/** Options for `GeneratedTextFile`. */
export interface GeneratedTextFileOptions {
  /** Produces the file's text from the projen marker line; called at synth time, so later changes to the model count. */
  readonly render: (marker: string) => string;
}

/**
 * A generated file whose text comes from a pure renderer. The renderer decides
 * where the projen marker goes (a Dockerfile's marker must follow its
 * `# syntax=` directive).
 */
export class GeneratedTextFile extends FileBase {
  private readonly render: (marker: string) => string;

  constructor(scope: IConstruct, filePath: string, options: GeneratedTextFileOptions) {
    super(scope, filePath, { readonly: true, marker: true, editGitignore: false });
    this.render = options.render;
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    return this.render(this.marker ?? "");
  }
}
