import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { BUILTIN_EXCEPTIONS } from "../src/policy/exceptions";
import { checkFile, RULES, runPolicy } from "../src/policy/run";
import { ContainerMonorepo, Linkage, ReqwestVersion, RustComponent } from "../src";
import { METRICS, UNPINNED, synth, synthPrism, tmpdir, useDebianCrates, withCargoLock } from "./helpers";

const REPO = path.resolve(__dirname, "..");
const A = "a".repeat(64);

/** A Dockerfile that breaks no rule: pinned by digest, tagged, non-root, exec form, with a HEALTHCHECK. */
const GOOD_DOCKERFILE = [
  "# syntax=docker/dockerfile:1",
  "ARG RUST_VERSION=1.95.0",
  `FROM docker.io/library/rust:\${RUST_VERSION}-slim-trixie@sha256:${A} AS build`,
  "RUN cargo build --release",
  `FROM gcr.io/distroless/cc-debian13:nonroot@sha256:${A} AS production`,
  "COPY --from=build /out/app /usr/local/bin/app",
  "USER 65532:65532",
  "EXPOSE 8080/tcp",
  "HEALTHCHECK CMD [\"/usr/local/bin/app\", \"--health\"]",
  "ENTRYPOINT [\"/usr/local/bin/app\"]",
  "",
].join("\n");

/** [rule, mutation, text on the reported line, other rules the same defect breaks by its nature]. */
type Mutation = [ruleId: string, mutate: (text: string) => string, offending: string, alsoBroken?: string[]];

const DOCKERFILE_CASES: Mutation[] = [
  ["DL3002", (t) => t.replace("USER 65532:65532", "USER root"), "USER root"],
  // No tag and no digest is also unpinned.
  ["DL3006", (t) => t.replace(`cc-debian13:nonroot@sha256:${A}`, "cc-debian13"), "cc-debian13 AS production", ["PRISM-D001"]],
  ["DL3007", (t) => t.replace(`cc-debian13:nonroot@sha256:${A}`, `cc-debian13:latest@sha256:${A}`), ":latest"],
  ["DL3025", (t) => t.replace("ENTRYPOINT [\"/usr/local/bin/app\"]", "ENTRYPOINT /usr/local/bin/app"), "ENTRYPOINT /usr/local/bin/app"],
  ["DL3022", (t) => t.replace("USER 65532", "COPY --from=builder /etc/x /etc/x\nUSER 65532"), "--from=builder"],
  ["DL3023", (t) => t.replace("USER 65532", "COPY --from=production /etc/x /etc/y\nUSER 65532"), "--from=production"],
  ["DL3024", (t) => t.replace("RUN cargo build --release", `RUN cargo build --release\nFROM gcr.io/distroless/cc-debian13:nonroot@sha256:${A} AS build\nUSER 65532:65532`), "AS build\nUSER"],
  ["DL3020", (t) => t.replace("COPY --from=build /out/app /usr/local/bin/app", "COPY --from=build /out/app /usr/local/bin/app\nADD config.toml /etc/app/"), "ADD config.toml"],
  ["DL4006", (t) => t.replace("RUN cargo build --release", "RUN cargo tree | grep openssl"), "| grep"],
  ["DS-0004", (t) => t.replace("EXPOSE 8080/tcp", "EXPOSE 8080/tcp 22/tcp"), "22/tcp"],
  ["DS-0031", (t) => t.replace("ARG RUST_VERSION=1.95.0", "ARG RUST_VERSION=1.95.0\nARG REGISTRY_TOKEN=abc"), "REGISTRY_TOKEN"],
  ["DS-0026", (t) => t.replace(/HEALTHCHECK.*\n/, ""), "AS production"],
  ["PRISM-D001", (t) => t.replace(`nonroot@sha256:${A}`, "nonroot"), ":nonroot AS"],
];

const byPrimaryId = (kind: keyof typeof RULES, id: string) => RULES[kind].find((r) => r.ids[0] === id);

