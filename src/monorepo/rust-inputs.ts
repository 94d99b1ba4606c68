import { libraryWorkspaceEntries } from "../cargo/render";
import type { IRustLibrary } from "../component/library-brand";
import { readKeptDependencies } from "../files/cargo-manifest-file";
import { readGeneratedManifest, type GeneratedManifestData } from "../files/generated-manifest";
import type { DependencyEntry } from "../model/cargo-dependencies";
import type { RustLibraryModel } from "../model/component";
import { byCodeUnits } from "../model/order";
import { pathDependencyFolders } from "./path-dependencies";

/**
 * What the Rust members read of the working tree besides `.projenrc.ts`: the user's own entries of their Cargo
 * manifests (through the last synthesis' record, read once), the crates they take by path, and the project's
 * library crates as constructed.
 */
export class RustInputs {
  private record?: { readonly data: GeneratedManifestData | undefined };
  private readonly libraries: IRustLibrary[] = [];
  private models?: { readonly count: number; readonly models: RustLibraryModel[] };

  constructor(private readonly sourceDir: string) {}

  /** The user's own dependency entries of the Cargo manifest at `manifestPath`. */
  public keptDependencies(manifestPath: string): DependencyEntry[] {
    this.record ??= { data: readGeneratedManifest(this.sourceDir) };
    return readKeptDependencies(this.sourceDir, manifestPath, this.record.data?.files[manifestPath]);
  }

  /** The folders of the crates a member at `folder` takes by path, followed through theirs; `shared`: the workspace's versions. */
  public pathDependencies(folder: string, entries: readonly DependencyEntry[], shared: readonly DependencyEntry[], follow: "build" | "all"): string[] {
    return pathDependencyFolders(this.sourceDir, { folder, entries }, [...libraryWorkspaceEntries(this.libraryModels()), ...shared], follow);
  }

  /** A library crate of the project, as it is constructed. */
  public addLibrary(library: IRustLibrary): void {
    this.libraries.push(library);
  }

  /** The library crates as constructed. */
  public libraryConstructs(): readonly IRustLibrary[] {
    return this.libraries;
  }

  /** The models of the library crates whose options fit their schema, by name (read again when one is added). */
  public libraryModels(): RustLibraryModel[] {
    if (this.models?.count !== this.libraries.length) {
      const models = this.libraries.filter((l) => l._optionProblems().length === 0).map((l) => l._toModel());
      this.models = { count: this.libraries.length, models: models.sort((a, b) => byCodeUnits(a.name, b.name)) };
    }
    return this.models.models;
  }
}
