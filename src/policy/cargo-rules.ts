import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LINUX_TARGETS, OPENSSL_CRATES } from "../cargo/deny";
import type { Finding, Rule } from "./finding";

/**
 * Rules over the Rust dependency graph of the synthesized workspace, as cargo resolves it
 * (`cargo metadata`, with Cargo.lock as it is and for the Linux targets the images are built for):
 * what the binaries link, not what the manifests hope for.
 */

interface Package {
  readonly name: string;
  readonly version: string;
}

/** A workspace member: its package id, name, and manifest (relative path and text, to point at a line). */
interface Member {
  readonly id: string;
  readonly name: string;
  readonly manifest: string;
  readonly manifestText: string;
}

/**
 * For each workspace member that links a banned crate, the path to the first one (`name version`, member
 * first), as cargo resolves that member on its own (`cargo build --package` does: features are not unified
 * across the workspace, so a crate another member enables is not this member's). Normal and build dependencies only.
 */
export type CargoGraph =
  | {
    readonly ok: true;
    readonly members: readonly Member[];
    readonly banned: ReadonlyMap<string, readonly string[]>;
    /**
     * For a member that links no banned crate on its own but does in the workspace's one graph (features unified
     * across members, as `cargo build --workspace` or `cargo test --workspace` resolve them), the path there.
     */
    readonly bannedTogether: ReadonlyMap<string, readonly string[]>;
  }
  | { readonly ok: false; readonly error: string };

/** Where cargo runs: the workspace's folder by default; another folder (whose cargo configuration applies), offline. */
export interface CargoGraphOptions {
  readonly cwd?: string;
  readonly offline?: boolean;
}

/** Why a cargo command failed: its last lines, on one line. */
function failure(args: readonly string[], run: ReturnType<typeof spawnSync>): { ok: false; error: string } {
  const why = String(run.error?.message ?? run.stderr ?? "").trim().split("\n").filter((l) => l.trim() !== "").slice(-2).join(" ");
  return { ok: false, error: `\`cargo ${args.join(" ")}\` failed: ${why}` };
}

interface Metadata {
  packages: { id: string; name: string; version: string; manifest_path: string }[];
  workspace_members: string[];
  resolve: { nodes: { id: string; deps: { pkg: string; dep_kinds: { kind: string | null }[] }[] }[] } | null;
}

/** Runs `cargo metadata` in the workspace root `dir` and reads the graph. */
export function readCargoGraph(dir: string, options: CargoGraphOptions = {}): CargoGraph {
  const where = [...(options.cwd ? ["--manifest-path", path.join(dir, "Cargo.toml")] : []), ...(options.offline ? ["--offline"] : [])];
  const cwd = options.cwd ?? dir;
  const args = ["metadata", "--format-version", "1", "--locked", ...where, ...LINUX_TARGETS.flatMap((t) => ["--filter-platform", t])];
  const cargo = spawnSync("cargo", args, { cwd, encoding: "utf-8", maxBuffer: 256 * 1024 * 1024 });
  if (cargo.status !== 0) return failure(args, cargo);
  const metadata = JSON.parse(cargo.stdout) as Metadata;
  const root = fs.realpathSync(dir);
  const packages = new Map<string, Package>(metadata.packages.map((p) => [p.id, { name: p.name, version: p.version }]));
  const members = metadata.workspace_members.map((id) => {
    const pkg = metadata.packages.find((p) => p.id === id)!;
    const manifest = path.relative(root, pkg.manifest_path).split(path.sep).join("/");
    return { id, name: pkg.name, manifest, manifestText: fs.readFileSync(pkg.manifest_path, "utf-8") };
  });
  const edges = new Map((metadata.resolve?.nodes ?? []).map((n) => [
    n.id,
    n.deps.filter((d) => d.dep_kinds.some((k) => k.kind !== "dev")).map((d) => d.pkg),
  ]));
  const bannedIds = [...packages].filter(([, p]) => (OPENSSL_CRATES as readonly string[]).includes(p.name)).map(([id]) => id);
  const banned = new Map<string, string[]>();
  const bannedTogether = new Map<string, string[]>();
  const tree = (scope: string[], crate: Package) => {
    const treeArgs = ["tree", "--locked", ...where, ...scope, "-e", "normal,build", ...LINUX_TARGETS.flatMap((t) => ["--target", t]),
      "-i", `${crate.name}@${crate.version}`, "--prefix", "depth", "--charset", "ascii"];
    const run = spawnSync("cargo", treeArgs, { cwd, encoding: "utf-8", maxBuffer: 64 * 1024 * 1024 });
    // Not in that graph at all: cargo says no package matched; or it matched, and nothing of that graph needs it.
    if (run.status !== 0 && /did not match any packages/.test(run.stderr ?? "")) return { ok: true as const, text: "" };
    return run.status === 0 ? { ok: true as const, text: run.stdout } : { ok: false as const, failure: failure(treeArgs, run) };
  };
  for (const member of members) {
    // The workspace-wide graph unifies features (dev-dependencies' too): it can only say where to look.
    // cargo tree -p resolves the member alone, as its image's build (cargo build --package) does.
    for (const id of bannedIds.filter((b) => reaches(edges, member.id, b))) {
      const alone = tree(["-p", `${member.name}@${packages.get(member.id)!.version}`], packages.get(id)!);
      if (!alone.ok) return alone.failure;
      const chain = firstChain(alone.text, member.name);
      // The rule names one path per member: the first crate found is enough.
      if (chain.length > 1 && chain[0].split(" ")[0] === member.name) {
        banned.set(member.id, chain);
        break;
      }
    }
  }
  // Built together (cargo build --workspace: features unified across members, dev-dependencies' not), a member may
  // link what it does not alone: the members on the paths to each banned crate that are not named already.
  for (const id of bannedIds) {
    const together = tree(["--workspace"], packages.get(id)!);
    if (!together.ok) return together.failure;
    for (const member of members.filter((m) => !banned.has(m.id) && !bannedTogether.has(m.id))) {
      const chain = firstChain(together.text, member.name);
      if (chain.length > 1 && chain[0].split(" ")[0] === member.name) bannedTogether.set(member.id, chain);
    }
  }
  return { ok: true, members, banned, bannedTogether };
}