function lineOf(text: string, line: number): string {
  return text.split("\n").slice(line - 1, line + 1).join("\n");
}

describe("Dockerfile rules", () => {
  it("the good Dockerfile has no finding", () => {
    expect(checkFile("dockerfile", "Dockerfile", GOOD_DOCKERFILE)).toEqual([]);
  });

  it.each(DOCKERFILE_CASES)("%s: a Dockerfile breaking exactly this rule gets exactly its finding, at the offending line", (id, mutate, offending, also = []) => {
    const text = mutate(GOOD_DOCKERFILE);
    expect(text).not.toBe(GOOD_DOCKERFILE);
    const findings = checkFile("dockerfile", "Dockerfile", text);
    expect(findings.map((f) => f.ruleIds[0]).sort()).toEqual([id, ...also].sort());
    findings.sort((a, b) => (a.ruleIds[0] === id ? -1 : b.ruleIds[0] === id ? 1 : 0));
    expect(findings[0].ruleIds).toEqual(byPrimaryId("dockerfile", id)!.ids);
    expect(lineOf(text, findings[0].line)).toContain(offending.split("\n")[0]);
  });
});

/**
 * The generated proxy manifest with one change: `mutate` gets its Deployment (document 0) and every
 * document (Deployment, Service, PodDisruptionBudget, NetworkPolicy), for the rules that relate them.
 */
function k8s(mutate: (deployment: any, docs: any[]) => void): string {
  const docs = synthPrism().files["deploy/base/proxy.yaml"].split(/^---$/m).map((d) => parseDocument(d).toJS());
  expect(docs.map((d) => d.kind)).toEqual(["Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy"]);
  mutate(docs[0], docs);
  return docs.map((d) => stringify(d)).join("---\n");
}

const pod = (d: any) => d.spec.template.spec;
const ctr = (d: any) => pod(d).containers[0];
const [, SERVICE, BUDGET, NETWORK_POLICY] = [0, 1, 2, 3];

