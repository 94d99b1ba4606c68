import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CargoProfilePreset,
  ContainerMonorepo,
  DebianRelease,
  GoComponent,
  Linkage,
  ReqwestVersion,
  RuntimeBase,
  RustComponent,
  StaticLibc,
  WorkloadKind,
  isRefusal,
  type ContainerMonorepoProps,
  type GoComponentProps,
  type RustComponentProps,
} from "../src";
import { BASE_IMAGE_LOCK } from "../src/dockerfile/base-image-lock";
import { runPolicy } from "../src/policy/run";
import { snapshot, tmpdir, useDebianCrates, withCargoLock } from "./helpers";

/**
 * The invariant between synth and policy: everything synth accepts passes the policy with zero
 * findings; everything else is refused before anything is written, naming component and field.
 * Checked over generated configurations: both languages, linkages, runtimes, workloads, ports,
 * health, env, resources, reqwest versions and features, paths, image users, versions, base-image
 * locks; about half of them valid. A counterexample fast-check finds (and shrinks) becomes an
 * ordinary test in test/validation.test.ts.
 */

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
/** Mostly a valid value, now and then one the API must refuse: most configurations have at most one mistake. */
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>) => fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: invalid });

const portName = mostly(pick("metrics", "grpc", "http", "admin"), pick("Bad_Name", "a-very-long-port-name"));
const portNumber = mostly(fc.oneof(pick(80, 443, 8080, 8980, 9090), fc.integer({ min: 1, max: 65535 })), pick(22, 0, 70000, 80.5));
/** Who may connect to a port: another component (maybe one that is not there), a namespace, a CIDR block, anywhere. */
const peer = mostly(
  fc.oneof(
    fc.record({ component: pick("api", "worker", "proxy", "cli", "migrate") }),
    fc.record({ namespace: pick("web", "prism", "apps") }),
    fc.record({ cidr: pick("10.0.0.0/8", "192.0.2.0/24", "fd00::/64") }),
    fc.constant({ anywhere: true as const }),
  ),
  pick<any>({ namespace: "web", cidr: "10.0.0.0/8" }, { anywhere: false }, {}),
);
const port = fc.record({ name: portName, port: portNumber, protocol: maybe(pick<"TCP" | "UDP" | "SCTP">("TCP", "UDP", "SCTP")),
  allowFrom: maybe(fc.array(peer, { maxLength: 2 })) }, { requiredKeys: ["name", "port"] });
/** The ports of other components a component connects to; the configuration makes most of them name what is there. */
const connectsTo = fc.array(fc.record({ component: pick("api", "worker", "proxy", "cli", "migrate"), port: pick("metrics", "grpc", "http", "admin") }), { maxLength: 2 });
const ports = fc.oneof(
  fc.record({ name: fc.constant("metrics"), port: fc.constant(9090), allowFrom: maybe(fc.array(peer, { minLength: 1, maxLength: 2 })) }, { requiredKeys: ["name", "port"] }).map((p) => [p]),
  fc.array(port, { maxLength: 3 }),
);
const health = fc.record({
  port: portName,
  livenessPath: maybe(mostly(pick("/healthz", "/live"), pick("no-slash"))),
  readinessPath: maybe(pick("/readyz", "/ready")),
}, { requiredKeys: ["port"] });
const env = fc.dictionary(mostly(pick("RUST_LOG", "MODE", "A_B"), pick("1BAD")), pick("info", "debug", "a value with spaces", "ünïcode"), { maxKeys: 3 });
const resources = fc.record({
  cpuRequest: mostly(pick("100m", "0.5", "1"), pick("lots")),
  memoryRequest: mostly(pick("64Mi", "1Gi"), pick("64MB")),
  cpuLimit: pick("500m", "2"),
  memoryLimit: pick("128Mi", "2Gi"),
  // Too small for two extra writable paths, or not a quantity: both refused.
  ephemeralStorageRequest: mostly(pick("256Mi", "1Gi"), pick("64Mi", "1TB")),
  ephemeralStorageLimit: pick("1Gi", "2Gi"),
}, { requiredKeys: [] });
const egressPorts = mostly(fc.array(pick(9092, 5432, 53), { minLength: 1, maxLength: 2 }), pick([], [0]));
const egress = fc.array(mostly(
  fc.oneof(
    fc.record({ cidr: mostly(pick("10.20.0.0/16", "fd00::/64", "192.0.2.10/32"), pick("10.0.0.0/33", "kafka")), ports: egressPorts }),
    fc.record({ namespace: pick("kafka", "db"), ports: egressPorts, protocol: maybe(pick<"TCP" | "UDP" | "SCTP">("TCP", "UDP")) }, { requiredKeys: ["namespace", "ports"] }),
  ),
  pick<any>({ cidr: "10.0.0.0/8", namespace: "kafka", ports: [9092] }, { ports: [9092] }),
), { maxLength: 2 });
const writablePaths = fc.array(mostly(pick("/var/cache", "/data", "/var-cache"), pick("/var/cache/", "relative")), { maxLength: 2 });
// Enum options are left out (the record omits keys) rather than given undefined: an enum option given
// undefined is what a misspelled member evaluates to, which synth refuses (validation.test.ts).
const workload = (likely: WorkloadKind) => fc.oneof({ weight: 3, arbitrary: fc.constant(likely) }, pick(WorkloadKind.DEPLOYMENT, WorkloadKind.JOB, WorkloadKind.NONE));

