import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ContainerMonorepo, RustComponent } from "../src";
import { kustomizeBuild } from "../src/policy/kustomize-build";
import { runPolicy } from "../src/policy/run";
import { GoComponent, WorkloadKind } from "../src";
import { KUBERNETES_MODELS, METRICS, PRISM_COMPONENTS, UNPINNED, synth, synthPrism, tmpdir } from "./helpers";
import { allowed, connects, podsOf, selects, type Endpoint } from "./network-policy-evaluator";

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

describe.each(["production", "debug"])("deploy/overlays/%s, rendered by kubectl kustomize", (variant) => {
  const objects = render(variant);
  const namespace = variant === "production" ? "prism" : "prism-debug";
  const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "Job");

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

describe("the NetworkPolicies follow the options: monitoringNamespace, a namespace as a source, each kind of egress", () => {
  const dir = synth((outdir) => {
    const p = new ContainerMonorepo({ name: "shop", outdir, monitoringNamespace: "observability", ...UNPINNED });
    new RustComponent(p, "api", {
      ports: [{ name: "http", port: 8080, allowFrom: [{ namespace: "web" }] }, ...METRICS],
      egress: [{ cidr: "10.20.0.0/16", ports: [9092, 9093] }, { namespace: "shop", ports: [5432] }, { namespace: "dns-cache", ports: [53], protocol: "UDP" }],
    });
    return p;
  }).outdir;
  const apiOf = (objects: any[]) => podsOf(objects).get("api")!;

  it.each(["production", "debug"])("%s: metrics from the declared monitoring namespace only; egress to the CIDR, the own namespace, the named one", (variant) => {
    const objects = render(variant, dir);
    const api = apiOf(objects);
    const namespace = api.namespace;
    expect(namespace).toBe(variant === "production" ? "shop" : "shop-debug");
    const peer = (ns: string) => ({ namespace: ns, podLabels: { app: "x" } });
    expect(allowed(objects, api, "Ingress", peer("observability"), 9090)).toBe(true);
    expect(allowed(objects, api, "Ingress", peer("monitoring"), 9090)).toBe(false);
    // Another namespace by name, in both overlays; the project's own is not it.
    expect(allowed(objects, api, "Ingress", peer("web"), 8080)).toBe(true);
    expect(allowed(objects, api, "Ingress", peer(namespace), 8080)).toBe(false);
    expect(allowed(objects, api, "Ingress", peer("observability"), 8080)).toBe(false);
    expect(allowed(objects, api, "Egress", { namespace: "", ip: "10.20.3.4" }, 9093)).toBe(true);
    expect(allowed(objects, api, "Egress", { namespace: "", ip: "10.21.0.1" }, 9093)).toBe(false);
    expect(allowed(objects, api, "Egress", { namespace: "", ip: "10.20.3.4" }, 9094)).toBe(false);
    expect(allowed(objects, api, "Egress", peer(namespace), 5432)).toBe(true);
    expect(allowed(objects, api, "Egress", peer(variant === "debug" ? "shop" : "shop-debug"), 5432)).toBe(false);
    expect(allowed(objects, api, "Egress", peer("dns-cache"), 53, "UDP")).toBe(true);
    expect(allowed(objects, api, "Egress", peer("dns-cache"), 53, "TCP")).toBe(false);
  });

  it("the evaluator is live: a port entry without a port opens every port", () => {
    const objects = render("production", dir);
    const api = apiOf(objects);
    const policy = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "api");
    expect(allowed(objects, api, "Ingress", { namespace: "web", podLabels: {} }, 7000)).toBe(false);
    policy.spec.ingress[0].ports = [{ protocol: "TCP" }];
    expect(allowed(objects, api, "Ingress", { namespace: "web", podLabels: {} }, 7000)).toBe(true);
  });
});

/**
 * Every connection a cluster could attempt, in both overlays of a tree: from each pod of the tree and each
 * endpoint outside it, to each pod of the tree and each outside destination, on every port either side knows
 * and one nobody declared, over TCP and UDP. The evaluator's answer must be the declared intent, written out
 * here from the tree's `.projenrc.ts`: every declared edge connects, and nothing else does.
 */