const K8S_CASES: [string, (d: any, docs: any[]) => void, string, string[]?][] = [
  ["PSS-HostProcess", (d) => { pod(d).securityContext.windowsOptions = { hostProcess: true }; }, "hostProcess"],
  ["PSS-HostNamespaces", (d) => { pod(d).hostNetwork = true; }, "hostNetwork"],
  ["PSS-Privileged", (d) => { ctr(d).securityContext.privileged = true; }, "privileged"],
  ["PSS-Capabilities", (d) => { ctr(d).securityContext.capabilities.add = ["SYS_ADMIN"]; }, "SYS_ADMIN"],
  // hostPath is also not a restricted volume type.
  ["PSS-HostPathVolumes", (d) => { pod(d).volumes.push({ name: "host", hostPath: { path: "/var/run" } }); }, "hostPath", ["PSS-VolumeTypes"]],
  ["PSS-HostPorts", (d) => { ctr(d).ports[0].hostPort = 8980; }, "hostPort"],
  ["PSS-AppArmor", (d) => { ctr(d).securityContext.appArmorProfile = { type: "Unconfined" }; }, "Unconfined"],
  ["PSS-SELinux", (d) => { ctr(d).securityContext.seLinuxOptions = { type: "spc_t" }; }, "spc_t"],
  ["PSS-ProcMount", (d) => { ctr(d).securityContext.procMount = "Unmasked"; }, "procMount"],
  ["PSS-Seccomp", (d) => { pod(d).securityContext.seccompProfile = { type: "Unconfined" }; ctr(d).securityContext.seccompProfile = { type: "Unconfined" }; }, "Unconfined"],
  ["PSS-Sysctls", (d) => { pod(d).securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]; }, "kernel.msgmax"],
  ["PSS-VolumeTypes", (d) => { pod(d).volumes.push({ name: "nfs", nfs: { server: "nfs.local", path: "/x" } }); }, "name: nfs"],
  ["PSS-PrivilegeEscalation", (d) => { ctr(d).securityContext.allowPrivilegeEscalation = true; }, "allowPrivilegeEscalation"],
  ["PSS-RunAsNonRoot", (d) => { ctr(d).securityContext.runAsNonRoot = false; }, "runAsNonRoot"],
  // UID 0 is also not above 10000.
  ["PSS-RunAsUser", (d) => { ctr(d).securityContext.runAsUser = 0; }, "runAsUser: 0", ["KSV-0020"]],
  ["KSV-0011", (d) => { delete ctr(d).resources.limits.cpu; }, "limits"],
  ["KSV-0015", (d) => { delete ctr(d).resources.requests.cpu; }, "requests"],
  ["KSV-0016", (d) => { delete ctr(d).resources.requests.memory; }, "requests"],
  ["KSV-0018", (d) => { delete ctr(d).resources.limits.memory; }, "limits"],
  ["KSV-0014", (d) => { ctr(d).securityContext.readOnlyRootFilesystem = false; }, "readOnlyRootFilesystem"],
  ["KSV-0020", (d) => { ctr(d).securityContext.runAsUser = 1000; pod(d).securityContext.runAsUser = 1000; }, "runAsUser: 1000"],
  ["KSV-0021", (d) => { ctr(d).securityContext.runAsGroup = 1000; }, "runAsGroup: 1000"],
  ["KSV-0036", (d) => { pod(d).automountServiceAccountToken = true; }, "automountServiceAccountToken"],
  ["KSV-0013", (d) => { ctr(d).image = "ghcr.io/prism/proxy:latest"; }, "image:"],
  ["PRISM-K001", (d) => { delete ctr(d).readinessProbe; }, "name: proxy"],
  ["PRISM-K002", (d) => { ctr(d).image = "ghcr.io/prism/proxy:v0.1.0-debug"; }, "-debug"],
  // kube-score's checks, with the documents they relate.
  ["pod-networkpolicy", (_d, docs) => { docs.splice(NETWORK_POLICY, 1); }, "name: proxy"],
  ["networkpolicy-targets-pod", (_d, docs) => { docs[NETWORK_POLICY].spec.podSelector.matchLabels["app.kubernetes.io/name"] = "prox"; }, "podSelector", ["pod-networkpolicy"]],
  ["deployment-has-poddisruptionbudget", (_d, docs) => { docs.splice(BUDGET, 1); }, "replicas: 2"],
  ["poddisruptionbudget-has-policy", (_d, docs) => { delete docs[BUDGET].spec.maxUnavailable; }, "spec:"],
  ["deployment-has-host-podantiaffinity", (d) => { pod(d).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey = "example.com/rack"; }, "affinity"],
  ["container-ephemeral-storage-request-and-limit", (d) => { delete ctr(d).resources.limits["ephemeral-storage"]; }, "limits"],
  ["pod-probes-identical", (d) => { ctr(d).readinessProbe.httpGet.path = "/healthz"; }, "readinessProbe"],
  ["container-image-pull-policy", (d) => { ctr(d).imagePullPolicy = "Never"; }, "imagePullPolicy: Never"],
  ["environment-variable-key-duplication", (d) => { ctr(d).env.push({ name: "RUST_LOG", value: "debug" }); }, "value: debug"],
  ["service-targets-pod", (_d, docs) => { docs[SERVICE].spec.selector["app.kubernetes.io/name"] = "prox"; }, "selector"],
  ["service-type", (_d, docs) => { docs[SERVICE].spec.type = "NodePort"; }, "type: NodePort"],
  ["stable-version", (_d, docs) => { docs[BUDGET].apiVersion = "policy/v1beta1"; }, "apiVersion: policy/v1beta1"],
  ["label-values", (d) => { d.metadata.labels["app.kubernetes.io/version"] = "0.1.0+build"; }, "0.1.0+build"],
  ["deployment-strategy", (d) => { d.spec.strategy = { type: "Recreate" }; }, "type: Recreate"],
  // One replica: the budget and the anti-affinity rules no longer apply to it.
  ["deployment-replicas", (d) => { d.spec.replicas = 1; }, "replicas: 1"],
  ["deployment-pod-selector-labels-match-template-metadata-labels", (d) => { d.spec.selector.matchLabels["app.kubernetes.io/name"] = "prox"; }, "selector"],
  ["pod-topology-spread-constraints", (d) => { pod(d).topologySpreadConstraints[0].maxSkew = 0; }, "maxSkew"],
];

