import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { diffArrays } from "diff";
import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind, isRefusal, type ContainerMonorepoProps, type GoComponentProps, type RustComponentProps } from "../src";
import { NO_TRACE, type LineExplanation } from "../src/explain/explain";
import { DebianRelease, RuntimeBase, StaticLibc } from "../src";
import { PROJECT } from "../src/explain/trace";
import { prism } from "../.projenrc";
import { UNPINNED, readTree, repoCopy, tmpdir } from "./helpers";
import { readmeBlock, readmeTextBlock } from "./readme-blocks";

/**
 * `npx projen explain`: every line of the traced files (the Dockerfiles and the Kubernetes
 * manifests) of the default tree has an explanation; the options it names change the line, and the
 * options it does not name leave it as it is, checked by synthesizing again with each option changed.
 */

/** The files whose renderers record a trace. */
const TRACED = (file: string) => /(^|\/)Dockerfile$/.test(file) || /^deploy\/.+\.yaml$/.test(file);

function explainAll(project: ContainerMonorepo, files: readonly string[]): Map<string, LineExplanation[]> {
  return new Map(files.map((file) => [file, project._explain(file).lines]));
}

describe("every line of the default tree's Dockerfiles and manifests has an explanation", () => {
  const dir = tmpdir();
  prism(dir).synth();
  const files = (JSON.parse(fs.readFileSync(path.join(dir, ".projen/files.json"), "utf-8")).files as string[]).filter(TRACED);
  const explained = explainAll(prism(dir), files);

  it("covers the 6 Dockerfiles and the 10 manifests and kustomizations", () => {
    expect(files.filter((f) => f.endsWith("Dockerfile"))).toHaveLength(6);
    expect(files.filter((f) => f.startsWith("deploy/"))).toHaveLength(10);
  });

  it.each(files)("%s: every line, written by synthesis, with the options or the rule that made it and its renderer", (file) => {
    const lines = explained.get(file)!;
    expect(lines.map((l) => l.text)).toEqual(fs.readFileSync(path.join(dir, file), "utf-8").split("\n").slice(0, -1));
    for (const l of lines) {
      expect(l.source, `${file}:${l.line}`).toBe("synthesis");
      expect(l.traced, `${file}:${l.line} ${l.text}`).toBe(true);
      expect(l.options.length > 0 || (l.rule ?? "").length > 0, `${file}:${l.line} ${l.text}`).toBe(true);
      expect(l.renderer, `${file}:${l.line} ${l.text}`).toMatch(/^(src\/(k8s|dockerfile)\/[a-z-]+\.ts|projen)$/);
    }
  });

  it("names each option with its value now and whether it is the default", () => {
    const line = (file: string, text: RegExp) => explained.get(file)!.find((l) => text.test(l.text))!;
    expect(line("deploy/base/proxy.yaml", /^\s+cpu: "1"$/).options).toEqual([{ of: "proxy", option: "resources.cpuLimit", value: "1", isDefault: false }]);
    expect(line("deploy/base/proxy.yaml", /^\s+replicas: 2$/).options).toEqual([{ of: "proxy", option: "replicas", value: 2, isDefault: true }]);
    expect(line("proxy/Dockerfile", /^ENTRYPOINT/).options).toEqual([{ of: "proxy", option: "binary", value: "prism-proxy", isDefault: false }]);
    expect(line("deploy/base/proxy.yaml", /^\s+- ALL$/)).toMatchObject({ options: [], rule: "restricted Pod Security Standard: capabilities drop ALL; not configurable" });
    expect(line("deploy/base/proxy.yaml", /^\s+app.kubernetes.io\/version:/).options).toEqual([{ of: PROJECT, option: "version", value: "0.1.0", isDefault: false }]);
  });
});

/** A small tree of every kind of component, with options one test changes at a time. */
type Overrides = { project?: Partial<ContainerMonorepoProps>; api?: RustComponentProps; worker?: RustComponentProps; migrate?: GoComponentProps };

