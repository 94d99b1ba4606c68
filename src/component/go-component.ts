import { Component } from "projen/lib/component";
import * as v from "valibot";
import { SampleFile } from "projen/lib/sample-file";
import { goLinkerFlags } from "../model/grammars";
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
import { Linkage, RuntimeBase, WorkloadKind, type ComponentModel } from "../model/component";
import { goStarter } from "./starters";
import { inGoModule } from "../model/go-module";
import * as path from "node:path";

const GO_COMPONENT_PROPS = v.strictObject({
  ...SHARED_COMPONENT_PROPS,
  /**
   * How the command runs on Kubernetes: a Go command is a tool, so image only unless said otherwise.
   * @default WorkloadKind.NONE
   */
  workload: v.exactOptional(WORKLOAD),
  /**
   * Extra `-ldflags` (e.g. `-X main.version=...`), after the `-s -w -buildid=` that strip the binary.
   * @default ""
   */
  ldflags: v.optional(goLinkerFlags),
});

/** Props of a Go command. */
export type GoComponentProps = Readonly<v.InferInput<typeof GO_COMPONENT_PROPS>>;

/**
 * A Go command of the repository's Go module, built static (`CGO_ENABLED=0`,
 * `-trimpath`, stripped) and shipped on distroless `static`. Image only
 * unless a workload is given.
 */
export class GoComponent extends Component implements IContainerComponent {
  /** Whether `x` is a `GoComponent`. */
  public static isGoComponent(x: unknown): x is GoComponent {
    return x !== null && typeof x === "object" && GO_BRAND in x;
  }

  /** The component name (also its construct id). */
  public readonly name: string;
  private readonly props: GoComponentProps;
  private readonly optionProblems: readonly string[];
  private model?: ComponentModel;

  constructor(project: ContainerMonorepo, name: string, props: GoComponentProps = {}) {
    assertNewComponentName(project, name);
    super(project, name);
    brandContainerComponent(this);
    Object.defineProperty(this, GO_BRAND, { value: true });
    this.name = name;
    const checked = checkComponentOptions(name, GO_COMPONENT_PROPS, props);
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
    new SampleFile(project, `${model.path}/main.go`, { contents: goStarter(model, project.model.version) });
    project._useGoModule();
    addImageAndManifests(this, project);
  }

  /** @internal */
  public _className(): string {
    return "GoComponent";
  }

  /**
   * @internal the component's model: a pure function of its checked options (a private copy) and the
   * project's image user, both fixed at construction, so it is resolved once.
   */
  public _toModel(): ComponentModel {
    return (this.model ??= this.resolveModel());
  }

  private resolveModel(): ComponentModel {
    const project = ContainerMonorepo.of(this).model;
    const binary = this.props.binary ?? this.name;
    const componentPath = this.props.path ?? inGoModule(project.goModuleDir, `cmd/${this.name}`);
    const ldflags = ["-s -w -buildid=", this.props.ldflags ?? ""].join(" ").trim();
    // scratch has no /usr/share/zoneinfo: the time/tzdata package embeds the database instead.
    const tags = this.props.runtime === RuntimeBase.SCRATCH && this.props.timezoneData ? ["timetzdata"] : [];
    return resolveComponent(this.name, this.props, {
      defaultPath: componentPath,
      linkage: Linkage.STATIC,
      user: project.imageUser,
      defaultWorkload: WorkloadKind.NONE,
      build: {
        kind: "go",
        moduleDir: project.goModuleDir,
        packagePath: `./${path.posix.relative(project.goModuleDir, componentPath)}`,
        ldflags,
        tags,
        artifactPath: `/out/${binary}`,
      },
    });
  }
}

const GO_BRAND = Symbol.for("prism-projen.GoComponent");
