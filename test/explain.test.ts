import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { diffArrays } from "diff";
import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind, isRefusal, type ContainerMonorepoProps, type GoComponentProps, type RustComponentProps } from "../src";
import { NO_TRACE, explainLines, formatExplanation, type LineExplanation } from "../src/explain/explain";
import { CargoProfilePreset, DebianRelease, ReqwestVersion, RuntimeBase, StaticLibc } from "../src";
import { PROJECT, TracedText, withTracing } from "../src/explain/trace";
import { prism } from "../.projenrc";
import { UNPINNED, readTree, repoCopy, tmpdir, useDebianCrates } from "./helpers";
import { BASE_IMAGE_LOCK } from "../src/dockerfile/base-image-lock";
import { readmeBlock, readmeTextBlock } from "./readme-blocks";

/**
 * `npx projen explain`: every line of every file prism-projen's renderers write (Dockerfiles, Cargo
 * manifests and deny.toml, the workflow and Dependabot's configuration, the Kubernetes manifests, the
 * policy exceptions and the generated-files record) has an explanation; the options it names change
 * the line, and the options it does not name leave it as it is, checked by synthesizing again with
 * each option changed.
 */

/** projen's own files, which its classes write: explain reads their lines from what the project asked projen for. */
const PROJENS_OWN = [".dockerignore", ".gitattributes", ".gitignore", ".projen/files.json", ".projen/tasks.json"];
/** Every file a synthesized tree holds of those projen lists as generated (deps.json is listed, but not written without dependencies). */
const tracedFiles = (dir: string): string[] =>
  (JSON.parse(fs.readFileSync(path.join(dir, ".projen/files.json"), "utf-8")).files as string[]).filter((file) => fs.existsSync(path.join(dir, file)));
/**
 * The generated-files record holds each file's digest: its lines change with the files they describe,
 * which explain says, rather than with an option; the change test leaves it out.
 */
const DIGESTS = ".projen/generated.json";

function explainAll(project: ContainerMonorepo, files: readonly string[]): Map<string, LineExplanation[]> {
  return new Map(files.map((file) => [file, project._explain(file).lines]));
}

