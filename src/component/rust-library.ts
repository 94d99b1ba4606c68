import { Component } from "projen/lib/component";
import { SampleFile } from "projen/lib/sample-file";
import * as v from "valibot";
import { declaredMemberDependencies, renderLibraryManifest } from "../cargo/render";
import { CargoManifestFile } from "../files/cargo-manifest-file";
import { declaredEntries, entryKey } from "../model/cargo-dependencies";
import type { RustLibraryModel } from "../model/component";
import { cargoPackageName, repoPath } from "../model/grammars";
import { DESCRIPTION, RUST_DEPENDENCY_PROPS } from "../model/option-specs";
import { ContainerMonorepo } from "../project";
import { assertNewComponentName, checkComponentOptions } from "./container-component";
import { brandRustLibrary, isRustLibrary, type IRustLibrary } from "./library-brand";

const RUST_LIBRARY_PROPS = v.strictObject({
  /**
   * One line saying what the crate does (its Cargo description).
   * @default - "<name> library"
   */
  description: v.optional(DESCRIPTION),
  /**
   * Folder of the crate, relative to the repository root.
   * @default - `crates/<name>`
   */
  path: v.optional(repoPath),
  /**
   * Cargo package name of the crate, as components name it in their dependencies.
   * @default - the library's name
   */
  packageName: v.optional(cargoPackageName),
  ...RUST_DEPENDENCY_PROPS,
});

/** Props of a Rust library crate. */
export type RustLibraryProps = Readonly<v.InferInput<typeof RUST_LIBRARY_PROPS>>;

/**
 * Shared Rust code: a library crate of the workspace, no image. It is a workspace member and an entry of
 * `[workspace.dependencies]` (by path), so a component depends on it with `dependencies: { <name>: { workspace:
 * true } }` (or `cargo add --path`); the images of the components that depend on it, and only those, copy it.
 * Writes the crate's `Cargo.toml` and a starter `src/lib.rs` (once).
 */
export class RustLibrary extends Component implements IRustLibrary {
  /** Whether `x` is a `RustLibrary`. */
  public static isRustLibrary(x: unknown): x is RustLibrary {
    return isRustLibrary(x);
  }

  /** The library's name (also its construct id). */
  public readonly name: string;
  private readonly props: RustLibraryProps;
  private readonly optionProblems: readonly string[];
  private model?: RustLibraryModel;

  constructor(project: ContainerMonorepo, name: string, props: RustLibraryProps = {}) {
    assertNewComponentName(project, name);
    super(project, name);
    brandRustLibrary(this);
    project._addLibrary(this);
    this.name = name;
    const checked = checkComponentOptions(name, RUST_LIBRARY_PROPS, props);
    this.props = checked.props ?? {};
    this.optionProblems = checked.problems;
  }

  /** @internal */
  public _optionProblems(): readonly string[] {
    return this.optionProblems;
  }

  /** @internal the options `.projenrc.ts` gave (after their check), for `npx projen explain`. */
  public _givenOptions(): Readonly<Record<string, unknown>> {
    return this.props;
  }

  /** @internal */
  public _className(): string {
    return "RustLibrary";
  }

  /** @internal the library's model, resolved once. */
  public _toModel(): RustLibraryModel {
    return (this.model ??= this.resolveModel());
  }

  /** @internal */
  public _addFiles(): void {
    const project = ContainerMonorepo.of(this);
    const model = this._toModel();
    new CargoManifestFile(this, `${model.path}/Cargo.toml`, {
      document: () => renderLibraryManifest(this._toModel(), project.model),
      declared: () => declaredMemberDependencies(this._toModel()).map(entryKey),
    });
    new SampleFile(project, `${model.path}/src/lib.rs`, {
      contents: `//! ${model.description}\n\n/// The crate's name, as a first item to build on.\npub const NAME: &str = "${model.build.packageName}";\n`,
    });
  }

  private resolveModel(): RustLibraryModel {
    const path = this.props.path ?? `crates/${this.name}`;
    return {
      name: this.name,
      description: this.props.description ?? `${this.name} library`,
      path,
      build: {
        kind: "library",
        packageName: this.props.packageName ?? this.name,
        httpClient: false,
        dependencies: declaredEntries(this.props),
        keptDependencies: ContainerMonorepo.of(this)._keptDependencies(`${path}/Cargo.toml`),
      },
    };
  }
}
