import * as v from "valibot";
import { absolutePath, cidrBlock, cpuQuantity, grammar, httpPath, kubernetesName, memoryQuantity, portName, wholeNumber } from "./grammars";
import { shown } from "./check-options";

/**
 * The nested option objects of a component (and the project's image user): each declared once,
 * as a schema; its TypeScript type is derived from it, so the run-time check and the compile-time
 * type cannot disagree.
 */

const PROTOCOL = v.picklist(["TCP", "UDP", "SCTP"], (issue) => `${shown(issue.input)} is not a protocol Kubernetes knows; use "TCP", "UDP" or "SCTP"`);

/** The schemas of the option types (not part of the public API). */
/** A component's name, as another component's traffic option names it. */
const COMPONENT_NAME = kubernetesName("write the name of a component of this project");

/** Who may connect to a port: exactly one of a component, a namespace, a CIDR block, or anywhere. */
export const PEER_SPEC = v.pipe(
  v.strictObject({
    /**
     * A component of this project, by name: its pods, in the namespace of the overlay (the other end gets the egress rule).
     * @default - none: the peer is one of the other fields
     */
    component: v.optional(COMPONENT_NAME),
    /**
     * Every pod of a namespace (its `kubernetes.io/metadata.name` label), e.g. `"ingress-nginx"`.
     * @default - none: the peer is one of the other fields
     */
    namespace: v.optional(kubernetesName("write the source namespace's name")),
    /**
     * Addresses, as a CIDR block, e.g. a load balancer's `"10.0.0.0/16"`.
     * @default - none: the peer is one of the other fields
     */
    cidr: v.optional(cidrBlock),
    /**
     * Every source, in the cluster and outside it: a public port. Only `true`, so it reads as the decision it is.
     * @default - none: the peer is one of the other fields
     */
    anywhere: v.optional(v.literal(true, (issue) => `${shown(issue.input)} is not true; write anywhere: true for a public port, or name the peers`)),
  }),
  v.check((p) => [p.component, p.namespace, p.cidr, p.anywhere].filter((x) => x !== undefined).length === 1,
    "needs exactly one peer; give one of component (e.g. \"proxy\"), namespace (e.g. \"ingress-nginx\"), cidr (e.g. \"10.0.0.0/16\") or anywhere: true, one entry per peer"),
);
/** A source allowed to connect to a port. */
export type PeerSpec = Readonly<v.InferInput<typeof PEER_SPEC>>;

export const CONNECTION_SPEC = v.strictObject({
  /** The component connected to, by name. */
  component: COMPONENT_NAME,
  /** The name of its port, e.g. `"grpc"`. */
  port: portName,
});
/** A port of another component that this one connects to: both ends' NetworkPolicies allow it. */
export type ConnectionSpec = Readonly<v.InferInput<typeof CONNECTION_SPEC>>;

export const PORT_SPEC = v.strictObject({
  /** IANA service name used for the container port and the Service port (e.g. `grpc`, `metrics`). */
  name: portName,
  /** The port number, 1-65535; not 22 (an SSH port is a policy finding, trivy DS-0004). */
  port: v.pipe(
    wholeNumber(1, 65535, "; use a port number from 1 to 65535"),
    v.check((n) => n !== 22, "22 is the SSH port, which images do not expose (policy DS-0004); use another port"),
  ),
  /**
   * The transport protocol.
   * @default "TCP"
   */
  protocol: v.optional(PROTOCOL),
  /**
   * Who may connect to the port, besides the components that declare `connectsTo` it.
   * @default - the metrics port: the project's monitoringNamespace; any other port: only the components that declare connectsTo it
   */
  allowFrom: v.optional(v.array(PEER_SPEC)),
});
/** A named network port of a component. */
export type PortSpec = Readonly<v.InferInput<typeof PORT_SPEC>>;

