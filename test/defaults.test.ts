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
  WorkloadKind,
  cargoProfile,
} from "../src";
import { tmpdir } from "./helpers";

/** Every documented @default, checked on the resolved models. */
describe("defaults", () => {
  const project = new ContainerMonorepo({ name: "demo", outdir: tmpdir() });
  const rust = new RustComponent(project, "svc");
  const go = new GoComponent(project, "tool");

  it("ContainerMonorepo", () => {
    expect(project.model).toMatchObject({
      imageRegistry: "ghcr.io/demo",
      version: "0.1.0",
      debian: DebianRelease.TRIXIE,
      rustVersion: "1.95.0",
      rustEdition: "2024",
      goVersion: "1.25.4",
      goModuleDir: "tools",
      goModulePath: "demo/tools",
      cargoProfilePreset: CargoProfilePreset.SPEED,
      cargoProfile: cargoProfile(CargoProfilePreset.SPEED),
      namespace: "demo",
      defaultBranch: "main",
      nodeVersion: "20",
      imageUser: { uid: 65532, gid: 65532 },
      baseImageDigests: {},
    });
    expect(project.model.reqwest.line).toBe(ReqwestVersion.V0_12);
    const runner = { env: { NODE_EXTRA_CA_CERTS: "" }, shell: "system" };
    expect(project.tasks.tryFind("default")?.steps).toEqual([{ execArgs: ["prism-projen-synth", ".projenrc.ts"], ...runner, receiveArgs: true }]);
    expect(project.tasks.tryFind("drift")?.steps).toEqual([{ execArgs: ["prism-projen-synth", ".projenrc.ts", "--check"], ...runner }]);
    expect(project.tasks.tryFind("policy")?.steps).toEqual([{ exec: "prism-projen-policy", receiveArgs: true }]);
    expect(project.tasks.tryFind("new-component")?.steps).toEqual([{ exec: "prism-projen-new-component", receiveArgs: true }]);
  });

  it("RustComponent", () => {
    const m = rust._toModel();
    expect(m).toMatchObject({
      description: "svc component",
      path: "containers/svc",
      binary: "svc",
      linkage: Linkage.GLIBC,
      runtime: RuntimeBase.DISTROLESS,
      ports: [],
      env: [],
      workload: WorkloadKind.DEPLOYMENT,
      replicas: 2,
      resources: { cpuRequest: "100m", memoryRequest: "64Mi", cpuLimit: "500m", memoryLimit: "128Mi" },
      timezoneData: false,
      writablePaths: ["/tmp"],
      user: { uid: 65532, gid: 65532 },
      installPath: "/usr/local/bin/svc",
      build: { kind: "rust", packageName: "svc", libc: "gnu", artifactPath: "target/$(cat /usr/local/cargo/target-triple)/release/svc", httpClient: false },
    });
    expect(m.health).toBeUndefined();
    expect(RustComponent.isRustComponent(rust)).toBe(true);
    expect(RustComponent.isRustComponent(go)).toBe(false);
  });

  it("health defaults to /healthz and /readyz on the port named metrics", () => {
    const p = new ContainerMonorepo({ name: "demo", outdir: tmpdir() });
    const c = new RustComponent(p, "svc", { ports: [{ name: "metrics", port: 9090 }] });
    expect(c._toModel().health).toEqual({ port: "metrics", livenessPath: "/healthz", readinessPath: "/readyz" });
    expect(c._toModel().ports).toEqual([{ name: "metrics", port: 9090, protocol: "TCP" }]);
  });

  it("GoComponent", () => {
    expect(go._toModel()).toMatchObject({
      path: "tools/cmd/tool",
      binary: "tool",
      linkage: Linkage.STATIC,
      workload: WorkloadKind.NONE,
      build: { kind: "go", moduleDir: "tools", packagePath: "./cmd/tool", ldflags: "-s -w -buildid=", tags: [], artifactPath: "/out/tool" },
    });
    expect(GoComponent.isGoComponent(go)).toBe(true);
    expect(GoComponent.isGoComponent(rust)).toBe(false);
  });
});
