import type { Rule } from "./finding";
import type { KubernetesObject, KubernetesSource, ObjectPath } from "./kubernetes-source";
import { atContainer, atPod, containers, isUnset, pods, resourced, type PodRef } from "./kubernetes-rules";

/**
 * kube-score's default checks, under their kube-score ids, over every object of one apply (the rules
 * that relate objects need them all). Checks already covered by a PSS or trivy rule carry the
 * kube-score id as an alias there (container-resources, container-image-tag,
 * container-security-context-*, pod-probes). The ones for kinds prism-projen never writes
 * (StatefulSet, CronJob, Ingress, HorizontalPodAutoscaler) are not here; docs/policy.md lists them.
 *
 * @see https://github.com/zegl/kube-score/blob/master/README_CHECKS.md
 */

/** A label selector as the API has it: `matchLabels` and `matchExpressions`, all of which must hold. */
interface Selector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** Whether a label selector selects `labels`; an empty selector selects everything. */
export function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels ?? {};
  if (!selector) return false;
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has[k] === v) &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case "In": return key in has && values.includes(has[key]);
        case "NotIn": return !(key in has) || !values.includes(has[key]);
        case "Exists": return key in has;
        case "DoesNotExist": return !(key in has);
        default: return false;
      }
    });
}

/** A Service's selector (a plain map): every pair on the pod; none (as kube-score reads it) selects every pod. */
const serviceSelects = (selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** A NetworkPolicy's podSelector: absent is empty, which selects every pod of its namespace. */
const policySelects = (policy: KubernetesObject, labels: Readonly<Record<string, string>>) => selects(policy.value.spec?.podSelector ?? {}, labels);

/** A probe's port as kube-score compares it (`IntValue`): a number, a numeric string's number, or 0 for a name. */
const probePort = (port: unknown) => typeof port === "number" ? port : /^\d+$/.test(String(port)) ? Number(port) : 0;

const namespaceOf = (o: KubernetesObject) => o.value.metadata?.namespace ?? "default";
const templateLabels = (p: PodRef) => (p.kind === "Pod" ? p.object.value.metadata?.labels : p.object.value.spec?.template?.metadata?.labels) ?? {};
const ofKind = (src: KubernetesSource, kind: string) => src.objects.filter((o) => o.value.kind === kind);
const at = (o: KubernetesObject, path: ObjectPath, message: string) =>
  ({ ...o.locate(path), message: `${o.value.kind}/${o.value.metadata?.name ?? "?"}: ${message}` });
const isJob = (p: PodRef) => p.kind === "Job" || p.kind === "CronJob";

/** Services of the pod's namespace whose selector matches its labels. */
const servicesTargeting = (src: KubernetesSource, p: PodRef) => ofKind(src, "Service")
  .filter((s) => namespaceOf(s) === namespaceOf(p.object) && serviceSelects(s.value.spec?.selector, templateLabels(p)));

/** kube-score skips the replica-dependent checks when replicas is set below 2. */
const fewReplicas = (d: KubernetesObject) => typeof d.value.spec?.replicas === "number" && d.value.spec.replicas < 2;

const HOST_TOPOLOGY_KEYS = new Set([
  "kubernetes.io/hostname", "topology.kubernetes.io/region", "topology.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
]);

/** apiVersion/kind pairs with a stable replacement, and that replacement (kube-score's table). */
const DEPRECATED_APIS: Readonly<Record<string, string>> = {
  "extensions/v1beta1/Deployment": "apps/v1", "extensions/v1beta1/DaemonSet": "apps/v1",
  "extensions/v1beta1/Ingress": "networking.k8s.io/v1", "extensions/v1beta1/IngressClass": "networking.k8s.io/v1",
  "apps/v1beta1/Deployment": "apps/v1", "apps/v1beta1/StatefulSet": "apps/v1",
  "apps/v1beta2/Deployment": "apps/v1", "apps/v1beta2/StatefulSet": "apps/v1", "apps/v1beta2/DaemonSet": "apps/v1",
  "batch/v1beta1/CronJob": "batch/v1", "policy/v1beta1/PodDisruptionBudget": "policy/v1",
  "networking.k8s.io/v1beta1/Ingress": "networking.k8s.io/v1", "networking.k8s.io/v1beta1/IngressClass": "networking.k8s.io/v1",
  "autoscaling/v2beta1/HorizontalPodAutoscaler": "autoscaling/v2", "autoscaling/v2beta2/HorizontalPodAutoscaler": "autoscaling/v2",
};

/** A label value as the API server accepts it. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** kube-score reads the tag as whatever follows the image reference's last ':'. */
const imageTag = (image: string) => (image.includes(":") ? image.slice(image.lastIndexOf(":") + 1) : "");

export const KUBE_SCORE_RULES: readonly Rule<KubernetesSource>[] = [
  {
    ids: ["pod-networkpolicy"],
    summary: "Every pod is selected by NetworkPolicies of its namespace for both ingress and egress",
    source: "kube-score pod-networkpolicy",
    check: (src) => {
      const policies = ofKind(src, "NetworkPolicy");
      return pods(src).flatMap((p) => {
        const types = new Set(policies
          .filter((n) => namespaceOf(n) === namespaceOf(p.object) && policySelects(n, templateLabels(p)))
          .flatMap((n) => {
            const listed: string[] | undefined = n.value.spec?.policyTypes;
            if (listed && listed.length > 0) return listed;
            return (n.value.spec?.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
          }));
        const missing = ["Ingress", "Egress"].filter((t) => !types.has(t));
        return missing.length === 0 ? [] : [at(p.object, ["metadata", "name"], `no NetworkPolicy of its namespace selects its pods for ${missing.join(" and ").toLowerCase()}`)];
      });
    },
  },
  {
    ids: ["networkpolicy-targets-pod"],
    summary: "Every NetworkPolicy selects at least one pod of its namespace",
    source: "kube-score networkpolicy-targets-pod",
    check: (src) => {
      const all = pods(src);
      return ofKind(src, "NetworkPolicy").filter((n) => !all.some((p) =>
        namespaceOf(p.object) === namespaceOf(n) && policySelects(n, templateLabels(p))))
        .map((n) => at(n, ["spec", "podSelector"], "its podSelector selects no pod"));
    },
  },
  {
    ids: ["deployment-has-poddisruptionbudget"],
    summary: "Every Deployment with 2 or more replicas is covered by a PodDisruptionBudget of its namespace",
    source: "kube-score deployment-has-poddisruptionbudget",
    check: (src) => ofKind(src, "Deployment").filter((d) => !fewReplicas(d) && !ofKind(src, "PodDisruptionBudget").some((b) =>
      namespaceOf(b) === namespaceOf(d) && selects(b.value.spec?.selector, d.value.spec?.template?.metadata?.labels)))
      .map((d) => at(d, ["spec", "replicas"], "no PodDisruptionBudget covers its pods")),
  },
  {
    ids: ["poddisruptionbudget-has-policy"],
    summary: "Every PodDisruptionBudget sets minAvailable or maxUnavailable",
    source: "kube-score poddisruptionbudget-has-policy",
    check: (src) => ofKind(src, "PodDisruptionBudget").filter((b) => b.value.spec?.minAvailable === undefined && b.value.spec?.maxUnavailable === undefined)
      .map((b) => at(b, ["spec"], "sets neither minAvailable nor maxUnavailable")),
  },
  {
    ids: ["deployment-has-host-podantiaffinity"],
    summary: "Every Deployment with 2 or more replicas has a pod anti-affinity on a node, zone or region key that selects its own pods",
    source: "kube-score deployment-has-host-podantiaffinity",
    check: (src) => ofKind(src, "Deployment").filter((d) => {
      if (fewReplicas(d)) return false;
      const anti = d.value.spec?.template?.spec?.affinity?.podAntiAffinity ?? {};
      const own = d.value.spec?.template?.metadata?.labels;
      const terms = [
        ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t.podAffinityTerm ?? {}),
        ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ];
      return !terms.some((t: any) => HOST_TOPOLOGY_KEYS.has(t.topologyKey) && selects(t.labelSelector, own));
    }).map((d) => at(d, ["spec", "template", "spec", "affinity"], "no pod anti-affinity keeps its replicas on different nodes")),
  },
  {
    ids: ["container-ephemeral-storage-request-and-limit"],
    summary: "Every container sets ephemeral-storage requests and limits",
    source: "kube-score container-ephemeral-storage-request-and-limit",
    check: (src) => resourced(src).flatMap((r) => (["requests", "limits"] as const)
      .filter((kind) => isUnset(r.c.resources?.[kind]?.["ephemeral-storage"]))
      .map((kind) => atContainer(r, ["resources", kind], `resources.${kind}.ephemeral-storage is not set`))),
  },
  {
    ids: ["pod-probes-identical"],
    summary: "No container's readiness probe is the same as its liveness probe",
    source: "kube-score pod-probes-identical",
    check: (src) => containers(src).filter((r) => !isJob(r.pod)).filter((r) => {
      const ready = r.c.readinessProbe;
      const live = r.c.livenessProbe;
      if (!ready || !live) return false;
      if (ready.httpGet && live.httpGet) return ready.httpGet.path === live.httpGet.path && probePort(ready.httpGet.port) === probePort(live.httpGet.port);
      if (ready.tcpSocket && live.tcpSocket) return ready.tcpSocket.port === live.tcpSocket.port;
      if (ready.exec && live.exec) return JSON.stringify(ready.exec.command) === JSON.stringify(live.exec.command);
      return false;
    }).map((r) => atContainer(r, ["readinessProbe"], "its readiness probe is its liveness probe: a slow dependency would restart it")),
  },
  {
    ids: ["container-image-pull-policy"],
    summary: "Every container pulls with imagePullPolicy Always (so image pull secrets are checked on every start)",
    source: "kube-score container-image-pull-policy",
    check: (src) => containers(src).filter((r) => {
      const tag = imageTag(r.c.image ?? "");
      if (r.c.imagePullPolicy === undefined && (tag === "" || tag === "latest")) return false;
      return r.c.imagePullPolicy !== "Always";
    }).map((r) => atContainer(r, ["imagePullPolicy"], `imagePullPolicy is ${r.c.imagePullPolicy ?? "not set"}, not Always`)),
  },
  {
    ids: ["environment-variable-key-duplication"],
    summary: "No container sets an environment variable twice",
    source: "kube-score environment-variable-key-duplication",
    check: (src) => containers(src).flatMap((r) => ((r.c.env ?? []) as any[]).flatMap((e, i, all) =>
      all.findIndex((x) => x.name === e.name) < i ? [atContainer(r, ["env", i], `environment variable ${e.name} is set twice`)] : [])),
  },
  {
    ids: ["service-targets-pod"],
    summary: "Every Service (but ExternalName) selects the pods of a workload in its namespace",
    source: "kube-score service-targets-pod",
    check: (src) => {
      const all = pods(src);
      return ofKind(src, "Service").filter((s) => s.value.spec?.type !== "ExternalName" && !all.some((p) =>
        namespaceOf(p.object) === namespaceOf(s) && serviceSelects(s.value.spec?.selector, templateLabels(p))))
        .map((s) => at(s, ["spec", "selector"], "its selector matches no pod"));
    },
  },
  {
    ids: ["service-type"],
    summary: "No Service is of type NodePort",
    source: "kube-score service-type",
    check: (src) => ofKind(src, "Service").filter((s) => s.value.spec?.type === "NodePort")
      .map((s) => at(s, ["spec", "type"], "is of type NodePort, which opens a port on every node and bypasses NetworkPolicies")),
  },
  {
    ids: ["stable-version"],
    summary: "No object uses a deprecated apiVersion that has a stable replacement",
    source: "kube-score stable-version",
    check: (src) => src.objects.flatMap((o) => {
      const stable = DEPRECATED_APIS[`${o.value.apiVersion}/${o.value.kind}`];
      return stable ? [at(o, ["apiVersion"], `${o.value.apiVersion} is deprecated; use ${stable}`)] : [];
    }),
  },
  {
    ids: ["label-values"],
    summary: "Every label value is one the API server accepts",
    source: "kube-score label-values",
    check: (src) => src.objects.flatMap((o) => Object.entries(o.value.metadata?.labels ?? {})
      .filter(([, value]) => typeof value !== "string" || !LABEL_VALUE.test(value))
      .map(([key, value]) => at(o, ["metadata", "labels", key], `label ${key} has the invalid value ${JSON.stringify(value)}`))),
  },
  {
    ids: ["deployment-strategy"],
    summary: "Every Deployment a Service targets rolls out with the RollingUpdate strategy",
    source: "kube-score deployment-strategy",
    check: (src) => pods(src).filter((p) => p.kind === "Deployment" && servicesTargeting(src, p).length > 0)
      .filter((p) => !["RollingUpdate", undefined].includes(p.object.value.spec?.strategy?.type))
      .map((p) => at(p.object, ["spec", "strategy", "type"], `strategy ${p.object.value.spec.strategy.type}: pods behind its Service would all stop at once`)),
  },
  {
    ids: ["deployment-replicas"],
    summary: "Every Deployment a Service targets runs 2 or more replicas",
    source: "kube-score deployment-replicas",
    check: (src) => pods(src).filter((p) => p.kind === "Deployment" && servicesTargeting(src, p).length > 0 && (p.object.value.spec?.replicas ?? 1) < 2)
      .map((p) => at(p.object, ["spec", "replicas"], `runs ${p.object.value.spec?.replicas ?? 1} replica behind a Service: every restart is downtime`)),
  },
  {
    ids: ["deployment-pod-selector-labels-match-template-metadata-labels"],
    summary: "Every Deployment's selector selects its own pod template",
    source: "kube-score deployment-pod-selector-labels-match-template-metadata-labels",
    check: (src) => ofKind(src, "Deployment").filter((d) => !selects(d.value.spec?.selector, d.value.spec?.template?.metadata?.labels))
      .map((d) => at(d, ["spec", "selector"], "its selector does not select its own pod template's labels")),
  },
  {
    ids: ["pod-topology-spread-constraints"],
    summary: "Every topology spread constraint has a label selector, a topology key, maxSkew and minDomains above 0, and a valid whenUnsatisfiable",
    source: "kube-score pod-topology-spread-constraints",
    check: (src) => pods(src).flatMap((p) => ((p.spec.topologySpreadConstraints ?? []) as any[]).flatMap((c, i) => {
      const problem = !c.labelSelector ? "has no labelSelector"
        : !(c.maxSkew > 0) ? "has maxSkew 0"
        : c.minDomains !== undefined && !(c.minDomains > 0) ? "has minDomains 0"
        : !c.topologyKey ? "has no topologyKey"
        : !["DoNotSchedule", "ScheduleAnyway"].includes(c.whenUnsatisfiable) ? `has whenUnsatisfiable ${c.whenUnsatisfiable ?? "unset"}`
        : undefined;
      return problem ? [atPod(p, ["topologySpreadConstraints", i], `topology spread constraint ${i} ${problem}`)] : [];
    })),
  },
];