export const RESOURCE_SPEC = v.strictObject({
  /**
   * CPU the scheduler reserves for the container (a Kubernetes quantity).
   * @default "100m"
   */
  cpuRequest: v.optional(cpuQuantity),
  /**
   * Memory the scheduler reserves for the container.
   * @default "64Mi"
   */
  memoryRequest: v.optional(memoryQuantity),
  /**
   * CPU above which the container is throttled.
   * @default "500m"
   */
  cpuLimit: v.optional(cpuQuantity),
  /**
   * Memory above which the container is killed (OOM).
   * @default "128Mi"
   */
  memoryLimit: v.optional(memoryQuantity),
  /**
   * Local disk the scheduler reserves for the container: it must hold every writable path's volume
   * (64Mi each, `/tmp` included).
   * @default - 64Mi per writable path plus 64Mi for logs: "128Mi" with `/tmp` alone
   */
  ephemeralStorageRequest: v.optional(memoryQuantity),
  /**
   * Local disk (writable volumes, logs) above which the kubelet evicts the pod.
   * @default - twice the request: "256Mi" with `/tmp` alone
   */
  ephemeralStorageLimit: v.optional(memoryQuantity),
});
/** CPU, memory and local-disk requests and limits of the component's container. */
export type ResourceSpec = Readonly<v.InferInput<typeof RESOURCE_SPEC>>;

export const HEALTH_SPEC = v.strictObject({
  /** Name of the declared port that serves the endpoints. */
  port: portName,
  /**
   * Path of the liveness probe: the kubelet restarts the container when it fails.
   * @default "/healthz"
   */
  livenessPath: v.optional(httpPath),
  /**
   * Path of the readiness probe: the Service sends no traffic while it fails.
   * @default "/readyz"
   */
  readinessPath: v.optional(httpPath),
});
/** HTTP health endpoints the kubelet probes. */
export type HealthSpec = Readonly<v.InferInput<typeof HEALTH_SPEC>>;

const ID_WHY = "; a UID/GID above 10000 (never root) keeps the process apart from the node's own users (policy KSV-0020/KSV-0021)";

export const IMAGE_USER = v.strictObject({
  /** Numeric user id, above 10000. */
  uid: wholeNumber(10001, 2 ** 31 - 1, ID_WHY),
  /** Numeric group id, above 10000. */
  gid: wholeNumber(10001, 2 ** 31 - 1, ID_WHY),
});
/** The numeric user and group the image runs as. */
export type ImageUser = Readonly<v.InferInput<typeof IMAGE_USER>>;

/** A writable path: absolute, below `/` (the grammar has no `/` alone and no `..`). */
export const WRITABLE_PATH = absolutePath;

/** A description: free text on one line. */
export const DESCRIPTION = grammar(/^[^\u0000-\u001f\u007f]*$/, (input) => `${shown(input)} is not one line of text; write it without line breaks or control characters`);


export const EGRESS_SPEC = v.pipe(
  v.strictObject({
    /**
     * Destination outside the cluster, as a CIDR block, e.g. Kafka brokers at `"10.20.0.0/16"`. Give this or `namespace`.
     * @default - none: the destination is `namespace`
     */
    cidr: v.optional(cidrBlock),
    /**
     * Destination namespace in the cluster (its `kubernetes.io/metadata.name` label), e.g. `"kafka"`. Give this or `cidr`.
     * @default - none: the destination is `cidr`
     */
    namespace: v.optional(kubernetesName("write the destination namespace's name")),
    /** Destination port numbers. */
    ports: v.pipe(
      v.array(wholeNumber(1, 65535, "; use a port number from 1 to 65535")),
      v.minLength(1, "is empty; list the destination ports, e.g. [9092]"),
    ),
    /**
     * The transport protocol of the ports.
     * @default "TCP"
     */
    protocol: v.optional(PROTOCOL),
  }),
  v.check((e) => (e.cidr === undefined) !== (e.namespace === undefined),
    "needs exactly one destination; give either cidr (e.g. \"10.20.0.0/16\") or namespace (e.g. \"kafka\"), one rule per destination"),
);
/** Traffic a component may send besides DNS: to a CIDR block or a namespace, on the listed ports. */
export type EgressSpec = Readonly<v.InferInput<typeof EGRESS_SPEC>>;

