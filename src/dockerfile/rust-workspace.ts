import type { ComponentModel } from "../model/component";

/**
 * What a Rust image build needs of the workspace besides the component: the folders of every member (cargo
 * loads the workspace only whole), and a stub for each target root a member has.
 */

/**
 * The target roots of a Cargo package by cargo's conventions (its target auto-discovery): where a member has
 * one, the plan stage writes a stub there, so a member with a library, a build script, several binaries,
 * examples or benches loads and builds from the graph alone.
 *
 * @see https://doc.rust-lang.org/cargo/reference/cargo-targets.html#target-auto-discovery
 */
export const STUB_PATTERNS = ["*/src/main.rs", "*/src/lib.rs", "*/build.rs", "*/src/bin/*.rs", "*/examples/*.rs", "*/benches/*.rs", "*/tests/*.rs"] as const;

/** The distinct top-level folders of the workspace's members (Rust components, library crates, what they take by path), sorted. */
export function workspaceMemberRoots(components: readonly ComponentModel[], libraries: readonly { readonly path: string }[] = []): string[] {
  // The crates members take by path are members too (cargo makes them so): the plan copies them with the rest.
  const folders = [...components.flatMap((c) => (c.build.kind === "rust" ? [c.path, ...c.build.pathDependencies] : [])), ...libraries.map((l) => l.path)];
  return [...new Set(folders.map((f) => f.split("/")[0]))].sort();
}