function tree(outdir: string, o: Overrides = {}): ContainerMonorepo {
  const p = new ContainerMonorepo({ name: "shop", outdir, version: "1.0.0", ...UNPINNED, ...o.project });
  new RustComponent(p, "api", { path: "api", binary: "shop-api", ports: [{ name: "grpc", port: 8980 }, { name: "metrics", port: 9090 }], env: { RUST_LOG: "info" }, ...o.api });
  new RustComponent(p, "worker", { linkage: Linkage.STATIC, ports: [{ name: "admin", port: 8080 }, { name: "metrics", port: 9090 }],
    egress: [{ namespace: "kafka", ports: [9092] }], ...o.worker });
  new GoComponent(p, "migrate", { workload: WorkloadKind.JOB, ...o.migrate });
  return p;
}

/**
 * One change per option explain can name: every part of the option changed that synth lets change
 * alone. A port's name and number and protocol change together; the metrics port (which the default
 * probes need) is renamed with the health port, so that change counts as changing both options.
 * Not changed: workload, which turns every object into another kind (the file is compared whole by
 * the drift tests), and staticLibc and runtime, which are only valid with other options changed.
 */
type Change = { readonly props: object; readonly also?: readonly string[] };
/** Changes of one option: a line names it if some change changes the line, and a line that does not name it stays under all. */
const COMPONENT_CHANGES: Record<string, (c: "api" | "worker" | "migrate") => Change | Change[] | undefined> = {
  "replicas": (c) => (c === "migrate" ? undefined : { props: { replicas: 3 } }),
  "ports": (c) => (c === "migrate" ? { props: { ports: [{ name: "admin", port: 8080 }] } } : [
    // New numbers and protocols, the same names.
    { props: { ports: [{ name: c === "api" ? "grpc" : "admin", port: 8981, protocol: "UDP" }, { name: "metrics", port: 9091, protocol: "UDP" }] } },
    // New names too: the metrics port renamed, with the probes' port.
    { props: { ports: [{ name: "rpc", port: 8981, protocol: "UDP" }, { name: "prom", port: 9091, protocol: "UDP" }], health: { port: "prom" } }, also: ["health.port"] },
  ]),
  "env": () => ({ props: { env: { MODE: "debug" } } }),
  "egress": () => ({ props: { egress: [{ cidr: "10.0.0.0/8", ports: [443], protocol: "UDP" }] } }),
  "writablePaths": () => ({ props: { writablePaths: ["/var/cache"] } }),
  "resources.cpuRequest": () => ({ props: { resources: { cpuRequest: "200m" } } }),
  "resources.cpuLimit": () => ({ props: { resources: { cpuLimit: "2" } } }),
  "resources.memoryRequest": () => ({ props: { resources: { memoryRequest: "96Mi" } } }),
  "resources.memoryLimit": () => ({ props: { resources: { memoryLimit: "256Mi" } } }),
  "resources.ephemeralStorageRequest": () => ({ props: { resources: { ephemeralStorageRequest: "200Mi" } } }),
  "resources.ephemeralStorageLimit": () => ({ props: { resources: { ephemeralStorageLimit: "300Mi" } } }),
  "health.livenessPath": (c) => (c === "migrate" ? undefined : { props: { health: { port: "metrics", livenessPath: "/live" } } }),
  "health.readinessPath": (c) => (c === "migrate" ? undefined : { props: { health: { port: "metrics", readinessPath: "/ready" } } }),
  "health.port": (c) => (c === "migrate" ? undefined : { props: { health: { port: c === "api" ? "grpc" : "admin" } } }),
  "staticLibc": (c) => (c === "worker" ? { props: { staticLibc: StaticLibc.MUSL } } : undefined),
  "runtime": (c) => (c === "api" ? undefined : { props: { runtime: RuntimeBase.SCRATCH } }),
  "description": () => ({ props: { description: "Another description" } }),
  "binary": () => ({ props: { binary: "renamed" } }),
  "path": (c) => ({ props: { path: c === "migrate" ? "tools/cmd/migrations" : `services/${c}` } }),
  "linkage": (c) => (c === "api" ? { props: { linkage: Linkage.STATIC } } : c === "worker" ? { props: { linkage: Linkage.GLIBC } } : undefined),
  "timezoneData": () => ({ props: { timezoneData: true } }),
  "ldflags": (c) => (c === "migrate" ? { props: { ldflags: "-X main.mode=prod" } } : undefined),
  "packageName": (c) => (c === "migrate" ? undefined : { props: { packageName: "renamed-package" } }),
  "allowUnauditableBinary": (c) => (c === "migrate" ? undefined : { props: { allowUnauditableBinary: "a test" } }),
};
const PROJECT_CHANGES: Record<string, Partial<ContainerMonorepoProps>> = {
  version: { version: "1.1.0" },
  imageRegistry: { imageRegistry: "registry.example.com/shop" },
  namespace: { namespace: "store" },
  monitoringNamespace: { monitoringNamespace: "observability" },
  imageUser: { imageUser: { uid: 20000, gid: 20000 } },
  rustVersion: { rustVersion: "1.90.0" },
  goVersion: { goVersion: "1.24.0" },
  goModuleDir: { goModuleDir: "go" },
  debian: { debian: DebianRelease.BOOKWORM },
  name: { name: "store" },
};

