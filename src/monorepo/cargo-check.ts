import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Component } from "projen/lib/component";
import type { Project } from "projen/lib/project";
import { synthesizeFile } from "../files/atomic-write";
import type { PlannedFile } from "../files/overwrite-guard";
import { readTextIfExists } from "../files/read-text";
import type { GoBuild, RustBuild, RustLibraryModel } from "../model/component";
import { byCodeUnits } from "../model/order";
import { CARGO_RULES_VERSION } from "../policy/cargo-rules";
import { projectSubject, refusal } from "../refusal";
import { needsCargo, resolveCargoWorkspace } from "./cargo-resolution";

/** A workspace member as the check reads it: a component's or a library's model. */
type Member = { readonly name: string; readonly path: string; readonly build: RustBuild | GoBuild | RustLibraryModel["build"] };

export interface CargoCheckOptions {
  /** The working tree: where the manifests, Cargo.lock and cargo's configuration are read. */
  readonly sourceDir: string;
  /** The project's name, as refusals name it. */
  readonly projectName: string;
  /** The Rust workspace members of this synthesis: the components' and the library crates' models. */
  readonly members: () => readonly Member[];
}

/**
 * Where the last check's verdict is kept, on this machine only: beside cargo's build output (ignored by git and by
 * every image build), so a clone or a `cargo clean` starts without one.
 */
export const CARGO_CHECK_RECORD = "target/prism-projen/cargo-check.json";

/**
 * The Rust dependency check of a synthesis into the working tree (see `resolveCargoWorkspace`): run before the
 * first write, refusing with the problems it finds; afterwards Cargo.lock is written when cargo updated it.
 *
 * cargo's answer depends only on the bytes it reads (the manifests, the lock that pins every version, cargo's
 * configuration) and on the rule's own version. A check that passed records the digest of those bytes; a later
 * synthesis whose planned bytes have the same digest was checked already, and runs no cargo. Any other digest
 * (a changed manifest, lock, path dependency or configuration, a new rule) runs the check again.
 */
export class CargoCheck extends Component {
  private updatedLock?: string;
  private lockCreated = false;
  private passed?: string;

  constructor(project: Project, private readonly options: CargoCheckOptions) {
    super(project);
  }

  /** Checks the planned manifests (throws the refusal when a member would link OpenSSL or cargo refuses them). */
  public beforeWrites(planned: readonly PlannedFile[]): void {
    const { sourceDir, projectName } = this.options;
    const members = this.options.members();
    if (!needsCargo(members)) return;
    const digest = inputsDigest(sourceDir, planned, members);
    if (digest !== undefined && readRecord(sourceDir) === digest) return;
    const resolution = resolveCargoWorkspace(sourceDir, planned, members);
    if (resolution.problems.length > 0) throw refusal(resolution.problems.map((p) => (p.startsWith("[") ? p : `${projectSubject(projectName)} ${p}`)));
    if (resolution.warning) process.stderr.write(`${resolution.warning}\n`);
    this.updatedLock = resolution.lock;
    this.lockCreated = resolution.lock !== undefined && !fs.existsSync(path.join(sourceDir, "Cargo.lock"));
    // Recorded as the tree will be once written (the manifests as planned, the lock as cargo left it), only when cargo ran.
    if (resolution.checked) this.passed = inputsDigest(sourceDir, planned, members, resolution.lock);
  }

  /** Once the manifests are written: Cargo.lock, when cargo updated it, then the verdict. */
  public afterWrites(): void {
    const { sourceDir } = this.options;
    if (this.updatedLock !== undefined) synthesizeFile(sourceDir, "Cargo.lock", this.updatedLock, { readonly: false, executable: false });
    if (this.lockCreated) process.stdout.write("prism-projen: created Cargo.lock (cargo metadata --offline); commit it\n");
    if (this.passed !== undefined) {
      fs.mkdirSync(path.dirname(path.join(sourceDir, CARGO_CHECK_RECORD)), { recursive: true });
      synthesizeFile(sourceDir, CARGO_CHECK_RECORD, `${JSON.stringify({ passed: this.passed })}\n`, { readonly: false, executable: false });
    }
    this.reset();
  }

  /** Forgets what a synthesis that stopped half-way found. */
  public reset(): void {
    this.updatedLock = undefined;
    this.lockCreated = false;
    this.passed = undefined;
  }
}

/**
 * The digest of every byte cargo's answer depends on: the rule's version, the planned root and member manifests,
 * the manifests of the crates they take by path, Cargo.lock (`lock`, or the working tree's), and cargo's
 * configuration in the tree. Undefined when there is no lock yet (cargo makes one).
 */
function inputsDigest(sourceDir: string, planned: readonly PlannedFile[], members: readonly Member[], lock?: string): string | undefined {
  const manifests = new Set(["Cargo.toml", ...members.map((m) => `${m.path}/Cargo.toml`)]);
  for (const m of members) {
    if (m.build.kind === "rust") for (const folder of m.build.pathDependencies) manifests.add(`${folder}/Cargo.toml`);
  }
  const plannedText = new Map(planned.map((p) => [p.path, p.content]));
  const hash = crypto.createHash("sha256").update(`rules ${CARGO_RULES_VERSION}\n`);
  for (const file of [...manifests, ".cargo/config.toml", ".cargo/config"].sort(byCodeUnits)) {
    const text = plannedText.has(file) ? plannedText.get(file) : readTextIfExists(path.join(sourceDir, file));
    hash.update(`${file}\n${text === undefined ? "-" : `${text.length}\n${text}`}\n`);
  }
  const lockText = lock ?? readTextIfExists(path.join(sourceDir, "Cargo.lock"));
  if (lockText === undefined) return undefined;
  return hash.update(`Cargo.lock\n${lockText}`).digest("hex");
}

/** The digest the last passed check recorded on this machine; undefined when there is none or it cannot be read. */
function readRecord(sourceDir: string): string | undefined {
  try {
    const data: unknown = JSON.parse(fs.readFileSync(path.join(sourceDir, CARGO_CHECK_RECORD), "utf-8"));
    const passed = (data as { passed?: unknown } | null)?.passed;
    return typeof passed === "string" ? passed : undefined;
  } catch {
    return undefined;
  }
}