/** The findings of one manifest, but for those the built-in exceptions cover (unless the case is about that very rule). */
function k8sFindings(text: string, id?: string) {
  const excepted = BUILTIN_EXCEPTIONS.map((e) => e.ruleId).filter((r) => r !== id);
  return checkFile("kubernetes", "proxy.yaml", text).filter((f) => !f.ruleIds.some((r) => excepted.includes(r)));
}

describe("Kubernetes rules", () => {
  it("the generated proxy manifest has no finding but the excepted pull policy (IfNotPresent)", () => {
    const text = synthPrism().files["deploy/base/proxy.yaml"];
    expect(k8sFindings(text)).toEqual([]);
    expect(checkFile("kubernetes", "proxy.yaml", text).map((f) => f.ruleIds[0])).toEqual(["container-image-pull-policy"]);
    expect(k8sFindings(k8s((d) => { ctr(d).imagePullPolicy = "Always"; }), "container-image-pull-policy")).toEqual([]);
  });

  it.each(K8S_CASES)("%s: a manifest breaking exactly this rule gets exactly its finding, at the offending line", (id, mutate, offending, also = []) => {
    const text = k8s(mutate);
    const findings = k8sFindings(text, id);
    expect(findings.map((f) => f.ruleIds[0]).sort()).toEqual([id, ...also].sort());
    findings.sort((a, b) => (a.ruleIds[0] === id ? -1 : b.ruleIds[0] === id ? 1 : 0));
    expect(lineOf(text, findings[0].line)).toContain(offending);
  });

  it("reads manifests as kube-score does: a zero quantity is unset, named probe ports compare equal, no selector selects all", () => {
    const ids = (mutate: (d: any, docs: any[]) => void) => k8sFindings(k8s(mutate)).map((f) => f.ruleIds[0]);
    expect(ids((d) => { ctr(d).resources.limits.cpu = "0"; })).toEqual(["KSV-0011"]);
    expect(ids((d) => { ctr(d).resources.requests["ephemeral-storage"] = "0Mi"; })).toEqual(["container-ephemeral-storage-request-and-limit"]);
    expect(ids((d) => { ctr(d).readinessProbe.httpGet = { path: "/healthz", port: "grpc" }; })).toEqual(["pod-probes-identical"]);
    expect(ids((_d, docs) => { delete docs[SERVICE].spec.selector; })).toEqual([]);
    expect(ids((_d, docs) => { delete docs[NETWORK_POLICY].spec.podSelector; })).toEqual([]);
  });

  it("PRISM-K002 lets the debug environment run the debug image, and only it", () => {
    const debugImage = (d: any) => { ctr(d).image = "ghcr.io/prism/proxy:v0.1.0-debug"; };
    expect(k8sFindings(k8s((d) => { debugImage(d); d.metadata.labels["app.kubernetes.io/environment"] = "debug"; }))).toEqual([]);
    expect(k8sFindings(k8s((d) => { debugImage(d); d.metadata.labels["app.kubernetes.io/environment"] = "production"; })).map((f) => f.ruleIds[0]))
      .toEqual(["PRISM-K002"]);
  });
});

function workflow(mutate: (wf: any) => void): string {
  const wf = parseDocument(synthPrism().files[".github/workflows/images.yml"]).toJS();
  mutate(wf);
  return stringify(wf);
}

