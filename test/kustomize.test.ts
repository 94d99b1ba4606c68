import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ContainerMonorepo, RustComponent } from "../src";
import { kustomizeBuild } from "../src/policy/kustomize-build";
import { runPolicy } from "../src/policy/run";
import { KUBERNETES_MODELS, METRICS, PRISM_COMPONENTS, UNPINNED, synth, synthPrism, tmpdir } from "./helpers";

/**
 * The overlays as a cluster receives them: rendered by real kustomize (`kubectl kustomize`, which
 * every machine of this project has), then checked with kubernetes-models, the policy, and a
 * reading of the NetworkPolicies as the API defines them.
 */

const MODELS = KUBERNETES_MODELS;
const DEPLOYABLE = PRISM_COMPONENTS.filter((c) => c.workload !== undefined);
const render = (variant: string, dir = synthPrism().outdir) => kustomizeBuild(path.join(dir, "deploy/overlays", variant)) as any[];
const podTemplate = (o: any) => o.spec?.template;
const containers = (o: any) => [...(podTemplate(o)?.spec?.initContainers ?? []), ...(podTemplate(o)?.spec?.containers ?? [])];

/** A peer of a connection: its namespace's labels and its pod's labels (none for an address outside the cluster). */
interface Peer {
  readonly namespace: string;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly ip?: string;
}

const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });

/**
 * A label selector as the API defines it, written here apart from the policy's own (so a mistake
 * there is not shared): every matchLabels pair and every matchExpressions requirement must hold.
 */
function selects(selector: any, labels: Record<string, string>): boolean {
  if (selector === undefined || selector === null) return false;
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
  const expressions = (selector.matchExpressions ?? []).every((e: any) =>
    e.operator === "In" ? Object.hasOwn(labels, e.key) && e.values.includes(labels[e.key])
      : e.operator === "NotIn" ? !Object.hasOwn(labels, e.key) || !e.values.includes(labels[e.key])
        : e.operator === "Exists" ? Object.hasOwn(labels, e.key)
          : e.operator === "DoesNotExist" ? !Object.hasOwn(labels, e.key)
            : (() => { throw new Error(`unknown operator ${e.operator}`); })());
  return pairs && expressions;
}

/** A NetworkPolicy port entry: no port means every port; endPort makes a range. */
const portMatches = (p: any, port: number, protocol: string) => (p.protocol ?? "TCP") === protocol &&
  (p.port === undefined || (typeof p.port === "number" && port >= p.port && port <= (p.endPort ?? p.port)) ||
    (typeof p.port === "string" && (() => { throw new Error(`named port ${p.port}: resolve it against the pod first`); })()));

/** Whether a NetworkPolicy peer (`from`/`to` entry) of a policy in `policyNamespace` matches `peer`. */
function peerMatches(entry: any, policyNamespace: string, peer: Peer): boolean {
  if (entry.ipBlock) return peer.ip !== undefined && inCidr(peer.ip, entry.ipBlock.cidr);
  if (peer.podLabels === undefined) return false;
  const namespaceOk = entry.namespaceSelector ? selects(entry.namespaceSelector, namespaceLabels(peer.namespace)) : peer.namespace === policyNamespace;
  const podOk = entry.podSelector ? selects(entry.podSelector, peer.podLabels) : true;
  return namespaceOk && podOk;
}

/** IPv4 only: the tree's policies name no IPv6 block. */
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const network = (a: string) => Math.floor(a.split(".").reduce((acc, x) => acc * 256 + Number(x), 0) / 2 ** (32 - Number(bits)));
  return network(ip) === network(base);
}

/**
 * Whether the policies allow traffic of `direction` for the pods of `workload` to/from `peer` on
 * `port`: a pod no policy selects for that direction is open; a selected one is allowed only what
 * some selecting policy's rule allows.
 */
function allowed(objects: any[], workload: any, direction: "Ingress" | "Egress", peer: Peer, port: number, protocol = "TCP"): boolean {
  const ns = workload.metadata.namespace;
  const selecting = objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === ns &&
    selects(o.spec.podSelector ?? {}, podTemplate(workload).metadata.labels) && (o.spec.policyTypes ?? ["Ingress"]).includes(direction));
  if (selecting.length === 0) return true;
  return selecting.some((policy) => ((direction === "Ingress" ? policy.spec.ingress : policy.spec.egress) ?? []).some((rule: any) => {
    const peers = (direction === "Ingress" ? rule.from : rule.to) ?? [];
    const ports = rule.ports ?? [];
    return (peers.length === 0 || peers.some((e: any) => peerMatches(e, ns, peer))) &&
      (ports.length === 0 || ports.some((p: any) => portMatches(p, port, protocol)));
  }));
}

