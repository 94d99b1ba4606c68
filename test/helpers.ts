import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { prism } from "../.projenrc";
import type { ContainerMonorepo } from "../src";

/**
 * A fresh folder under this run's temp folder (removed when the run ends; see global-setup.ts):
 * tests never synthesize into the repository.
 */
export function tmpdir(prefix = "prism-projen-"): string {
  return fs.mkdtempSync(path.join(process.env.PRISM_TEST_TMP ?? os.tmpdir(), prefix));
}

/** Every file below `dir` as `relative path -> content`, `.git` excluded. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === ".git" || entry.name === "node_modules" || entry.name === "target") continue;
      if (entry.isDirectory()) walk(child);
      else files[child] = fs.readFileSync(path.join(dir, child), "utf-8");
    }
  };
  walk("");
  return files;
}

/**
 * Content and mode of every file below `dir`, every folder (empty ones too) and every symlink's
 * target (`.git`, `node_modules` and `target` excluded), so "unchanged" means byte-for-byte,
 * permission-for-permission, with no folder added or removed.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      const absolute = path.join(dir, child);
      if (e.name === ".git" || e.name === "node_modules" || e.name === "target") continue;
      if (e.isSymbolicLink()) out[child] = `link ${fs.readlinkSync(absolute)}`;
      else if (e.isDirectory()) {
        out[`${child}/`] = `dir ${(fs.statSync(absolute).mode & 0o777).toString(8)}`;
        walk(child);
      } else out[child] = `${(fs.statSync(absolute).mode & 0o777).toString(8)} ${fs.readFileSync(absolute, "base64")}`;
    }
  };
  walk("");
  return out;
}

/** Synthesizes a project built by `define` into a new temp folder; returns the folder and its files. */
export function synth(define: (outdir: string) => ContainerMonorepo): { outdir: string; files: Record<string, string> } {
  const outdir = tmpdir();
  define(outdir).synth();
  return { outdir, files: readTree(outdir) };
}

/**
 * What `npx projen` adds after a synthesis: a Cargo.lock made by cargo, offline, when the workspace has
 * none (the policy reads the dependency graph through it). Returns `dir`.
 */
export function withCargoLock(dir: string): string {
  if (fs.existsSync(path.join(dir, "Cargo.toml")) && !fs.existsSync(path.join(dir, "Cargo.lock"))) {
    execFileSync("cargo", ["generate-lockfile", "--offline", "--quiet"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  }
  return dir;
}

/** Debian's packaged crates (librust-*-dev), which the tests use offline in place of crates.io. */
export const DEBIAN_REGISTRY = "/usr/share/cargo/registry";

/** A cargo configuration that reads crates.io from Debian's packaged crates. */
export const DEBIAN_CRATES_CONFIG = `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${DEBIAN_REGISTRY}"\n`;

/** Makes cargo read crates.io from Debian's packaged crates in `workspace` (its .cargo/config.toml). Returns `workspace`. */
export function useDebianCrates(workspace: string): string {
  fs.mkdirSync(path.join(workspace, ".cargo"), { recursive: true });
  fs.writeFileSync(path.join(workspace, ".cargo/config.toml"), DEBIAN_CRATES_CONFIG);
  return workspace;
}

let cached: { outdir: string; files: Record<string, string> } | undefined;

/**
 * The repository's own `.projenrc.ts` (the six Prism components and their shared crate), synthesized once per test
 * file, where cargo reads Debian's packaged crates (its dependencies resolve, and synthesis writes their Cargo.lock).
 */
export function synthPrism(): { outdir: string; files: Record<string, string> } {
  cached ??= synth((outdir) => prism(useDebianCrates(outdir)));
  return cached;
}

/**
 * Project props every test tree needs: no registry is reachable from the tests, so no base image
 * can be pinned by digest, and synth refuses unpinned ones unless the project records why.
 */
export const UNPINNED = { allowUnpinnedBaseImages: "test tree: no registry is reachable to resolve digests" } as const;

/** A metrics port: a Deployment's probes default to it (a Deployment without probes is refused). */
export const METRICS = [{ name: "metrics", port: 9090 }];

/** The six components of the default tree, with the facts the tests check. */
export const PRISM_COMPONENTS = [
  { name: "proxy", path: "proxy", binary: "prism-proxy", language: "rust", base: "cc", ports: [8980, 9090], workload: "Deployment" },
  { name: "kafka-publisher", path: "containers/kafka-publisher", binary: "kafka-publisher", language: "rust", base: "static", ports: [9090], workload: "Deployment" },
  { name: "kafka-consumer", path: "containers/kafka-consumer", binary: "kafka-consumer", language: "rust", base: "static", ports: [9090], workload: "Deployment" },
  { name: "mailbox-listener", path: "containers/mailbox-listener", binary: "mailbox-listener", language: "rust", base: "static", ports: [9090], workload: "Deployment" },
  { name: "prism-cli", path: "tools/cmd/prism-cli", binary: "prism-cli", language: "go", base: "static", ports: [], workload: undefined },
  { name: "prism-migrate", path: "tools/cmd/prism-migrate", binary: "prism-migrate", language: "go", base: "static", ports: [], workload: "Job" },
] as const;

const SKIP = new Set([".git", "node_modules", "target", "lib", "coverage"]);

/**
 * A copy of this repository in a temp folder (no .git: the commands must not
 * need it), with node_modules linked, for end-to-end runs of the commands. Its cargo reads
 * Debian's packaged crates, as the repository's own .cargo/config.toml says.
 * `ownCache`: node_modules is a folder of links to this repository's packages with
 * its own `.cache`, so the runner's record of the last synth is not shared with
 * the copies that other test files synthesize in parallel.
 */
export function repoCopy(options: { ownCache?: boolean } = {}): string {
  const repo = path.resolve(__dirname, "..");
  const dir = tmpdir("prism-repo-");
  fs.cpSync(repo, dir, {
    recursive: true,
    filter: (src) => !SKIP.has(path.basename(src)) || path.dirname(src) !== repo,
  });
  const modules = path.join(repo, "node_modules");
  if (options.ownCache) {
    fs.mkdirSync(path.join(dir, "node_modules"));
    for (const entry of fs.readdirSync(modules).filter((e) => e !== ".cache")) {
      fs.symlinkSync(path.join(modules, entry), path.join(dir, "node_modules", entry));
    }
  } else {
    fs.symlinkSync(modules, path.join(dir, "node_modules"));
  }
  return dir;
}

/** kubernetes-models classes of the kinds prism-projen writes, by kind: `new KUBERNETES_MODELS[kind](obj).validate()`. */
export const KUBERNETES_MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Deployment: require("kubernetes-models/apps/v1").Deployment,
  Job: require("kubernetes-models/batch/v1").Job,
  Service: require("kubernetes-models/v1").Service,
  Namespace: require("kubernetes-models/v1").Namespace,
  PodDisruptionBudget: require("kubernetes-models/policy/v1").PodDisruptionBudget,
  NetworkPolicy: require("kubernetes-models/networking.k8s.io/v1").NetworkPolicy,
};
