import { describe, expect, it, vi } from "vitest";
import * as fs from "node:fs";
import {
  CargoProfilePreset,
  ContainerMonorepo,
  GoComponent,
  Linkage,
  ReqwestVersion,
  RuntimeBase,
  RustComponent,
  StaticLibc,
  WorkloadKind,
  isRefusal,
  type ContainerMonorepoProps,
  type RustComponentProps,
} from "../src";
import * as imagePlan from "../src/dockerfile/image-plan";
import { validateRendered } from "../src/component/validation";
import { UNPINNED, snapshot, synth, tmpdir } from "./helpers";

type Case = [label: string, declare: (p: ContainerMonorepo) => void, message: RegExp, props?: Partial<ContainerMonorepoProps>];

const METRICS = [{ name: "metrics", port: 9090 }];
/** A Rust component that is valid unless `props` break it: a Deployment with a probed metrics port. */
const rust = (p: ContainerMonorepo, name: string, props: RustComponentProps = {}) => new RustComponent(p, name, { ports: METRICS, ...props });
/** Options as `.projenrc.ts` may hold them when it is not type-checked (the runner only bundles it). */
const untyped = <T>(value: unknown): T => value as T;

const CASES: Case[] = [
  // names: the construct id becomes Kubernetes names
  ["empty name", (p) => rust(p, ""), /\[<unnamed>\] name: a component needs a non-empty name/],
  ["upper-case name", (p) => rust(p, "Proxy"), /\[Proxy\] name: "Proxy" is not a valid Kubernetes name \(RFC 1123 label/],
  ["underscore in name", (p) => rust(p, "kafka_pub"), /\[kafka_pub\] name: .* rename the component/],
  ["name longer than 63", (p) => rust(p, "a".repeat(64)), /\[a{64}\] name: .*at most 63/],
  ["duplicate name", (p) => { rust(p, "svc"); rust(p, "svc", { path: "other" }); }, /\[svc\] name: a component named "svc" is declared more than once/],
  ["invalid project name", () => undefined, /\[project Demo\] name: "Demo" is not a valid Kubernetes name/, { name: "Demo" }],
  // paths
  ["duplicate path", (p) => { rust(p, "a", { path: "x" }); rust(p, "b", { path: "x" }); }, /\[project demo\] path: "x" is declared more than once; each component needs its own folder/],
  ["nested paths", (p) => { rust(p, "a", { path: "x" }); rust(p, "b", { path: "x/y" }); }, /path: "x\/y" \(b\) is inside "x" \(a\); component folders must not nest/],
  ["path outside the repo", (p) => rust(p, "svc", { path: "../elsewhere" }), /\[svc\] path: "\.\.\/elsewhere" must be a relative folder inside the repository/],
  ["'..' inside a path", (p) => rust(p, "svc", { path: "containers/../../x" }), /\[svc\] path: .*without '\.', '\.\.'/],
  ["absolute path", (p) => rust(p, "svc", { path: "/etc/svc" }), /\[svc\] path: "\/etc\/svc" must be a relative folder/],
  ["path with a space", (p) => rust(p, "svc", { path: "my svc" }), /\[svc\] path: "my svc" must be a relative folder/],
  ["a component folder on a generated file", (p) => { rust(p, "proxy"); rust(p, "other", { path: "deploy/base/proxy.yaml" }); },
    /\[other\] path: deploy\/base\/proxy\.yaml is a file synthesis writes \(RustComponent "proxy"\), and also the folder it would write deploy\/base\/proxy\.yaml\/Dockerfile into/],
  ["a component folder on the workspace manifest", (p) => rust(p, "svc", { path: "Cargo.toml" }),
    /\[svc\] path: Cargo\.toml is a file synthesis writes \(ContainerMonorepo\), and also the folder it would write Cargo\.toml\/Cargo\.toml into/],
  ["Go command outside the Go module", (p) => new GoComponent(p, "tool", { path: "cmd/tool" }), /\[tool\] path: "cmd\/tool" is outside the Go module "tools"/],
  // ports
  ["port 0", (p) => rust(p, "svc", { ports: [{ name: "web", port: 0 }] }), /\[svc\] ports\[0\]\.port: 0 is not a whole number from 1 to 65535/],
  ["port 70000", (p) => rust(p, "svc", { ports: [{ name: "web", port: 70000 }] }), /\[svc\] ports\[0\]\.port: 70000 is not a whole number from 1 to 65535/],
  ["fractional port", (p) => rust(p, "svc", { ports: [{ name: "web", port: 80.5 }] }), /\[svc\] ports\[0\]\.port: 80\.5 is not a whole number/],
  ["port 22 (SSH)", (p) => rust(p, "svc", { ports: [...METRICS, { name: "ssh", port: 22 }] }), /\[svc\] ports\[1\]\.port: 22 is the SSH port, which images do not expose \(policy DS-0004\)/],
  ["duplicate port number", (p) => rust(p, "svc", { ports: [{ name: "metrics", port: 80 }, { name: "b", port: 80 }] }), /\[svc\] ports: "80\/TCP" is declared more than once/],
  ["duplicate port name", (p) => rust(p, "svc", { ports: [{ name: "metrics", port: 80 }, { name: "metrics", port: 81 }] }), /\[svc\] ports: "metrics" is declared more than once; port names must be unique/],
  ["port name not an IANA service name", (p) => rust(p, "svc", { ports: [{ name: "Web_Port", port: 80 }] }), /\[svc\] ports\[0\]\.name: "Web_Port" is not a valid IANA service name/],
  ["port name longer than 15", (p) => rust(p, "svc", { ports: [{ name: "a-very-long-port-name", port: 80 }] }), /\[svc\] ports\[0\]\.name: "a-very-long-port-name" is not a valid IANA service name \(at most 15/],
  ["unknown protocol", (p) => rust(p, "svc", { ports: [{ name: "metrics", port: 80, protocol: untyped("HTTP") }] }), /\[svc\] ports\[0\]\.protocol: "HTTP" is not a protocol Kubernetes knows; use "TCP", "UDP" or "SCTP"/],
  // the image user, above 10000 and never root
  ["UID 0", () => undefined, /\[project demo\] imageUser\.uid: 0 is not a whole number from 10001 to 2147483647; .*never root/, { imageUser: { uid: 0, gid: 65532 } }],
  ["GID 0", () => undefined, /\[project demo\] imageUser\.gid: 0 is not a whole number from 10001/, { imageUser: { uid: 65532, gid: 0 } }],
  ["UID 1000 (a user of the node)", () => undefined, /\[project demo\] imageUser\.uid: 1000 .*KSV-0020/, { imageUser: { uid: 1000, gid: 65532 } }],
  // linkage and runtime
  ["glibc-linked on scratch", (p) => rust(p, "svc", { runtime: RuntimeBase.SCRATCH }), /\[svc\] runtime: a glibc-linked binary cannot run on scratch .*set linkage: Linkage\.STATIC/],
  ["musl without static linkage", (p) => rust(p, "svc", { staticLibc: StaticLibc.MUSL }), /\[svc\] staticLibc: only a static build chooses its C library; set linkage: Linkage\.STATIC/],
  ["timezone data on scratch (Rust)", (p) => rust(p, "svc", { linkage: Linkage.STATIC, runtime: RuntimeBase.SCRATCH, timezoneData: true }), /\[svc\] timezoneData: scratch has no \/usr\/share\/zoneinfo/],
  ["a value outside an enum", (p) => rust(p, "svc", { linkage: untyped("musl") }), /\[svc\] linkage: "musl" is not a Linkage; use Linkage\.GLIBC or Linkage\.STATIC/],
  // reqwest
  ["native-tls with a static build", (p) => rust(p, "svc", { linkage: Linkage.STATIC, httpClient: true }), /\[project demo\] reqwest: reqwest feature "native-tls" pulls in native-tls\/OpenSSL/, { reqwest: { extraFeatures: ["native-tls"] } }],
  ["unknown reqwest feature", (p) => rust(p, "svc", { httpClient: true }), /\[project demo\] reqwest: reqwest 0\.13 has no feature "rustls-tls" \(the rustls feature of this release is "rustls"\)/, { reqwest: { version: ReqwestVersion.V0_13, extraFeatures: ["rustls-tls"] } }],
  ["a native-tls feature while no component uses reqwest yet", (p) => rust(p, "svc"), /\[project demo\] reqwest: reqwest feature "native-tls" pulls in native-tls\/OpenSSL/, { reqwest: { extraFeatures: ["native-tls"] } }],
  ["no component at all", () => undefined, /\[project demo\] components: none is declared, and the images workflow would have an empty build matrix/],
  ["unknown reqwest version", () => undefined, /\[project demo\] reqwest\.version: "0\.10" is not a ReqwestVersion; use ReqwestVersion\.V0_11, ReqwestVersion\.V0_12 or ReqwestVersion\.V0_13/, { reqwest: { version: untyped("0.10") } }],
  // the workload and what only a workload takes
  ["health on an undeclared port", (p) => rust(p, "svc", { ports: [{ name: "grpc", port: 8980 }], health: { port: "metrics" } }), /\[svc\] health\.port: "metrics" is not a declared port \(declared: grpc\)/],
  ["a Deployment without probes", (p) => new RustComponent(p, "svc", { ports: [{ name: "grpc", port: 8980 }] }), /\[svc\] health: a Deployment needs liveness and readiness probes \(policy PRISM-K001\)/],
  ["a Deployment without ports", (p) => new RustComponent(p, "svc"), /\[svc\] health: a Deployment needs liveness and readiness probes \(policy PRISM-K001\) and this one has none \(and no ports\)/],
  ["zero replicas", (p) => rust(p, "svc", { replicas: 0 }), /\[svc\] replicas: 0 is not a whole number from 1 to 2147483647; use WorkloadKind\.JOB/],
  ["replicas on a Job", (p) => rust(p, "svc", { workload: WorkloadKind.JOB, replicas: 3 }), /\[svc\] replicas: only a Deployment has replicas, and this component has workload: WorkloadKind\.JOB/],
  ["a Go command given ports and replicas, no workload", (p) => new GoComponent(p, "api", { ports: METRICS, replicas: 3 }), /\[api\] replicas: only a Deployment has replicas, and this component has workload NONE \(the default\)/],
  ["a Go command given ports, no workload", (p) => new GoComponent(p, "api", { ports: METRICS }), /\[api\] ports: given, but this component has workload NONE \(the default\)/],
  ["env on an image-only component", (p) => new GoComponent(p, "api", { env: { A: "1" } }), /\[api\] env: only a Kubernetes workload uses it/],
  // what the cluster would refuse, or run badly
  ["one replica behind a Service", (p) => rust(p, "svc", { replicas: 1 }), /\[svc\] replicas: 1 replica behind the component's Service makes every restart, rollout and node drain an outage \(policy deployment-replicas\); use replicas: 2 or more/],
  ["a request above its limit", (p) => rust(p, "svc", { resources: { cpuRequest: "2", cpuLimit: "500m" } }), /\[svc\] resources\.cpuRequest: 2 is above resources\.cpuLimit 500m, which the API server refuses; raise cpuLimit or lower cpuRequest/],
  ["ephemeral storage that cannot hold the writable volumes", (p) => rust(p, "svc", { writablePaths: ["/var/cache"], resources: { ephemeralStorageRequest: "100Mi" } }),
    /\[svc\] resources\.ephemeralStorageRequest: 100Mi does not hold the 2 writable volumes \(64Mi each: \/tmp, \/var\/cache\); set it to at least 128Mi/],
  ["a Job name too long with its version", (p) => new GoComponent(p, "migrate-" + "x".repeat(48), { workload: WorkloadKind.JOB }),
    /\[migrate-x+\] name: the Job is named "migrate-x+-v1-2-3-rc-1-[0-9a-f]{8}" \(the component name, the release version 1\.2\.3-rc\.1 and a digest of its pod template\), longer than the 63 characters Kubernetes allows; shorten the component name/, { version: "1.2.3-rc.1" }],
  ["egress with two destinations", (p) => rust(p, "svc", { egress: [untyped({ cidr: "10.0.0.0/8", namespace: "kafka", ports: [9092] })] }), /\[svc\] egress\[0\]: needs exactly one destination; give either cidr/],
  ["egress with no destination", (p) => rust(p, "svc", { egress: [untyped({ ports: [9092] })] }), /\[svc\] egress\[0\]: needs exactly one destination/],
  ["egress to no port", (p) => rust(p, "svc", { egress: [{ namespace: "kafka", ports: [] }] }), /\[svc\] egress\[0\]\.ports: is empty; list the destination ports/],
  ["egress to a bad CIDR", (p) => rust(p, "svc", { egress: [{ cidr: "10.0.0.0/33", ports: [9092] }] }), /\[svc\] egress\[0\]\.cidr: "10\.0\.0\.0\/33" is not a CIDR block/],
  ["egress to an address without a prefix", (p) => rust(p, "svc", { egress: [{ cidr: "10.0.0.1", ports: [9092] }] }), /\[svc\] egress\[0\]\.cidr: "10\.0\.0\.1" is not a CIDR block/],
  ["egress on an image-only component", (p) => new GoComponent(p, "api", { egress: [{ namespace: "kafka", ports: [9092] }] }), /\[api\] egress: only a Kubernetes workload uses it/],
  // traffic between components: both ends must exist and run pods
  ["connectsTo a component that is not there", (p) => rust(p, "svc", { connectsTo: [{ component: "prxy", port: "grpc" }] }),
    /\[svc\] connectsTo\[0\]\.component: "prxy" is not a component of this project \(its components: svc\); name one of them/],
  ["connectsTo a port the other component does not declare", (p) => { rust(p, "proxy"); rust(p, "svc", { connectsTo: [{ component: "proxy", port: "grpc" }] }); },
    /\[svc\] connectsTo\[0\]\.port: proxy has no port named "grpc" \(its ports: metrics\); name one of them, or declare it in proxy's ports/],
  ["connectsTo an image-only component", (p) => { new GoComponent(p, "cli", { ports: METRICS, workload: WorkloadKind.NONE }); rust(p, "svc", { connectsTo: [{ component: "cli", port: "metrics" }] }); },
    /\[svc\] connectsTo\[0\]\.component: "cli" runs no pods \(workload NONE: image only\)/],
  ["connectsTo from an image-only component", (p) => { rust(p, "proxy"); new GoComponent(p, "cli", { connectsTo: [{ component: "proxy", port: "metrics" }] }); },
    /\[cli\] connectsTo: only a Kubernetes workload uses it/],
  ["allowFrom a component that is not there", (p) => rust(p, "svc", { ports: [{ name: "grpc", port: 8980, allowFrom: [{ component: "web" }] }, ...METRICS] }),
    /\[svc\] ports: "grpc" allowFrom\[0\]\.component: "web" is not a component of this project/],
  ["allowFrom on an image-only component's port", (p) => new GoComponent(p, "cli", { ports: [{ name: "http", port: 8080, allowFrom: [{ namespace: "web" }] }], workload: WorkloadKind.NONE }),
    /\[cli\] ports: "http" has allowFrom, but this component runs no pods/],
  ["allowFrom with two peers in one entry", (p) => rust(p, "svc", { ports: [{ name: "grpc", port: 8980, allowFrom: [untyped({ namespace: "web", cidr: "10.0.0.0/8" })] }, ...METRICS] }),
    /\[svc\] ports\[0\]\.allowFrom\[0\]: needs exactly one peer; give one of component/],
  ["allowFrom anywhere: false", (p) => rust(p, "svc", { ports: [{ name: "grpc", port: 8980, allowFrom: [untyped({ anywhere: false })] }, ...METRICS] }),
    /\[svc\] ports\[0\]\.allowFrom\[0\]\.anywhere: false is not true; write anywhere: true for a public port/],
  ["allowFrom the project's own namespace (its pods may not connect)", (p) => rust(p, "svc", { ports: [{ name: "grpc", port: 8980, allowFrom: [{ namespace: "demo" }] }, ...METRICS] }),
    /\[svc\] ports: "grpc" allowFrom\[0\]\.namespace: "demo" is the project's own namespace, whose pods are denied every connection they do not declare.*name the components that connect/],
  ["a monitoring namespace that is the project's own", (p) => rust(p, "svc"), /\[project demo\] monitoringNamespace: "demo" is the project's own namespace/, { monitoringNamespace: "demo" }],
  ["a component named like the namespace's default policy", (p) => rust(p, "default-deny"), /\[default-deny\] name: "default-deny" is the name of each namespace's default NetworkPolicy/],
  ["invalid monitoring namespace", (p) => rust(p, "svc"), /\[project demo\] monitoringNamespace: "Monitoring" is not a valid Kubernetes name/, { monitoringNamespace: "Monitoring" }],
  // values
  ["invalid env var name", (p) => rust(p, "svc", { env: { "1BAD": "x" } }), /\[svc\] env\["1BAD"\]: "1BAD" is not a valid environment variable name/],
  ["relative writable path", (p) => rust(p, "svc", { writablePaths: ["var/cache"] }), /\[svc\] writablePaths\[0\]: "var\/cache" must be an absolute directory path/],
  ["binary with a slash", (p) => rust(p, "svc", { binary: "bin/svc" }), /\[svc\] binary: "bin\/svc" is not a file name/],
  ["bad CPU quantity", (p) => rust(p, "svc", { resources: { cpuLimit: "lots" } }), /\[svc\] resources\.cpuLimit: "lots" is not a CPU quantity/],
  ["bad memory quantity", (p) => rust(p, "svc", { resources: { memoryRequest: "64MB" } }), /\[svc\] resources\.memoryRequest: "64MB" is not a memory quantity/],
  ["Go ldflags with shell quotes", (p) => new GoComponent(p, "tool", { ldflags: "-X 'main.v=1'" }), /\[tool\] ldflags: "-X 'main\.v=1'" holds characters that would need shell quoting/],
  ["package name with a space", (p) => rust(p, "svc", { packageName: "my svc" }), /\[svc\] packageName: "my svc" is not a Cargo package name/],
  ["duplicate cargo package", (p) => { rust(p, "a", { packageName: "core" }); rust(p, "b", { packageName: "core" }); }, /\[project demo\] packageName: "core" is declared more than once/],
  // project values
  ["invalid namespace", () => undefined, /\[project demo\] namespace: "Prism_NS" is not a valid Kubernetes name/, { namespace: "Prism_NS" }],
  ["version not X.Y.Z", () => undefined, /\[project demo\] version: "latest" is not a release version/, { version: "latest" }],
  ["version with a newline", () => undefined, /\[project demo\] version: "1\.2\.3\\nRUN id" is not a release version/, { version: "1.2.3\nRUN id" }],
  ["version that reads as the debug tag", () => undefined, /\[project demo\] version: "1\.0\.0-debug" ends in "debug"/, { version: "1.0.0-debug" }],
  ["registry with a trailing slash", () => undefined, /\[project demo\] imageRegistry: "ghcr\.io\/prism\/" is not an image repository prefix/, { imageRegistry: "ghcr.io/prism/" }],
  ["unpinned base images without an opt-out", (p) => rust(p, "svc"), /\[project demo\] allowUnpinnedBaseImages: these base images have no digest, which the policy reports \(PRISM-D001\): .*gcr\.io\/distroless\/cc-debian13:nonroot/, { allowUnpinnedBaseImages: undefined }],
  // options that do not exist, and values of the wrong type
  ["a mistyped option, with a suggestion", (p) => rust(p, "proxy", untyped({ prots: METRICS })), /\[proxy\] prots: unknown option; did you mean "ports"\?/],
  ["a mistyped nested option", (p) => rust(p, "svc", { resources: untyped({ cpuLimt: "1" }) }), /\[svc\] resources\.cpuLimt: unknown option; did you mean "cpuLimit"\?/],
  ["an option of nothing", (p) => rust(p, "svc", untyped({ zzzz: 1 })), /\[svc\] zzzz: unknown option; remove it \(the options here are: allowUnauditableBinary, binary, buildDependencies, connectsTo, dependencies, description, devDependencies, /],
  ["a mistyped project option", () => undefined, /\[project demo\] namspace: unknown option; did you mean "namespace"\?/, untyped({ namspace: "x" })],
  ["a number as a string", (p) => rust(p, "svc", { ports: [{ name: "metrics", port: untyped("9090") }] }), /\[svc\] ports\[0\]\.port: expected a number, got "9090"; change it to a number/],
  ["ports not an array", (p) => rust(p, "svc", { ports: untyped({ name: "metrics", port: 9090 }) }), /\[svc\] ports: expected an array, got an object; change it to an array/],
  ["a boolean as a string", (p) => rust(p, "svc", { httpClient: untyped("yes") }), /\[svc\] httpClient: expected true or false, got "yes"/],
  ["a required nested option missing", (p) => rust(p, "svc", { health: untyped({ livenessPath: "/live" }) }), /\[svc\] health\.port: is required and missing/],
];

describe("bad input", () => {
  it("covers at least 50 wrong configurations", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES)("%s: fails naming the component and option, and the output folder is unchanged", (_label, declare, message, props) => {
    // GIVEN a folder holding a previous, valid synthesis
    const { outdir } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, allowUnpinnedBaseImages: "test tree" });
      rust(p, "existing");
      new GoComponent(p, "tool", { workload: WorkloadKind.JOB });
      return p;
    });
    const before = snapshot(outdir);
    // WHEN the definition is wrong
    const attempt = () => {
      const p = new ContainerMonorepo({ name: "demo", outdir, allowUnpinnedBaseImages: "test tree", ...props });
      declare(p);
      p.synth();
    };
    // THEN it is refused (a refusal, which the runner prints without a stack), naming component and field
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (e) {
      expect(isRefusal(e)).toBe(true);
      // every problem reads "[component] field: problem; fix" (the property test found one without a fix)
      for (const line of (e as Error).message.split("\n").slice(1)) {
        expect(line).toMatch(/^ {2}- \[[^\]]+\] [A-Za-z(<][^:]*: \S.*; \S/);
      }
    }
    expect(snapshot(outdir)).toEqual(before);
  });

  it("reports every problem at once, not only the first", () => {
    const p = new ContainerMonorepo({ name: "demo", outdir: tmpdir(), allowUnpinnedBaseImages: "test tree" });
    rust(p, "svc", { ports: [{ name: "metrics", port: 0 }], env: { "1BAD": "x" } });
    rust(p, "other", { replicas: 0 });
    new GoComponent(p, "tool", { ports: METRICS });
    const message = (() => {
      try {
        p.synth();
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    expect(message).toMatch(/^prism-projen: nothing was written; fix these in \.projenrc\.ts:/);
    expect(message).toContain("[svc] ports[0].port: 0");
    expect(message).toContain("[svc] env[\"1BAD\"]: \"1BAD\"");
    expect(message).toContain("[other] replicas: 0");
    expect(message).toContain("[tool] ports: given");
  });

  it("a misspelled enum member (undefined at run time) is refused, not taken for the default", () => {
    const outdir = tmpdir();
    const refusal = (define: () => ContainerMonorepo) => {
      try {
        define().synth();
      } catch (e) {
        expect(isRefusal(e)).toBe(true);
        return (e as Error).message;
      }
      return "synthesized";
    };
    const components = refusal(() => {
      const p = new ContainerMonorepo({ name: "demo", outdir, ...UNPINNED });
      new RustComponent(p, "svc", { ports: METRICS, linkage: (Linkage as any).STATC });
      new GoComponent(p, "migrate", { workload: (WorkloadKind as any).JBO });
      return p;
    });
    expect(components).toContain("[svc] linkage: is undefined (a misspelled Linkage member reads as undefined); use Linkage.GLIBC or Linkage.STATIC, or leave the option out for its default");
    expect(components).toContain("[migrate] workload: is undefined (a misspelled WorkloadKind member reads as undefined)");
    const project = refusal(() => new ContainerMonorepo({ name: "demo", outdir, ...UNPINNED, cargoProfile: (CargoProfilePreset as any).SPEEED }));
    expect(project).toContain("[project demo] cargoProfile: is undefined (a misspelled CargoProfilePreset member reads as undefined)");
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  it("the props types come from the schemas, so the type checker and the run-time check agree", () => {
    // @ts-expect-error -- a misspelled option is a type error too
    const misspelled: RustComponentProps = { prots: METRICS };
    // @ts-expect-error -- and so is a value of the wrong type
    const wrongType: ContainerMonorepoProps = { name: "demo", version: 1 };
    expect([misspelled, wrongType]).toHaveLength(2);
  });
});

describe("cross-file checks render the files and can fail", () => {
  it("reports an ENTRYPOINT that does not run the copied binary", () => {
    // GIVEN a Dockerfile plan whose production ENTRYPOINT points elsewhere
    const real = imagePlan.planImage;
    const spy = vi.spyOn(imagePlan, "planImage").mockImplementation((c, project, ctx) => {
      const model = real(c, project, ctx);
      return {
        ...model,
        stages: model.stages.map((s) => s.name !== "production" ? s : {
          ...s,
          instructions: s.instructions.map((i) => i.op === "ENTRYPOINT" ? { op: "ENTRYPOINT", argv: ["/bin/other"] } : i),
        }),
      };
    });
    try {
      // WHEN
      const p = new ContainerMonorepo({ name: "demo", outdir: tmpdir(), allowUnpinnedBaseImages: "test tree" });
      const svc = new RustComponent(p, "svc");
      // THEN
      expect(validateRendered(svc._toModel(), p.model, ["containers/svc"], [svc._toModel()]))
        .toEqual(["binary: the production image's ENTRYPOINT does not run the binary copied from the build stage; this is a prism-projen bug, please report it"]);
    } finally {
      spy.mockRestore();
    }
  });
});
