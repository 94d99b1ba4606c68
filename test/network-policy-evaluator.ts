/**
 * An evaluator of NetworkPolicies as the Kubernetes API defines them, written apart from prism-projen's
 * renderers and policy (so a mistake there is not shared): it reads the objects `kubectl kustomize`
 * renders and answers whether one endpoint may open a connection to another.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

/** One end of a connection: a pod (its namespace and labels), or an address outside the cluster. */
export interface Endpoint {
  readonly namespace: string;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly ip?: string;
}

/** The label Kubernetes puts on every namespace (since 1.22); the evaluator's namespaces carry nothing else. */
const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });

/** A label selector: every matchLabels pair and every matchExpressions requirement must hold. */
export function selects(selector: any, labels: Readonly<Record<string, string>>): boolean {
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

/** A NetworkPolicy port entry: no port means every port of the protocol; endPort makes a range. */
function portMatches(p: any, port: number, protocol: string): boolean {
  if (typeof p.port === "string") throw new Error(`named port ${p.port}: the evaluator takes numbers only`);
  return (p.protocol ?? "TCP") === protocol && (p.port === undefined || (port >= p.port && port <= (p.endPort ?? p.port)));
}

/** IPv4 addresses only (the evaluator's endpoints are IPv4); an IPv6 block never holds one. */
function inCidr(ip: string, cidr: string): boolean {
  if (cidr.includes(":")) return false;
  const [base, bits] = cidr.split("/");
  const value = (a: string) => a.split(".").reduce((acc, x) => acc * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(value(ip) / size) === Math.floor(value(base) / size);
}

/** Whether a `from`/`to` entry of a policy in `policyNamespace` matches `peer`. */
function peerMatches(entry: any, policyNamespace: string, peer: Endpoint): boolean {
  if (entry.ipBlock) {
    return peer.ip !== undefined && inCidr(peer.ip, entry.ipBlock.cidr) && !(entry.ipBlock.except ?? []).some((c: string) => inCidr(peer.ip!, c));
  }
  if (peer.podLabels === undefined) return false;
  const namespaceOk = entry.namespaceSelector ? selects(entry.namespaceSelector, namespaceLabels(peer.namespace)) : peer.namespace === policyNamespace;
  const podOk = entry.podSelector ? selects(entry.podSelector, peer.podLabels) : true;
  return namespaceOk && podOk;
}

/** A policy's types: as given, else Ingress, and Egress when it has egress rules. */
const policyTypes = (policy: any): string[] => policy.spec.policyTypes ?? ["Ingress", ...(policy.spec.egress ? ["Egress"] : [])];

/**
 * Whether the policies among `objects` let `pod` send (Egress) to or receive (Ingress) from `peer` on
 * `port`: a pod no policy selects for that direction is open; a selected one gets only what some rule
 * of a selecting policy allows.
 */
export function allowed(objects: readonly any[], pod: Endpoint, direction: "Ingress" | "Egress", peer: Endpoint, port: number, protocol = "TCP"): boolean {
  if (pod.podLabels === undefined) throw new Error("only a pod has policies");
  const selecting = objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === pod.namespace &&
    selects(o.spec.podSelector ?? {}, pod.podLabels!) && policyTypes(o).includes(direction));
  if (selecting.length === 0) return true;
  return selecting.some((policy) => ((direction === "Ingress" ? policy.spec.ingress : policy.spec.egress) ?? []).some((rule: any) => {
    const peers = (direction === "Ingress" ? rule.from : rule.to) ?? [];
    const ports = rule.ports ?? [];
    return (peers.length === 0 || peers.some((e: any) => peerMatches(e, pod.namespace, peer))) &&
      (ports.length === 0 || ports.some((p: any) => portMatches(p, port, protocol)));
  }));
}

/** Whether `source` may open a connection to `destination`: the source's egress and the destination's ingress must both allow it. */
export function connects(objects: readonly any[], source: Endpoint, destination: Endpoint, port: number, protocol = "TCP"): boolean {
  const out = source.podLabels === undefined || allowed(objects, source, "Egress", destination, port, protocol);
  const into = destination.podLabels === undefined || allowed(objects, destination, "Ingress", source, port, protocol);
  return out && into;
}

/** The pods of the rendered Deployments and Jobs, by component name (`app.kubernetes.io/name`). */
export function podsOf(objects: readonly any[]): Map<string, Endpoint> {
  return new Map(objects.filter((o) => o.kind === "Deployment" || o.kind === "Job").map((w) => {
    const labels = w.spec.template.metadata.labels;
    return [labels["app.kubernetes.io/name"], { namespace: w.metadata.namespace, podLabels: labels }];
  }));
}
