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
