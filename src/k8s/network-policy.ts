import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import { WorkloadKind, type ComponentModel } from "../model/component";
import type { ProjectModel } from "../model/project";
import { because, fixed, from, optionsOf, projectOptions, projectSetting, type Because } from "../explain/trace";
import { componentMetadata, selectorLabels } from "./labels";

const RENDERER = "src/k8s/network-policy.ts";

/**
 * NetworkPolicy renderers. Each namespace denies all traffic by default; each workload's policy then
 * allows what its model declares: ingress to its own ports (metrics from the monitoring namespace,
 * every other port from pods of its own namespace), egress to the cluster DNS and to its `egress`
 * destinations. Nothing else is allowed, in either direction.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

/** The port name whose traffic comes from the monitoring namespace rather than from the project's own. */
export const METRICS_PORT = "metrics";

/** The label Kubernetes puts on every namespace, holding its name (since 1.22). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

const inNamespace = (name: string): LabelSelector => ({ matchLabels: { [NAMESPACE_NAME_LABEL]: name } });

/** A selector of one namespace by name; `name` says where the name comes from. */
function namespaceSelector(namespace: string, name: Because): LabelSelector {
  const selector = inNamespace(namespace);
  because(selector.matchLabels!, fixed("a namespace, by the name label Kubernetes puts on it", RENDERER), { [NAMESPACE_NAME_LABEL]: name });
  return selector;
}

/** The cluster DNS: CoreDNS in kube-system carries `k8s-app: kube-dns` on kubeadm, EKS, GKE and AKS clusters. */
const dnsEgress = (): NetworkPolicyEgressRule => because({
  to: [{ namespaceSelector: inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
}, fixed("every workload may query the cluster DNS (CoreDNS in kube-system, k8s-app: kube-dns) on port 53; not configurable", RENDERER));

/** The name of each namespace's baseline policy (so no component may take it). */
export const DEFAULT_DENY = "default-deny";

/** A namespace's baseline: every pod in it, no ingress and no egress unless another policy allows it. */
export function renderDefaultDeny(namespace: string, labels: Readonly<Record<string, string>>, project: ProjectModel): NetworkPolicy {
  return because({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: because({ name: DEFAULT_DENY, namespace, labels: because({ ...labels }, fixed("projen manages the policy", RENDERER), { "app.kubernetes.io/part-of": from(projectOptions("name"), { renderer: RENDERER }) }) }, undefined, {
      namespace: from(projectSetting(project, "namespace"), { rule: "the overlay's namespace", renderer: RENDERER }),
    }),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  }, fixed("each namespace denies all ingress and egress that a workload's own policy does not allow; not configurable", RENDERER));
}

/** What one workload's pods may receive and send. */
export function renderWorkloadNetworkPolicy(component: ComponentModel, project: ProjectModel): NetworkPolicy {
  const port = (p: { port: number; protocol: string }): NetworkPolicyPort => ({ port: p.port, protocol: p.protocol });
  const metrics = component.ports.filter((p) => p.name === METRICS_PORT);
  const served = component.ports.filter((p) => p.name !== METRICS_PORT);
  const ports = from(optionsOf(component.name, "ports"), { renderer: RENDERER });
  const ingress: NetworkPolicyIngressRule[] = [
    // An empty podSelector without a namespaceSelector: every pod of the policy's own namespace.
    // There when the workload serves a port other than metrics.
    ...(served.length > 0 ? [because({ from: [{ podSelector: {} }], ports: served.map(port) },
      { ...fixed("the ports other than metrics are reached from pods of the workload's own namespace", RENDERER), requires: optionsOf(component.name, "ports") }, { ports })] : []),
    ...(metrics.length > 0 ? [because({
      from: [{ namespaceSelector: namespaceSelector(project.monitoringNamespace, from(projectOptions("monitoringNamespace"), { renderer: RENDERER })) }],
      ports: metrics.map(port),
    }, { ...fixed("the port named metrics is reached from the monitoring namespace only", RENDERER), requires: optionsOf(component.name, "ports") }, { ports })] : []),
  ];
  const egressOption = from(optionsOf(component.name, "egress"), { renderer: RENDERER });
  const egress: NetworkPolicyEgressRule[] = [
    dnsEgress(),
    ...component.egress.map((e) => because({
      to: ["cidr" in e.destination ? { ipBlock: { cidr: e.destination.cidr } }
        // The project's own namespace as "this policy's namespace": kustomize moves the debug overlay to its own,
        // and a namespace selector naming the production one would send debug pods there.
        : e.destination.namespace === project.namespace ? { podSelector: {} }
        : { namespaceSelector: namespaceSelector(e.destination.namespace, from([...optionsOf(component.name, "egress"), ...projectSetting(project, "namespace")], { renderer: RENDERER })) }],
      ports: e.ports.map((p) => port({ port: p, protocol: e.protocol })),
    }, { ...fixed("a destination the workload declares in egress", RENDERER), requires: optionsOf(component.name, "egress") }, {
      // The project's own namespace is written as "this namespace" (a podSelector), any other by name: which of
      // the two a namespace destination is depends on the project's namespace too.
      to: !("namespace" in e.destination) ? egressOption
        : e.destination.namespace === project.namespace
          ? from([...optionsOf(component.name, "egress"), ...projectSetting(project, "namespace")], { rule: "the project's own namespace: this namespace", renderer: RENDERER })
          : from([...optionsOf(component.name, "egress"), ...projectSetting(project, "namespace")], { rule: "another namespace than the project's, by name", renderer: RENDERER }),
      ports: egressOption,
    })),
  ];
  return because({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: componentMetadata(component, project),
    spec: because({
      podSelector: { matchLabels: selectorLabels(component, project) },
      // Both types listed: without ingress rules, no ingress is allowed (an omitted type would allow all).
      policyTypes: ["Ingress", "Egress"],
      ...(ingress.length > 0 ? { ingress } : {}),
      egress,
    }, undefined, {
      podSelector: fixed("selects the workload's pods", RENDERER),
      policyTypes: fixed("both directions are restricted: an omitted type would allow everything; not configurable", RENDERER),
      // A Deployment always has a port, so an ingress rule; a Job has one only when it has ports.
      ...(component.workload === WorkloadKind.DEPLOYMENT ? {} : { ingress: { ...fixed("what the workload may receive", RENDERER), requires: optionsOf(component.name, "ports") } }),
    }),
  }, fixed("every workload's own NetworkPolicy: its declared ports in, DNS and its egress out (kube-score pod-networkpolicy)", RENDERER));
}
