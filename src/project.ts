import * as fs from "node:fs";
import * as path from "node:path";
import type { IConstruct } from "constructs";
import * as v from "valibot";
// projen's modules one by one: its index loads every project type (about 0.25 s), on every `npx projen`.
import type { Component } from "projen/lib/component";
import { FileBase } from "projen/lib/file";
import { IgnoreFile } from "projen/lib/ignore-file";
import { Project } from "projen/lib/project";
import { ProjenrcFile } from "projen/lib/projenrc";
import { SampleFile } from "projen/lib/sample-file";
import { TaskShell } from "projen/lib/task-shell";
import { CargoProfilePreset, cargoProfile } from "./model/cargo-profile";
import { DEFAULT_ALLOWED_LICENSES, renderDenyConfig } from "./cargo/deny";
import { renderWorkspaceManifest } from "./cargo/render";
import { resolveReqwest } from "./model/reqwest";
import { isContainerComponent } from "./component/container-component";
import { DebianRelease, NONROOT, WorkloadKind, type ComponentModel } from "./model/component";
import { goModule } from "./component/starters";
import { unpinnedBaseImageProblems, validateComponent, validateProject, validateRendered } from "./component/validation";
import { BASE_IMAGE_LOCK, parseBaseImageLock } from "./dockerfile/base-image-lock";
import { workspaceMemberRoots } from "./dockerfile/image-plan";
import { removeStaleTemps, synthesizeFile, TEMP_INFIX } from "./files/atomic-write";
import { indexedFile, indexFile, rememberContent } from "./files/file-index";
import { isGeneratedFile } from "./files/generated-file";
import { GeneratedManifest, readGeneratedManifest, sha256 } from "./files/generated-manifest";
import { GeneratedJsonFile } from "./files/json-file";
import { formatOverwrites, inspectTree, type PlannedFile } from "./files/overwrite-guard";
import { renderProjenFile, synthesisPhases } from "./files/projen-internals";
import { describeProducer } from "./files/producers";
import { readTextIfExists } from "./files/read-text";
import { TomlFile } from "./files/toml-file";
import { YamlDocumentsFile } from "./files/yaml-file";
import { versionComments } from "./github/actions";
import { renderDependabot } from "./github/dependabot";
import { renderImagesWorkflow } from "./github/render";
import { because, fixed, folderOptions, from, optionsOf, projectOptions } from "./explain/trace";
import { BASE_DIR, manifestPath, overlayDir, renderBaseKustomization, renderNamespace, renderOverlayKustomization, variantNamespace, type Variant } from "./k8s/kustomize";
import { renderDefaultDeny } from "./k8s/network-policy";
import { explainGeneratedFile, printExplanation } from "./project-explain";
import { EXCEPTIONS_FILE, renderPolicyExceptions } from "./policy/exceptions";
import type { ProjectModel } from "./model/project";
import type { ImageUser } from "./model/option-specs";
import { CHECK_ENV, EXPLAIN_COMMAND_ENV, EXPLAIN_ENV, FORCE_ENV, SYNTH_DIR_ENV } from "./env-names";
import { checkOptions } from "./model/check-options";
import { projectSubject, Refusal, refusal, subject } from "./refusal";
import { CONTAINER_MONOREPO_PROPS } from "./model/project-options";
import { byCodeUnits } from "./model/order";


/** Props of `ContainerMonorepo`. */
export type ContainerMonorepoProps = Readonly<v.InferInput<typeof CONTAINER_MONOREPO_PROPS>>;

/** The resolved project settings plus the image user. */
export interface ContainerMonorepoModel extends ProjectModel {
  readonly imageUser: ImageUser;
}

/**
 * The `.projenrc.ts` of a ContainerMonorepo, run by `prism-projen-synth`
 * (esbuild-bundled, cached; not type-checked there, so `tsc --noEmit` belongs in the tests).
 */
class Projenrc extends ProjenrcFile {
  public readonly filePath = ".projenrc.ts";

  constructor(project: Project, argv: string[]) {
    super(project);
    // Receives arguments: `npx projen default --force` overwrites what a refusal named.
    project.defaultTask?.execArgs(argv, { ...RUNNER_STEP, receiveArgs: true });
  }
}