interface Edge { readonly from: string; readonly to: string; readonly port: number; readonly protocol?: string }
/** "*" as a source: every endpoint outside the tree's namespace (a pod inside it is denied egress by default, the tree's own must declare theirs). */
const ANY_OUTSIDE = "*";

function checkTraffic(objects: any[], namespace: string, outside: Record<string, Endpoint>, destinationsOutside: readonly string[], edges: readonly Edge[]) {
  const pods = podsOf(objects);
  const endpoints = new Map<string, Endpoint>([...pods, ...Object.entries(outside)]);
  const anyOutside = (name: string) => endpoints.get(name)!.namespace !== namespace;
  // Every port a pod of the tree declares or an edge names, and one nobody declared; every protocol.
  const declaredPorts = objects.filter((o) => o.kind === "Deployment" || o.kind === "Job")
    .flatMap((w) => w.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)));
  const ports = [...new Set([...edges.map((e) => e.port), ...declaredPorts, 7000])].sort((a, b) => a - b);
  const matches = (e: Edge, to: string, port: number, protocol: string) => e.to === to && e.port === port && (e.protocol ?? "TCP") === protocol;
  // A whole connection: "*" stands for every endpoint outside the namespace (a pod inside it is denied egress by default).
  const expected = (from: string, to: string, port: number, protocol: string) => edges.some((e) =>
    (e.from === from || (e.from === ANY_OUTSIDE && anyOutside(from))) && matches(e, to, port, protocol));
  // Each end alone, so that one end's over-permission is not hidden by the other's denial: the destination lets in
  // exactly its declared sources ("*": every endpoint at all), and a pod of the tree sends exactly to its declared destinations.
  const letsIn = (from: string, to: string, port: number, protocol: string) => edges.some((e) => (e.from === from || e.from === ANY_OUTSIDE) && matches(e, to, port, protocol));
  const sendsOut = (from: string, to: string, port: number, protocol: string) => edges.some((e) => e.from === from && matches(e, to, port, protocol));
  const wrong: string[] = [];
  const tried = new Set<string>();
  for (const [from, source] of endpoints) {
    for (const to of [...pods.keys(), ...destinationsOutside]) {
      // Between two endpoints outside the tree, its policies decide nothing.
      if (!pods.has(from) && !pods.has(to)) continue;
      const destination = endpoints.get(to)!;
      for (const port of ports) {
        for (const protocol of ["TCP", "UDP", "SCTP"]) {
          const actual = connects(objects, source, destination, port, protocol);
          if (actual && expected(from, to, port, protocol)) tried.add(`${from}>${to}:${port}/${protocol}`);
          if (actual !== expected(from, to, port, protocol)) wrong.push(`${from} -> ${to}:${port}/${protocol}: ${actual ? "connects" : "denied"}`);
          if (pods.has(to) && allowed(objects, destination, "Ingress", source, port, protocol) !== letsIn(from, to, port, protocol)) {
            wrong.push(`${to} ingress from ${from} on ${port}/${protocol}: ${letsIn(from, to, port, protocol) ? "denied" : "allowed"}`);
          }
          if (pods.has(from) && allowed(objects, source, "Egress", destination, port, protocol) !== sendsOut(from, to, port, protocol)) {
            wrong.push(`${from} egress to ${to} on ${port}/${protocol}: ${sendsOut(from, to, port, protocol) ? "denied" : "allowed"}`);
          }
        }
      }
    }
  }
  if (wrong.length > 0) throw new Error(`${wrong.length} connection(s) not as declared:\n${wrong.join("\n")}`);
  // Not vacuous: each declared edge was tried, and connected (a source "*" once per endpoint outside the namespace).
  const declared = edges.flatMap((e) => (e.from === ANY_OUTSIDE ? Object.keys(outside).filter(anyOutside) : [e.from]).map((f) => `${f}>${e.to}:${e.port}/${e.protocol ?? "TCP"}`));
  expect(declared.filter((d) => !tried.has(d))).toEqual([]);
}

