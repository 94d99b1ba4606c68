import * as path from "node:path";
import type { IConstruct } from "constructs";
import * as v from "valibot";
// projen's modules one by one: its index loads every project type (about 0.25 s), on every `npx projen`.
import type { Component } from "projen/lib/component";
import { FileBase } from "projen/lib/file";
import { Project } from "projen/lib/project";
import { SampleFile } from "projen/lib/sample-file";
import { CargoProfilePreset, cargoProfile } from "./model/cargo-profile";
import { DEFAULT_ALLOWED_LICENSES } from "./cargo/deny";
import { resolveReqwest } from "./model/reqwest";
import { isContainerComponent } from "./component/container-component";
import { DebianRelease, NONROOT, type ComponentModel, type RustLibraryModel } from "./model/component";
import { goModule } from "./component/starters";
import { trafficProblems, unpinnedBaseImageProblems, validateComponent, validateProject, validateRendered } from "./component/validation";
import { BASE_IMAGE_LOCK, parseBaseImageLock } from "./dockerfile/base-image-lock";
import { workspaceMemberRoots } from "./dockerfile/rust-workspace";
import { synthesizeFile, withWriteJournal } from "./files/atomic-write";
import { indexedFile, indexFile, rememberContent } from "./files/file-index";
import { isGeneratedFile } from "./files/generated-file";
import { GeneratedManifest, sha256 } from "./files/generated-manifest";
import { WORKSPACE_DEPENDENCIES, entryValue, type DependencyEntry } from "./model/cargo-dependencies";
import { synthesisPhases } from "./files/projen-internals";
import { readTextIfExists } from "./files/read-text";
import { explainGeneratedFile, pathOptionsOf, printExplanation, type ExplainedConstruct } from "./project-explain";
import { CHECK_ENV, EXPLAIN_ENV, SYNTH_DIR_ENV } from "./env-names";
import { checkOptions } from "./model/check-options";
import { projectSubject, Refusal, refusal, subject } from "./refusal";
import { CONTAINER_MONOREPO_PROPS } from "./model/project-options";
import { byCodeUnits } from "./model/order";
import { inGoModule } from "./model/go-module";
import { CargoWorkspace } from "./monorepo/cargo-workspace";
import type { ContainerMonorepoModel, MonorepoContext } from "./monorepo/context";
import { IGNORE_PATTERNS_SOURCE, IGNORED, IgnoreFiles } from "./monorepo/ignore-files";
import { ImagesWorkflow } from "./monorepo/images-workflow";
import { KustomizeTree } from "./monorepo/kustomize-tree";
import { SynthesisGuard } from "./monorepo/synthesis-guard";
import { CargoCheck } from "./monorepo/cargo-check";
import { RustInputs } from "./monorepo/rust-inputs";
import { isRustLibrary, type IRustLibrary } from "./component/library-brand";
import { dependencyProblems, libraryProblems } from "./component/dependency-validation";
import { MonorepoTasks } from "./monorepo/tasks";

export type { ContainerMonorepoModel } from "./monorepo/context";

/** Props of `ContainerMonorepo`. */
export type ContainerMonorepoProps = Readonly<v.InferInput<typeof CONTAINER_MONOREPO_PROPS>>;

/**
 * A projen project for a monorepo of Rust and Go container components. Add
 * components with `new RustComponent(project, ...)` / `new GoComponent(project, ...)`;
 * synthesis writes the Cargo workspace, each Dockerfile, the images workflow
 * and the Kubernetes manifests, after checking every cross-file invariant.
 */
export class ContainerMonorepo extends Project implements MonorepoContext {
  /** Whether `x` is a `ContainerMonorepo`. */
  public static isContainerMonorepo(x: unknown): x is ContainerMonorepo {
    return x !== null && typeof x === "object" && MONOREPO_BRAND in x;
  }

  /** The ContainerMonorepo a construct belongs to. */
  public static of(construct: IConstruct): ContainerMonorepo {
    const root = construct.node.root;
    if (!ContainerMonorepo.isContainerMonorepo(root)) {
      throw new Refusal(`${construct.node.path}: a container component must be created inside a ContainerMonorepo`);
    }
    return root;
  }