/**
 * The synth and the drift check open no TLS connection, so they do not load the extra CA
 * bundle: while NODE_EXTRA_CA_CERTS is set, Node 20 parses every bundled and extra root
 * certificate at the start of every process (nodejs/node#40524): 50 to 90 ms per process on
 * a 2-core machine. Corporate machines behind a TLS proxy set it; so do these CI machines.
 */
const NO_EXTRA_CA_CERTS = { NODE_EXTRA_CA_CERTS: "" };

/** How the synth and drift tasks start the runner: an argv spawned directly, not a line for projen's built-in shell to parse. */
const RUNNER_STEP = { env: NO_EXTRA_CA_CERTS, shell: TaskShell.system() };

/** The patterns prism-projen adds to the ignore files, each with why (explain prints it). */
const IGNORED: Readonly<Record<".gitignore" | ".dockerignore", Readonly<Record<string, string>>>> = {
  ".gitignore": {
    "/target/": "Cargo's build output is not committed",
    "node_modules/": "installed npm packages are not committed",
    "/lib/": "the compiled library (npm run build) is not committed",
    "*.tsbuildinfo": "TypeScript's incremental build state is not committed",
    "/coverage/": "test coverage reports are not committed",
    [`*${TEMP_INFIX}*`]: "the temporary files a killed synthesis can leave are not committed",
  },
  // The build context is the repository root: keep build output, VCS data and node_modules out of it.
  ".dockerignore": {
    "**/target/": "Cargo's build output stays out of the image build context (the repository root)",
    "**/node_modules/": "installed npm packages stay out of the image build context",
    ".git/": "the repository's history stays out of the image build context",
    "lib/": "the compiled library stays out of the image build context",
    "coverage/": "test coverage reports stay out of the image build context",
    [`**/*${TEMP_INFIX}*`]: "a synthesis's temporary files stay out of the image build context",
  },
};

/** Why each task prism-projen defines is there, and the option its command comes from. */
const TASKS: Readonly<Record<string, { readonly why: string; readonly command: "synthCommand" | "policyCommand" | "newComponentCommand" }>> = {
  "default": { why: "npx projen runs .projenrc.ts through prism-projen's runner (NODE_EXTRA_CA_CERTS cleared: it slows every start)", command: "synthCommand" },
  "drift": { why: "npx projen drift: the synth-drift check", command: "synthCommand" },
  "explain": { why: "npx projen explain: why a generated line is there", command: "synthCommand" },
  "policy": { why: "npx projen policy: the policy over the generated files", command: "policyCommand" },
  "new-component": { why: "npx projen new-component: declare a component and write its starters", command: "newComponentCommand" },
};

/**
 * A projen project for a monorepo of Rust and Go container components. Add
 * components with `new RustComponent(project, ...)` / `new GoComponent(project, ...)`;
 * synthesis writes the Cargo workspace, each Dockerfile, the images workflow
 * and the Kubernetes manifests, after checking every cross-file invariant.
 */
export class ContainerMonorepo extends Project {
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
  private generatedManifest?: GeneratedManifest;
  private componentFilesAdded = false;
  /** Whether every component's `preSynthesize` ran (projen's own files are final only then). */
  private preSynthesized = false;
  private lockedTree?: { readonly components: Component[]; readonly files: FileBase[] };
  private frozenModels?: ComponentModel[];
  private frozenRoots?: string[];
  private readonly baseImageLock: ReturnType<typeof parseBaseImageLock> & { readonly sha256: string | null };

  private readonly adoptFiles: readonly string[];
  private readonly allowUnpinnedBaseImages: boolean;
  /** The working tree: where inputs are read, and where files go unless the drift check redirects them. */
  private readonly sourceDir: string;
  /** The options `.projenrc.ts` gave, after their check (for `npx projen explain`). */
  private readonly givenOptions: Readonly<Record<string, unknown>>;
  /** The argv that runs `.projenrc.ts` (the synthCommand option): the tasks' commands start with it. */
  private readonly synthCommand: readonly string[];

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
    this.adoptFiles = props.adoptFiles ?? [];
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
      goModulePath: props.goModulePath ?? `${props.name}/${goModuleDir}`,
      cargoProfilePreset: props.cargoProfile ?? CargoProfilePreset.SPEED,
      cargoProfile: cargoProfile(props.cargoProfile ?? CargoProfilePreset.SPEED),
      reqwest: resolveReqwest(props.reqwest),
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