const WORKFLOW_CASES: [string, (wf: any) => void, string][] = [
  ["unpinned-uses", (wf) => { wf.jobs.image.steps.at(-1).uses = "aquasecurity/trivy-action@v0.36.0"; }, "trivy-action@v0.36.0"],
  ["excessive-permissions", (wf) => { wf.permissions = { contents: "write" }; }, "permissions"],
  ["artipacked", (wf) => { delete wf.jobs.synth.steps[0].with; }, "actions/checkout@"],
  ["template-injection", (wf) => { wf.jobs.synth.steps.push({ name: "echo", run: "echo ${{ github.head_ref }}" }); }, "run: echo"],
  ["dangerous-triggers", (wf) => { wf.on.pull_request_target = { branches: ["main"] }; }, "pull_request_target"],
];

describe("GitHub Actions rules", () => {
  it("the generated workflow has no finding", () => {
    expect(checkFile("workflow", "images.yml", synthPrism().files[".github/workflows/images.yml"])).toEqual([]);
  });

  it.each(WORKFLOW_CASES)("%s: a workflow breaking exactly this rule gets exactly its finding, at the offending line", (id, mutate, offending) => {
    const text = workflow(mutate);
    const findings = checkFile("workflow", "images.yml", text);
    expect(findings.map((f) => f.ruleIds[0])).toEqual([id]);
    expect(lineOf(text, findings[0].line)).toContain(offending);
  });
});

/**
 * PRISM-C001 over the graph cargo resolves: Debian's packaged crates (librust-reqwest-dev: reqwest 0.11,
 * native-tls, openssl) stand in for crates.io, through a source replacement in the workspace's .cargo/.
 */
const CARGO_CASES = ["PRISM-C001"];