  /** The resolved project settings renderers receive. */
  public readonly model: ContainerMonorepoModel;
  private goModule?: SampleFile;
  private componentFilesAdded = false;
  /** Whether every component's `preSynthesize` ran (projen's own files are final only then). */
  private preSynthesized = false;
  private lockedTree?: { readonly components: Component[]; readonly files: FileBase[] };
  private frozenModels?: ComponentModel[];
  private frozenRoots?: string[];
  private readonly baseImageLock: ReturnType<typeof parseBaseImageLock> & { readonly sha256: string | null };
  private readonly allowUnpinnedBaseImages: boolean;
  private readonly tasksOfProject: MonorepoTasks;
  private readonly guard: SynthesisGuard;
  /** The working tree: where inputs are read, and where files go unless the drift check redirects them. */
  private readonly sourceDir: string;

  /** The Rust dependency check before the first write, and the Cargo.lock it updates after the manifests. */
  private readonly cargoCheck: CargoCheck;

  /** The working tree's Rust inputs: cargo-added entries, path dependencies, the library crates. */
  private readonly rustInputs: RustInputs;

  /** The options `.projenrc.ts` gave, after their check (for `npx projen explain`). */
  private readonly givenOptions: Readonly<Record<string, unknown>>;

  constructor(options: ContainerMonorepoProps) {
    // Checked before anything else: every setting below derives from these.
    const checked = checkOptions(CONTAINER_MONOREPO_PROPS, options);
    if (!checked.ok) {
      throw refusal(checked.problems.map((p) => `${projectSubject(options?.name)} ${p}`));
    }
    const props = checked.value;
    const sourceDir = path.resolve(props.outdir ?? ".");
    super({ name: props.name, outdir: process.env[SYNTH_DIR_ENV] ?? sourceDir, projenrcJson: false, commitGenerated: true });
    Object.defineProperty(this, MONOREPO_BRAND, { value: true });
    this.givenOptions = props;
    this.sourceDir = sourceDir;
    this.rustInputs = new RustInputs(sourceDir);
    this.allowUnpinnedBaseImages = props.allowUnpinnedBaseImages !== undefined;
    // The lock is an input, like .projenrc.ts: read once, here, so rendering stays pure.
    const lockText = readTextIfExists(path.join(sourceDir, BASE_IMAGE_LOCK));
    this.baseImageLock = { ...parseBaseImageLock(lockText ?? ""), sha256: lockText === undefined ? null : sha256(lockText) };
    const goModuleDir = props.goModuleDir ?? "tools";
    this.model = {
      name: props.name,
      imageRegistry: props.imageRegistry ?? `ghcr.io/${props.name}`,
      version: props.version ?? "0.1.0",
      debian: props.debian ?? DebianRelease.TRIXIE,
      rustVersion: props.rustVersion ?? "1.95.0",
      rustEdition: props.rustEdition ?? "2024",
      goVersion: props.goVersion ?? "1.25.4",
      goModuleDir,
      goModulePath: props.goModulePath ?? inGoModule(props.name, goModuleDir),
      cargoProfilePreset: props.cargoProfile ?? CargoProfilePreset.SPEED,
      cargoProfile: cargoProfile(props.cargoProfile ?? CargoProfilePreset.SPEED),
      reqwest: resolveReqwest(props.reqwest),
      workspaceDependencies: Object.entries(props.workspaceDependencies ?? {}).sort(([a], [b]) => byCodeUnits(a, b))
        .map(([crate, spec]) => ({ table: WORKSPACE_DEPENDENCIES, crate, value: entryValue(spec) })),
      // The root manifest's other tables are synthesis' alone: only its shared versions are the user's too.
      keptWorkspaceDependencies: this._keptDependencies("Cargo.toml").filter((e) => e.table.join(".") === WORKSPACE_DEPENDENCIES.join(".")),
      allowedLicenses: [...new Set(props.allowedLicenses ?? DEFAULT_ALLOWED_LICENSES)].sort(byCodeUnits),
      platforms: [...new Set(props.platforms ?? ["linux/amd64", "linux/arm64"])].sort(byCodeUnits),
      namespace: props.namespace ?? props.name,
      monitoringNamespace: props.monitoringNamespace ?? "monitoring",
      defaultBranch: props.defaultBranch ?? "main",
      nodeVersion: props.nodeVersion ?? "20",
      imageUser: props.imageUser ?? NONROOT,
      baseImageDigests: this.baseImageLock.digests,
      optionsGiven: Object.keys(props).filter((k) => props[k as keyof typeof props] !== undefined).sort(byCodeUnits),
    };

    this.tasksOfProject = new MonorepoTasks(this, {
      synthCommand: props.synthCommand ?? ["prism-projen-synth", ".projenrc.ts"],
      policyCommand: props.policyCommand ?? "prism-projen-policy",
      newComponentCommand: props.newComponentCommand ?? "prism-projen-new-component",
    });
    new IgnoreFiles(this);
    new CargoWorkspace(this, this);
    new ImagesWorkflow(this, this, { allowUnpinnedBaseImages: props.allowUnpinnedBaseImages, hasBaseImageLock: this.baseImageLock.sha256 !== null });
    new KustomizeTree(this, this);
    this.cargoCheck = new CargoCheck(this, {
      sourceDir,
      projectName: this.name,
      members: () => [...this.componentModels().filter((c) => c.build.kind === "rust"), ...this.libraryModels()],
    });
    this.guard = new SynthesisGuard(this, {
      sourceDir,
      adoptFiles: props.adoptFiles ?? [],
      // The Rust dependency graph as cargo resolves the planned manifests (the OpenSSL ban), and the lock it needs.
      beforeWrites: (planned) => this.cargoCheck.beforeWrites(planned),
    });
    // projen's own files and the ones above; files created later register themselves.
    for (const file of this.files) indexFile(file);
  }