/** Endpoints outside a tree: pods of other namespaces, the other overlay's pods, addresses outside the cluster. */
function outsideOf(namespace: string, otherOverlay: string, podNames: readonly string[], part: string): Record<string, Endpoint> {
  const pod = (ns: string, labels: Record<string, string>): Endpoint => ({ namespace: ns, podLabels: labels });
  return {
    "kube-dns": pod("kube-system", { "k8s-app": "kube-dns" }),
    "kube-system/metrics-server": pod("kube-system", { "k8s-app": "metrics-server" }),
    "monitoring/prometheus": pod("monitoring", { "app.kubernetes.io/name": "prometheus" }),
    "default/app": pod("default", { app: "other" }),
    // Labelled like the tree's own pods, in the other overlay's namespace: a label alone must not let them in.
    ...Object.fromEntries(podNames.map((n) => [`${otherOverlay}/${n}`, pod(otherOverlay, { "app.kubernetes.io/name": n, "app.kubernetes.io/part-of": part })])),
    // A pod of the tree's namespace that the tree does not run.
    [`${namespace}/stranger`]: pod(namespace, { app: "stranger" }),
    "internet 140.82.112.3": { namespace: "", ip: "140.82.112.3" },
  };
}

describe.each(["production", "debug"])("traffic in Prism's tree, %s overlay: every declared edge connects, every other connection is denied", (variant) => {
  const objects = render(variant);
  const namespace = variant === "production" ? "prism" : "prism-debug";
  const running = DEPLOYABLE.map((c) => c.name);
  const outside = {
    ...outsideOf(namespace, variant === "production" ? "prism-debug" : "prism", running, "prism"),
    "kafka/broker": { namespace: "kafka", podLabels: { app: "kafka" } },
    "postgres/db": { namespace: "postgres", podLabels: { app: "postgres" } },
  };
  const plugins = ["kafka-publisher", "kafka-consumer", "mailbox-listener"];
  const destinations = ["kube-dns", "kube-system/metrics-server", "kafka/broker", "postgres/db", "monitoring/prometheus", "internet 140.82.112.3"];
  // The intent of .projenrc.ts, written out: the proxy's gRPC from anywhere (and from each plugin, which connects to it);
  // each metrics port from the monitoring namespace; every pod to the cluster DNS; the Kafka plugins to the brokers;
  // the migration Job to PostgreSQL.
  const edges: Edge[] = [
    { from: ANY_OUTSIDE, to: "proxy", port: 8980 },
    ...plugins.map((p) => ({ from: p, to: "proxy", port: 8980 })),
    ...DEPLOYABLE.filter((c) => (c.ports as readonly number[]).includes(9090)).map((c) => ({ from: "monitoring/prometheus", to: c.name, port: 9090 })),
    ...running.flatMap((c) => ["TCP", "UDP"].map((protocol) => ({ from: c, to: "kube-dns", port: 53, protocol }))),
    { from: "kafka-publisher", to: "kafka/broker", port: 9092 },
    { from: "kafka-consumer", to: "kafka/broker", port: 9092 },
    { from: "prism-migrate", to: "postgres/db", port: 5432 },
  ];

  it("connects exactly the declared edges", () => {
    expect([...podsOf(objects).keys()].sort()).toEqual([...running].sort());
    checkTraffic(objects, namespace, outside, destinations, edges);
  });

  it("the check is live: a policy that lets every namespace in, or a pod out, is caught", () => {
    const opened = structuredClone(objects);
    opened.find((o: any) => o.kind === "NetworkPolicy" && o.metadata.name === "kafka-consumer").spec.ingress.push({ from: [{ namespaceSelector: {} }] });
    expect(() => checkTraffic(opened, namespace, outside, destinations, edges)).toThrow(/default\/app -> kafka-consumer:9090\/TCP: connects/);
    const leaking = structuredClone(objects);
    leaking.find((o: any) => o.kind === "NetworkPolicy" && o.metadata.name === "mailbox-listener").spec.egress.push({ to: [{ namespaceSelector: {} }] });
    expect(() => checkTraffic(leaking, namespace, outside, destinations, edges)).toThrow(/mailbox-listener -> kafka\/broker:9092\/TCP: connects/);
    expect(() => checkTraffic(objects, namespace, outside, destinations, [...edges, { from: "proxy", to: "kube-dns", port: 7000 }])).toThrow(/proxy -> kube-dns:7000\/TCP: denied/);
    // Ingress opened to the whole namespace: no connection shows it (every pod there is denied egress), its end alone does.
    const namespaceWide = structuredClone(objects);
    namespaceWide.find((o: any) => o.kind === "NetworkPolicy" && o.metadata.name === "kafka-consumer").spec.ingress.push({ from: [{ podSelector: {} }] });
    expect(() => checkTraffic(namespaceWide, namespace, outside, destinations, edges)).toThrow(/kafka-consumer ingress from proxy on 9090\/TCP: allowed/);
  });
});

