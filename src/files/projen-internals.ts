import type { FileBase, IResolver } from "projen/lib/file";

/**
 * Everything prism-projen relies on that projen does not offer as a public extension point, in
 * one place; test/projen-internals.test.ts fails when a projen upgrade changes any of it.
 *
 * - projen's own files (`.gitignore`, `.projen/tasks.json`, ...) write through `util.writeFile`,
 *   which `FileBase.synthesize` looks up at call time: routing it through an atomic writer for the
 *   length of one synthesis makes those files atomic too (ours write atomically themselves).
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

/** Runs `synthesize` with projen's file writes going through `writer`; projen's own writer is back afterwards, even on a throw. */
export function withProjenWriter<T>(writer: Writer, synthesize: () => T): T {
  const original = projenUtil.writeFile;
  projenUtil.writeFile = writer;
  try {
    return synthesize();
  } finally {
    projenUtil.writeFile = original;
  }
}

const RESOLVER: IResolver = { resolve: (value, options) => projenResolve.resolve(value, options) as never };

/** The content projen would write for one of its own files in this synthesis (undefined: it removes the file). */
export function renderProjenFile(file: FileBase): string | undefined {
  return (file as unknown as { synthesizeContent(resolver: IResolver): string | undefined }).synthesizeContent(RESOLVER);
}