describe("PRISM-C001: no OpenSSL in the Rust dependency graph", () => {
  /** A synthesized workspace with a member `fetcher` using reqwest 0.11 (Debian's), Cargo.lock made offline. */
  function fetcher(edit?: (dir: string) => void): string {
    const { outdir } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, ...UNPINNED, reqwest: { version: ReqwestVersion.V0_11 } });
      new RustComponent(p, "fetcher", { httpClient: true, linkage: Linkage.STATIC, ports: METRICS });
      new RustComponent(p, "quiet", { ports: METRICS });
      return p;
    });
    useDebianCrates(outdir);
    edit?.(outdir);
    return withCargoLock(outdir);
  }

  const edit = (file: string, change: (text: string) => string) => {
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, change(fs.readFileSync(file, "utf-8")));
  };
  const c001 = (dir: string) => runPolicy(dir).findings.filter((f) => f.ruleIds.includes("PRISM-C001"));

  it("the synthesized workspace (reqwest with rustls only) has no finding", () => {
    const dir = fetcher();
    expect(runPolicy(dir).files.cargo).toEqual(["Cargo.toml"]);
    expect(c001(dir)).toEqual([]);
  });

  it("native-tls added to a member: the finding names the member, the path, and the line that adds it", () => {
    const dir = fetcher((d) => edit(path.join(d, "containers/fetcher/Cargo.toml"), (t) => `${t}\n[dependencies.native-tls]\nversion = "0.2"\n`));
    const findings = c001(dir);
    expect(findings).toHaveLength(1);
    const manifest = fs.readFileSync(path.join(dir, "containers/fetcher/Cargo.toml"), "utf-8").split("\n");
    expect(findings[0].file).toBe("containers/fetcher/Cargo.toml");
    expect(manifest[findings[0].line - 1]).toBe("[dependencies.native-tls]");
    expect(findings[0].message).toMatch(/^fetcher pulls native-tls: fetcher 0\.1\.0 -> native-tls 0\.2\.\d+; use the crate's rustls feature/);
  });

  it("reqwest's default features (native-tls) in the workspace: the path goes through reqwest", () => {
    const dir = fetcher((d) => edit(path.join(d, "Cargo.toml"), (t) => t.replace("default-features = false", "default-features = true")));
    const findings = c001(dir);
    expect(findings.map((f) => f.file)).toEqual(["containers/fetcher/Cargo.toml"]);
    expect(findings[0].message).toMatch(/^fetcher pulls (native-tls|openssl|openssl-sys): fetcher 0\.1\.0 -> reqwest 0\.11\.\d+ -> /);
  });

  it("a crate another member enables: that member alone, the others when the workspace is built together (features unified)", () => {
    // GIVEN a shared crate whose optional `tls` feature brings native-tls; fetcher enables it, quiet does not
    const dir = fetcher((d) => {
      fs.mkdirSync(path.join(d, "libs/net/src"), { recursive: true });
      fs.writeFileSync(path.join(d, "libs/net/Cargo.toml"),
        "[package]\nname = \"net\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[features]\ntls = [\"dep:native-tls\"]\n\n[dependencies]\nnative-tls = { version = \"0.2\", optional = true }\n");
      fs.writeFileSync(path.join(d, "libs/net/src/lib.rs"), "");
      edit(path.join(d, "containers/fetcher/Cargo.toml"), (t) => `${t}\n[dependencies.net]\npath = "../../libs/net"\nfeatures = ["tls"]\n`);
      edit(path.join(d, "containers/quiet/Cargo.toml"), (t) => `${t}\n[dependencies]\nnet = { path = "../../libs/net" }\n`);
    });
    // THEN fetcher is named as its own build resolves it, through net; quiet and net (a path dependency inside the
    // workspace, so a member) as `cargo build --workspace` resolves them, net's tls feature on
    const findings = c001(dir);
    expect(findings.map((f) => f.file).sort()).toEqual(["containers/fetcher/Cargo.toml", "containers/quiet/Cargo.toml", "libs/net/Cargo.toml"]);
    const of = (file: string) => findings.find((f) => f.file === file)!.message;
    expect(of("containers/fetcher/Cargo.toml")).toMatch(/^fetcher pulls native-tls: fetcher 0\.1\.0 -> net 0\.1\.0 -> native-tls 0\.2\.\d+;/);
    expect(of("containers/quiet/Cargo.toml")).toMatch(/^quiet pulls native-tls when the workspace is built together \(cargo build --workspace unifies features across members\): quiet 0\.1\.0 -> net 0\.1\.0 -> native-tls 0\.2\.\d+;/);
    expect(of("libs/net/Cargo.toml")).toMatch(/^net pulls native-tls when the workspace is built together .*: net 0\.1\.0 -> native-tls 0\.2\.\d+;/);
  });

  it("a graph cargo cannot read is a finding, never a pass", () => {
    const dir = fetcher();
    fs.rmSync(path.join(dir, "Cargo.lock"));
    const findings = c001(dir);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/^the dependency graph could not be read, so the OpenSSL ban is not checked: `cargo metadata .*--locked/);
  });
});

describe("the rule set", () => {
  it("every rule has a breaking-file test above", () => {
    const tested = new Set([...DOCKERFILE_CASES, ...K8S_CASES, ...WORKFLOW_CASES].map((c) => c[0]).concat(CARGO_CASES));
    const all = Object.values(RULES).flat().map((r) => r.ids[0]);
    expect(all.filter((id) => !tested.has(id))).toEqual([]);
  });

  it("includes the ids the issue names", () => {
    const ids = Object.values(RULES).flat().flatMap((r) => r.ids);
    for (const id of ["DL3002", "DS-0002", "DL3006", "DL3007", "DS-0001", "DL3025", "DL3022", "DL3023", "DS-0006", "DL3024", "DS-0012",
      "DL3020", "DS-0005", "DL4006", "DS-0004", "DS-0031", "KSV-0011", "KSV-0015", "KSV-0016", "KSV-0018", "KSV-0014", "KSV-0020",
      "KSV-0021", "KSV-0036", "unpinned-uses", "excessive-permissions", "artipacked", "template-injection", "dangerous-triggers"]) {
      expect(ids).toContain(id);
    }
  });
});

describe("the policy over the default six-component tree", () => {
  it("has zero findings; its exceptions are listed with their reasons and what they cover", () => {
    const report = runPolicy(withCargoLock(synthPrism().outdir));
    expect(report.findings).toEqual([]);
    expect(report.files.dockerfile).toHaveLength(6);
    expect(report.files.workflow).toEqual([".github/workflows/images.yml"]);
    // The pull-policy findings of both overlays are the same lines of the base: one each.
    // The project's own exception first, then the built-in ones.
    expect(report.exceptions.map((e) => [e.ruleId, e.suppressed])).toEqual([["PRISM-D001", 22], ["DS-0026", 12], ["container-image-pull-policy", 5]]);
    for (const e of report.exceptions) expect(e.reason.length).toBeGreaterThan(20);
  });

  it("the CLI exits 0 on the tree, prints the exceptions, and writes SARIF that the SARIF multitool validates", () => {
    const out = tmpdir();
    const sarif = path.join(out, "policy.sarif");
    const stdout = execFileSync("npx", ["tsx", "src/policy/cli.ts", "--sarif", sarif, withCargoLock(synthPrism().outdir)], { cwd: REPO, encoding: "utf-8" });
    expect(stdout).toContain("policy: 0 finding(s) in 6 dockerfile, 7 kubernetes, 1 workflow, 1 cargo file(s)");
    expect(stdout).toMatch(/^exception DS-0026 \(12 covered\): distroless/m);
    expect(stdout).toMatch(/^exception PRISM-D001 \(22 covered\): /m);
    expect(stdout).toMatch(/^exception container-image-pull-policy \(5 covered\): the manifests run release version tags/m);
    expect(JSON.parse(fs.readFileSync(sarif, "utf-8")).version).toBe("2.1.0");
    expect(sarifProblems(sarif)).toEqual([]);
  });

  it("the CLI exits 1 with file:line and rule ids when a generated file breaks a rule", () => {
    // GIVEN a copy of the tree with a hand-weakened manifest
    const dir = tmpdir();
    fs.cpSync(withCargoLock(synthPrism().outdir), dir, { recursive: true });
    const manifest = path.join(dir, "deploy/base/proxy.yaml");
    fs.chmodSync(manifest, 0o644);
    fs.writeFileSync(manifest, fs.readFileSync(manifest, "utf-8").replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"));
    const sarif = path.join(dir, "policy.sarif");
    // WHEN
    const run = spawnSync("npx", ["tsx", "src/policy/cli.ts", "--sarif", sarif, dir], { cwd: REPO, encoding: "utf-8" });
    // THEN
    expect(run.status).toBe(1);
    // Found in what each overlay renders, located in the base file that wrote it, reported once.
    expect(run.stdout).toMatch(/^deploy\/base\/proxy\.yaml:\d+ {2}KSV-0014\/container-security-context-readonlyrootfilesystem {2}Deployment\/proxy container "proxy": readOnlyRootFilesystem is not true \(overlays debug, production\)$/m);
    const log = JSON.parse(fs.readFileSync(sarif, "utf-8"));
    expect(log.runs[0].results).toEqual([expect.objectContaining({ ruleId: "KSV-0014", level: "error" })]);
    expect(sarifProblems(sarif)).toEqual([]);
  });
});

/**
 * Microsoft's SARIF multitool (`validate`: the JSON schema plus the spec's rules).
 * Its only accepted remark is the missing tool informationUri: the tool has no public home page yet.
 */
function sarifProblems(file: string): string[] {
  const tool = path.join(path.dirname(require.resolve("@microsoft/sarif-multitool-linux/package.json")), "Sarif.Multitool");
  fs.chmodSync(tool, 0o755); // npm ci does not run the package's own chmod postinstall here
  const out = `${file}.validation.sarif`;
  execFileSync(tool, ["validate", file, "-o", out], { encoding: "utf-8", env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
  const results: any[] = JSON.parse(fs.readFileSync(out, "utf-8")).runs[0].results ?? [];
  return results
    .filter((r) => !(r.ruleId === "SARIF2005" && r.message.id === "Warning_ProvideToolnformationUri"))
    .map((r) => `${r.ruleId} ${r.level ?? "warning"} ${JSON.stringify(r.message)}`);
}