/** A crate's name as cargo takes it in a dependency table. */
const CRATE_NAME = grammar(/^[A-Za-z0-9_-]{1,64}$/, (input) => `${shown(input)} is not a crate name; use letters, digits, - and _, e.g. "tokio"`);
/** A version requirement, e.g. `"1"`, `"1.24"`, `"^0.11.13"`, `">=1.2, <2"`. */
const VERSION_REQ = grammar(/^[\^~=<>*]?\s*[0-9*][0-9A-Za-z.*+-]*(\s*,\s*[\^~=<>]*\s*[0-9*][0-9A-Za-z.*+-]*)*$/, (input) =>
  `${shown(input)} is not a version requirement; write one as cargo does, e.g. "1.24" or "^0.11.13"`);
/** A feature of a dependency: its own (`json`), or one of its dependencies' (`dep/feature`). */
const DEPENDENCY_FEATURE = grammar(/^[A-Za-z0-9_][A-Za-z0-9_+.-]*(\/[A-Za-z0-9_][A-Za-z0-9_+.-]*)?$/, (input) =>
  `${shown(input)} is not a feature name; use the crate's feature names, e.g. "rt-multi-thread"`);

export const CRATE_SPEC = v.union([
  VERSION_REQ,
  v.pipe(
    v.strictObject({
      /**
       * The version requirement. Give this or `workspace`.
       * @default - none: the version comes from `[workspace.dependencies]`
       */
      version: v.optional(VERSION_REQ),
      /**
       * Inherit the entry of the workspace's `[workspace.dependencies]` (the project's `workspaceDependencies`).
       * @default - none: `version` is given
       */
      workspace: v.optional(v.literal(true, (issue) => `${shown(issue.input)} is not true; write workspace: true to inherit the workspace's entry, or give version`)),
      /**
       * Features to enable.
       * @default []
       */
      features: v.optional(v.array(DEPENDENCY_FEATURE)),
      /**
       * Whether the crate's default features are on (false: only `features`).
       * @default true
       */
      defaultFeatures: v.optional(v.boolean()),
      /**
       * Whether the dependency is optional (enabled by a feature of this crate).
       * @default false
       */
      optional: v.optional(v.boolean()),
    }),
    v.check((c) => (c.version === undefined) !== (c.workspace === undefined),
      "needs exactly one of version (e.g. \"1.24\") and workspace: true"),
  ),
], (issue) => `${shown(issue.input)} is neither a version requirement (e.g. "1.24") nor a dependency table (e.g. { version: "1.24", features: ["macros"] })`);
/** A crate dependency: a version requirement, or a table with features. */
export type CrateSpec = v.InferInput<typeof CRATE_SPEC>;

/** Dependencies by crate name. */
export const DEPENDENCIES_SPEC = v.record(CRATE_NAME, CRATE_SPEC);

/** The dependency options every Rust workspace member takes (RustComponent, RustLibrary), as schema entries. */
export const RUST_DEPENDENCY_PROPS = {
  /**
   * Crates the member depends on, by name: a version requirement (`"1.24"`) or a table
   * (`{ version: "1", features: ["macros"] }`, `{ workspace: true }`). Crates added with `cargo add` need not be
   * declared here: synthesis keeps the member's own entries.
   * @default {}
   */
  dependencies: v.optional(DEPENDENCIES_SPEC),
  /**
   * Crates the member's tests, examples and benches depend on (`[dev-dependencies]`).
   * @default {}
   */
  devDependencies: v.optional(DEPENDENCIES_SPEC),
  /**
   * Crates the member's build script depends on (`[build-dependencies]`).
   * @default {}
   */
  buildDependencies: v.optional(DEPENDENCIES_SPEC),
};