/** A member that links a banned crate: the path there (`name version`, member first), and whether only with the workspace's features unified. */
export interface OpensslLink {
  readonly member: Member;
  readonly chain: readonly string[];
  readonly together: boolean;
}

/**
 * The version of what the rule checks in a resolved graph (the banned crates, how a member reaches them): bumped
 * whenever that changes, so a verdict a synthesis recorded under an older rule is checked again.
 */
export const CARGO_RULES_VERSION = 1;

/** Each member that links a banned crate, alone or with the workspace's features unified: the path, and how. */
export function opensslLinks(graph: Extract<CargoGraph, { ok: true }>): OpensslLink[] {
  return graph.members.flatMap((member): OpensslLink[] => {
    const alone = graph.banned.get(member.id);
    const together = graph.bannedTogether.get(member.id);
    return alone ? [{ member, chain: alone, together: false }] : together ? [{ member, chain: together, together: true }] : [];
  });
}

/** What the rule says of one link, and the fix (the policy and synthesis say the same). */
export function opensslMessage(link: { member: { name: string }; chain: readonly string[]; together: boolean }): string {
  const culprit = link.chain.at(-1)!.split(" ")[0];
  return `${link.member.name} pulls ${culprit}${link.together ? " when the workspace is built together (cargo build --workspace unifies features across members)" : ""}: ` +
    `${link.chain.join(" -> ")}; use the crate's rustls feature (reqwest: the workspace dependency with httpClient: true) or drop the dependency`;
}

function reaches(edges: ReadonlyMap<string, readonly string[]>, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === to) return true;
    for (const next of edges.get(id) ?? []) if (!seen.has(next)) { seen.add(next); queue.push(next); }
  }
  return false;
}

/**
 * The first path of an inverted `cargo tree --prefix depth` (the banned crate at depth 0, each next line
 * one level up) that ends at the member, as `name version`, member first.
 */
function firstChain(tree: string, member: string): string[] {
  const chain: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^(\d+)(\S+) v(\S+)/.exec(line);
    if (!m) continue;
    const depth = Number(m[1]);
    chain.length = depth;
    chain.push(`${m[2]} ${m[3]}`);
    if (m[2] === member && depth > 0) return chain.reverse();
  }
  return chain.reverse();
}

/** The 1-based line of the member manifest that declares the dependency `name`, or 1. */
function declarationLine(manifestText: string, name: string): number {
  const lines = manifestText.split("\n");
  const index = lines.findIndex((l) => new RegExp(`^\\s*(${name}(\\.[\\w-]+)*\\s*=|\\[(dependencies|build-dependencies)\\.${name}\\])`).test(l));
  return index + 1 || 1;
}

export const CARGO_RULES: readonly Rule<CargoGraph>[] = [
  {
    ids: ["PRISM-C001"],
    summary: `No Rust component depends on OpenSSL (${OPENSSL_CRATES.join(", ")}), directly or through any dependency`,
    source: "prism-projen (the seed: rustls everywhere; static and scratch images cannot link OpenSSL); deny.toml bans the same crates in CI",
    check: (graph) => {
      if (!graph.ok) {
        return [{ line: 1, message: `the dependency graph could not be read, so the OpenSSL ban is not checked: ${graph.error}` }];
      }
      const findings: (Omit<Finding, "ruleIds" | "file"> & { file: string })[] = [];
      for (const link of opensslLinks(graph)) {
        findings.push({
          line: declarationLine(link.member.manifestText, link.chain[1].split(" ")[0]),
          message: opensslMessage(link),
          // The finding is about the member, wherever the graph came from.
          file: link.member.manifest,
        });
      }
      return findings;
    },
  },
];