  /**
   * A file by path, from the index the project's files register in, instead of
   * projen's walk of the whole tree (quadratic over a synthesis).
   */
  public tryFindFile(filePath: string): FileBase | undefined {
    return indexedFile(this, path.isAbsolute(filePath) ? filePath : path.resolve(this.outdir, filePath));
  }

  /**
   * projen finds components by walking the whole construct tree, and asks again for every
   * marker, every `files` and every synthesis phase (quadratic over a synthesis). Once the
   * tree is locked nothing can be added to it, so the walk is done once.
   */
  public get components(): Component[] {
    return this.lockedTree ? [...this.lockedTree.components] : super.components;
  }

  /** All files in this project, sorted by path; walked once when the tree is locked. */
  public get files(): FileBase[] {
    return this.lockedTree ? [...this.lockedTree.files] : super.files;
  }

  /** Marks generated files `linguist-generated`, so code review collapses their diffs. */
  public annotateGenerated(glob: string): void {
    this.gitattributes.addAttributes(glob, "linguist-generated");
  }

  /** Top-level folders of the Rust members (what each Rust Dockerfile copies); fixed during a synth. */
  public rustMemberRoots(): string[] {
    if (this.frozenModels && this.frozenRoots) return this.frozenRoots;
    const roots = workspaceMemberRoots(this.componentModels(), this.libraryModels());
    if (this.frozenModels) this.frozenRoots = roots;
    return roots;
  }

  /** The models of every component, sorted by name so declaration order never changes the output. */
  /** @internal the user's own dependency entries of the Cargo manifest at `manifestPath` in the working tree (an input, as in the drift check). */
  public _keptDependencies(manifestPath: string): DependencyEntry[] {
    return this.rustInputs.keptDependencies(manifestPath);
  }

  /** @internal the folders of the crates a member at `folder` takes by path, followed through theirs (see `pathDependencyFolders`). */
  public _pathDependencies(folder: string, entries: readonly DependencyEntry[], follow: "build" | "all"): string[] {
    return this.rustInputs.pathDependencies(folder, entries, [...this.model.workspaceDependencies, ...this.model.keptWorkspaceDependencies], follow);
  }

  /** The models of the Rust library crates whose options fit their schema, by name. */
  public libraryModels(): RustLibraryModel[] {
    return this.rustInputs.libraryModels();
  }

  /** @internal a RustLibrary of this project, as it is constructed. */
  public _addLibrary(library: IRustLibrary): void {
    this.rustInputs.addLibrary(library);
  }

  public componentModels(): ComponentModel[] {
    // During a synth the models are fixed: resolve them once, not once per file that lists them.
    return this.frozenModels ?? this.node.findAll()
      .filter(isContainerComponent)
      .map((c) => c._toModel())
      .sort((a, b) => byCodeUnits(a.name, b.name));
  }

