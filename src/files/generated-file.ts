import type { IConstruct } from "constructs";
import { FileBase, type IResolver } from "projen/lib/file";
import { synthesizeFile } from "./atomic-write";
import type { LineReasons } from "../explain/lines";
import { cachedMarker, indexFile, rememberContent } from "./file-index";

/**
 * For a file whose parts belong to others (a member's Cargo.toml: the dependencies `cargo add` writes), the
 * part synthesis owns: the entries it declared, and the SHA-256 of the file reduced to its own part.
 */
export interface OwnedPart {
  readonly sha256: string;
  /** The keys of the entries synthesis wrote (the rest are the user's). */
  readonly declared: readonly string[];
}

/**
 * A generated file whose content comes from a pure renderer. The project renders every such
 * file before it writes any (`_renderAhead`), so it can refuse a synthesis that would overwrite
 * bytes it did not write; writing then uses that rendering rather than rendering again.
 */
export abstract class GeneratedFile extends FileBase {
  private ahead?: { readonly content: string | undefined };

  constructor(scope: IConstruct, filePath: string) {
    super(scope, filePath, { readonly: true, marker: true, editGitignore: false });
    indexFile(this);
  }

  /** projen's marker, computed once per project (projen's getter searches the whole tree each time). */
  public get marker(): string | undefined {
    return cachedMarker(this.project, () => super.marker);
  }

  /** @internal renders the content this synthesis will write (undefined: no file), and keeps it for `synthesize`. */
  public _renderAhead(): string | undefined {
    const content = this.render();
    this.ahead = { content };
    return content;
  }

  /** Writes only when content or mode changed, atomically. */
  public synthesize(): void {
    const content = this.ahead ? this.ahead.content : this.render();
    this.ahead = undefined;
    synthesizeFile(this.project.outdir, this.path, rememberContent(this, content), { readonly: this.readonly, executable: this.executable });
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    return this.render();
  }

  /** The file's text, or undefined for no file. Pure: called at synth time, so later changes to the model count. */
  protected abstract render(): string | undefined;

  /**
   * @internal the part of `text` synthesis owns, for a file whose other parts belong to others (see
   * `GeneratedEntry.owned`); undefined: synthesis owns all of it.
   */
  public _ownedPart(_text: string): OwnedPart | undefined {
    return undefined;
  }

  /**
   * @internal the SHA-256 of `text` reduced to the part whose entries `declared` names, as `_ownedPart`
   * reduces it; undefined for a file synthesis owns whole, or text that cannot be read as the file's format.
   */
  public _ownedHash(_text: string, _declared: readonly string[]): string | undefined {
    return undefined;
  }

  /**
   * @internal the file's text rendered with its trace on, and the reason of each of its lines
   * (`npx projen explain`); undefined for a kind of file whose renderer records no trace.
   */
  public _traced(): { readonly text: string | undefined; readonly reasons: LineReasons } | undefined {
    return undefined;
  }
}

/** Whether `file` is one of prism-projen's generated files. */
export function isGeneratedFile(file: FileBase): file is GeneratedFile {
  return file instanceof GeneratedFile;
}
