import { Component } from "projen/lib/component";
import * as v from "valibot";
import { SampleFile } from "projen/lib/sample-file";
import { declaredMemberDependencies, renderMemberManifest } from "../cargo/render";
import { CargoManifestFile } from "../files/cargo-manifest-file";
import { declaredEntries, entryKey } from "../model/cargo-dependencies";
import { cargoPackageName, oneLine, optionalEnum } from "../model/grammars";
import { RUST_DEPENDENCY_PROPS } from "../model/option-specs";
import { ContainerMonorepo } from "../project";
import {
  assertNewComponentName,
  brandContainerComponent,
  checkComponentOptions,
  SHARED_COMPONENT_PROPS,
  resolveComponent,
  WORKLOAD,
  type IContainerComponent,
} from "./container-component";
import { addImageAndManifests } from "./component-files";
import { Linkage, RUST_TARGET_FILE, type ComponentModel } from "../model/component";
import { rustStarter } from "./starters";

/** The C library of a static Rust build, by its target triple. */
export enum StaticLibc {
  /** glibc, statically linked (static-pie): the `*-unknown-linux-gnu` targets. */
  GLIBC = "gnu",
  /** musl: smaller, fully static by default; slower allocator and DNS behaviour differ from glibc. The `*-unknown-linux-musl` targets. */
  MUSL = "musl",
}

const RUST_COMPONENT_PROPS = v.strictObject({
  ...SHARED_COMPONENT_PROPS,
  /**
   * How the component runs on Kubernetes. A Deployment needs probes: declare a port named `metrics`, or set `health`.
   * @default WorkloadKind.DEPLOYMENT
   */
  workload: v.exactOptional(WORKLOAD),
  /**
   * How the binary is linked. Static builds use `+crt-static` for the glibc
   * target and run on distroless `static` (or `scratch`).
   * @default Linkage.GLIBC
   */
  linkage: optionalEnum(Linkage, "Linkage"),
  /**
   * The C library a static build links: glibc (`+crt-static`, static-pie) or
   * musl (the `*-unknown-linux-musl` target of each platform, added with rustup
   * in the build stage). Only for `linkage: Linkage.STATIC`.
   * @default StaticLibc.GLIBC
   */
  staticLibc: optionalEnum(StaticLibc, "StaticLibc"),
  /**
   * Whether the crate uses HTTP: it then depends on the workspace's reqwest,
   * pinned to rustls.
   * @default false
   */
  httpClient: v.optional(v.boolean()),
  /**
   * Cargo package name of the workspace member. Cargo refuses one that starts with a digit, so a component
   * named `9lives` needs one (e.g. `prism-9lives`).
   * @default - the component name
   */
  packageName: v.optional(cargoPackageName),
  /**
   * Builds with plain `cargo build`, without the crate list that `cargo auditable build` embeds in the
   * binary (the `.dep-v0` section trivy and syft read), and says why. Without the list, a scan of the
   * image sees the base image and none of the component's own dependencies.
   * @default - the binary is built with cargo auditable
   */
  allowUnauditableBinary: v.optional(oneLine("the reason")),
  ...RUST_DEPENDENCY_PROPS,
});

/** Props of a Rust component. */
export type RustComponentProps = Readonly<v.InferInput<typeof RUST_COMPONENT_PROPS>>;

/**
 * A Rust binary in the Cargo workspace, shipped as a distroless (or scratch)
 * image. Writes the member's `Cargo.toml`, a starter `src/main.rs` (once), the
 * Dockerfile and the Kubernetes manifests.
 */
export class RustComponent extends Component implements IContainerComponent {
  /** Whether `x` is a `RustComponent`. */
  public static isRustComponent(x: unknown): x is RustComponent {
    return x !== null && typeof x === "object" && RUST_BRAND in x;
  }

  /** The component name (also its construct id). */
  public readonly name: string;
  private readonly props: RustComponentProps;
  private readonly optionProblems: readonly string[];
  private model?: ComponentModel;

  constructor(project: ContainerMonorepo, name: string, props: RustComponentProps = {}) {
    assertNewComponentName(project, name);
    super(project, name);
    brandContainerComponent(this);
    Object.defineProperty(this, RUST_BRAND, { value: true });
    this.name = name;
    const checked = checkComponentOptions(name, RUST_COMPONENT_PROPS, props);
    this.props = checked.props ?? {};
    this.optionProblems = checked.problems;
  }

  /** @internal the options `.projenrc.ts` gave (after their check), for `npx projen explain`. */
  public _givenOptions(): Readonly<Record<string, unknown>> {
    return this.props;
  }

  /** @internal */
  public _optionProblems(): readonly string[] {
    return this.optionProblems;
  }

  /** @internal */
  public _addFiles(): void {
    const project = ContainerMonorepo.of(this);
    const model = this._toModel();
    new CargoManifestFile(this, `${model.path}/Cargo.toml`, {
      document: () => renderMemberManifest(this._toModel(), project.model),
      declared: () => declaredMemberDependencies(this._toModel()).map(entryKey),
    });
    new SampleFile(project, `${model.path}/src/main.rs`, { contents: rustStarter(model) });
    addImageAndManifests(this, project);
  }

  /** @internal */
  public _className(): string {
    return "RustComponent";
  }

  /**
   * @internal the component's model: a pure function of its checked options (a private copy) and the
   * project's image user, both fixed at construction, so it is resolved once.
   */
  public _toModel(): ComponentModel {
    return (this.model ??= this.resolveModel());
  }

  private resolveModel(): ComponentModel {
    const linkage = this.props.linkage ?? Linkage.GLIBC;
    const libc = linkage === Linkage.STATIC ? this.props.staticLibc ?? StaticLibc.GLIBC : StaticLibc.GLIBC;
    const binary = this.props.binary ?? this.name;
    const project = ContainerMonorepo.of(this);
    const user = project.model.imageUser;
    const folder = this.props.path ?? `containers/${this.name}`;
    const declared = declaredEntries(this.props);
    const kept = project._keptDependencies(`${folder}/Cargo.toml`);
    const entries = [...declared, ...kept];
    return resolveComponent(this.name, this.props, {
      defaultPath: `containers/${this.name}`,
      linkage,
      user,
      build: {
        kind: "rust",
        packageName: this.props.packageName ?? this.name,
        libc,
        // +crt-static works because every build names its --target (so build scripts and proc macros stay dynamic).
        rustflags: linkage === Linkage.STATIC ? "-C target-feature=+crt-static" : undefined,
        // Relative to the workspace root; the triple is the target platform's, written by the build stage.
        artifactPath: `target/$(cat ${RUST_TARGET_FILE})/release/${binary}`,
        httpClient: this.props.httpClient ?? false,
        staticLibcRequested: this.props.staticLibc !== undefined,
        unauditableBecause: this.props.allowUnauditableBinary,
        dependencies: declared,
        keptDependencies: kept,
        libraries: project._pathDependencies(folder, entries, "build"),
        pathDependencies: project._pathDependencies(folder, entries, "all"),
      },
    });
  }
}

const RUST_BRAND = Symbol.for("prism-projen.RustComponent");
