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
  | { readonly ok: true; readonly members: readonly Member[]; readonly banned: ReadonlyMap<string, readonly string[]> }
  | { readonly ok: false; readonly error: string };

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
export function readCargoGraph(dir: string): CargoGraph {
  const args = ["metadata", "--format-version", "1", "--locked", ...LINUX_TARGETS.flatMap((t) => ["--filter-platform", t])];
  const cargo = spawnSync("cargo", args, { cwd: dir, encoding: "utf-8", maxBuffer: 256 * 1024 * 1024 });
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
  for (const member of members) {
    // The workspace-wide graph unifies features: it can only say where to look. cargo tree -p resolves the member alone.
    for (const id of bannedIds.filter((b) => reaches(edges, member.id, b))) {
      const p = packages.get(id)!;
      const treeArgs = ["tree", "--locked", "-p", `${member.name}@${packages.get(member.id)!.version}`, "-e", "normal,build",
        ...LINUX_TARGETS.flatMap((t) => ["--target", t]), "-i", `${p.name}@${p.version}`, "--prefix", "depth", "--charset", "ascii"];
      const tree = spawnSync("cargo", treeArgs, { cwd: dir, encoding: "utf-8", maxBuffer: 64 * 1024 * 1024 });
      if (tree.status !== 0) {
        if (/did not match any packages/.test(tree.stderr ?? "")) continue;
        return failure(treeArgs, tree);
      }
      // The rule names one path per member: the first crate found is enough.
      banned.set(member.id, firstChain(tree.stdout, member.name));
      break;
    }
  }
  return { ok: true, members, banned };
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
      for (const member of graph.members) {
        const chain = graph.banned.get(member.id);
        if (!chain) continue;
        const culprit = chain.at(-1)!.split(" ")[0];
        findings.push({
          line: declarationLine(member.manifestText, chain[1].split(" ")[0]),
          message: `${member.name} pulls ${culprit}: ${chain.join(" -> ")}; use the crate's rustls feature ` +
            "(reqwest: the workspace dependency with httpClient: true) or drop the dependency",
          // The finding is about the member, wherever the graph came from.
          file: member.manifest,
        });
      }
      return findings;
    },
  },
];