  /** @internal called by Go components: the module's go.mod is written once, when the first one exists. */
  public _useGoModule(): void {
    this.goModule ??= new SampleFile(this, inGoModule(this.model.goModuleDir, "go.mod"), { contents: goModule(this.model.goModulePath) });
  }

  /**
   * Checks every invariant first and writes nothing if one fails: the error
   * lists each problem prefixed with the construct path of its component.
   * Then locks the construct tree (as constructs does for synthesis: adding a
   * construct afterwards throws) and writes the files. Synthesizing again is allowed.
   */
  public synth(): void {
    this.prepareSynthesis();
    const explain = process.env[EXPLAIN_ENV];
    if (explain !== undefined) {
      // Explain mode writes nothing: it renders the one file asked about, with its trace.
      const request = JSON.parse(explain) as { readonly file: string; readonly line?: number; readonly json?: boolean };
      process.exitCode = printExplanation(this.explainFile(request.file), request);
      return;
    }
    // During a synth the models are fixed: every file renders from the same models, resolved once.
    this.frozenModels = this.componentModels();
    this.preSynthesized = true;
    try {
      // projen's phases, with prism-projen's clean-up and writes: every file rendered once (renderAhead), then
      // written atomically and only when changed (projen's own check asks access(W_OK), always true for root).
      // A write that fails puts back every file written before it (withWriteJournal).
      let planned: ReadonlyMap<string, string | undefined> = new Map();
      withWriteJournal(this.outdir, () => {
        synthesisPhases(this, {
          beforeFirstWrite: () => {
            planned = new Map(this.guard.beforeFirstWrite().map((p) => [p.path, p.content]));
          },
          synthesize: (component) => {
            if (!isFile(component) || isGeneratedFile(component)) component.synthesize();
            else synthesizeFile(this.outdir, component.path, planned.get(component.path), { readonly: component.readonly, executable: component.executable });
          },
        });
        // Last, as cargo would after the manifests changed: the lock brought up to date (only when it changed).
        this.cargoCheck.afterWrites();
      });
    } finally {
      this.frozenModels = undefined;
      this.frozenRoots = undefined;
      this.cargoCheck.reset();
    }
    if (process.env[CHECK_ENV] !== undefined) this.reportDrift(this.sourceDir);
  }

  /**
   * Everything a synthesis does before it writes: every check (refusing with all the problems), the
   * component files attached, the construct tree locked.
   */
  private prepareSynthesis(): void {
    if (this.ejected) {
      throw new Refusal("prism-projen: nothing was written; ejecting (PROJEN_EJECTING) is not supported: the drift gate and the " +
        "policy work from .projenrc.ts and the files it generates. Unset PROJEN_EJECTING and run \"npx projen\".");
    }
    const errors = this.validate();
    if (errors.length > 0) throw refusal(errors);
    // Component files are attached only now, from valid models: a bad path never becomes a file.
    if (!this.componentFilesAdded) {
      for (const component of this.node.findAll().filter((c) => isContainerComponent(c) || isRustLibrary(c))) {
        (component as { _addFiles(): void })._addFiles();
      }
      // Last: it hashes what the others wrote.
      new GeneratedManifest(this, (file) => this.guard.producerOf(file), {
        starters: () => this.components.filter((c): c is SampleFile => c instanceof SampleFile).map((c) => (c as unknown as { filePath: string }).filePath),
      });
      this.componentFilesAdded = true;
      this.node.lock();
      // projen orders files by the machine's locale; the tree's order is the same everywhere.
      this.lockedTree = { components: super.components, files: super.files.sort((a, b) => byCodeUnits(a.path, b.path)) };
    }
    this.guard.checkShape();
  }

  /**
   * @internal `npx projen explain`: why each line of a generated file (as the working tree has it) is what it is.
   * Writes nothing.
   */
  public _explain(filePath: string): ReturnType<typeof explainGeneratedFile> {
    this.prepareSynthesis();
    return this.explainFile(filePath);
  }

