import * as crypto from "node:crypto";
import * as path from "node:path";
import * as v from "valibot";
import type { FileBase } from "projen/lib/file";
import { synthesizeFile } from "./atomic-write";
import { renderedContent } from "./file-index";
import { GeneratedFile, isGeneratedFile, type OwnedPart } from "./generated-file";
import { readTextIfExists } from "./read-text";
import { isTreePath } from "./tree-path";
import type { Project } from "projen/lib/project";
import { byCodeUnits } from "../model/order";
import { markerLine, yamlLineReasons } from "../explain/lines";
import { because, fixed, withTracing } from "../explain/trace";

const RENDERER = "src/files/generated-manifest.ts";

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
  /**
   * Set while a synthesis is under way: the hash the file had before it, which it may still have
   * if that synthesis was killed. Both are bytes synthesis wrote.
   */
  readonly previous?: string;
  /**
   * For a file whose parts belong to others (a member's Cargo.toml: the dependencies `cargo add` writes), the
   * part synthesis owns: the entries it declared, and the SHA-256 of the file reduced to its own part. A file
   * edited only outside that part holds no hand edit.
   */
  readonly owned?: OwnedPart;
}

export interface GeneratedManifestData {
  readonly files: Readonly<Record<string, GeneratedEntry>>;
  /** Starter files synthesis writes once when missing. */
  readonly starters?: readonly string[];
}

/** What else a synthesis produces: the starters it writes once, which must exist for the tree to be up to date. */
export interface SynthExtras {
  readonly starters: () => readonly string[];
}

/** SHA-256 of a file's text, hex. */
export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

const MANIFEST_DATA = v.object({
  files: v.record(v.string(), v.object({
    sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    producer: v.string(),
    previous: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))),
    owned: v.optional(v.object({ sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)), declared: v.array(v.string()) })),
  })),
  starters: v.optional(v.array(v.string())),
});

/**
 * Reads the manifest an earlier synth wrote. It is input like any other file in the tree: one
 * that is missing, is not JSON, does not have the manifest's shape or names a path outside the
 * repository counts as no record at all.
 */
export function readGeneratedManifest(dir: string): GeneratedManifestData | undefined {
  const text = readTextIfExists(path.join(dir, GENERATED_MANIFEST));
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(MANIFEST_DATA, data);
  if (!parsed.success) return undefined;
  // A path that leaves the repository makes the whole record untrusted: nothing is read, kept or deleted on its word.
  const paths = [...Object.keys(parsed.output.files), ...(parsed.output.starters ?? [])];
  return paths.every(isTreePath) ? parsed.output : undefined;
}

/** The hashes a file may have and still hold only bytes synthesis wrote. */
export function writtenHashes(entry: GeneratedEntry | undefined): string[] {
  return entry === undefined ? [] : entry.previous === undefined ? [entry.sha256] : [entry.sha256, entry.previous];
}

/**
 * The manifest file. Create it after every other file: it hashes what they
 * wrote to disk, so it must be synthesized last. Before the first of them is written, it is
 * written once as an intent (`_writeIntent`), so a synthesis killed half-way leaves a record
 * that knows both versions of every file it was writing.
 */
export class GeneratedManifest extends GeneratedFile {
  constructor(project: Project, private readonly producerOf: (file: FileBase) => string, private readonly extras: SynthExtras) {
    super(project, GENERATED_MANIFEST);
  }

  /**
   * @internal Writes the manifest of the synthesis about to run: each file's new hash, with the hash
   * of the bytes now on disk as `previous` where it differs; files it will delete keep an entry for
   * the bytes they hold until then.
   */
  public _writeIntent(planned: ReadonlyMap<string, string | undefined>, last: GeneratedManifestData | undefined, onDisk: ReadonlyMap<string, string>): void {
    const files = this.entries((file) => planned.get(file.path));
    for (const [file, entry] of Object.entries(files)) {
      const now = onDisk.get(file);
      if (now !== undefined && now !== entry.sha256) files[file] = { ...entry, previous: now };
    }
    for (const [file, hash] of onDisk) {
      if (files[file] === undefined) files[file] = { sha256: hash, producer: last?.files[file]?.producer ?? "an earlier synthesis" };
    }
    synthesizeFile(this.project.outdir, this.path, this.serialize(files), { readonly: this.readonly, executable: this.executable });
  }

  protected render(): string {
    return this.serialize(this.entries(this.content()));
  }

  public _traced() {
    return withTracing(() => {
      const data = this.data(this.entries(this.content()));
      const text = stringify(data);
      return { text, reasons: yamlLineReasons(text, [data], markerLine()) };
    });
  }

  /** What this synthesis rendered; projen's own files are read back from disk. */
  private content(): (file: FileBase) => string | undefined {
    return (file) => renderedContent(file) ?? readTextIfExists(path.join(this.project.outdir, file.path));
  }

  private entries(content: (file: FileBase) => string | undefined): Record<string, GeneratedEntry> {
    const files: Record<string, GeneratedEntry> = {};
    for (const file of this.project.files.filter((f) => f !== this && f.readonly)) {
      const text = content(file);
      if (text === undefined) continue;
      const owned = isGeneratedFile(file) ? file._ownedPart(text) : undefined;
      files[file.path] = { sha256: sha256(text), producer: this.producerOf(file), ...(owned ? { owned } : {}) };
    }
    return files;
  }

  private serialize(files: Record<string, GeneratedEntry>): string {
    return stringify(this.data(files));
  }

  private data(files: Record<string, GeneratedEntry>): GeneratedManifestData & { "//": string | undefined } {
    const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => byCodeUnits(a, b))
      .map(([file, entry]) => [file, because(entry, fixed(`${file}: the digest of its bytes as synthesized, and what produces it; ` +
        `the line changes whenever that file does (run explain on ${file} for its reasons)`, RENDERER))]));
    return because({ "//": this.marker, "files": sorted, "starters": [...this.extras.starters()].sort() },
      fixed("the record of what synthesis wrote: the drift check tells a hand edit from a stale file with it", RENDERER), {
        "//": markerLine(),
        "starters": fixed("the starter sources written once, for new components, and never overwritten", RENDERER),
      });
  }
}

const stringify = (data: object) => `${JSON.stringify(data, null, 2)}\n`;
