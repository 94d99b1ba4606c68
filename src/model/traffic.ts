import { WorkloadKind, type ComponentModel, type Peer, type PortModel } from "./component";
import { byCodeUnits } from "./order";

/**
 * The traffic between components, resolved from both ends: a port's own `allowFrom` and the other
 * components' `connectsTo` name the same edges, so each component's NetworkPolicy can allow its side
 * of every edge whichever end declared it. Pure functions of the models; unknown names are left out
 * here (validation refuses them before anything is rendered).
 */

/** The port named like this is scraped from the monitoring namespace unless its `allowFrom` says otherwise. */
export const METRICS_PORT = "metrics";

/** Where an allowed source was declared: a component's option, or the project's monitoringNamespace. */
export type DeclaredBy = { readonly component: string; readonly option: "ports" | "connectsTo" } | "monitoringNamespace";

/** One source allowed to reach a port, and every declaration that allows it. */
export interface Source {
  readonly peer: Peer;
  readonly declaredBy: readonly DeclaredBy[];
}

/** Who may reach one port: no source means the port is closed. */
export interface PortIngress {
  readonly port: PortModel;
  readonly sources: readonly Source[];
}

/** The ports of one other component that a component may connect to. */
export interface ComponentEgress {
  readonly server: ComponentModel;
  readonly ports: readonly PortModel[];
  readonly declaredBy: readonly DeclaredBy[];
}

export interface Traffic {
  /** Each port of the component, in the model's order. */
  readonly ingress: readonly PortIngress[];
  /** Each component this one connects to, by name. */
  readonly egress: readonly ComponentEgress[];
}

const peerKey = (p: Peer): string => Object.entries(p).map(([k, v]) => `${k}=${v}`).join();
const declaredKey = (d: DeclaredBy): string => (typeof d === "string" ? d : `${d.component}.${d.option}`);

/** Whether `client` reaches `server`'s `port`, by either end's declaration, and which ones say so. */
function edgeDeclarations(client: ComponentModel, server: ComponentModel, port: PortModel): DeclaredBy[] {
  return [
    ...((port.allowFrom ?? []).some((p) => "component" in p && p.component === client.name) ? [{ component: server.name, option: "ports" as const }] : []),
    ...(client.connectsTo.some((c) => c.component === server.name && c.port === port.name) ? [{ component: client.name, option: "connectsTo" as const }] : []),
  ];
}

/** The components that run pods, by name (the order every rule lists them in). */
const running = (components: readonly ComponentModel[]) =>
  components.filter((c) => c.workload !== WorkloadKind.NONE).sort((a, b) => byCodeUnits(a.name, b.name));

/** Both sides of `component`'s traffic among `components` (which include it). */
export function trafficOf(component: ComponentModel, components: readonly ComponentModel[], monitoringNamespace: string): Traffic {
  const others = running(components);
  const ingress = component.ports.map((port): PortIngress => {
    const sources = new Map<string, { peer: Peer; declaredBy: DeclaredBy[] }>();
    const add = (peer: Peer, by: DeclaredBy) => {
      const entry = sources.get(peerKey(peer)) ?? sources.set(peerKey(peer), { peer, declaredBy: [] }).get(peerKey(peer))!;
      if (!entry.declaredBy.some((d) => declaredKey(d) === declaredKey(by))) entry.declaredBy.push(by);
    };
    if (port.allowFrom === undefined && port.name === METRICS_PORT) add({ namespace: monitoringNamespace }, "monitoringNamespace");
    for (const peer of port.allowFrom ?? []) {
      // A component that runs no pods has no traffic (validation names it).
      if (!("component" in peer) || others.some((c) => c.name === peer.component)) add(peer, { component: component.name, option: "ports" });
    }
    for (const client of others) {
      if (client.connectsTo.some((c) => c.component === component.name && c.port === port.name)) {
        add({ component: client.name }, { component: client.name, option: "connectsTo" });
      }
    }
    return { port, sources: [...sources.values()] };
  });
  const egress = others.flatMap((server): ComponentEgress[] => {
    const edges = server.ports.map((port) => ({ port, declaredBy: edgeDeclarations(component, server, port) })).filter((e) => e.declaredBy.length > 0);
    if (edges.length === 0) return [];
    const declaredBy = edges.flatMap((e) => e.declaredBy).filter((d, i, all) => all.findIndex((o) => declaredKey(o) === declaredKey(d)) === i);
    return [{ server, ports: edges.map((e) => e.port), declaredBy }];
  });
  return { ingress, egress };
}