  /** Explains one generated file of a tree already checked and locked (`prepareSynthesis`). */
  private explainFile(filePath: string, options: { readonly asSynthesized?: boolean } = {}): ReturnType<typeof explainGeneratedFile> {
    const file = this.tryFindFile(filePath);
    if (!file) {
      throw new Refusal(`prism-projen explain: ${filePath} is not a file this project generates; ` +
        "run it with a path from .projen/files.json, relative to the repository root, e.g. \"npx projen explain proxy/Dockerfile:14\"");
    }
    this.frozenModels = this.componentModels();
    const manifest = file instanceof GeneratedManifest;
    if ((!isGeneratedFile(file) || manifest) && !this.preSynthesized) {
      // projen's own files take their last lines in preSynthesize (the projenrc's line in .gitignore): run it, as synth does.
      this.preSynthesize();
      for (const component of this.components) component.preSynthesize();
      this.preSynthesized = true;
    }
    if (manifest && !options.asSynthesized) {
      // The record digests what this synthesis would write, not what the working tree holds: render every file first.
      for (const planned of this.guard.renderAhead()) rememberContent(this.tryFindFile(planned.path)!, planned.content);
    }
    try {
      return explainGeneratedFile(file, {
        sourceDir: this.sourceDir,
        projectName: this.name,
        projectOptions: this.givenOptions,
        projectModel: this.model,
        components: this.node.findAll().filter((c) => isContainerComponent(c) || isRustLibrary(c)) as ExplainedConstruct[],
        asSynthesized: options.asSynthesized ?? false,
        projen: {
          ignorePatterns: IGNORED,
          ignorePatternsSource: IGNORE_PATTERNS_SOURCE,
          pathOptions: pathOptionsOf((p) => this.tryFindFile(p)),
          annotateTask: (name, task) => this.tasksOfProject.annotateTask(name, task),
        },
      });
    } finally {
      this.frozenModels = undefined;
      this.frozenRoots = undefined;
    }
  }

  /** The drift check: this synthesis went to a temporary folder; compare the working tree with it. */
  private reportDrift(workingTree: string): void {
    // Required here, not imported: the comparison and its diff library load only in check mode.
    const { compareTrees, formatDrift } = require("./drift/compare") as typeof import("./drift/compare");
    const drifts = compareTrees(workingTree, this.outdir, (file, text, declared) => {
      const generated = this.tryFindFile(file);
      return generated && isGeneratedFile(generated) ? generated._ownedHash(text, declared) : undefined;
    });
    // Next to each drifted file: why each line synthesis writes differently is what it is.
    const why = (file: string) => {
      // The synthesis that wrote this tree checked and locked it: explain each file without checking again.
      return this.tryFindFile(file) ? this.explainFile(file, { asSynthesized: true }).lines : undefined;
    };
    process.stdout.write(formatDrift(drifts, why));
    if (drifts.length > 0) process.exitCode = 1;
  }

  /** Every validation problem, as `[component] field: problem; fix` (`[project <name>]` for project settings). */
  public validate(): string[] {
    const all = this.node.findAll().filter(isContainerComponent);
    // A component whose options do not fit their schema has no model: report those problems alone.
    const errors = all.flatMap((c) => c._optionProblems().map((e) => `${subject(c.node.id)} ${e}`));
    const components = all.filter((c) => c._optionProblems().length === 0);
    const models = components.map((c) => c._toModel());
    const rustRoots = workspaceMemberRoots(models);
    errors.push(...components.flatMap((c, i) => {
      const model = models[i];
      const own = [...validateComponent(model, this.model), ...trafficProblems(model, models, this.model), ...dependencyProblems(model, this.model, this.libraryModels()), ...c.node.validate()];
      // Cross-file checks render the files, so only models that passed the field checks get there.
      const rendered = own.length === 0 ? validateRendered(model, this.model, rustRoots, models) : [];
      return [...own, ...rendered].map((e) => `${subject(model.name)} ${e}`);
    }));
    errors.push(...libraryProblems(this.rustInputs.libraryConstructs(), models, this.model));
    errors.push(...[
      ...validateProject(this.model, models),
      ...(this.allowUnpinnedBaseImages ? [] : unpinnedBaseImageProblems(this.model, models, rustRoots)),
      ...this.baseImageLock.problems,
      ...this.node.validate(),
    ].map((e) => `${projectSubject(this.name)} ${e}`));
    return errors;
  }
}

const MONOREPO_BRAND = Symbol.for("prism-projen.ContainerMonorepo");

const isFile = (component: Component): component is FileBase => component instanceof FileBase;