    const synthCommand = props.synthCommand ?? ["prism-projen-synth", ".projenrc.ts"];
    this.synthCommand = synthCommand;
    // The explain task, and the policy asking explain for each finding's reason, run the same argv.
    const explainArgv = [...synthCommand, "--explain"];
    new Projenrc(this, synthCommand);
    // No eject: an ejected tree keeps a workflow whose drift gate has nothing to compare with and a
    // policy that finds no generated files to check (it reads .projen/files.json), so CI would fail or
    // pass vacuously. See synth() for PROJEN_EJECTING set by hand.
    this.removeTask("eject");
    this.gitignore.exclude(...Object.keys(IGNORED[".gitignore"]));
    new IgnoreFile(this, ".dockerignore").exclude(...Object.keys(IGNORED[".dockerignore"]));

    new TomlFile(this, "Cargo.toml", {
      document: () => {
        const members = this.componentModels().filter((c) => c.build.kind === "rust");
        return members.length > 0 ? renderWorkspaceManifest(this.model, members) : undefined;
      },
    });
    new TomlFile(this, "deny.toml", {
      document: () => (this.componentModels().some((c) => c.build.kind === "rust") ? renderDenyConfig(this.model) : undefined),
    });
    new YamlDocumentsFile(this, ".github/workflows/images.yml", {
      documents: () => [renderImagesWorkflow(this.model, this.componentModels())],
      valueComments: versionComments(),
    });
    new GeneratedJsonFile(this, EXCEPTIONS_FILE, { document: () => renderPolicyExceptions(props.allowUnpinnedBaseImages) });
    this.addTask("drift", {
      description: "Synthesize into a temporary folder and list every generated file that is missing, out of date, edited by hand or orphaned, with a diff; writes nothing",
    }).execArgs([...synthCommand, "--check"], RUNNER_STEP);
    this.addTask("explain", {
      description: "Print why each line of a generated file is what it is: the component, the options (with their values) or the rule, the renderer: explain FILE[:LINE] [--json]",
    }).execArgs(explainArgv, { ...RUNNER_STEP, receiveArgs: true });
    this.addTask("new-component", {
      description: "Declare a new component in .projenrc.ts, write its starter sources and synthesize: new-component NAME --lang rust|go --kind plugin|service|tool|job [--port name=number]",
      exec: props.newComponentCommand ?? "prism-projen-new-component",
      receiveArgs: true,
    });
    this.addTask("policy", {
      description: "Check the generated files against the policy (rule ids, file:line); --sarif FILE writes SARIF",
      exec: props.policyCommand ?? "prism-projen-policy",
      receiveArgs: true,
      // Each finding says why its line is there: the policy asks explain, through the same runner.
      env: { [EXPLAIN_COMMAND_ENV]: JSON.stringify(explainArgv) },
    });
    new YamlDocumentsFile(this, ".github/dependabot.yml", {
      documents: () => [renderDependabot({
        goModuleDir: this.componentModels().some((c) => c.build.kind === "go") ? this.model.goModuleDir : undefined,
        cargo: this.componentModels().some((c) => c.build.kind === "rust"),
        baseImageLockDir: this.baseImageLock.sha256 !== null ? path.posix.dirname(BASE_IMAGE_LOCK) : undefined,
      })],
    });
    const deployable = () => this.componentModels().filter((c) => c.workload !== WorkloadKind.NONE);
    new YamlDocumentsFile(this, `${BASE_DIR}/kustomization.yaml`, {
      documents: () => [renderBaseKustomization(deployable())],
    });
    for (const variant of ["production", "debug"] as Variant[]) {
      new YamlDocumentsFile(this, `${overlayDir(variant)}/kustomization.yaml`, {
        documents: () => [renderOverlayKustomization(this.model, variant, deployable())],
      });
      new YamlDocumentsFile(this, `${overlayDir(variant)}/namespace.yaml`, {
        documents: () => [
          renderNamespace(this.model, variant),
          // With no workload, there is no pod to protect, and a policy that selects nothing (kube-score networkpolicy-targets-pod).
          ...(deployable().length > 0
            ? [renderDefaultDeny(variantNamespace(this.model, variant), { "app.kubernetes.io/part-of": this.model.name, "app.kubernetes.io/managed-by": "projen" }, this.model)]
            : []),
        ],
      });
    }
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
    const roots = workspaceMemberRoots(this.componentModels());
    if (this.frozenModels) this.frozenRoots = roots;
    return roots;
  }

  /** The models of every component, sorted by name so declaration order never changes the output. */
  public componentModels(): ComponentModel[] {
    // During a synth the models are fixed: resolve them once, not once per file that lists them.
    return this.frozenModels ?? this.node.findAll()
      .filter(isContainerComponent)
      .map((c) => c._toModel())
      .sort((a, b) => byCodeUnits(a.name, b.name));
  }

  /** @internal called by Go components: the module's go.mod is written once, when the first one exists. */
  public _useGoModule(): void {
    this.goModule ??= new SampleFile(this, `${this.model.goModuleDir}/go.mod`, { contents: goModule(this.model.goModulePath) });
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
      let planned: ReadonlyMap<string, string | undefined> = new Map();
      synthesisPhases(this, {
        beforeFirstWrite: () => {
          planned = new Map(this.beforeFirstWrite().map((p) => [p.path, p.content]));
        },
        synthesize: (component) => {
          if (!isFile(component) || isGeneratedFile(component)) component.synthesize();
          else synthesizeFile(this.outdir, component.path, planned.get(component.path), { readonly: component.readonly, executable: component.executable });
        },
      });
    } finally {
      this.frozenModels = undefined;
      this.frozenRoots = undefined;
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
      for (const component of this.node.findAll().filter(isContainerComponent)) {
        component._addFiles();
      }
      // Last: it hashes what the others wrote.
      this.generatedManifest = new GeneratedManifest(this, (file) => this.producerOf(file), {
        starters: () => this.components.filter((c): c is SampleFile => c instanceof SampleFile).map((c) => (c as unknown as { filePath: string }).filePath),
      });
      this.componentFilesAdded = true;
      this.node.lock();
      // projen orders files by the machine's locale; the tree's order is the same everywhere.
      this.lockedTree = { components: super.components, files: super.files.sort((a, b) => byCodeUnits(a.path, b.path)) };
    }
    const seen = new Set<string>();
    const repeated = this.files.map((f) => f.path).filter((p) => seen.has(p) || !seen.add(p));
    if (repeated.length > 0) {
      throw new Refusal(`prism-projen: nothing was written; more than one construct writes ${[...new Set(repeated)].join(", ")}`);
    }
    const nested = this.filesInsideFiles();
    if (nested.length > 0) throw refusal(nested);
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
      for (const planned of this.renderAhead()) rememberContent(this.tryFindFile(planned.path)!, planned.content);
    }
    try {
      return explainGeneratedFile(file, {
        sourceDir: this.sourceDir,
        projectName: this.name,
        projectOptions: this.givenOptions,
        projectModel: this.model,
        components: this.node.findAll().filter(isContainerComponent),
        asSynthesized: options.asSynthesized ?? false,
        projen: {
          ignorePatterns: IGNORED,
          pathOptions: (path) => {
            const generated = this.tryFindFile(path);
            if (!generated) return undefined;
            const owner = generated.node.scope;
            if (!isContainerComponent(owner)) return [];
            const model = owner._toModel();
            // A file in the component's folder moves with it; its manifest is there because it has a workload.
            if (path.startsWith(`${model.path}/`)) return folderOptions(model);
            return path === manifestPath(model.name) ? optionsOf(model.name, "workload") : [];
          },
          annotateTask: (name, task) => {
            const defined = TASKS[name];
            if (!defined) return;
            const command = from(projectOptions(defined.command), { renderer: "src/project.ts" });
            // The policy asks explain for each finding's reason through the same runner as synthesis.
            because(task, fixed(defined.why, "src/project.ts"), name === "policy" ? { env: from(projectOptions("synthCommand"), { renderer: "src/project.ts" }) } : {});
            const step = (task.steps as Record<string, unknown>[] | undefined)?.[0];
            if (Array.isArray(step?.execArgs)) {
              // The runner's argv, then the task's own argument (--check, --explain).
              const own = fixed(`the ${name} task's own argument to the runner`, "src/project.ts");
              because(step.execArgs, undefined, Object.fromEntries(step.execArgs.map((_, i) => [i, i < this.synthCommand.length ? command : own])));
            } else if (step) {
              because(step, undefined, { exec: command });
            }
          },
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
    const drifts = compareTrees(workingTree, this.outdir);
    // Next to each drifted file: why each line synthesis writes differently is what it is.
    const why = (file: string) => {
      // The synthesis that wrote this tree checked and locked it: explain each file without checking again.
      return this.tryFindFile(file) ? this.explainFile(file, { asSynthesized: true }).lines : undefined;
    };
    process.stdout.write(formatDrift(drifts, why));
    if (drifts.length > 0) process.exitCode = 1;
  }

  /** A generated file whose path is also a folder of another generated file (a component path on a generated file, say). */
  private filesInsideFiles(): string[] {
    const byPath = new Map(this.files.map((f) => [f.path, f]));
    const problems: string[] = [];
    for (const file of this.files) {
      const parts = file.path.split("/");
      for (let i = 1; i < parts.length; i++) {
        const outer = byPath.get(parts.slice(0, i).join("/"));
        if (!outer) continue;
        const scope = file.node.scope;
        const who = isContainerComponent(scope) ? subject(scope.node.id) : projectSubject(this.name);
        problems.push(`${who} path: ${outer.path} is a file synthesis writes (${this.producerOf(outer).split(" in .projenrc.ts")[0]}), ` +
          `and also the folder it would write ${file.path} into; give the component a folder of its own`);
        break;
      }
    }
    return [...new Set(problems)];
  }

  /**
   * Every file this synthesis writes, rendered before any is written (the manifest, which hashes
   * the others, and starters, which are never overwritten, excepted).
   */
  private renderAhead(): PlannedFile[] {
    return this.files
      .filter((f) => !(f instanceof GeneratedManifest))
      .map((f) => ({ path: f.path, content: isGeneratedFile(f) ? f._renderAhead() : renderProjenFile(f) }));
  }

  /**
   * Where projen would clean up: every file is final (every `preSynthesize` ran) and none is written.
   * Stops the synthesis when it would overwrite or delete bytes it did not write (unless the user
   * allowed it: adoptFiles, or --force for this one run) or write where it cannot; then records what
   * it is about to write, and deletes the files the last synthesis wrote that this one no longer does.
   */
  private beforeFirstWrite(): PlannedFile[] {
    const planned = this.renderAhead();
    const last = readGeneratedManifest(this.outdir);
    // An earlier synthesis left records, and none of them can be trusted (asked before this one writes its own).
    const untrustedRecord = last === undefined && ["generated.json", "files.json"].some((f) => fs.existsSync(path.join(this.outdir, ".projen", f)));
    const force = process.env[FORCE_ENV] === "1";
    const tree = inspectTree(this.outdir, planned, last, (file) => force || this.adoptFiles.includes(file));
    if (tree.blocked.length > 0) throw refusal(tree.blocked, "these generated paths cannot be written");
    // The drift check writes into a scratch folder: only a synthesis into the working tree can destroy bytes.
    if (this.outdir === this.sourceDir && tree.overwrites.length > 0) throw new Refusal(formatOverwrites(tree.overwrites, "npx projen default --force"));
    removeStaleTemps(this.outdir, this.files.map((f) => f.path));
    // First the record of what this synthesis is about to write, so a kill half-way leaves one that knows both versions.
    this.generatedManifest!._writeIntent(new Map(planned.map((p) => [p.path, p.content])), last, tree.onDisk);
    for (const orphan of tree.orphans) fs.rmSync(path.join(this.outdir, orphan), { force: true });
    if (untrustedRecord) {
      process.stderr.write("prism-projen: .projen/generated.json is missing or cannot be trusted, so no file was deleted: files an earlier " +
        "synthesis wrote and this one no longer does stay where they are (npx projen drift lists none of them; remove them by hand)\n");
    }
    return planned;
  }

  private producerOf(file: FileBase): string {
    const scope = file.node.scope;
    const construct = isContainerComponent(scope)
      ? `${scope._toModel().build.kind === "rust" ? "RustComponent" : "GoComponent"} "${scope.node.id}"` // not constructor.name: bundlers rename
      : "ContainerMonorepo";
    return describeProducer(file.path, construct);
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
      const own = [...validateComponent(model, this.model), ...c.node.validate()];
      // Cross-file checks render the files, so only models that passed the field checks get there.
      const rendered = own.length === 0 ? validateRendered(model, this.model, rustRoots) : [];
      return [...own, ...rendered].map((e) => `${subject(model.name)} ${e}`);
    }));
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
