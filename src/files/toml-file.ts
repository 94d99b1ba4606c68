import { FileBase, type IResolver } from "projen/lib/file";
import { NO_RESOLVER, synthesizeFile } from "./atomic-write";
import { cachedMarker, indexFile, rememberContent } from "./file-index";
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
    indexFile(this);
    this.document = options.document;
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
    const document = this.document();
    return rememberContent(this, document === undefined ? undefined : `# ${this.marker}\n\n${TOML.stringify(document)}\n`);
  }
}
