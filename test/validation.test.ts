import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  ContainerMonorepo,
  GoComponent,
  Linkage,
  ReqwestVersion,
  RuntimeBase,
  RustComponent,
  StaticLibc,
  WorkloadKind,
  type ContainerMonorepoProps,
} from "../src";
import * as imagePlan from "../src/dockerfile/image-plan";
import { validateRendered } from "../src/component/validation";
import { synth } from "./helpers";

/** Content and mode of every file, so "unchanged" means byte-for-byte and permission-for-permission. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out[child] = `${(fs.statSync(path.join(dir, child)).mode & 0o777).toString(8)} ${fs.readFileSync(path.join(dir, child), "base64")}`;
    }
  };
  walk("");
  return out;
}

type Case = [label: string, declare: (p: ContainerMonorepo) => void, message: RegExp, props?: Partial<ContainerMonorepoProps>];

const rust = (p: ContainerMonorepo, name: string, props: ConstructorParameters<typeof RustComponent>[2] = {}) => new RustComponent(p, name, props);

const CASES: Case[] = [
  ["empty name", (p) => rust(p, ""), /\[<unnamed>\] name: a component needs a non-empty name/],
  ["upper-case name", (p) => rust(p, "Proxy"), /\[Proxy\] name: "Proxy" is not a valid Kubernetes name \(RFC 1123/],
  ["underscore in name", (p) => rust(p, "kafka_pub"), /\[kafka_pub\] name: .* rename the component/],
  ["name longer than 63", (p) => rust(p, "a".repeat(64)), /\[a{64}\] name: .*at most 63 characters/],
  ["duplicate name", (p) => { rust(p, "svc"); rust(p, "svc", { path: "other" }); }, /\[svc\] name: a component named "svc" is declared more than once/],
  ["duplicate path", (p) => { rust(p, "a", { path: "x" }); rust(p, "b", { path: "x" }); }, /\[project demo\] path: "x" is declared more than once; each component needs its own folder/],
  ["nested paths", (p) => { rust(p, "a", { path: "x" }); rust(p, "b", { path: "x/y" }); }, /path: "x\/y" \(b\) is inside "x" \(a\); component folders must not nest/],
  ["path outside the repo", (p) => rust(p, "svc", { path: "../elsewhere" }), /\[svc\] path: "\.\.\/elsewhere" must be a relative folder inside the repository/],
  ["'..' inside a path", (p) => rust(p, "svc", { path: "containers/../../x" }), /\[svc\] path: .*without '\.', '\.\.'/],
  ["absolute path", (p) => rust(p, "svc", { path: "/etc/svc" }), /\[svc\] path: "\/etc\/svc" must be a relative folder/],
  ["port 0", (p) => rust(p, "svc", { ports: [{ name: "web", port: 0 }] }), /\[svc\] ports: port 0 of "web" is out of range; use a whole number from 1 to 65535/],
  ["port 70000", (p) => rust(p, "svc", { ports: [{ name: "web", port: 70000 }] }), /\[svc\] ports: port 70000 of "web" is out of range/],
  ["fractional port", (p) => rust(p, "svc", { ports: [{ name: "web", port: 80.5 }] }), /\[svc\] ports: port 80\.5 of "web" is out of range/],
  ["duplicate port number", (p) => rust(p, "svc", { ports: [{ name: "a", port: 80 }, { name: "b", port: 80 }] }), /\[svc\] ports: "80\/TCP" is declared more than once/],
  ["duplicate port name", (p) => rust(p, "svc", { ports: [{ name: "web", port: 80 }, { name: "web", port: 81 }] }), /\[svc\] ports: "web" is declared more than once; port names must be unique/],
  ["port name not an IANA service name", (p) => rust(p, "svc", { ports: [{ name: "Web_Port", port: 80 }] }), /\[svc\] ports: "Web_Port" is not a valid IANA service name/],
  ["port name longer than 15", (p) => rust(p, "svc", { ports: [{ name: "a-very-long-port-name", port: 80 }] }), /\[svc\] ports: "a-very-long-port-name" is not a valid IANA service name \(at most 15/],
  ["UID 0", (p) => rust(p, "svc"), /\[svc\] imageUser: 0:65532 must be a non-zero numeric UID:GID \(root is never allowed\)/, { imageUser: { uid: 0, gid: 65532 } }],
  ["GID 0", (p) => rust(p, "svc"), /\[svc\] imageUser: 65532:0 must be a non-zero/, { imageUser: { uid: 65532, gid: 0 } }],
  ["glibc-linked on scratch", (p) => rust(p, "svc", { runtime: RuntimeBase.SCRATCH }), /\[svc\] runtime: a glibc-linked binary cannot run on scratch .*set linkage: Linkage\.STATIC/],
  ["native-tls with a static build", (p) => rust(p, "svc", { linkage: Linkage.STATIC, httpClient: true }), /\[project demo\] reqwest: reqwest feature "native-tls" pulls in native-tls\/OpenSSL/, { reqwest: { extraFeatures: ["native-tls"] } }],
  ["unknown reqwest feature", (p) => rust(p, "svc", { httpClient: true }), /\[project demo\] reqwest: reqwest 0\.13 has no feature "rustls-tls" \(the rustls feature of this release is "rustls"\)/, { reqwest: { version: ReqwestVersion.V0_13, extraFeatures: ["rustls-tls"] } }],
  ["health on an undeclared port", (p) => rust(p, "svc", { ports: [{ name: "grpc", port: 8980 }], health: { port: "metrics" } }), /\[svc\] health\.port: "metrics" is not a declared port \(declared: grpc\)/],
  ["invalid env var name", (p) => rust(p, "svc", { env: { "1BAD": "x" } }), /\[svc\] env: "1BAD" is not a valid environment variable name/],
  ["relative writable path", (p) => rust(p, "svc", { writablePaths: ["var/cache"] }), /\[svc\] writablePaths: "var\/cache" must be an absolute directory path/],
  ["binary with a slash", (p) => rust(p, "svc", { binary: "bin/svc" }), /\[svc\] binary: "bin\/svc" is not a file name/],
  ["Go command outside the Go module", (p) => new GoComponent(p, "tool", { path: "cmd/tool" }), /\[tool\] path: "cmd\/tool" is outside the Go module "tools"/],
  ["invalid namespace", (p) => rust(p, "svc"), /\[project demo\] namespace: "Prism_NS" is not a valid Kubernetes namespace/, { namespace: "Prism_NS" }],
  ["timezone data on scratch (Rust)", (p) => rust(p, "svc", { linkage: Linkage.STATIC, runtime: RuntimeBase.SCRATCH, timezoneData: true }), /\[svc\] timezoneData: scratch has no \/usr\/share\/zoneinfo/],
  ["zero replicas", (p) => rust(p, "svc", { replicas: 0 }), /\[svc\] replicas: 0 must be a whole number of at least 1/],
  ["bad CPU quantity", (p) => rust(p, "svc", { resources: { cpuLimit: "lots" } }), /\[svc\] resources\.cpuLimit: "lots" is not a CPU quantity/],
  ["bad memory quantity", (p) => rust(p, "svc", { resources: { memoryRequest: "64MB" } }), /\[svc\] resources\.memoryRequest: "64MB" is not a memory quantity/],
  ["version not X.Y.Z", (p) => rust(p, "svc"), /\[project demo\] version: "latest" is not a release version/, { version: "latest" }],
  ["registry with a trailing slash", (p) => rust(p, "svc"), /\[project demo\] imageRegistry: "ghcr\.io\/prism\/" is not an image repository prefix/, { imageRegistry: "ghcr.io/prism/" }],
  ["musl without static linkage", (p) => rust(p, "svc", { staticLibc: StaticLibc.MUSL }), /\[svc\] staticLibc: only a static build chooses its C library; set linkage: Linkage\.STATIC/],
  ["duplicate cargo package", (p) => { rust(p, "a", { packageName: "core" }); rust(p, "b", { packageName: "core" }); }, /\[project demo\] packageName: "core" is declared more than once/],
];

describe("bad input", () => {
  it("covers at least 25 wrong configurations", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES)("%s: fails naming the component and option, and the output folder is unchanged", (_label, declare, message, props) => {
    // GIVEN a folder holding a previous, valid synthesis
    const { outdir } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir });
      new RustComponent(p, "existing", { ports: [{ name: "metrics", port: 9090 }] });
      new GoComponent(p, "tool", { workload: WorkloadKind.JOB });
      return p;
    });
    const before = snapshot(outdir);
    // WHEN the definition is wrong
    const attempt = () => {
      const p = new ContainerMonorepo({ name: "demo", outdir, ...props });
      declare(p);
      p.synth();
    };
    // THEN
    expect(attempt).toThrow(message);
    expect(snapshot(outdir)).toEqual(before);
  });

  it("reports every problem at once, not only the first", () => {
    const p = new ContainerMonorepo({ name: "demo", outdir: synth((d) => new ContainerMonorepo({ name: "demo", outdir: d })).outdir });
    rust(p, "svc", { ports: [{ name: "web", port: 0 }], replicas: 0, env: { "1BAD": "x" } });
    const message = (() => {
      try {
        p.synth();
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    expect(message).toMatch(/^prism-projen: nothing was written; fix these in \.projenrc\.ts:/);
    expect(message).toContain("[svc] ports: port 0");
    expect(message).toContain("[svc] env: \"1BAD\"");
    expect(message).toContain("[svc] replicas: 0");
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
      const p = new ContainerMonorepo({ name: "demo", outdir: synth((d) => new ContainerMonorepo({ name: "demo", outdir: d })).outdir });
      const svc = new RustComponent(p, "svc");
      // THEN
      expect(validateRendered(svc._toModel(), p.model, ["containers/svc"]))
        .toEqual(["binary: the production image's ENTRYPOINT does not run the binary copied from the build stage"]);
    } finally {
      spy.mockRestore();
    }
  });
});
