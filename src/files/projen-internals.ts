import type { FileBase, IResolver } from "projen/lib/file";
import { byCodeUnits } from "../order";

/**
 * Everything prism-projen relies on that projen does not offer as a public extension point, in
 * one place; test/projen-internals.test.ts fails when a projen upgrade changes any of it.
 *
 * - projen's own files (`.gitignore`, `.projen/tasks.json`, ...) write through `util.writeFile`,
 *   which `FileBase.synthesize` looks up at call time: routing it through an atomic writer for the
 *   length of one synthesis makes those files atomic too (ours write atomically themselves).
 * - `Project.synth` calls `cleanup.cleanup(outdir, files, excludes)` after every `preSynthesize` and
 *   before the first file is written (also looked up at call time). That is the one moment a
 *   synthesis knows everything it will write and has written nothing: prism-projen checks and
 *   prepares there, and does its own clean-up, which deletes only files whose bytes it wrote.
 *   projen's own would delete every file listed in `.projen/files.json`, or, without that list,
 *   every file that merely quotes its marker.
 * - projen orders `.gitattributes`, `.projen/files.json` and `.projen/tasks.json` with
 *   `String.prototype.localeCompare` and no locale, so by the machine's locale: for the length of a
 *   synthesis, that call (and only that call, with no locale given) orders by code units instead.
 * - `FileBase.synthesizeContent(resolver)` (protected) with projen's resolver renders a file's
 *   content without writing it: synthesis renders every file before it writes any, so it can
 *   refuse to overwrite bytes it did not write.
 * - `util.getFilePermissions`: the mode projen gives a file, so both writers agree.
 */

export interface WriteOptions {
  readonly readonly?: boolean;
  readonly executable?: boolean;
}

type Writer = (file: string, data: string, options?: WriteOptions) => void;

const projenUtil = require("projen/lib/util") as { writeFile: Writer; getFilePermissions: (options: WriteOptions) => string };
const projenResolve = require("projen/lib/_resolve") as { resolve: (value: unknown, options?: unknown) => unknown };

/** The numeric mode projen gives a file: 0o444 read-only, 0o544 read-only executable, 0o755 executable, 0o644 otherwise. */
export function projenFileMode(options: WriteOptions): number {
  return parseInt(projenUtil.getFilePermissions(options), 8);
}

const projenCleanup = require("projen/lib/cleanup") as { cleanup: (outdir: string, files: string[], exclude: string[]) => void };

/** What replaces projen's own, for the length of one synthesis. */
export interface SynthesisHooks {
  /** Writes one of projen's own files. */
  readonly write: Writer;
  /** Runs where projen would clean up: after every `preSynthesize`, before the first write. */
  readonly beforeFirstWrite: () => void;
}

/** Runs `synthesize` with `hooks` in place of projen's writer and clean-up; projen's own are back afterwards, even on a throw. */
export function withSynthesisHooks<T>(hooks: SynthesisHooks, synthesize: () => T): T {
  const writer = projenUtil.writeFile;
  const cleanup = projenCleanup.cleanup;
  const localeCompare = String.prototype.localeCompare;
  projenUtil.writeFile = hooks.write;
  projenCleanup.cleanup = () => hooks.beforeFirstWrite();
  String.prototype.localeCompare = function (this: string, that: string, locales?: string | string[], options?: Intl.CollatorOptions): number {
    return locales === undefined && options === undefined ? byCodeUnits(String(this), String(that)) : localeCompare.call(this, that, locales, options);
  };
  try {
    return synthesize();
  } finally {
    projenUtil.writeFile = writer;
    projenCleanup.cleanup = cleanup;
    String.prototype.localeCompare = localeCompare;
  }
}

const RESOLVER: IResolver = { resolve: (value, options) => projenResolve.resolve(value, options) as never };

/** The content projen would write for one of its own files in this synthesis (undefined: it removes the file). */
export function renderProjenFile(file: FileBase): string | undefined {
  return (file as unknown as { synthesizeContent(resolver: IResolver): string | undefined }).synthesizeContent(RESOLVER);
}