const common = {
  description: maybe(pick("A component", "with \"quotes\" and 'apostrophes'")),
  ports: maybe(ports),
  env: maybe(env),
  replicas: maybe(mostly(pick(1, 2, 3), pick(0))),
  resources: maybe(resources),
  health: maybe(health),
  writablePaths: maybe(writablePaths),
  egress: maybe(egress),
  connectsTo: maybe(connectsTo),
  runtime: pick(RuntimeBase.DISTROLESS, RuntimeBase.SCRATCH),
  timezoneData: maybe(fc.boolean()),
  // "deps": a file name the grammar accepts, and a binary name cargo refuses (a folder of its target directory)
  binary: maybe(mostly(pick("svc-bin", "app"), pick("bin/svc", "deps"))),
};

/**
 * Now and then, crates from Debian's packaged registry (the tests' offline crates.io): plain ones, and two that link
 * OpenSSL (native-tls itself, and hyper-tls, which pulls it in), which synth must refuse as the policy does.
 */
const dependencies = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: pick<RustComponentProps["dependencies"]>({ itoa: "1" }, { memchr: "2", serde: { version: "1", features: ["derive"] } }) },
  { weight: 1, arbitrary: pick<RustComponentProps["dependencies"]>({ "native-tls": "0.2" }, { "hyper-tls": "0.5" }) },
);

const rustProps: fc.Arbitrary<RustComponentProps> = fc.record({
  ...common,
  workload: workload(WorkloadKind.DEPLOYMENT),
  path: maybe(mostly(pick("services/a", "services/b", "containers/x"), pick("../outside"))),
  linkage: pick(Linkage.GLIBC, Linkage.STATIC),
  staticLibc: pick(StaticLibc.GLIBC, StaticLibc.MUSL),
  httpClient: maybe(fc.boolean()),
  packageName: maybe(mostly(pick("core", "my-crate"), pick("my crate"))),
  dependencies,
}, { requiredKeys: [] });

const goProps: fc.Arbitrary<GoComponentProps> = fc.record({
  ...common,
  workload: workload(WorkloadKind.JOB),
  path: maybe(mostly(pick("tools/cmd/a", "tools/cmd/b"), pick("cmd/outside"))),
  ldflags: maybe(mostly(pick("-X main.version=1.2.3"), pick("-X 'main.v=1'"))),
}, { requiredKeys: [] });

/**
 * Now and then an option that does not exist or a value of the wrong type, as an untyped
 * `.projenrc.ts` could hold them (the runner does not type-check it).
 */
const untyped = pick<Record<string, unknown>>({ prots: [{ name: "metrics", port: 9090 }] }, { replicas: "2" }, { ports: { name: "metrics", port: 9090 } },
  { httpClient: "yes" }, { env: { RUST_LOG: 1 } }, { linkage: "musl" }, { resources: { cpuLimt: "1" } });

type Component = { lang: "rust"; name: string; props: RustComponentProps } | { lang: "go"; name: string; props: GoComponentProps };

/**
 * Most generated components get their combinations made consistent (health on a declared port,
 * replicas only for a Deployment, ...), so that about half the configurations are valid; the rest
 * keep whatever mistakes the generator made.
 */
