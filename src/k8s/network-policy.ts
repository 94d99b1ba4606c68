import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import type { ComponentModel } from "../component/model";
import type { ProjectModel } from "../project-model";
import { componentMetadata, selectorLabels } from "./labels";

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

/** The cluster DNS: CoreDNS in kube-system carries `k8s-app: kube-dns` on kubeadm, EKS, GKE and AKS clusters. */
const DNS_EGRESS: NetworkPolicyEgressRule = {
  to: [{ namespaceSelector: inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
};

/** The name of each namespace's baseline policy (so no component may take it). */
export const DEFAULT_DENY = "default-deny";

/** A namespace's baseline: every pod in it, no ingress and no egress unless another policy allows it. */
export function renderDefaultDeny(namespace: string, labels: Readonly<Record<string, string>>): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: DEFAULT_DENY, namespace, labels: { ...labels } },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

/** What one workload's pods may receive and send. */
export function renderWorkloadNetworkPolicy(component: ComponentModel, project: ProjectModel): NetworkPolicy {
  const port = (p: { port: number; protocol: string }): NetworkPolicyPort => ({ port: p.port, protocol: p.protocol });
  const metrics = component.ports.filter((p) => p.name === METRICS_PORT);
  const served = component.ports.filter((p) => p.name !== METRICS_PORT);
  const ingress: NetworkPolicyIngressRule[] = [
    // An empty podSelector without a namespaceSelector: every pod of the policy's own namespace.
    ...(served.length > 0 ? [{ from: [{ podSelector: {} }], ports: served.map(port) }] : []),
    ...(metrics.length > 0 ? [{ from: [{ namespaceSelector: inNamespace(project.monitoringNamespace) }], ports: metrics.map(port) }] : []),
  ];
  const egress: NetworkPolicyEgressRule[] = [
    DNS_EGRESS,
    ...component.egress.map((e) => ({
      to: ["cidr" in e.destination ? { ipBlock: { cidr: e.destination.cidr } }
        // The project's own namespace as "this policy's namespace": kustomize moves the debug overlay to its own,
        // and a namespace selector naming the production one would send debug pods there.
        : e.destination.namespace === project.namespace ? { podSelector: {} }
        : { namespaceSelector: inNamespace(e.destination.namespace) }],
      ports: e.ports.map((p) => port({ port: p, protocol: e.protocol })),
    })),
  ];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: componentMetadata(component, project),
    spec: {
      podSelector: { matchLabels: selectorLabels(component, project) },
      // Both types listed: without ingress rules, no ingress is allowed (an omitted type would allow all).
      policyTypes: ["Ingress", "Egress"],
      ...(ingress.length > 0 ? { ingress } : {}),
      egress,
    },
  };
}