describe("every line of every file the default tree's renderers write has an explanation", () => {
  const dir = tmpdir();
  prism(dir).synth();
  const files = tracedFiles(dir);
  const explained = explainAll(prism(dir), files);

  it("covers every generated file: the 6 Dockerfiles, 6 Cargo manifests (the shared crate's too), deny.toml, the workflow, Dependabot, 10 Kubernetes files, the policy exceptions, the record and projen's own 5", () => {
    expect(files.filter((f) => f.endsWith("Dockerfile"))).toHaveLength(6);
    expect(files.filter((f) => f.endsWith("Cargo.toml"))).toHaveLength(6);
    expect(files.filter((f) => f.startsWith("deploy/"))).toHaveLength(10);
    expect(files).toEqual(expect.arrayContaining(["deny.toml", ".github/workflows/images.yml", ".github/dependabot.yml", "policy-exceptions.json", DIGESTS, ...PROJENS_OWN]));
    expect(files).toHaveLength(32);
  });

  it.each(files)("%s: every line, written by synthesis, with the options or the rule that made it and its renderer", (file) => {
    const lines = explained.get(file)!;
    // Every line of the file (.gitattributes has no newline after its last).
    expect(lines.map((l) => l.text)).toEqual(fs.readFileSync(path.join(dir, file), "utf-8").replace(/\n$/, "").split("\n"));
    for (const l of lines) {
      expect(l.source, `${file}:${l.line}`).toBe("synthesis");
      expect(l.traced, `${file}:${l.line} ${l.text}`).toBe(true);
      expect(l.options.length > 0 || (l.rule ?? "").length > 0, `${file}:${l.line} ${l.text}`).toBe(true);
      expect(l.renderer, `${file}:${l.line} ${l.text}`).toMatch(/^(src\/(k8s|dockerfile|cargo|github|policy|files)\/[a-z-]+\.ts|src\/monorepo\/(ignore-files|tasks)\.ts|projen|smol-toml)$/);
    }
  });

  it("names each option with its value now and whether it is the default", () => {
    const line = (file: string, text: RegExp) => explained.get(file)!.find((l) => text.test(l.text))!;
    expect(line("deploy/base/proxy.yaml", /^\s+cpu: "1"$/).options).toEqual([{ of: "proxy", option: "resources.cpuLimit", value: "1", isDefault: false }]);
    expect(line("deploy/base/proxy.yaml", /^\s+replicas: 2$/).options).toEqual([{ of: "proxy", option: "replicas", value: 2, isDefault: true }]);
    expect(line("proxy/Dockerfile", /^ENTRYPOINT/).options).toEqual([{ of: "proxy", option: "binary", value: "prism-proxy", isDefault: false }]);
    expect(line("deploy/base/proxy.yaml", /^\s+- ALL$/)).toMatchObject({ options: [], rule: "restricted Pod Security Standard: capabilities drop ALL; not configurable" });
    expect(line("deploy/base/proxy.yaml", /^\s+app.kubernetes.io\/version:/).options).toEqual([{ of: PROJECT, option: "version", value: "0.1.0", isDefault: false }]);
    expect(line("proxy/Cargo.toml", /^name = "prism-proxy"$/).options).toEqual([{ of: "proxy", option: "binary", value: "prism-proxy", isDefault: false }]);
    expect(line("Cargo.toml", /^opt-level = 3$/).options).toEqual([{ of: PROJECT, option: "cargoProfile", value: "speed", isDefault: true }]);
    expect(line(".github/workflows/images.yml", /^\s+node-version: "20"$/).options).toEqual([{ of: PROJECT, option: "nodeVersion", value: "20", isDefault: true }]);
    expect(line(".github/workflows/images.yml", /^\s+"proxy\/"\*\) return 0 ;;$/).options).toEqual([{ of: "proxy", option: "path", value: "proxy", isDefault: false }]);
    expect(line("deny.toml", /^crate = "openssl"$/)).toMatchObject({ options: [], rule: expect.stringMatching(/OpenSSL are banned/) });
    expect(line(".gitattributes", /^\/tools\/cmd\/prism-cli\/Dockerfile linguist-generated$/).options.map((o) => `${o.of}:${o.option}`))
      .toEqual(["prism-cli:path", `${PROJECT}:goModuleDir`]);
    expect(line(".gitignore", /^\/target\/$/)).toMatchObject({ options: [], rule: "Cargo's build output is not committed", renderer: "src/monorepo/ignore-files.ts" });
    expect(line(".projen/tasks.json", /"tsx src\/policy\/cli.ts"/).options).toEqual([{ of: PROJECT, option: "policyCommand", value: "tsx src/policy/cli.ts", isDefault: false }]);
  });
});

describe("a script built line by line", () => {
  it("computes no reason without tracing (a synthesis pays for none), and each line's with it", () => {
    const never = () => {
      throw new Error("a reason was computed without tracing");
    };
    const plain = new TracedText().add(never, "a", "b");
    expect([plain.text, plain.reasons]).toEqual(["a\nb", []]);
    const traced = withTracing(() => new TracedText().add(() => ({ rule: "x" }), "a").add(() => ({ rule: "y" }), "b", "c"));
    expect(traced.reasons.map((r) => r.rule)).toEqual(["x", "y", "y"]);
  });
});

describe("a line its renderer gave no reason", () => {
  it("is said to have no trace, with nothing guessed", () => {
    const { lines } = explainLines({
      file: "f.yaml", rendered: "a: 1\nb: 2\n", working: undefined, reasons: [{ rule: "a rule", renderer: "r.ts" }], construct: "X",
      valueOf: () => ({ value: undefined, isDefault: true }),
    });
    expect(lines.map((l) => [l.traced, l.options, l.rule])).toEqual([[true, [], "a rule"], [false, [], undefined]]);
    expect(formatExplanation(lines[1])).toBe(`f.yaml:2  b: 2\n  declared by  X in .projenrc.ts\n  no trace     ${NO_TRACE}`);
  });
});

/** A small tree of every kind of component (two Go commands, so each excludes the other's folder), with options one test changes at a time. */
type Overrides = { project?: Partial<ContainerMonorepoProps>; api?: RustComponentProps; worker?: RustComponentProps; migrate?: GoComponentProps; seed?: GoComponentProps };
type Name = "api" | "worker" | "migrate" | "seed";
const NAMES: readonly Name[] = ["api", "worker", "migrate", "seed"];
const isGo = (c: Name) => c === "migrate" || c === "seed";