function consistent(c: Component): Component {
  const props = { ...c.props } as RustComponentProps & GoComponentProps & { -readonly [K in keyof RustComponentProps]?: RustComponentProps[K] };
  const workload = props.workload ?? (c.lang === "rust" ? WorkloadKind.DEPLOYMENT : WorkloadKind.NONE);
  if (workload !== WorkloadKind.DEPLOYMENT) delete props.replicas;
  // A Deployment has a Service (its metrics port, below): one replica behind it is refused.
  if (props.replicas === 1) props.replicas = 2;
  if (workload === WorkloadKind.NONE) {
    for (const key of ["env", "resources", "health", "writablePaths", "egress", "connectsTo"] as const) delete props[key];
    props.ports = props.ports?.map(({ allowFrom: _, ...p }) => p);
    if (props.ports?.length) props.workload = WorkloadKind.NONE;
  }
  if (props.health && !props.ports?.some((p) => p.name === props.health!.port)) {
    props.health = props.ports?.length ? { ...props.health, port: props.ports[0].name } : undefined;
  }
  if (workload === WorkloadKind.DEPLOYMENT && !props.health && !props.ports?.some((p) => p.name === "metrics")) {
    props.ports = [...(props.ports ?? []).filter((p) => p.port !== 9090), { name: "metrics", port: 9090 }];
  }
  if (c.lang === "rust" && (props.staticLibc || props.runtime === RuntimeBase.SCRATCH)) props.linkage = Linkage.STATIC;
  if (c.lang === "rust" && props.runtime === RuntimeBase.SCRATCH) delete props.timezoneData;
  return { ...c, props } as Component;
}

const component: fc.Arbitrary<Component> = fc.tuple(
  fc.oneof(
    // "9lives": a Kubernetes name, and a package name cargo refuses (a leading digit) unless packageName is set
    fc.record({ lang: fc.constant("rust" as const), name: fc.oneof({ weight: 30, arbitrary: pick("api", "worker", "proxy") },
      { weight: 2, arbitrary: pick("9lives") }, { weight: 1, arbitrary: pick("Bad_Name") }), props: rustProps }),
    fc.record({ lang: fc.constant("go" as const), name: mostly(pick("cli", "migrate", "api"), pick("9tool")), props: goProps }),
  ),
  fc.integer({ min: 0, max: 7 }),
  fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: untyped }),
).map(([c, dice, mistake]) => {
  const chosen = dice === 0 ? c : consistent(c);
  return mistake ? { ...chosen, props: { ...chosen.props, ...mistake } } as Component : chosen;
});

const project = fc.record({
  version: mostly(pick("0.1.0", "1.2.3", "2.0.0-rc.1"), pick("1.0.0-debug", "latest")),
  debian: pick(DebianRelease.BOOKWORM, DebianRelease.TRIXIE),
  cargoProfile: pick(CargoProfilePreset.SPEED, CargoProfilePreset.SIZE),
  reqwest: maybe(fc.record({
    version: pick(ReqwestVersion.V0_11, ReqwestVersion.V0_12, ReqwestVersion.V0_13),
    extraFeatures: maybe(fc.array(mostly(pick("json", "gzip", "cookies"), pick("rustls-tls", "rustls", "native-tls")), { maxLength: 2 })),
  }, { requiredKeys: [] })),
  imageUser: maybe(mostly(fc.record({ uid: pick(65532, 20000), gid: pick(65532, 20000) }), fc.record({ uid: pick(1000, 0), gid: pick(65532, 0) }))),
  namespace: maybe(mostly(pick("prism", "apps"), pick("Prism_NS"))),
  allowUnpinnedBaseImages: pick("no registry is reachable here", undefined),
}, { requiredKeys: ["version", "allowUnpinnedBaseImages"] });

/**
 * Traffic that names what is there, in most configurations: each connection and each component peer kept
 * only when that component runs pods (and has that port); the rest keep what the generator made.
 */
function tidyTraffic(components: Component[]): Component[] {
  const runs = (c: Component) => (c.props.workload ?? (c.lang === "rust" ? WorkloadKind.DEPLOYMENT : WorkloadKind.NONE)) !== WorkloadKind.NONE;
  const running = components.filter(runs);
  const there = (name: string, port?: string) => running.some((c) => c.name === name && (port === undefined || [c.props.ports ?? []].flat().some((p) => p.name === port)));
  return components.map((c) => ({
    ...c,
    props: {
      ...c.props,
      // An untyped mistake (ports as an object, say) stays as it is.
      ...(Array.isArray(c.props.connectsTo) ? { connectsTo: c.props.connectsTo.filter((t) => there(t.component, t.port)) } : {}),
      ...(Array.isArray(c.props.ports) ? { ports: c.props.ports.map((p) => (p.allowFrom ? { ...p, allowFrom: p.allowFrom.filter((f) => f.component === undefined || there(f.component)) } : p)) } : {}),
    },
  }) as Component);
}