describe.each(["production", "debug"])("deploy/overlays/%s, rendered by kubectl kustomize", (variant) => {
  const objects = render(variant);
  const namespace = variant === "production" ? "prism" : "prism-debug";
  const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "Job");
  const own = (name: string) => ({ namespace, podLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "prism" } });
  const monitoring = { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } };
  const elsewhere = { namespace: "default", podLabels: { app: "other" } };

  it("renders every deployable component and its namespace, all valid for kubernetes-models", () => {
    // A Job's name ends in a digest of its pod template.
    expect(workloads.map((o) => (o.kind === "Job" ? o.metadata.name.replace(/-[0-9a-f]{8}$/, "-DIGEST") : o.metadata.name)).sort())
      .toEqual(DEPLOYABLE.map((c) => (c.workload === "Job" ? `${c.name}-v0-1-0-DIGEST` : c.name)).sort());
    for (const o of objects) {
      expect(MODELS[o.kind], o.kind).toBeDefined();
      expect(() => new MODELS[o.kind](o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it(`puts everything in its own namespace (${namespace}), which enforces the restricted Pod Security Standard`, () => {
    const ns = objects.filter((o) => o.kind === "Namespace");
    expect(ns.map((n) => n.metadata.name)).toEqual([namespace]);
    expect(ns[0].metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const o of objects.filter((x) => x.kind !== "Namespace")) expect(o.metadata.namespace).toBe(namespace);
  });

  it(`labels every object and pod template as ${variant}, selectors untouched`, () => {
    for (const o of objects) {
      expect(o.metadata.labels["app.kubernetes.io/environment"]).toBe(variant);
      if (podTemplate(o)) expect(podTemplate(o).metadata.labels["app.kubernetes.io/environment"]).toBe(variant);
      if (o.spec?.selector?.matchLabels) expect(o.spec.selector.matchLabels["app.kubernetes.io/environment"]).toBeUndefined();
    }
  });

  it("runs each component's own image at this overlay's tag", () => {
    const images = workloads.flatMap(containers).map((c) => c.image).sort();
    const tag = variant === "production" ? "v0.1.0" : "v0.1.0-debug";
    expect(images).toEqual(DEPLOYABLE.map((c) => `ghcr.io/prism/${c.name}:${tag}`).sort());
  });

  it("denies all traffic in the namespace by default: a default-deny policy selects every pod, both ways", () => {
    const deny = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "default-deny");
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it.each(DEPLOYABLE)("$name: its own NetworkPolicy selects its pods, both ways", (component) => {
    const workload = workloads.find((w) => w.metadata.labels["app.kubernetes.io/name"] === component.name);
    const policy = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === component.name);
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(selects(policy.spec.podSelector, podTemplate(workload).metadata.labels)).toBe(true);
    // And only its pods: no other workload of the namespace.
    for (const other of workloads.filter((w) => w !== workload)) expect(selects(policy.spec.podSelector, podTemplate(other).metadata.labels)).toBe(false);
  });

  it.each(DEPLOYABLE)("$name: ingress reaches its declared ports from where they serve, and nothing else", (component) => {
    const workload = workloads.find((w) => w.metadata.labels["app.kubernetes.io/name"] === component.name);
    for (const port of component.ports) {
      const isMetrics = port === 9090;
      expect(allowed(objects, workload, "Ingress", monitoring, port), `${port} from monitoring`).toBe(isMetrics);
      expect(allowed(objects, workload, "Ingress", own("kafka-consumer"), port), `${port} from the namespace`).toBe(!isMetrics);
      expect(allowed(objects, workload, "Ingress", elsewhere, port), `${port} from another namespace`).toBe(false);
    }
    // An undeclared port is closed to everyone, the namespace's own pods and the monitoring namespace included.
    for (const peer of [own("proxy"), monitoring, elsewhere]) {
      expect(allowed(objects, workload, "Ingress", peer, 8080)).toBe(false);
    }
  });

  it.each(DEPLOYABLE)("$name: egress reaches the cluster DNS and its declared destinations only", (component) => {
    const workload = workloads.find((w) => w.metadata.labels["app.kubernetes.io/name"] === component.name);
    const dns = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
    expect(allowed(objects, workload, "Egress", dns, 53, "UDP")).toBe(true);
    expect(allowed(objects, workload, "Egress", dns, 53, "TCP")).toBe(true);
    expect(allowed(objects, workload, "Egress", { namespace: "kube-system", podLabels: { app: "metrics-server" } }, 53, "UDP")).toBe(false);
    const broker = { namespace: "kafka", podLabels: { app: "kafka" } };
    expect(allowed(objects, workload, "Egress", broker, 9092)).toBe(component.name.startsWith("kafka-"));
    expect(allowed(objects, workload, "Egress", broker, 9093)).toBe(false);
    expect(allowed(objects, workload, "Egress", { namespace: "", ip: "140.82.112.3" }, 443)).toBe(false);
    expect(allowed(objects, workload, "Egress", own("proxy"), 8980)).toBe(false);
  });

  it("keeps every Deployment up through drains and spread over nodes: budget, anti-affinity, zone spread", () => {
    for (const d of workloads.filter((w) => w.kind === "Deployment")) {
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
      const budget = objects.find((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === d.metadata.name);
      expect(budget.spec.maxUnavailable).toBe(1);
      expect(selects(budget.spec.selector, podTemplate(d).metadata.labels)).toBe(true);
      const term = podTemplate(d).spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
      expect(term.topologyKey).toBe("kubernetes.io/hostname");
      expect(selects(term.labelSelector, podTemplate(d).metadata.labels)).toBe(true);
      expect(podTemplate(d).spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" });
    }
    // A Job runs once: no budget, no spread.
    const job = workloads.find((w) => w.kind === "Job");
    expect(podTemplate(job).spec.affinity).toBeUndefined();
    expect(objects.some((o) => o.kind === "PodDisruptionBudget" && o.metadata.name.startsWith("prism-migrate"))).toBe(false);
  });

  it("every container's ephemeral-storage request holds its writable volumes, within its limit", () => {
    const mi = (q: string) => Number(q.replace(/Mi$/, ""));
    for (const w of workloads) {
      const c = containers(w)[0];
      const volumes = podTemplate(w).spec.volumes.map((v: any) => mi(v.emptyDir.sizeLimit)).reduce((a: number, b: number) => a + b, 0);
      expect(mi(c.resources.requests["ephemeral-storage"])).toBeGreaterThanOrEqual(volumes);
      expect(mi(c.resources.limits["ephemeral-storage"])).toBeGreaterThanOrEqual(mi(c.resources.requests["ephemeral-storage"]));
    }
  });
});

describe("the NetworkPolicies follow the options: monitoringNamespace and each kind of egress", () => {
  const dir = synth((outdir) => {
    const p = new ContainerMonorepo({ name: "shop", outdir, monitoringNamespace: "observability", ...UNPINNED });
    new RustComponent(p, "api", {
      ports: [{ name: "http", port: 8080 }, ...METRICS],
      egress: [{ cidr: "10.20.0.0/16", ports: [9092, 9093] }, { namespace: "shop", ports: [5432] }, { namespace: "dns-cache", ports: [53], protocol: "UDP" }],
    });
    return p;
  }).outdir;

  it.each(["production", "debug"])("%s: metrics from the declared monitoring namespace only; egress to the CIDR, the own namespace, the named one", (variant) => {
    const objects = render(variant, dir);
    const api = objects.find((o) => o.kind === "Deployment");
    const namespace = api.metadata.namespace;
    expect(namespace).toBe(variant === "production" ? "shop" : "shop-debug");
    const peer = (ns: string) => ({ namespace: ns, podLabels: { app: "x" } });
    expect(allowed(objects, api, "Ingress", peer("observability"), 9090)).toBe(true);
    expect(allowed(objects, api, "Ingress", peer("monitoring"), 9090)).toBe(false);
    expect(allowed(objects, api, "Ingress", peer(namespace), 8080)).toBe(true);
    expect(allowed(objects, api, "Ingress", peer("observability"), 8080)).toBe(false);
    expect(allowed(objects, api, "Egress", { namespace: "", ip: "10.20.3.4" }, 9093)).toBe(true);
    expect(allowed(objects, api, "Egress", { namespace: "", ip: "10.21.0.1" }, 9093)).toBe(false);
    expect(allowed(objects, api, "Egress", { namespace: "", ip: "10.20.3.4" }, 9094)).toBe(false);
    // "shop" is the project's own namespace: in the debug overlay that is shop-debug, never production's.
    expect(allowed(objects, api, "Egress", peer(namespace), 5432)).toBe(true);
    expect(allowed(objects, api, "Egress", peer(variant === "debug" ? "shop" : "shop-debug"), 5432)).toBe(false);
    expect(allowed(objects, api, "Egress", peer("dns-cache"), 53, "UDP")).toBe(true);
    expect(allowed(objects, api, "Egress", peer("dns-cache"), 53, "TCP")).toBe(false);
  });

  it("the evaluator is live: a port entry without a port opens every port", () => {
    const objects = render("production", dir);
    const api = objects.find((o) => o.kind === "Deployment");
    const policy = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "api");
    expect(allowed(objects, api, "Ingress", { namespace: "shop", podLabels: {} }, 7000)).toBe(false);
    policy.spec.ingress[0].ports = [{ protocol: "TCP" }];
    expect(allowed(objects, api, "Ingress", { namespace: "shop", podLabels: {} }, 7000)).toBe(true);
  });
});

describe("the policy over the rendered overlays", () => {
  it("passes both overlays of the default tree: every Kubernetes rule, kube-score's included", () => {
    const report = runPolicy(synthPrism().outdir, { dependencyGraph: false });
    expect(report.findings).toEqual([]);
    expect(report.files.kubernetes).toContain("deploy/overlays/debug/namespace.yaml");
  });

  /** A copy of the default tree with one edit to a generated file. */
  function edited(file: string, change: (text: string) => string): string {
    const dir = tmpdir();
    fs.cpSync(synthPrism().outdir, dir, { recursive: true });
    const target = path.join(dir, file);
    fs.chmodSync(target, 0o644);
    fs.writeFileSync(target, change(fs.readFileSync(target, "utf-8")));
    return dir;
  }

  it("checks what kustomize renders, not only the base: an overlay's image tag is found at the base line it changes", () => {
    // GIVEN the production overlay retagging the proxy to latest (the base itself is untouched)
    const dir = edited("deploy/overlays/production/kustomization.yaml", (t) => t.replace(/(name: ghcr\.io\/prism\/proxy\n\s+newTag: )v0\.1\.0/, "$1latest"));
    const findings = runPolicy(dir, { dependencyGraph: false }).findings;
    // THEN one finding, from the production overlay only, on the base's image line
    expect(findings.map((f) => [f.ruleIds[0], f.file])).toEqual([["KSV-0013", "deploy/base/proxy.yaml"]]);
    expect(findings[0].message).toMatch(/image ghcr\.io\/prism\/proxy:latest has no tag or uses latest \(overlay production\)$/);
    const base = fs.readFileSync(path.join(dir, "deploy/base/proxy.yaml"), "utf-8").split("\n");
    expect(base[findings[0].line - 1]).toMatch(/^\s+image: ghcr\.io\/prism\/proxy:v0\.1\.0$/);
  });

  it("the production overlay may not run a debug image; the debug overlay may", () => {
    const dir = edited("deploy/overlays/production/kustomization.yaml", (t) => t.replace(/(name: ghcr\.io\/prism\/proxy\n\s+newTag: )v0\.1\.0/, "$1v0.1.0-debug"));
    expect(runPolicy(dir, { dependencyGraph: false }).findings.map((f) => `${f.ruleIds[0]} ${f.message.replace(/.*\(/, "(")}`))
      .toEqual(["PRISM-K002 (overlay production)"]);
  });

  it("a finding in an overlay's own file is located in that overlay's file, not in the other's object of the same name", () => {
    const dir = edited("deploy/overlays/debug/namespace.yaml", (t) => t.replace("  podSelector: {}", "  podSelector:\n    matchLabels:\n      app: nothing"));
    const findings = runPolicy(dir, { dependencyGraph: false }).findings;
    expect(findings.map((f) => [f.ruleIds[0], f.file])).toEqual([["networkpolicy-targets-pod", "deploy/overlays/debug/namespace.yaml"]]);
    expect(findings[0].message).toMatch(/\(overlay debug\)$/);
  });

  it("an overlay kustomize refuses is a finding, never a pass", () => {
    const dir = edited("deploy/overlays/debug/kustomization.yaml", (t) => t.replace("../../base", "../../missing-base"));
    const findings = runPolicy(dir, { dependencyGraph: false }).findings;
    expect(findings.map((f) => [f.ruleIds[0], f.file])).toEqual([["KUSTOMIZE", "deploy/overlays/debug/kustomization.yaml"]]);
    expect(findings[0].message).toMatch(/^cannot be rendered: kubectl kustomize failed: .*missing-base/);
  });
});
