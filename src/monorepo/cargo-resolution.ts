import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse as parseToml } from "smol-toml";
import type { PlannedFile } from "../files/overwrite-guard";
import { readTextIfExists } from "../files/read-text";
import { isDependency } from "../model/cargo-dependencies";
import type { GoBuild, RustBuild, RustLibraryModel } from "../model/component";
import { opensslLinks, opensslMessage, readCargoGraph } from "../policy/cargo-rules";
import { subject } from "../refusal";

/**
 * The Rust dependency graph of the workspace this synthesis is about to write, as cargo resolves it, checked
 * before anything is written: the Cargo manifests as planned, with the working tree's Cargo.lock, in a scratch
 * folder. cargo runs offline, from the working tree (so its `.cargo/config.toml` applies), and updates the lock
 * the way `cargo build` would; the policy's own rule (PRISM-C001) then reads the graph, so what synthesis
 * accepts the policy passes.
 */

/**
 * What the check found: problems as `[component] field: problem; fix`, and the Cargo.lock to write when it
 * changed; or, when cargo could not resolve the graph offline (a crate not fetched yet), a warning saying so.
 */
export interface CargoResolution {
  readonly problems: readonly string[];
  readonly lock?: string;
  readonly warning?: string;
  /** Whether cargo resolved the graph and the rule read it (false: nothing to resolve, or the warning). */
  readonly checked?: boolean;
}

const LOCK = "Cargo.lock";

/**
 * Resolves the planned workspace (`rust`: its members, the components' and the library crates'). Nothing to
 * resolve (no Rust member, or no member with a dependency) needs no
 * cargo: the runner makes a missing Cargo.lock after the synthesis, as before.
 */
export function resolveCargoWorkspace(
  sourceDir: string,
  planned: readonly PlannedFile[],
  rust: readonly { readonly name: string; readonly path: string; readonly build: RustBuild | GoBuild | RustLibraryModel["build"] }[],
): CargoResolution {
  if (!needsCargo(rust)) return { problems: [] };
  const members = new Set(["Cargo.toml", ...rust.map((c) => `${c.path}/Cargo.toml`)]);
  const manifests = planned.filter((p) => p.content !== undefined && members.has(p.path));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "prism-cargo-"));
  try {
    overlay(scratch, sourceDir, new Map(manifests.map((m) => [m.path, m.content!])));
    const lock = readTextIfExists(path.join(sourceDir, LOCK));
    if (lock !== undefined) fs.writeFileSync(path.join(scratch, LOCK), lock);
    // Without --locked: cargo brings the lock up to date with the manifests, changing no version it need not.
    const args = ["metadata", "--format-version", "1", "--offline", "--manifest-path", path.join(scratch, "Cargo.toml")];
    const resolved = spawnSync("cargo", args, { cwd: sourceDir, encoding: "utf-8", maxBuffer: 256 * 1024 * 1024 });
    if (resolved.error) {
      return { problems: [], warning: `prism-projen: warning: cargo cannot run (${resolved.error.message}), so Cargo.lock is not updated and the ` +
        "Rust dependencies' OpenSSL check (PRISM-C001) did not run; install Rust (rustup.rs), then run `npx projen` again" };
    }
    if (resolved.status !== 0) {
      // cargo's own lines, the scratch folder named as the repository (its other lines: offline mode's reminder).
      const lines = String(resolved.stderr ?? "").split("\n").map((l) => l.trim().split(scratch).join(".")).filter((l) => l !== "");
      const why = (lines.find((l) => l.startsWith("error:")) ?? lines[0] ?? "cargo failed").replace(/^error:\s*/, "");
      // A manifest cargo refuses whatever it has fetched (a feature a crate does not have, an entry it cannot read): a refusal.
      const refused = lines.find((l) => /does not have (that|this|these|the) features?|failed to parse manifest|invalid (type|value|character)|unknown field/.test(l));
      if (refused) return { problems: [`dependencies: cargo refuses the workspace's dependencies: ${refused.replace(/^error:\s*/, "")}; fix the entry it names`] };
      // Not a refusal: a crate not fetched yet (cargo fetch needs the manifests written to fetch it).
      return { problems: [], warning: `prism-projen: warning: cargo cannot resolve the Rust dependencies offline (${why}), so Cargo.lock is not ` +
        "updated and their OpenSSL check (PRISM-C001) did not run; run `cargo fetch` (it fetches the crates and updates Cargo.lock), " +
        "then `npx projen` again, or `npx projen policy`" };
    }
    const graph = readCargoGraph(scratch, { cwd: sourceDir, offline: true });
    if (!graph.ok) return { problems: [`dependencies: the dependency graph cannot be read, so the OpenSSL check cannot run (${graph.error}); fix the manifests cargo names`] };
    const problems = opensslLinks(graph).map((link) => {
      const component = rust.find((c) => `${c.path}/Cargo.toml` === link.member.manifest);
      return `${component ? subject(component.name) : `[${link.member.name}]`} dependencies: ${opensslMessage(link)} (policy PRISM-C001)`;
    });
    const updated = readTextIfExists(path.join(scratch, LOCK));
    // Only a lock whose content changed is written: cargo also rewrites one it merely reads differently laid out.
    const changed = updated !== undefined && (lock === undefined || !sameLock(updated, lock));
    return { problems, checked: true, ...(changed ? { lock: updated } : {}) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Whether two Cargo.lock texts pin the same packages (as TOML: a comment or a layout is no change); an unreadable one differs. */
function sameLock(a: string, b: string): boolean {
  try {
    return isDeepStrictEqual(parseToml(a), parseToml(b));
  } catch {
    return false;
  }
}

/**
 * Whether any member has a dependency for cargo to resolve. Read from the models, not the planned text: a tree of many
 * members with none need not be parsed again.
 */
export function needsCargo(rust: readonly { readonly build: RustBuild | GoBuild | RustLibraryModel["build"] }[]): boolean {
  return rust.some((m) => m.build.kind !== "go" && (m.build.httpClient || m.build.dependencies.length > 0 || m.build.keptDependencies.some(isDependency)));
}

/** What the scratch workspace never takes from the working tree: cargo's build output, and the lock (copied, cargo writes it). */
const NOT_LINKED = new Set(["target", LOCK, ".git"]);

/**
 * The working tree as cargo will see it once written: `files` (the planned manifests) at their paths, and
 * everything else linked from `sourceDir` (a path dependency outside the planned members, its own manifest).
 */
function overlay(scratch: string, sourceDir: string, files: ReadonlyMap<string, string>): void {
  const onTheWay = new Set<string>();
  for (const file of files.keys()) {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++) onTheWay.add(parts.slice(0, i).join("/"));
  }
  const link = (folder: string) => {
    let entries: string[];
    try {
      entries = fs.readdirSync(path.join(sourceDir, folder));
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = folder === "" ? entry : `${folder}/${entry}`;
      if (files.has(rel) || onTheWay.has(rel) || (folder === "" && NOT_LINKED.has(entry))) continue;
      fs.symlinkSync(path.join(sourceDir, rel), path.join(scratch, rel));
    }
  };
  link("");
  for (const folder of [...onTheWay].sort()) {
    fs.mkdirSync(path.join(scratch, folder), { recursive: true });
    link(folder);
  }
  for (const [file, content] of files) fs.writeFileSync(path.join(scratch, file), content);
}
