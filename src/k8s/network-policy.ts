import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import type { ComponentModel, Peer } from "../model/component";
import type { ProjectModel } from "../model/project";
import { trafficOf, type DeclaredBy, type PortIngress } from "../model/traffic";
import { because, fixed, from, optionsOf, projectOptions, projectSetting, type Because, type OptionRef } from "../explain/trace";
import { componentMetadata, peerSelectorLabels, selectorLabels } from "./labels";

const RENDERER = "src/k8s/network-policy.ts";

/**
 * NetworkPolicy renderers. Each namespace denies all traffic by default; each workload's policy then
 * allows its side of what is declared: ingress to each port from its sources (its `allowFrom`, the
 * components that connect to it, the monitoring namespace for metrics by default), egress to the
 * cluster DNS, to the ports of the components it connects to and to its `egress` destinations.
 * Nothing else is allowed, in either direction.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

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

/** The options a declaration of traffic comes from. */
function declaredOptions(by: readonly DeclaredBy[]): OptionRef[] {
  return by.flatMap((d) => (d === "monitoringNamespace" ? projectOptions("monitoringNamespace") : optionsOf(d.component, d.option)));
}

/**
 * A source or destination as a NetworkPolicy peer. A component is its pods in the policy's own namespace (a
 * podSelector alone), and so is the project's own namespace: kustomize moves the debug overlay to its own, and a
 * namespace selector naming the production one would let production pods in (or send debug pods there).
 */
function policyPeer(peer: Peer, components: readonly ComponentModel[], project: ProjectModel, by: readonly DeclaredBy[]): NetworkPolicyPeer {
  const declared = declaredOptions(by);
  if ("component" in peer) {
    const other = components.find((c) => c.name === peer.component)!;
    return because({ podSelector: { matchLabels: peerSelectorLabels(other, project, declared) } },
      from(declared, { rule: "a component of the project: its pods in this namespace", renderer: RENDERER }));
  }
  if ("cidr" in peer) return because({ ipBlock: { cidr: peer.cidr } }, from(declared, { renderer: RENDERER }));
  if ("anywhere" in peer) throw new Error("anywhere is a rule without peers, not a peer");
  // Another namespace than the project's (validation refuses its own, whose pods may not connect): by name.
  if (by.every((d) => d === "monitoringNamespace")) {
    return { namespaceSelector: namespaceSelector(peer.namespace, from(projectOptions("monitoringNamespace"), { renderer: RENDERER })) };
  }
  const namespaceWhy = from(declared, { rule: "every pod of another namespace, by name", renderer: RENDERER });
  return because({ namespaceSelector: namespaceSelector(peer.namespace, namespaceWhy) }, namespaceWhy);
}

/** Each option once, in the order first named. */
const once = (refs: readonly OptionRef[]): OptionRef[] => refs.filter((r, i) => refs.findIndex((o) => o.of === r.of && o.option === r.option) === i);

/** A port as a NetworkPolicy port: its number (the container port), not its name, so the rule reads alone. */
const policyPort = (p: { port: number; protocol: string }): NetworkPolicyPort => ({ port: p.port, protocol: p.protocol });

/** The ingress rule of one port: from its sources; from everywhere (no `from`) when one of them is anywhere. */
function ingressRule(component: ComponentModel, allowed: PortIngress, components: readonly ComponentModel[], project: ProjectModel): NetworkPolicyIngressRule {
  // The rule is there for the port while any source is: what every source depends on decides it (each peer names its own).
  const vanishing = declaredOptions(everySourceNeeds(allowed.sources.map((s) => s.declaredBy)));
  const anywhere = allowed.sources.find((s) => "anywhere" in s.peer);
  return because({
    ...(anywhere ? {} : { from: allowed.sources.map((s) => policyPeer(s.peer, components, project, s.declaredBy)) }),
    ports: [policyPort(allowed.port)],
  }, {
    ...from(once([...optionsOf(component.name, "ports"), ...vanishing]), {
      rule: anywhere ? "a port open to every source (allowFrom anywhere: true): a rule without from" : "who may connect to the port: its allowFrom and the components that connect to it",
      renderer: RENDERER,
    }),
    requires: vanishing,
  }, { ports: from(optionsOf(component.name, "ports"), { renderer: RENDERER }) });
}

/**
 * The declarations every one of several sources depends on: removing one of them alone removes all the sources.
 * A source of the monitoring default depends on the port alone (it is named by the port's own option).
 */
function everySourceNeeds(sources: readonly (readonly DeclaredBy[])[]): DeclaredBy[] {
  const keyed = sources.map((by) => by.filter((d) => d !== "monitoringNamespace").map((d) => JSON.stringify(d)));
  if (keyed.length === 0) return [];
  return keyed.reduce((all, set) => all.filter((d) => set.includes(d))).map((d) => JSON.parse(d) as DeclaredBy);
}

/** What one workload's pods may receive and send: its side of every declared edge, and nothing else. */
export function renderWorkloadNetworkPolicy(component: ComponentModel, project: ProjectModel, components: readonly ComponentModel[]): NetworkPolicy {
  const traffic = trafficOf(component, components, project.monitoringNamespace);
  // A port nobody is declared to reach gets no rule: it is closed.
  const ingress = traffic.ingress.filter((p) => p.sources.length > 0).map((p) => ingressRule(component, p, components, project));
  const egressOption = from(optionsOf(component.name, "egress"), { renderer: RENDERER });
  const egress: NetworkPolicyEgressRule[] = [
    dnsEgress(),
    ...traffic.egress.map((e) => because({
      to: [policyPeer({ component: e.server.name }, components, project, e.declaredBy)],
      ports: e.ports.map(policyPort),
    }, from(declaredOptions(e.declaredBy), {
      rule: "a port of another component that this one connects to (its connectsTo, or that port's allowFrom)",
      renderer: RENDERER,
    }), { ports: from(once([...declaredOptions(e.declaredBy), ...optionsOf(e.server.name, "ports")]), { rule: "the other component's port numbers", renderer: RENDERER }) })),
    ...component.egress.map((e) => because({
      to: ["cidr" in e.destination ? { ipBlock: { cidr: e.destination.cidr } }
        // The project's own namespace as "this policy's namespace": kustomize moves the debug overlay to its own,
        // and a namespace selector naming the production one would send debug pods there.
        : e.destination.namespace === project.namespace ? { podSelector: {} }
        : { namespaceSelector: namespaceSelector(e.destination.namespace, from([...optionsOf(component.name, "egress"), ...projectSetting(project, "namespace")], { renderer: RENDERER })) }],
      ports: e.ports.map((p) => policyPort({ port: p, protocol: e.protocol })),
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
  // What decides whether there is an ingress rule at all: the ports, and a declaration every source of every port
  // depends on (one whose removal alone would close every port).
  const ingressOptions = once([...optionsOf(component.name, "ports"), ...declaredOptions(everySourceNeeds(traffic.ingress.flatMap((p) => p.sources).map((s) => s.declaredBy)))]);
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
      // There when some port has a source: its own allowFrom, a component connecting to it, or the monitoring namespace.
      ingress: { ...fixed("what the workload may receive: each port from the sources declared for it", RENDERER), requires: ingressOptions },
    }),
  }, fixed("every workload's own NetworkPolicy: each port from its declared sources, DNS and declared destinations out (kube-score pod-networkpolicy)", RENDERER));
}