/**
 * The base-image lock the tree is synthesized with: it pins every image the default versions use, so
 * the tree is valid without allowUnpinnedBaseImages too (and Dependabot gets its docker entry).
 */
function writeLock(outdir: string): void {
  const images = ["docker.io/library/rust:1.95.0-slim-trixie", "docker.io/library/golang:1.25.4-trixie",
    ...["cc", "static"].flatMap((flavour) => ["nonroot", "debug-nonroot"].map((tag) => `gcr.io/distroless/${flavour}-debian13:${tag}`))];
  fs.mkdirSync(path.join(outdir, path.dirname(BASE_IMAGE_LOCK)), { recursive: true });
  fs.writeFileSync(path.join(outdir, BASE_IMAGE_LOCK), images.map((image, i) => `FROM ${image}@sha256:${String(i + 1).repeat(64)}\n`).join(""));
}

function tree(outdir: string, o: Overrides = {}): ContainerMonorepo {
  const p = new ContainerMonorepo({ name: "shop", outdir, version: "1.0.0", ...UNPINNED, ...o.project });
  // The seed Job reaches the api's gRPC port, declared by the api: the seed's egress follows the api's ports.
  new RustComponent(p, "api", { path: "api", binary: "shop-api", ports: [{ name: "grpc", port: 8980, allowFrom: [{ component: "seed" }, { namespace: "web" }] }, { name: "metrics", port: 9090 }],
    env: { RUST_LOG: "info" }, ...o.api });
  new RustComponent(p, "worker", { linkage: Linkage.STATIC, ports: [{ name: "admin", port: 8080 }, { name: "metrics", port: 9090 }],
    egress: [{ namespace: "kafka", ports: [9092] }], ...o.worker });
  // The migrate Job reaches the api's gRPC port too, declared by the Job: the api's ingress follows its connectsTo.
  new GoComponent(p, "migrate", { workload: WorkloadKind.JOB, connectsTo: [{ component: "api", port: "grpc" }], ...o.migrate });
  new GoComponent(p, "seed", { workload: WorkloadKind.JOB, ...o.seed });
  return p;
}

/**
 * One change per option explain can name: every part of the option changed that synth lets change
 * alone. A port's name and number and protocol change together; the metrics port (which the default
 * probes need) is renamed with the health port, so that change counts as changing both options.
 * Not changed: workload, which turns every object into another kind (the file is compared whole by
 * the drift tests), and staticLibc and runtime, which are only valid with other options changed.
 */
