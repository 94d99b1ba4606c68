import type { IConstruct } from "constructs";
import * as path from "node:path";
import * as TOML from "smol-toml";
import { WORKSPACE_DEPENDENCIES, entryKey, keepingEntries, sharedEntries, sortedTables, withEntries, type DependencyEntry } from "../model/cargo-dependencies";
import type { OwnedPart } from "./generated-file";
import { sha256, writtenHashes, type GeneratedEntry } from "./generated-manifest";
import { readTextIfExists } from "./read-text";
import { TomlFile } from "./toml-file";

/**
 * A Cargo manifest whose dependency tables it shares with cargo: the entries `.projenrc.ts` declares are
 * synthesis', every other entry (what `cargo add` writes) is the user's, kept as it is. A change to the
 * user's entries is no hand edit; a change to anything else is.
 */

/** Props of `CargoManifestFile`. */
export interface CargoManifestFileProps {
  /** The whole manifest, the user's entries included; called at synth time. */
  readonly document: () => object | undefined;
  /** The keys (`entryKey`) of the dependency entries the manifest takes from `.projenrc.ts`. */
  readonly declared: () => readonly string[];
}

export class CargoManifestFile extends TomlFile {
  private readonly declared: () => readonly string[];
  private readonly planned: () => object | undefined;
  private lastOwned?: { readonly text: string; readonly part: OwnedPart | undefined };

  constructor(scope: IConstruct, filePath: string, options: CargoManifestFileProps) {
    super(scope, filePath, { document: options.document });
    this.declared = options.declared;
    this.planned = options.document;
  }

  public _ownedPart(text: string): OwnedPart | undefined {
    // Asked twice per synthesis (the record's intent, then the record): the same text, the same part.
    if (this.lastOwned?.text === text) return this.lastOwned.part;
    const declared = [...this.declared()].sort();
    const hash = ownedHash(text, declared, []);
    const part = hash === undefined ? undefined : { sha256: hash, declared };
    this.lastOwned = { text, part };
    return part;
  }

  public _ownedHash(text: string, declared: readonly string[]): string | undefined {
    // The part is compared as TOML, which has no comments: a file with one (but the marker) is not read as ours,
    // so a note the user wrote is never dropped by a rewrite without a word.
    if (hasComments(text)) return undefined;
    // cargo remove drops the root's shared versions no member uses any more, synthesis' own among them: such an
    // entry, missing, is read as synthesis would write it (it writes it again), not as a hand edit.
    const now = this.planned() as Record<string, unknown> | undefined;
    const rewritten = now === undefined ? [] : sharedEntries(now).filter((e) => e.table.join(".") === WORKSPACE_DEPENDENCIES.join(".") && declared.includes(entryKey(e)));
    return ownedHash(text, declared, rewritten);
  }
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    return TOML.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The hash of a manifest reduced to synthesis' part: the user's entries taken out, the rest as TOML, each shared
 * table in name order; `missing` are declared entries the file may lack (filled in first where it does).
 */
function ownedHash(text: string, declared: readonly string[], missing: readonly DependencyEntry[]): string | undefined {
  const doc = parsed(text);
  if (doc === undefined) return undefined;
  const present = new Set(sharedEntries(doc).map(entryKey));
  const filled = withEntries(doc, missing.filter((e) => !present.has(entryKey(e))));
  return sha256(TOML.stringify(sortedTables(keepingEntries(filled, (e) => declared.includes(entryKey(e))))));
}

/**
 * The user's dependency entries of the manifest at `manifestPath` below `sourceDir`: those the last synthesis
 * did not declare (`record`, its entry in `.projen/generated.json`). A manifest no synthesis wrote is the
 * user's whole: all its entries are kept. A manifest that is not TOML keeps none (the guard refuses to replace it).
 */
export function readKeptDependencies(sourceDir: string, manifestPath: string, record: GeneratedEntry | undefined): DependencyEntry[] {
  const text = readTextIfExists(path.join(sourceDir, manifestPath));
  const doc = text === undefined ? undefined : parsed(text);
  if (text === undefined || doc === undefined) return [];
  const entries = sharedEntries(doc);
  if (record === undefined) return entries;
  const declared = record.owned?.declared;
  // A record from before synthesis shared the manifest: untouched since, every entry is synthesis'; edited, every one is the user's.
  if (declared === undefined) return writtenHashes(record).includes(sha256(text)) ? [] : entries;
  return entries.filter((e) => !declared.includes(entryKey(e)));
}

/** Whether the text has a comment other than the marker on its first line (or lacks the marker). */
function hasComments(text: string): boolean {
  // Loaded here: only a file edited since synthesis wrote it is read this way.
  const { parseTOML } = require("toml-eslint-parser") as typeof import("toml-eslint-parser");
  let comments: { loc: { start: { line: number } } }[];
  try {
    comments = parseTOML(text).comments;
  } catch {
    return true;
  }
  return !text.startsWith("#") || comments.some((c) => c.loc.start.line !== 1);
}
