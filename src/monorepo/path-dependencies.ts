import * as path from "node:path";
import * as TOML from "smol-toml";
import { readTextIfExists } from "../files/read-text";
import { dependencyEntries, isBuildDependency, pathDependencyFolder, type DependencyEntry } from "../model/cargo-dependencies";
import { byCodeUnits } from "../model/order";

/**
 * The crates a member takes by path (shared libraries of the workspace, which cargo makes members too), followed
 * through their own manifests: the folders an image build of the member needs besides its own (`build`: normal
 * and build dependencies), or that the workspace needs to load at all (`all`: dev-dependencies too).
 */
export function pathDependencyFolders(
  sourceDir: string,
  member: { readonly folder: string; readonly entries: readonly DependencyEntry[] },
  shared: readonly DependencyEntry[],
  follow: "build" | "all",
): string[] {
  const seen = new Set<string>();
  const visit = (folder: string, entries: readonly DependencyEntry[]) => {
    for (const e of entries.filter((x) => follow === "all" || isBuildDependency(x))) {
      const target = pathDependencyFolder(folder, e, shared);
      if (target === undefined || target === member.folder || seen.has(target)) continue;
      seen.add(target);
      visit(target, manifestEntries(sourceDir, target));
    }
  };
  visit(member.folder, member.entries);
  return [...seen].sort(byCodeUnits);
}

/** The dependency entries of the manifest in `folder` as the working tree has it (none when it has none, or it is not TOML). */
function manifestEntries(sourceDir: string, folder: string): DependencyEntry[] {
  const text = readTextIfExists(path.join(sourceDir, folder, "Cargo.toml"));
  if (text === undefined) return [];
  try {
    return dependencyEntries(TOML.parse(text) as Record<string, unknown>);
  } catch {
    return [];
  }
}