type Change = {
  readonly props: object;
  readonly also?: readonly string[];
  /** Another component changed with it (a client of a renamed port), and that option of it, named as `component:option`. */
  readonly with?: { readonly component: Name; readonly props: object; readonly option: string };
};
/** Changes of one option: a line names it if some change changes the line, and a line that does not name it stays under all. */
const COMPONENT_CHANGES: Record<string, (c: Name) => Change | Change[] | undefined> = {
  "replicas": (c) => (isGo(c) ? undefined : { props: { replicas: 3 } }),
  // A Job with a port; with a port named metrics, which gives it probes.
  "ports": (c) => (isGo(c) ? [{ props: { ports: [{ name: "admin", port: 8080 }] } }, { props: { ports: [{ name: "metrics", port: 9090 }] } }] : [
    // New numbers and protocols, the same names.
    { props: { ports: [{ name: c === "api" ? "grpc" : "admin", port: 8981, protocol: "UDP" }, { name: "metrics", port: 9091, protocol: "UDP" }] } },
    // New names too: the metrics port renamed, with the probes' port.
    { props: { ports: [{ name: "rpc", port: 8981, protocol: "UDP" }, { name: "prom", port: 9091, protocol: "UDP" }], health: { port: "prom" } }, also: ["health.port"],
      // The migrate Job connects to the api's gRPC port by name: it follows the rename.
      ...(c === "api" ? { with: { component: "migrate" as const, props: { connectsTo: [{ component: "api", port: "rpc" }] }, option: "connectsTo" } } : {}) },
    // The metrics port alone: no other port to open to the namespace.
    { props: { ports: [{ name: "metrics", port: 9090 }] }, ...(c === "api" ? { with: { component: "migrate" as const, props: { connectsTo: [] }, option: "connectsTo" } } : {}) },
    // One port, probed, that no one is declared to reach: no ingress rule at all.
    { props: { ports: [{ name: c === "api" ? "grpc" : "admin", port: 8980 }], health: { port: c === "api" ? "grpc" : "admin" } }, also: ["health.port"],
      ...(c === "api" ? { with: { component: "migrate" as const, props: { connectsTo: [] }, option: "connectsTo" } } : {}) },
    // Open to every source, and to a CIDR block.
    { props: { ports: [{ name: c === "api" ? "grpc" : "admin", port: 8980, allowFrom: [{ anywhere: true }] }, { name: "metrics", port: 9090, allowFrom: [{ cidr: "10.1.0.0/16" }] }] } },
  ]),
  // The other end's ingress and this one's egress come and go together.
  "connectsTo": (c) => (c === "worker" ? { props: { connectsTo: [{ component: "api", port: "grpc" }, { component: "api", port: "metrics" }] } }
    : c === "migrate" ? [{ props: { connectsTo: [{ component: "worker", port: "admin" }] } }, { props: { connectsTo: [] } }]
    : c === "seed" ? { props: { connectsTo: [{ component: "api", port: "grpc" }] } } : undefined),
  // Another value, and none (a key that is there only while the option is set goes with it).
  "env": () => [{ props: { env: { MODE: "debug" } } }, { props: { env: {} } }],
  "egress": () => [{ props: { egress: [{ cidr: "10.0.0.0/8", ports: [443], protocol: "UDP" }] } }, { props: { egress: [] } }],
  "writablePaths": () => ({ props: { writablePaths: ["/var/cache"] } }),
  "resources.cpuRequest": () => ({ props: { resources: { cpuRequest: "200m" } } }),
  "resources.cpuLimit": () => ({ props: { resources: { cpuLimit: "2" } } }),
  "resources.memoryRequest": () => ({ props: { resources: { memoryRequest: "96Mi" } } }),
  "resources.memoryLimit": () => ({ props: { resources: { memoryLimit: "256Mi" } } }),
  "resources.ephemeralStorageRequest": () => ({ props: { resources: { ephemeralStorageRequest: "200Mi" } } }),
  "resources.ephemeralStorageLimit": () => ({ props: { resources: { ephemeralStorageLimit: "300Mi" } } }),
  "health.livenessPath": (c) => (isGo(c) ? undefined : { props: { health: { port: "metrics", livenessPath: "/live" } } }),
  "health.readinessPath": (c) => (isGo(c) ? undefined : { props: { health: { port: "metrics", readinessPath: "/ready" } } }),
  "health.port": (c) => (isGo(c) ? undefined : { props: { health: { port: c === "api" ? "grpc" : "admin" } } }),
  "staticLibc": (c) => (c === "worker" ? { props: { staticLibc: StaticLibc.MUSL } } : undefined),
  "runtime": (c) => (c === "api" ? undefined : { props: { runtime: RuntimeBase.SCRATCH } }),
  "description": () => ({ props: { description: "Another description" } }),
  "binary": () => ({ props: { binary: "renamed" } }),
  "path": (c) => ({ props: { path: isGo(c) ? `tools/cmd/${c}-renamed` : `services/${c}` } }),
  "linkage": (c) => (c === "api" ? { props: { linkage: Linkage.STATIC } } : c === "worker" ? { props: { linkage: Linkage.GLIBC } } : undefined),
  "timezoneData": () => ({ props: { timezoneData: true } }),
  "ldflags": (c) => (isGo(c) ? { props: { ldflags: "-X main.mode=prod" } } : undefined),
  "packageName": (c) => (isGo(c) ? undefined : { props: { packageName: "renamed-package" } }),
  "allowUnauditableBinary": (c) => (isGo(c) ? undefined : { props: { allowUnauditableBinary: "a test" } }),
  "httpClient": (c) => (isGo(c) ? undefined : { props: { httpClient: true } }),
  // cargo resolves them offline (Debian's packaged crates): each table comes and goes with its option.
  "dependencies": (c) => (isGo(c) ? undefined : { props: { dependencies: { itoa: "1", serde: { version: "1", defaultFeatures: false, features: ["std"] } } } }),
  "devDependencies": (c) => (isGo(c) ? undefined : { props: { devDependencies: { itoa: "1" } } }),
  "buildDependencies": (c) => (isGo(c) ? undefined : { props: { buildDependencies: { itoa: "1" } } }),
};
/** Changes of one project option (several when one value cannot change every line the option makes). */
const PROJECT_CHANGES: Record<string, Partial<ContainerMonorepoProps> | Partial<ContainerMonorepoProps>[]> = {
  version: { version: "1.1.0" },
  imageRegistry: { imageRegistry: "registry.example.com/shop" },
  // Another namespace; and the one the worker's egress names, which then reads as this namespace.
  namespace: [{ namespace: "store" }, { namespace: "kafka" }],
  monitoringNamespace: { monitoringNamespace: "observability" },
  imageUser: { imageUser: { uid: 20000, gid: 20000 } },
  rustVersion: { rustVersion: "1.90.0" },
  goVersion: { goVersion: "1.24.0" },
  goModuleDir: { goModuleDir: "go" },
  debian: { debian: DebianRelease.BOOKWORM },
  name: [{ name: "store" }, { name: "kafka" }],
  defaultBranch: { defaultBranch: "trunk" },
  nodeVersion: { nodeVersion: "22" },
  // Each platform's build and scan steps go when that platform does.
  platforms: [{ platforms: ["linux/amd64"] }, { platforms: ["linux/arm64"] }],
  cargoProfile: { cargoProfile: CargoProfilePreset.SIZE },
  "reqwest.version": { reqwest: { version: ReqwestVersion.V0_11 } },
  "reqwest.extraFeatures": { reqwest: { extraFeatures: ["json"] } },
  rustEdition: { rustEdition: "2021" },
  workspaceDependencies: { workspaceDependencies: { itoa: "1" } },
  allowedLicenses: { allowedLicenses: ["MIT", "Apache-2.0"] },
  // Another reason; and none (the lock pins every default image): the exception goes.
  allowUnpinnedBaseImages: [{ allowUnpinnedBaseImages: "another reason" }, { allowUnpinnedBaseImages: undefined }],
  synthCommand: { synthCommand: ["other-runner", "projenrc.other.ts"] },
  policyCommand: { policyCommand: "other-policy" },
  newComponentCommand: { newComponentCommand: "other-new-component" },
};

