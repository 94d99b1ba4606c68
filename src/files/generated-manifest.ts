import * as crypto from "node:crypto";
import * as path from "node:path";
import { FileBase, type IResolver } from "projen/lib/file";
import { NO_RESOLVER, synthesizeFile } from "./atomic-write";
import { cachedMarker, indexFile, rememberContent, renderedContent } from "./file-index";
import { readTextIfExists } from "./read-text";
import type { Project } from "projen/lib/project";

/**
 * `.projen/generated.json`: for every generated file, the SHA-256 of the
 * content synthesis wrote and what produces it. The drift check uses it to
 * tell a file edited by hand (its content no longer matches the recorded
 * hash) from one that is merely out of date, and to name the producer.
 */
export const GENERATED_MANIFEST = ".projen/generated.json";

export interface GeneratedEntry {
  readonly sha256: string;
  /** The construct and options that produce the file. */
  readonly producer: string;
}

export interface GeneratedManifestData {
  readonly files: Readonly<Record<string, GeneratedEntry>>;
  /** Files synthesis read besides the projenrc and its imports (SHA-256, or null when absent). */
  readonly inputs?: Readonly<Record<string, string | null>>;
  /** Starter files synthesis writes once when missing. */
  readonly starters?: readonly string[];
}

/** What else a synthesis depends on and produces, recorded so an unchanged tree can skip the next one. */
export interface SynthExtras {
  readonly inputs: () => Readonly<Record<string, string | null>>;
  readonly starters: () => readonly string[];
}

/** SHA-256 of a file's text, hex. */
export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

/** Reads a manifest written by an earlier synth, if any. */
export function readGeneratedManifest(dir: string): GeneratedManifestData | undefined {
  const file = path.join(dir, GENERATED_MANIFEST);
  const text = readTextIfExists(file);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * The manifest file. Create it after every other file: it hashes what they
 * wrote to disk, so it must be synthesized last.
 */
export class GeneratedManifest extends FileBase {
  constructor(project: Project, private readonly producerOf: (file: FileBase) => string, private readonly extras: SynthExtras) {
    super(project, GENERATED_MANIFEST, { readonly: true, marker: true, editGitignore: false });
    indexFile(this);
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
    const files: Record<string, GeneratedEntry> = {};
    const generated = this.project.files
      .filter((f) => f !== this && f.readonly)
      .sort((a, b) => a.path.localeCompare(b.path));
    for (const file of generated) {
      // What this synthesis rendered; projen's own files are read back from disk.
      const absolute = path.join(this.project.outdir, file.path);
      const content = renderedContent(file) ?? readTextIfExists(absolute);
      if (content === undefined) continue;
      files[file.path] = { sha256: sha256(content), producer: this.producerOf(file) };
    }
    const data = { "//": this.marker, files, inputs: this.extras.inputs(), starters: [...this.extras.starters()].sort() };
    return rememberContent(this, JSON.stringify(data, null, 2) + "\n");
  }
}
