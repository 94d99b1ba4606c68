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

/** The edges of a project, indexed once per list of components (each component's policy reads its own). */
interface TrafficIndex {
  /** The components that run pods, by name. */
  readonly running: readonly ComponentModel[];
  /** For `server/port`: the components that declare connectsTo it, by name. */
  readonly clientsOf: ReadonlyMap<string, readonly ComponentModel[]>;
  /** For a client's name: the servers' ports whose allowFrom names it. */
  readonly allowedTo: ReadonlyMap<string, readonly { readonly server: ComponentModel; readonly port: PortModel }[]>;
}

const indexes = new WeakMap<readonly ComponentModel[], TrafficIndex>();

/** The index of `components`' edges (kept for the same list: a synthesis renders every policy from one). */
function indexOf(components: readonly ComponentModel[]): TrafficIndex {
  const known = indexes.get(components);
  if (known) return known;
  const running = components.filter((c) => c.workload !== WorkloadKind.NONE).sort((a, b) => byCodeUnits(a.name, b.name));
  const byName = new Map(running.map((c) => [c.name, c]));
  const clientsOf = new Map<string, ComponentModel[]>();
  const allowedTo = new Map<string, { server: ComponentModel; port: PortModel }[]>();
  for (const client of running) {
    for (const c of client.connectsTo) {
      const key = `${c.component}/${c.port}`;
      const list = clientsOf.get(key) ?? clientsOf.set(key, []).get(key)!;
      if (!list.includes(client)) list.push(client);
    }
  }
  for (const server of running) {
    for (const port of server.ports) {
      for (const peer of port.allowFrom ?? []) {
        if (!("component" in peer) || !byName.has(peer.component)) continue;
        const list = allowedTo.get(peer.component) ?? allowedTo.set(peer.component, []).get(peer.component)!;
        if (!list.some((a) => a.server === server && a.port === port)) list.push({ server, port });
      }
    }
  }
  const index = { running, clientsOf, allowedTo };
  indexes.set(components, index);
  return index;
}

/** Both sides of `component`'s traffic among `components` (which include it). */
export function trafficOf(component: ComponentModel, components: readonly ComponentModel[], monitoringNamespace: string): Traffic {
  const index = indexOf(components);
  const runs = (name: string) => index.running.some((c) => c.name === name);
  const ingress = component.ports.map((port): PortIngress => {
    const sources = new Map<string, { peer: Peer; declaredBy: DeclaredBy[] }>();
    const add = (peer: Peer, by: DeclaredBy) => {
      const entry = sources.get(peerKey(peer)) ?? sources.set(peerKey(peer), { peer, declaredBy: [] }).get(peerKey(peer))!;
      if (!entry.declaredBy.some((d) => declaredKey(d) === declaredKey(by))) entry.declaredBy.push(by);
    };
    if (port.allowFrom === undefined && port.name === METRICS_PORT) add({ namespace: monitoringNamespace }, "monitoringNamespace");
    for (const peer of port.allowFrom ?? []) {
      // A component that runs no pods has no traffic (validation names it).
      if (!("component" in peer) || runs(peer.component)) add(peer, { component: component.name, option: "ports" });
    }
    for (const client of index.clientsOf.get(`${component.name}/${port.name}`) ?? []) {
      add({ component: client.name }, { component: client.name, option: "connectsTo" });
    }
    return { port, sources: [...sources.values()] };
  });
  // The servers this one reaches, by either end's declaration: its connectsTo, and the allowFrom that name it.
  const reached = new Map<ComponentModel, { port: PortModel; declaredBy: DeclaredBy[] }[]>();
  const reach = (server: ComponentModel, port: PortModel, by: DeclaredBy) => {
    const ports = reached.get(server) ?? reached.set(server, []).get(server)!;
    const edge = ports.find((p) => p.port === port) ?? (ports.push({ port, declaredBy: [] }), ports[ports.length - 1]);
    if (!edge.declaredBy.some((d) => declaredKey(d) === declaredKey(by))) edge.declaredBy.push(by);
  };
  for (const { server, port } of index.allowedTo.get(component.name) ?? []) reach(server, port, { component: server.name, option: "ports" });
  for (const c of component.connectsTo) {
    const server = index.running.find((s) => s.name === c.component);
    const port = server?.ports.find((p) => p.name === c.port);
    if (server && port) reach(server, port, { component: component.name, option: "connectsTo" });
  }
  const egress = [...reached.keys()].sort((a, b) => byCodeUnits(a.name, b.name)).map((server): ComponentEgress => {
    // The server's ports in its own order, each with the declarations that allow it (server's first, as before).
    const edges = server.ports.flatMap((port) => reached.get(server)!.filter((e) => e.port === port))
      .map((e) => ({ port: e.port, declaredBy: [...e.declaredBy].sort((a, b) => (a === b ? 0 : typeof a !== "string" && a.option === "ports" ? -1 : 1)) }));
    const declaredBy = edges.flatMap((e) => e.declaredBy).filter((d, i, all) => all.findIndex((o) => declaredKey(o) === declaredKey(d)) === i);
    return { server, ports: edges.map((e) => e.port), declaredBy };
  });
  return { ingress, egress };
}