/** Where a change of `path` or `goModuleDir` moves a component's Dockerfile. */
function movedTo(file: string, o: Overrides): string {
  const folders: Record<string, string> = { api: "api", worker: "containers/worker", migrate: "tools/cmd/migrate", seed: "tools/cmd/seed" };
  for (const [component, folder] of Object.entries(folders)) {
    const path = (o[component as keyof Overrides] as { path?: string } | undefined)?.path;
    if (path && file.startsWith(`${folder}/`)) return `${path}/${file.slice(folder.length + 1)}`;
  }
  const moduleDir = o.project?.goModuleDir;
  return moduleDir && file.startsWith("tools/") ? `${moduleDir}/${file.slice("tools/".length)}` : file;
}

/**
 * The files of the tree with one option changed, and explain on that tree (for the lines the change
 * adds); undefined when synth refuses that change. `done` removes the folder.
 */
function synthesized(o: Overrides): { files: Record<string, string>; explain: (file: string) => LineExplanation[]; done: () => void } | undefined {
  const dir = useDebianCrates(tmpdir("explain-"));
  writeLock(dir);
  try {
    tree(dir, o).synth();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    if (isRefusal(e)) return undefined;
    throw e;
  }
  const again = tree(dir, o);
  return { files: readTree(dir), explain: (file) => again._explain(file).lines, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The line numbers (1-based) of `before` that a line-by-line diff shows as removed or changed in `after`.
 * In JSON, a line's trailing comma says whether an item follows it, not what the item is: `json` compares
 * lines without it (a path sorted last in files.json loses its comma when another path moves before it).
 */
function changedLines(before: string | undefined, after: string | undefined, json = false): Set<number> {
  const lines = (text: string) => text.split("\n").map((l) => (json ? l.replace(/,$/, "") : l));
  const a = lines(before ?? "");
  const changed = new Set<number>();
  if (after === undefined) return new Set(a.map((_, i) => i + 1));
  let line = 0;
  for (const part of diffArrays(a, lines(after))) {
    if (part.added) continue;
    for (let i = 0; i < part.value.length; i++) {
      line++;
      if (part.removed) changed.add(line);
    }
  }
  return changed;
}

/**
 * Lines a diff cannot place: where a file holds the same line twice and one of them goes, the diff may
 * name either (two NetworkPolicy rules each open with "- from:" or "- to:"; JSON entries each open with "{"; TOML tables
 * each follow a blank line).
 */
const AMBIGUOUS = new Set(["- from:", "- to:", "{", "}", ""]);

/**
 * Checks the lines a diff shows changed against the lines that name the change: returns the changed
 * lines that name none of it, and calls `changedNamed` for each naming line that changed. For the
 * AMBIGUOUS lines the diff cannot place, the lines of one text are counted instead: no more of them may
 * change than name the change, and when some changed, each that names it counts as changed (any of them
 * may be the one that went). Every other line is held to what the diff shows.
 */
function matchChanges(
  lines: readonly LineExplanation[],
  changed: ReadonlySet<number>,
  names: (l: LineExplanation) => boolean,
  json: boolean,
  changedNamed: (l: LineExplanation) => void,
): LineExplanation[] {
  const text = (l: LineExplanation) => (json ? l.text.replace(/,$/, "") : l.text).trim();
  const problems: LineExplanation[] = [];
  const ambiguous = new Map<string, LineExplanation[]>();
  for (const l of lines) {
    if (AMBIGUOUS.has(text(l)) && lines.filter((o) => text(o) === text(l)).length > 1) {
      ambiguous.set(text(l), [...(ambiguous.get(text(l)) ?? []), l]);
    } else if (changed.has(l.line)) {
      (names(l) ? changedNamed(l) : problems.push(l));
    }
  }
  for (const same of ambiguous.values()) {
    const went = same.filter((l) => changed.has(l.line)).length;
    const naming = same.filter(names);
    if (went > naming.length) problems.push(...same.filter((l) => changed.has(l.line) && !names(l)));
    else if (went > 0) naming.forEach(changedNamed);
  }
  return problems.sort((a, b) => a.line - b.line);
}

describe("what explain names is what changes the line, and only that (every option it names, every line)", () => {
  const dir = tmpdir();
  writeLock(dir);
  tree(dir).synth();
  const files = tracedFiles(dir).filter((f) => f !== DIGESTS).sort();
  const explained = explainAll(tree(dir), files);
  const original = readTree(dir);
  const key = (ref: { of: string; option: string }) => `${ref.of}:${ref.option}`;

  /**
   * Every change the test knows, for every component and the project, whether explain names the option or not
   * (an option explain never names is changed too: every line must then stay as it was).
   */
  const named = new Map<string, { overrides: Overrides; changed: readonly string[] }>();
  for (const [option, changes] of Object.entries(PROJECT_CHANGES)) {
    [changes].flat().forEach((change, i) => named.set(`${PROJECT}:${option}#${i}`, { overrides: { project: change }, changed: [`${PROJECT}:${option}`] }));
  }
  for (const c of NAMES) {
    for (const [option, make] of Object.entries(COMPONENT_CHANGES)) {
      [make(c) ?? []].flat().forEach((change, i) => named.set(`${c}:${option}#${i}`,
        { overrides: { [c]: change.props, ...(change.with ? { [change.with.component]: change.with.props } : {}) },
          changed: [`${c}:${option}`, ...(change.also ?? []).map((o) => `${c}:${o}`), ...(change.with ? [`${change.with.component}:${change.with.option}`] : [])] }));
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
    for (const c of NAMES) expect([...named.keys()].some((k) => k.startsWith(`${c}:`)), c).toBe(true);
  });

  it("each named option, changed, changes every line that names it; every other line of those files stays as it was", () => {
    const problems: string[] = [];
    let checkedNamed = 0;
    let checkedUnnamed = 0;
    let checkedAdded = 0;
    /** Per option: the lines some change of it changed. */
    const changedBy = new Map<string, Set<string>>();
    for (const [variant, { overrides, changed: options }] of named) {
      const option = variant.replace(/#\d+$/, "");
      const synth = synthesized(overrides);
      if (!synth) {
        problems.push(`changing ${variant} as the test does is refused by synth: change the test's value`);
        continue;
      }
      const after = synth.files;
      const seen = changedBy.get(option) ?? new Set<string>();
      changedBy.set(option, seen);
      for (const file of files) {
        // An option that moves the component's folder (path, goModuleDir) moves its Dockerfile: compare it where it went.
        const where = after[file] !== undefined ? file : movedTo(file, overrides);
        const moved = after[where];
        if (moved === undefined) continue;
        const json = file.endsWith(".json");
        const changed = changedLines(original[file], moved, json);
        const lines = explained.get(file)!;
        for (const problem of matchChanges(lines, changed, (l) => l.options.some((ref) => options.includes(key(ref))), json, (l) => seen.add(`${file}:${l.line}`))) {
          problems.push(`${file}:${problem.line} names none of ${options.join(", ")}, but changing them changes "${problem.text.trim()}"`);
        }
        checkedUnnamed += lines.filter((l) => !l.options.some((ref) => options.includes(key(ref)))).length;
        // The other way round: each line the change writes anew, as explain reads the changed tree, names what changed.
        const added = changedLines(moved, original[file], json);
        if (added.size === 0) continue;
        const variantLines = synth.explain(where);
        checkedAdded += added.size;
        for (const problem of matchChanges(variantLines, added, (l) => l.options.some((ref) => options.includes(key(ref))), json, () => undefined)) {
          problems.push(`${where}:${problem.line} is written when ${options.join(", ")} change, but names none of them: "${problem.text.trim()}"`);
        }
      }
      synth.done();
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
    expect(checkedAdded).toBeGreaterThan(100);
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

  it("refuses a file the project does not generate, one it leaves out for want of content, and a line the file does not have", () => {
    const readme = run("README.md");
    expect([readme.status, readme.stderr]).toEqual([1, expect.stringMatching(/README\.md is not a file this project generates/)]);
    const empty = run(".projen/deps.json");
    expect([empty.status, empty.stderr]).toEqual([1, expect.stringMatching(/this synthesis writes no \.projen\/deps\.json: it would be empty/)]);
    const past = run("proxy/Dockerfile:9999");
    expect([past.status, past.stderr]).toEqual([1, expect.stringMatching(/proxy\/Dockerfile has \d+ lines; ask for one from 1 to \d+/)]);
  });

  it("explains a workflow line, a Cargo line and a JSON line the same way", () => {
    const lineOf = (file: string, text: RegExp) => fs.readFileSync(path.join(repo, file), "utf-8").split("\n").findIndex((l) => text.test(l)) + 1;
    const node = lineOf(".github/workflows/images.yml", /^\s+node-version: "20"$/);
    expect(run(`.github/workflows/images.yml:${node}`).stdout).toBe([
      `.github/workflows/images.yml:${node}  node-version: "20"`,
      "  declared by  ContainerMonorepo \"prism\" in .projenrc.ts",
      "  option       nodeVersion = \"20\" (the default)",
      "  renderer     src/github/render.ts",
      "",
    ].join("\n"));
    const edition = lineOf("proxy/Cargo.toml", /^edition = /);
    expect(run(`proxy/Cargo.toml:${edition}`).stdout).toContain("  option       rustEdition = \"2024\" (the default)\n  renderer     src/cargo/render.ts");
    const unpinned = lineOf("policy-exceptions.json", /"reason": "no container registry/);
    expect(run(`policy-exceptions.json:${unpinned}`).stdout).toMatch(/^ {2}option {7}allowUnpinnedBaseImages = "no container registry/m);
  });

  it("the generated-files record is explained as synthesis would write it: another file's hand edit is not one of its lines", () => {
    const copy = repoCopy();
    fs.chmodSync(path.join(copy, ".gitattributes"), 0o644);
    fs.appendFileSync(path.join(copy, ".gitattributes"), "\n*.x binary\n");
    const result = spawnSync("npx", ["projen", "explain", ".projen/generated.json", "--json"], { cwd: copy, encoding: "utf-8" });
    expect(result.status, result.stderr).toBe(0);
    const { lines, diff } = JSON.parse(result.stdout) as { lines: LineExplanation[]; diff?: string };
    expect([lines.filter((l) => l.source !== "synthesis"), diff]).toEqual([[], undefined]);
    const own = spawnSync("npx", ["projen", "explain", ".gitattributes", "--json"], { cwd: copy, encoding: "utf-8" });
    expect((JSON.parse(own.stdout) as { lines: LineExplanation[] }).lines.filter((l) => l.source === "hand edit").map((l) => l.text)).toEqual(["*.x binary"]);
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