const configuration = fc.record({
  project,
  components: fc.uniqueArray(component, { minLength: 1, maxLength: 4, selector: (c) => c.name }),
  tidy: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  // with a lock, even configurations without allowUnpinnedBaseImages are valid: half of them have one
  lock: fc.boolean(),
  previousSynth: fc.boolean(),
}).map(({ tidy, ...config }) => (tidy ? { ...config, components: tidyTraffic(config.components) } : config));

type Configuration = typeof configuration extends fc.Arbitrary<infer T> ? T : never;

/** A base-image lock that pins every image any component of this project can use. */
function lockFor(props: Partial<ContainerMonorepoProps>): string {
  const debian = props.debian ?? DebianRelease.TRIXIE;
  const suite = debian === DebianRelease.BOOKWORM ? "bookworm" : "trixie";
  const images = [
    `docker.io/library/rust:1.95.0-slim-${suite}`,
    `docker.io/library/golang:1.25.4-${suite}`,
    ...["cc", "static"].flatMap((flavour) => ["nonroot", "debug-nonroot"].map((tag) => `gcr.io/distroless/${flavour}-${debian}:${tag}`)),
  ];
  return images.map((image, i) => `FROM ${image}@sha256:${String(i + 1).repeat(64)}\n`).join("");
}

function define(outdir: string, config: Configuration): ContainerMonorepo {
  const p = new ContainerMonorepo({ name: "demo", outdir, ...config.project });
  for (const c of config.components) {
    if (c.lang === "rust") new RustComponent(p, c.name, c.props);
    else new GoComponent(p, c.name, c.props);
  }
  return p;
}

/**
 * Synth, then either the policy finds nothing, or synth refused with named problems and wrote nothing.
 * The Kubernetes rules always read each overlay as kustomize renders it; `withCargo`: the Cargo rules read the
 * graph cargo resolves too (a Cargo.lock made and `cargo metadata` run, two more processes per configuration).
 */
