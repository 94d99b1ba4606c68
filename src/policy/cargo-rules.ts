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

/** The resolved graph: normal and build dependencies only (dev-dependencies are not linked into a binary). */
export type CargoGraph =
  | { readonly ok: true; readonly members: readonly Member[]; readonly packages: ReadonlyMap<string, Package>; readonly edges: ReadonlyMap<string, readonly string[]> }
  | { readonly ok: false; readonly error: string };

interface Metadata {
  packages: { id: string; name: string; version: string; manifest_path: string }[];
  workspace_members: string[];
  resolve: { nodes: { id: string; deps: { pkg: string; dep_kinds: { kind: string | null }[] }[] }[] } | null;
}

/** Runs `cargo metadata` in the workspace root `dir` and reads the graph. */
export function readCargoGraph(dir: string): CargoGraph {
  const args = ["metadata", "--format-version", "1", "--locked", ...LINUX_TARGETS.flatMap((t) => ["--filter-platform", t])];
  const cargo = spawnSync("cargo", args, { cwd: dir, encoding: "utf-8", maxBuffer: 256 * 1024 * 1024 });
  if (cargo.status !== 0) {
    const why = (cargo.error?.message ?? cargo.stderr ?? "").trim().split("\n").filter((l) => l.trim() !== "").slice(-2).join(" ");
    return { ok: false, error: `\`cargo ${args.join(" ")}\` failed: ${why}` };
  }
  const metadata = JSON.parse(cargo.stdout) as Metadata;
  const root = fs.realpathSync(dir);
  const packages = new Map(metadata.packages.map((p) => [p.id, { name: p.name, version: p.version }]));
  const members = metadata.workspace_members.map((id) => {
    const pkg = metadata.packages.find((p) => p.id === id)!;
    const manifest = path.relative(root, pkg.manifest_path).split(path.sep).join("/");
    return { id, name: pkg.name, manifest, manifestText: fs.readFileSync(pkg.manifest_path, "utf-8") };
  });
  const edges = new Map((metadata.resolve?.nodes ?? []).map((n) => [
    n.id,
    n.deps.filter((d) => d.dep_kinds.some((k) => k.kind !== "dev")).map((d) => d.pkg),
  ]));
  return { ok: true, members, packages, edges };
}

/** The shortest path from `from` to a package named in `banned`, as package ids; undefined when there is none. */
function pathTo(graph: Extract<CargoGraph, { ok: true }>, from: string, banned: ReadonlySet<string>): string[] | undefined {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id !== from && banned.has(graph.packages.get(id)!.name)) {
      const chain = [id];
      for (let at = previous.get(id); at !== undefined; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of graph.edges.get(id) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, id);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** The 1-based line of the member manifest that declares the dependency `name`, or 1. */
function declarationLine(manifestText: string, name: string): number {
  const lines = manifestText.split("\n");
  const index = lines.findIndex((l) => new RegExp(`^\\s*(${name}\\s*=|\\[(dependencies|build-dependencies)\\.${name}\\])`).test(l));
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
      const banned = new Set<string>(OPENSSL_CRATES);
      const findings: (Omit<Finding, "ruleIds" | "file"> & { file: string })[] = [];
      for (const member of graph.members) {
        const chain = pathTo(graph, member.id, banned);
        if (!chain) continue;
        const named = chain.map((id) => { const p = graph.packages.get(id)!; return `${p.name} ${p.version}`; });
        const culprit = graph.packages.get(chain.at(-1)!)!.name;
        findings.push({
          line: declarationLine(member.manifestText, graph.packages.get(chain[1])!.name),
          message: `${member.name} pulls ${culprit}: ${named.join(" -> ")}; use the crate's rustls feature ` +
            "(reqwest: the workspace dependency with httpClient: true) or drop the dependency",
          // The finding is about the member, wherever the graph came from.
          file: member.manifest,
        });
      }
      return findings;
    },
  },
];
