import type { FileBase } from "projen/lib/file";
import type { Project } from "projen/lib/project";

/**
 * projen looks files up by walking the whole construct tree, once per new
 * file (the uniqueness check in FileBase's constructor) and once per marker
 * (to find the projenrc). At 1,000 components that is 4,000 walks of a
 * 5,000-node tree. These two caches make both lookups constant-time; the
 * project's synth still checks every path once, linearly, for duplicates.
 */

const FILES = new WeakMap<Project, Map<string, FileBase>>();
const MARKERS = new WeakMap<Project, string | undefined>();

/** Records a file under its absolute path. */
export function indexFile(file: FileBase): void {
  let index = FILES.get(file.project);
  if (!index) FILES.set(file.project, index = new Map());
  index.set(file.absolutePath, file);
}

/** The file at an absolute path, among those recorded. */
export function indexedFile(project: Project, absolutePath: string): FileBase | undefined {
  return FILES.get(project)?.get(absolutePath);
}

/** The project's marker text, computed by `compute` the first time only. */
export function cachedMarker(project: Project, compute: () => string | undefined): string | undefined {
  if (!MARKERS.has(project)) MARKERS.set(project, compute());
  return MARKERS.get(project);
}

const CONTENT = new WeakMap<FileBase, string>();

/** Remembers what a file rendered, so the manifest hashes it without reading it back. */
export function rememberContent<T extends string | undefined>(file: FileBase, content: T): T {
  if (content !== undefined) CONTENT.set(file, content);
  return content;
}

/** What a file rendered in this synthesis, if it recorded it. */
export function renderedContent(file: FileBase): string | undefined {
  return CONTENT.get(file);
}