function checkInvariant(config: Configuration, withCargo: boolean): "accepted" | "refused" {
  const dir = tmpdir("property-");
  if (config.lock) {
    fs.mkdirSync(path.join(dir, path.dirname(BASE_IMAGE_LOCK)), { recursive: true });
    fs.writeFileSync(path.join(dir, BASE_IMAGE_LOCK), lockFor(config.project));
  }
  if (config.previousSynth) {
    const p = new ContainerMonorepo({ name: "demo", outdir: dir, allowUnpinnedBaseImages: "earlier tree" });
    new RustComponent(p, "earlier", { ports: [{ name: "metrics", port: 9090 }] });
    p.synth();
  }
  // A configuration with crates: cargo reads them from Debian's registry, in synthesis (its OpenSSL check) as in the policy.
  if (hasCrates(config)) useDebianCrates(dir);
  const before = snapshot(dir);
  try {
    define(dir, config).synth();
  } catch (e) {
    if (!isRefusal(e)) throw e;
    const problems = (e as Error).message.split("\n").slice(1);
    expect((e as Error).message).toMatch(/^prism-projen: nothing was written; fix these in \.projenrc\.ts:$/m);
    for (const problem of problems) {
      expect(problem).toMatch(/^ {2}- \[(project demo|[a-zA-Z0-9_-]+)\] [A-Za-z][\w.[\]"]*: \S.*; \S/);
    }
    expect(snapshot(dir)).toEqual(before);
    fs.rmSync(dir, { recursive: true, force: true });
    return "refused";
  }
  // As `npx projen` leaves it: with Cargo.lock. A member using HTTP needs reqwest's crates, which are not
  // cached here: for such a tree the graph rule (tested on its own with Debian's crates) is left out.
  const offline = withCargo && !config.components.some((c) => c.lang === "rust" && c.props.httpClient === true);
  const findings = runPolicy(offline ? withCargoLock(dir) : dir, { dependencyGraph: offline }).findings;
  expect(findings.map((f) => `${f.file}:${f.line} ${f.ruleIds.join("/")} ${f.message}`)).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
  return "accepted";
}

/** A configuration where some Rust component declares crates: cargo always reads it (synthesis does, before it writes). */
const hasCrates = (config: Configuration) => config.components.some((c) => c.lang === "rust" && c.props.dependencies !== undefined);

/** Every how many configurations the policy also reads the graph cargo resolves. */
const CARGO_EVERY = 4;

/** A configuration with a name cargo is stricter about than Kubernetes (a leading digit, a binary named "deps"): cargo always reads it. */
const namesCargoIsStrictAbout = (config: Configuration) =>
  config.components.some((c) => c.lang === "rust" && (/^[0-9]/.test(c.name) || c.props.binary === "deps"));

/** A configuration where some component connects to another, or some port names who may connect to it. */
const declaresTraffic = (config: Configuration) => config.components.some((c) => (Array.isArray(c.props.connectsTo) && c.props.connectsTo.length > 0) ||
  (Array.isArray(c.props.ports) && c.props.ports.some((p) => (p.allowFrom ?? []).length > 0)));

/**
 * Runs the property, and says how many configurations synth accepted (a property that refuses everything
 * proves nothing), and with how many of them the policy also read the graph cargo resolves.
 */
function run(seed: number, numRuns: number): Record<string, number> {
  const outcomes: Record<string, number> = { accepted: 0, refused: 0, withCargo: 0, strictAccepted: 0, strictRefused: 0, trafficAccepted: 0, cratesAccepted: 0, cratesRefused: 0 };
  let tried = 0;
  fc.assert(fc.property(configuration, (config) => {
    // A shrinking counterexample runs with cargo too, so the failure it reports is the one npx projen policy would see.
    const withCargo = tried++ % CARGO_EVERY === 0 || tried > numRuns || namesCargoIsStrictAbout(config) || hasCrates(config);
    const outcome = checkInvariant(config, withCargo);
    outcomes[outcome]++;
    if (withCargo && outcome === "accepted") outcomes.withCargo++;
    if (declaresTraffic(config) && outcome === "accepted") outcomes.trafficAccepted++;
    if (namesCargoIsStrictAbout(config)) outcomes[outcome === "accepted" ? "strictAccepted" : "strictRefused"]++;
    if (hasCrates(config)) outcomes[outcome === "accepted" ? "cratesAccepted" : "cratesRefused"]++;
  }), { seed, numRuns, endOnFailure: false });
  return outcomes;
}

describe("what synth accepts, the policy passes; what it does not, it refuses before writing", () => {
  it("500 configurations from a fixed seed", () => {
    const outcomes = run(20261130, 500);
    console.log(`synth/policy property, seed 20261130: ${outcomes.accepted} accepted (0 findings each; ${outcomes.withCargo} of them also ` +
      `with the graph cargo resolves), ${outcomes.refused} refused; with a name cargo is strict about: ${outcomes.strictAccepted} accepted, ${outcomes.strictRefused} refused; ` +
      `${outcomes.trafficAccepted} accepted with traffic between components or allowed sources; with crates: ${outcomes.cratesAccepted} accepted, ` +
      `${outcomes.cratesRefused} refused`);
    // Crates synth resolved with cargo and accepted, the policy read the same graph and found nothing (and some were refused)
    expect(outcomes.cratesAccepted).toBeGreaterThanOrEqual(3);
    // cargo, not only synth, has had its say on such names: some were accepted (packageName set) and cargo loaded them
    expect(outcomes.strictAccepted).toBeGreaterThanOrEqual(1);
    // Enough of each kind accepted that the property is not vacuous (about a fifth of the configurations are valid).
    expect(outcomes.accepted).toBeGreaterThanOrEqual(80);
    expect(outcomes.trafficAccepted).toBeGreaterThanOrEqual(10);
    expect(outcomes.refused).toBeGreaterThanOrEqual(100);
    expect(outcomes.withCargo).toBeGreaterThanOrEqual(20);
  });

  it("100 more from a random seed, printed so a failure can be replayed", () => {
    const seed = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`synth/policy property, random seed ${seed} (replay: PROPERTY_SEED=${seed} npx vitest run test/synth-policy.property.test.ts)`);
    const outcomes = run(seed, 100);
    expect(outcomes.accepted + outcomes.refused).toBe(100);
  });
});