describe("traffic in a second tree: each kind of source, declared from either end", () => {
  const dir = synth((outdir) => {
    const p = new ContainerMonorepo({ name: "shop", outdir, ...UNPINNED });
    new RustComponent(p, "api", {
      ports: [
        { name: "http", port: 8080, allowFrom: [{ namespace: "web" }, { cidr: "192.0.2.0/24" }] },
        // Declared by the server: cron gets the egress rule without declaring it.
        { name: "grpc", port: 8980, allowFrom: [{ component: "cron" }] },
        // Not the monitoring namespace: allowFrom replaces the default.
        { name: "metrics", port: 9090, allowFrom: [{ namespace: "observability" }] },
      ],
    });
    new RustComponent(p, "worker", { ports: METRICS, connectsTo: [{ component: "api", port: "grpc" }, { component: "admin", port: "stats" }] });
    // A port no one is declared to reach (closed), and a UDP one the worker reaches.
    new RustComponent(p, "admin", { ports: [{ name: "admin", port: 7070, allowFrom: [{ component: "worker" }] }, { name: "pprof", port: 6060 },
      { name: "stats", port: 8125, protocol: "UDP" }, ...METRICS] });
    new GoComponent(p, "cron", { workload: WorkloadKind.JOB });
    return p;
  }).outdir;

  it.each(["production", "debug"])("%s: connects exactly the declared edges", (variant) => {
    const objects = render(variant, dir);
    const namespace = variant === "production" ? "shop" : "shop-debug";
    const running = ["api", "worker", "admin", "cron"];
    const outside = {
      ...outsideOf(namespace, variant === "production" ? "shop-debug" : "shop", running, "shop"),
      "web/frontend": { namespace: "web", podLabels: { app: "frontend" } },
      "observability/agent": { namespace: "observability", podLabels: { app: "agent" } },
      "lb 192.0.2.40": { namespace: "", ip: "192.0.2.40" },
    };
    const edges: Edge[] = [
      { from: "web/frontend", to: "api", port: 8080 },
      { from: "lb 192.0.2.40", to: "api", port: 8080 },
      { from: "cron", to: "api", port: 8980 },
      { from: "worker", to: "api", port: 8980 },
      { from: "observability/agent", to: "api", port: 9090 },
      { from: "monitoring/prometheus", to: "worker", port: 9090 },
      { from: "monitoring/prometheus", to: "admin", port: 9090 },
      { from: "worker", to: "admin", port: 7070 },
      { from: "worker", to: "admin", port: 8125, protocol: "UDP" },
      ...running.flatMap((c) => ["TCP", "UDP"].map((protocol) => ({ from: c, to: "kube-dns", port: 53, protocol }))),
    ];
    checkTraffic(objects, namespace, outside, ["kube-dns", "web/frontend", "internet 140.82.112.3"], edges);
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
