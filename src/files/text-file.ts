import { FileBase, type IResolver } from "projen/lib/file";
import { NO_RESOLVER, synthesizeFile } from "./atomic-write";
import { cachedMarker, indexFile, rememberContent } from "./file-index";
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
    indexFile(this);
    this.render = options.render;
  }

  /** projen's marker, computed once per project (projen's getter searches the whole tree each time). */
  public get marker(): string | undefined {
    return cachedMarker(this.project, () => super.marker);
  }

  /** Writes only when content or mode changed, atomically. */
  public synthesize(): void {
    synthesizeFile(this.project.outdir, this.path, this.synthesizeContent(NO_RESOLVER), { readonly: this.readonly, executable: this.executable });
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    return rememberContent(this, this.render(this.marker ?? ""));
  }
}