/** Where a change of `path` or `goModuleDir` moves a component's Dockerfile. */
function movedTo(file: string, o: Overrides): string {
  const folders: Record<string, string> = { api: "api", worker: "containers/worker", migrate: "tools/cmd/migrate" };
  for (const [component, folder] of Object.entries(folders)) {
    const path = (o[component as keyof Overrides] as { path?: string } | undefined)?.path;
    if (path && file.startsWith(`${folder}/`)) return `${path}/${file.slice(folder.length + 1)}`;
  }
  const moduleDir = o.project?.goModuleDir;
  return moduleDir && file.startsWith("tools/") ? `${moduleDir}/${file.slice("tools/".length)}` : file;
}

/** The files of the tree with one option changed; undefined when synth refuses that change. */
function synthesized(o: Overrides): Record<string, string> | undefined {
  const dir = tmpdir("explain-");
  try {
    tree(dir, o).synth();
  } catch (e) {
    if (isRefusal(e)) return undefined;
    throw e;
  }
  const files = readTree(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return files;
}

/** The line numbers (1-based) of `before` that a line-by-line diff shows as removed or changed in `after`. */
function changedLines(before: string | undefined, after: string | undefined): Set<number> {
  const a = (before ?? "").split("\n");
  const changed = new Set<number>();
  if (after === undefined) return new Set(a.map((_, i) => i + 1));
  let line = 0;
  for (const part of diffArrays(a, after.split("\n"))) {
    if (part.added) continue;
    for (let i = 0; i < part.value.length; i++) {
      line++;
      if (part.removed) changed.add(line);
    }
  }
  return changed;
}

describe("what explain names is what changes the line, and only that (every option it names, every line)", () => {
  const dir = tmpdir();
  tree(dir).synth();
  const files = Object.keys(readTree(dir)).filter(TRACED).sort();
  const explained = explainAll(tree(dir), files);
  const original = readTree(dir);
  const key = (ref: { of: string; option: string }) => `${ref.of}:${ref.option}`;

  /**
   * Every change the test knows, for every component and the project, whether explain names the option or not
   * (an option explain never names is changed too: every line must then stay as it was).
   */
  const named = new Map<string, { overrides: Overrides; changed: readonly string[] }>();
  for (const [option, change] of Object.entries(PROJECT_CHANGES)) {
    named.set(`${PROJECT}:${option}#0`, { overrides: { project: change }, changed: [`${PROJECT}:${option}`] });
  }
  for (const c of ["api", "worker", "migrate"] as const) {
    for (const [option, make] of Object.entries(COMPONENT_CHANGES)) {
      [make(c) ?? []].flat().forEach((change, i) => named.set(`${c}:${option}#${i}`,
        { overrides: { [c]: change.props }, changed: [`${c}:${option}`, ...(change.also ?? []).map((o) => `${c}:${o}`)] }));
    }
  }
  /** Named options the test does not change, and why. */
  const UNCHANGED: Readonly<Record<string, string>> = {
    workload: "it turns every object into another kind; the drift tests compare such a file whole",
  };

  it("changes at least 50 options across both formats, both scopes and all three components; every option explain names has a change", () => {
    expect(named.size).toBeGreaterThanOrEqual(50);
    const unchanged = [...explained.values()].flat().flatMap((l) => l.options)
      .filter((ref) => ![...named.keys()].some((k) => k.startsWith(`${key(ref)}#`)) && !UNCHANGED[ref.option]);
    expect([...new Set(unchanged.map(key))]).toEqual([]);
    expect([...named.keys()].some((k) => k.startsWith(`${PROJECT}:`))).toBe(true);
    for (const c of ["api", "worker", "migrate"]) expect([...named.keys()].some((k) => k.startsWith(`${c}:`)), c).toBe(true);
  });

  it("each named option, changed, changes every line that names it; every other line of those files stays as it was", () => {
    const problems: string[] = [];
    let checkedNamed = 0;
    let checkedUnnamed = 0;
    /** Per option: the lines some change of it changed. */
    const changedBy = new Map<string, Set<string>>();
    for (const [variant, { overrides, changed: options }] of named) {
      const option = variant.replace(/#\d+$/, "");
      const after = synthesized(overrides);
      if (!after) {
        problems.push(`changing ${variant} as the test does is refused by synth: change the test's value`);
        continue;
      }
      const seen = changedBy.get(option) ?? new Set<string>();
      changedBy.set(option, seen);
      for (const file of files) {
        // An option that moves the component's folder (path, goModuleDir) moves its Dockerfile: compare it where it went.
        const moved = after[file] ?? after[movedTo(file, overrides)];
        if (moved === undefined) continue;
        const changed = changedLines(original[file], moved);
        for (const l of explained.get(file)!) {
          if (changed.has(l.line)) seen.add(`${file}:${l.line}`);
          const names = l.options.some((ref) => options.includes(key(ref)));
          if (!names) checkedUnnamed++;
          if (!names && changed.has(l.line)) problems.push(`${file}:${l.line} names none of ${options.join(", ")}, but changing them changes "${l.text.trim()}"`);
        }
      }
    }
    for (const file of files) {
      for (const l of explained.get(file)!) {
        for (const ref of l.options) {
          const seen = changedBy.get(key(ref));
          if (!seen) continue;
          checkedNamed++;
          if (!seen.has(`${file}:${l.line}`)) problems.push(`${file}:${l.line} names ${key(ref)}, but no change of it changes "${l.text.trim()}"`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checkedNamed).toBeGreaterThan(100);
    expect(checkedUnnamed).toBeGreaterThan(10000);
  });
});

describe("npx projen explain, as users run it", () => {
  const repo = repoCopy();
  const run = (...args: string[]) => spawnSync("npx", ["projen", "explain", ...args], { cwd: repo, encoding: "utf-8" });

  it("FILE:LINE prints the line, what declares it, its options with their values, and its renderer", () => {
    const lines = fs.readFileSync(path.join(repo, "deploy/base/proxy.yaml"), "utf-8").split("\n");
    const line = lines.findIndex((l) => /^\s+replicas: 2$/.test(l)) + 1;
    const result = run(`deploy/base/proxy.yaml:${line}`);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe([
      `deploy/base/proxy.yaml:${line}  replicas: 2`,
      "  declared by  RustComponent \"proxy\" in .projenrc.ts",
      "  option       proxy.replicas = 2 (the default)",
      "  renderer     src/k8s/render.ts",
      "",
    ].join("\n"));
  });

  it("--json gives the same for tools; FILE alone, every line", () => {
    const result = run("proxy/Dockerfile", "--json");
    expect(result.status, result.stderr).toBe(0);
    const { lines } = JSON.parse(result.stdout);
    expect(lines.map((l: LineExplanation) => l.text)).toEqual(fs.readFileSync(path.join(repo, "proxy/Dockerfile"), "utf-8").split("\n").slice(0, -1));
    expect(lines.find((l: LineExplanation) => l.text.startsWith("USER "))).toMatchObject({ options: [{ of: PROJECT, option: "imageUser", isDefault: true }] });
  });

  it("a hand-edited line is reported as not written by synthesis, with the drift diff", () => {
    const file = path.join(repo, "deploy/base/proxy.yaml");
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, fs.readFileSync(file, "utf-8").replace("replicas: 2", "replicas: 5"));
    const line = fs.readFileSync(file, "utf-8").split("\n").findIndex((l) => /replicas: 5/.test(l)) + 1;
    const result = run(`deploy/base/proxy.yaml:${line}`);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("not written by synthesis: a hand edit");
    expect(result.stdout).toMatch(/^-  replicas: 5\n\+  replicas: 2$/m);
  });

  it("the policy says why a finding's line is there, and drift why each line synthesis writes is what it is", () => {
    const file = path.join(repo, "deploy/base/proxy.yaml");
    fs.chmodSync(file, 0o644);
    const text = fs.readFileSync(file, "utf-8");
    fs.writeFileSync(file, text.replace(/replicas: \d/, "replicas: 2").replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"));
    const policy = spawnSync("npx", ["projen", "policy"], { cwd: repo, encoding: "utf-8" });
    expect(policy.status).toBe(1);
    expect(policy.stdout).toMatch(/^deploy\/base\/proxy\.yaml:\d+ {2}KSV-0014\/\S+ {2}.*readOnlyRootFilesystem is not true.*\n {2}why: a hand edit, not written by synthesis$/m);
    const drift = spawnSync("npx", ["projen", "drift"], { cwd: repo, encoding: "utf-8" });
    expect(drift.status).toBe(1);
    expect(drift.stdout).toMatch(/^ {2}line \d+ as synthesized \(readOnlyRootFilesystem: true\): read-only root filesystem \(trivy KSV-0014\)/m);
  });

  it("the README's examples, run as written, print what the README shows", () => {
    const output = readmeBlock("Ask why a line is there").map((line) => {
      const result = spawnSync("sh", ["-c", line], { cwd: repo, encoding: "utf-8" });
      expect(result.status, `${line}: ${result.stderr}`).toBe(0);
      return result.stdout;
    }).join("").split("\n");
    // Each line the README shows is in the output, in order (the README leaves some lines out).
    let at = 0;
    for (const shown of readmeTextBlock("Ask why a line is there")) {
      const found = output.indexOf(shown, at);
      expect(found, `README shows "${shown}"`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it("refuses a file the project does not generate, projen's own files, and a line the file does not have", () => {
    const readme = run("README.md");
    expect([readme.status, readme.stderr]).toEqual([1, expect.stringMatching(/README\.md is not a file this project generates/)]);
    const projens = run(".gitattributes:1");
    expect([projens.status, projens.stderr]).toEqual([1, expect.stringMatching(/\.gitattributes is written by projen itself, not by a prism-projen renderer/)]);
    const past = run("proxy/Dockerfile:9999");
    expect([past.status, past.stderr]).toEqual([1, expect.stringMatching(/proxy\/Dockerfile has \d+ lines; ask for one from 1 to \d+/)]);
  });

  it("a file whose renderer records no trace yet says so on every line, and guesses nothing", () => {
    const result = run(".github/workflows/images.yml", "--json");
    expect(result.status, result.stderr).toBe(0);
    const { lines } = JSON.parse(result.stdout) as { lines: LineExplanation[] };
    expect(lines.length).toBeGreaterThan(100);
    // Only the marker line (every generated file's first) is known.
    expect(lines[0]).toMatchObject({ traced: true, rule: expect.stringMatching(/^projen's marker/) });
    for (const l of lines.slice(1)) expect([l.traced, l.options, l.rule]).toEqual([false, [], undefined]);
    expect(run(".github/workflows/images.yml:2").stdout).toContain(`no trace     ${NO_TRACE}`);
  });

  it("a generated file missing from the working tree is said to be missing; a path from a subfolder works", () => {
    const copy = repoCopy();
    fs.chmodSync(path.join(copy, "proxy/Dockerfile"), 0o644);
    fs.rmSync(path.join(copy, "proxy/Dockerfile"));
    const missing = spawnSync("npx", ["projen", "explain", "proxy/Dockerfile:1"], { cwd: copy, encoding: "utf-8" });
    expect([missing.status, missing.stdout]).toEqual([0, expect.stringMatching(/^proxy\/Dockerfile is missing from the working tree/)]);
    const sub = spawnSync("npx", ["projen", "explain", "base/proxy.yaml:13"], { cwd: path.join(copy, "deploy"), encoding: "utf-8" });
    expect([sub.status, sub.stdout]).toEqual([0, expect.stringContaining("deploy/base/proxy.yaml:13  replicas: 2")]);
  });

  it("the runner synthesizes the projenrc it is given, with or without --explain", () => {
    const other = spawnSync("node", ["bin/prism-projen-synth.cjs", "other.ts", "--check"], { cwd: repo, encoding: "utf-8" });
    expect([other.status, other.stderr]).toEqual([1, expect.stringMatching(/other\.ts/)]);
  });
});
