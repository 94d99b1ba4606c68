import * as fs from "node:fs";
import * as path from "node:path";
import { Component } from "projen/lib/component";
import type { FileBase } from "projen/lib/file";
import type { Project } from "projen/lib/project";
import { SampleFile } from "projen/lib/sample-file";
import { isContainerComponent } from "../component/container-component";
import { isRustLibrary } from "../component/library-brand";
import { FORCE_ENV } from "../env-names";
import { aboutToCreate, removeFile, removeStaleTemps } from "../files/atomic-write";
import { isGeneratedFile } from "../files/generated-file";
import { GeneratedManifest, readGeneratedManifest } from "../files/generated-manifest";
import { formatOverwrites, inspectTree, type PlannedFile } from "../files/overwrite-guard";
import { describeProducer } from "../files/producers";
import { renderProjenFile } from "../files/projen-internals";
import { projectSubject, Refusal, refusal, subject } from "../refusal";

export interface SynthesisGuardOptions {
  /** The working tree: only a synthesis into it can destroy bytes (the drift check writes into a scratch folder). */
  readonly sourceDir: string;
  /** Generated paths whose bytes of the user's own a synthesis may replace. */
  readonly adoptFiles: readonly string[];
  /**
   * The last check of a synthesis into the working tree, once the tree may be written: it sees every file as
   * planned, and refuses (throws) to stop the synthesis before its first write.
   */
  readonly beforeWrites?: (planned: readonly PlannedFile[]) => void;
}

/**
 * What stands between a synthesis and the disk: the tree's shape checked (one construct per path,
 * no file where another file's folder would be), every file rendered before any is written, and
 * nothing overwritten or deleted that prism-projen did not write.
 */
export class SynthesisGuard extends Component {
  constructor(project: Project, private readonly options: SynthesisGuardOptions) {
    super(project);
  }

  /** Refuses a tree two constructs write the same path of, or one where a file stands where another file's folder must be. */
  public checkShape(): void {
    const seen = new Set<string>();
    const repeated = this.project.files.map((f) => f.path).filter((p) => seen.has(p) || !seen.add(p));
    if (repeated.length > 0) {
      throw new Refusal(`prism-projen: nothing was written; more than one construct writes ${[...new Set(repeated)].join(", ")}`);
    }
    const nested = this.filesInsideFiles();
    if (nested.length > 0) throw refusal(nested);
  }

  /**
   * Every file this synthesis writes, rendered before any is written (the manifest, which hashes
   * the others, and starters, which are never overwritten, excepted).
   */
  public renderAhead(): PlannedFile[] {
    return this.project.files
      .filter((f) => !(f instanceof GeneratedManifest))
      .map((f) => (isGeneratedFile(f)
        ? { path: f.path, content: f._renderAhead(), ownedHash: (text: string, declared: readonly string[]) => f._ownedHash(text, declared) }
        : { path: f.path, content: renderProjenFile(f) }));
  }

  /**
   * Where projen would clean up: every file is final (every `preSynthesize` ran) and none is written.
   * Stops the synthesis when it would overwrite or delete bytes it did not write (unless the user
   * allowed it: adoptFiles, or --force for this one run) or write where it cannot; then records what
   * it is about to write, and deletes the files the last synthesis wrote that this one no longer does.
   */
  public beforeFirstWrite(): PlannedFile[] {
    const { outdir } = this.project;
    const planned = this.renderAhead();
    const last = readGeneratedManifest(outdir);
    // An earlier synthesis left records, and none of them can be trusted (asked before this one writes its own).
    const untrustedRecord = last === undefined && ["generated.json", "files.json"].some((f) => fs.existsSync(path.join(outdir, ".projen", f)));
    const force = process.env[FORCE_ENV] === "1";
    // adoptFiles covers a path's bytes from before synthesis first wrote it; an edit after that is a hand edit like any other.
    const tree = inspectTree(outdir, planned, last, (file, writtenBefore) => force || (!writtenBefore && this.options.adoptFiles.includes(file)));
    if (tree.blocked.length > 0) throw refusal(tree.blocked, "these generated paths cannot be written");
    // The drift check writes into a scratch folder: only a synthesis into the working tree can destroy bytes.
    if (outdir === this.options.sourceDir && tree.overwrites.length > 0) throw new Refusal(formatOverwrites(tree.overwrites, "npx projen default --force"));
    if (outdir === this.options.sourceDir) this.options.beforeWrites?.(planned);
    removeStaleTemps(outdir, this.project.files.map((f) => f.path));
    const manifest = this.project.files.find((f): f is GeneratedManifest => f instanceof GeneratedManifest);
    // First the record of what this synthesis is about to write, so a kill half-way leaves one that knows both versions.
    manifest?._writeIntent(new Map(planned.map((p) => [p.path, p.content])), last, tree.onDisk);
    for (const orphan of tree.orphans) removeFile(path.join(outdir, orphan));
    // Said, file by file: a file that goes away with the construct that wrote it is no surprise in the diff.
    for (const orphan of tree.orphans) process.stdout.write(`prism-projen: deleted ${orphan}: nothing in .projenrc.ts writes it any more\n`);
    // projen writes the starters that are missing; a failed write later removes them again.
    for (const component of this.project.components) {
      if (component instanceof SampleFile) aboutToCreate(path.join(outdir, (component as unknown as { filePath: string }).filePath));
    }
    if (untrustedRecord) {
      process.stderr.write("prism-projen: .projen/generated.json is missing or cannot be trusted, so no file was deleted: files an earlier " +
        "synthesis wrote and this one no longer does stay where they are (npx projen drift lists none of them; remove them by hand)\n");
    }
    return planned;
  }

  /** The construct that writes `file` and the options it comes from, as `.projen/generated.json` and refusals name it. */
  public producerOf(file: FileBase): string {
    const scope = file.node.scope;
    const construct = isContainerComponent(scope) || isRustLibrary(scope)
      ? `${scope._className()} "${scope.node.id}"`
      : "ContainerMonorepo";
    return describeProducer(file.path, construct);
  }

  /** A generated file whose path is also a folder of another generated file (a component path on a generated file, say). */
  private filesInsideFiles(): string[] {
    const files = this.project.files;
    const byPath = new Map(files.map((f) => [f.path, f]));
    const problems: string[] = [];
    for (const file of files) {
      const parts = file.path.split("/");
      for (let i = 1; i < parts.length; i++) {
        const outer = byPath.get(parts.slice(0, i).join("/"));
        if (!outer) continue;
        const scope = file.node.scope;
        const who = isContainerComponent(scope) ? subject(scope.node.id) : projectSubject(this.project.name);
        problems.push(`${who} path: ${outer.path} is a file synthesis writes (${this.producerOf(outer).split(" in .projenrc.ts")[0]}), ` +
          `and also the folder it would write ${file.path} into; give the component a folder of its own`);
        break;
      }
    }
    return [...new Set(problems)];
  }
}
