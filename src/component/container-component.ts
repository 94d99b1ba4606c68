import type { IConstruct } from "constructs";
import * as v from "valibot";
import { checkOptions } from "../model/check-options";
import { refusal, subject } from "../refusal";
import { enumOf, fileName, envName, kubernetesName, optionalEnum, repoPath, wholeNumber } from "../model/grammars";
import {
  INSTALL_DIR,
  WRITABLE_VOLUME_MI,
  Linkage,
  RuntimeBase,
  WorkloadKind,
  type ComponentModel,
  type GoBuild,
  type Peer,
  type PortModel,
  type RustBuild,
} from "../model/component";
import {
  CONNECTION_SPEC, DESCRIPTION, EGRESS_SPEC, HEALTH_SPEC, PORT_SPEC, RESOURCE_SPEC, WRITABLE_PATH, type ImageUser, type PeerSpec, type ResourceSpec,
} from "../model/option-specs";
import { byCodeUnits } from "../model/order";

/**
 * The options every kind of component shares, as schema entries; each kind adds its own
 * (and its own `workload`, whose default differs) and derives its props type from the result.
 */
export const SHARED_COMPONENT_PROPS = {
  /**
   * One line saying what the component does (image label, Cargo description).
   * @default - "<name> component"
   */
  description: v.optional(DESCRIPTION),
  /**
   * Folder of the component, relative to the repository root.
   * @default - `containers/<name>` for Rust, `tools/cmd/<name>` for Go
   */
  path: v.optional(repoPath),
  /**
   * Name of the executable. For Rust, not `build`, `deps`, `examples` or `incremental`: cargo forbids
   * those binary names (folders of its target directory).
   * @default - the component name
   */
  binary: v.optional(fileName),
  /**
   * Network ports: `EXPOSE`d, named container ports, and Service ports.
   * @default []
   */
  ports: v.optional(v.array(PORT_SPEC)),
  /**
   * Environment variables of the container.
   * @default {}
   */
  env: v.optional(v.record(envName, v.string())),
  /**
   * Replicas of a Deployment; only a Deployment takes it.
   * @default 2
   */
  replicas: v.optional(wholeNumber(1, 2 ** 31 - 1, "; use WorkloadKind.JOB for run-to-completion work")),
  /**
   * Container resource requests and limits; only a workload takes them.
   * @default - requests 100m CPU / 64Mi memory, limits 500m CPU / 128Mi memory; ephemeral storage as its options say
   */
  resources: v.optional(RESOURCE_SPEC),
  /**
   * HTTP health endpoints for the liveness and readiness probes. A Deployment must have them.
   * @default - `/healthz` and `/readyz` on the port named `metrics`, if there is one; no probes otherwise
   */
  health: v.optional(HEALTH_SPEC),
  /**
   * Where the workload may open connections besides the cluster DNS: its NetworkPolicy allows these
   * destinations and ports, and denies every other (e.g. Kafka brokers: `[{ namespace: "kafka", ports: [9092] }]`).
   * @default [] (DNS only)
   */
  egress: v.optional(v.array(EGRESS_SPEC)),
  /**
   * Ports of other components of this project that this one connects to, e.g. `[{ component: "proxy", port: "grpc" }]`:
   * its egress and the other's ingress both allow it.
   * @default []
   */
  connectsTo: v.optional(v.array(CONNECTION_SPEC)),
  /**
   * Absolute paths the process may write to, mounted as `emptyDir` volumes
   * (the root filesystem is read-only). `/tmp` is always included.
   * @default ["/tmp"]
   */
  writablePaths: v.optional(v.array(WRITABLE_PATH)),
  /**
   * Base image family of the runtime stage.
   * @default RuntimeBase.DISTROLESS
   */
  runtime: optionalEnum(RuntimeBase, "RuntimeBase"),
  /**
   * Whether the process reads local time zones (the IANA database). Distroless
   * ships it; on scratch a Go binary embeds it (`-tags timetzdata`) and a Rust
   * one is refused.
   * @default false
   */
  timezoneData: v.optional(v.boolean()),
};

/** A component's `workload` option; the kind documents its own default. */
export const WORKLOAD = enumOf(WorkloadKind, "WorkloadKind");

const CONTAINER_COMPONENT_PROPS = v.strictObject({
  ...SHARED_COMPONENT_PROPS,
  /**
   * How the component runs on Kubernetes.
   * @default - WorkloadKind.DEPLOYMENT for a RustComponent, WorkloadKind.NONE (image only) for a GoComponent
   */
  workload: v.exactOptional(WORKLOAD),
});

/** Props every kind of component shares. */
export type ContainerComponentProps = Readonly<v.InferInput<typeof CONTAINER_COMPONENT_PROPS>>;

/** The component name (the construct id): every generated name derives from it. */
const COMPONENT_NAME = kubernetesName("rename the component");

/**
 * Checks a component's name and options against their schemas. The problems are
 * reported at synth, with every other one; until then the component holds no options.
 */
export function checkComponentOptions<S extends v.GenericSchema>(name: string, schema: S, props: unknown): {
  readonly props: v.InferOutput<S> | undefined;
  readonly problems: readonly string[];
} {
  const nameCheck = checkOptions(COMPONENT_NAME, name);
  const options = checkOptions(schema, props ?? {});
  return {
    props: options.ok ? options.value : undefined,
    problems: [
      ...(nameCheck.ok ? [] : nameCheck.problems.map((p) => p.replace(/^\(options\)/, "name"))),
      ...(options.ok ? [] : options.problems),
    ],
  };
}

const DEFAULT_RESOURCES: Required<Omit<ResourceSpec, "ephemeralStorageRequest" | "ephemeralStorageLimit">> = {
  cpuRequest: "100m",
  memoryRequest: "64Mi",
  cpuLimit: "500m",
  memoryLimit: "128Mi",
};

/** Room for every writable volume and 64Mi of logs; the limit twice that. */
function ephemeralStorage(writableVolumes: number): Pick<Required<ResourceSpec>, "ephemeralStorageRequest" | "ephemeralStorageLimit"> {
  const requestMi = writableVolumes * WRITABLE_VOLUME_MI + 64;
  return { ephemeralStorageRequest: `${requestMi}Mi`, ephemeralStorageLimit: `${2 * requestMi}Mi` };
}

const BRAND = Symbol.for("prism-projen.ContainerComponent");

/** A construct that is one container component of the monorepo. */
export interface IContainerComponent extends IConstruct {
  /** @internal */
  _toModel(): ComponentModel;
  /** @internal the construct's class as messages name it (not constructor.name, which a bundler may rename). */
  _className(): string;
  /** @internal attaches the component's files; called once by the project, after validation. */
  _addFiles(): void;
  /** @internal the options `.projenrc.ts` gave (after their check), for `npx projen explain`. */
  _givenOptions(): Readonly<Record<string, unknown>>;
  /** @internal what is wrong with the component's name and options, as `field: problem; fix`. */
  _optionProblems(): readonly string[];
}

/** Marks a construct as a container component (a brand, not `instanceof`, so two copies of the library agree). */
export function brandContainerComponent(c: IContainerComponent): void {
  Object.defineProperty(c, BRAND, { value: true });
}

/** Whether `x` is a container component. */
export function isContainerComponent(x: unknown): x is IContainerComponent {
  return x !== null && typeof x === "object" && BRAND in x;
}

/**
 * Checks what must hold before the construct can exist at all (constructs
 * itself refuses an empty or repeated id, with a message that names neither
 * the field nor the fix). Everything else is checked at synth, all at once.
 */
export function assertNewComponentName(scope: IConstruct, name: string): void {
  if (typeof name !== "string" || name.trim() === "") {
    throw refusal(["[<unnamed>] name: a component needs a non-empty name; pass it as the second argument, e.g. new RustComponent(project, \"proxy\")"]);
  }
  if (scope.node.tryFindChild(name) !== undefined) {
    throw refusal([`${subject(name)} name: a component named ${JSON.stringify(name)} is declared more than once; component names must be unique, rename one`]);
  }
}

/** A peer as the model holds it: the one field given. */
function peerOf(p: PeerSpec): Peer {
  return p.component !== undefined ? { component: p.component } : p.namespace !== undefined ? { namespace: p.namespace }
    : p.cidr !== undefined ? { cidr: p.cidr } : { anywhere: true };
}

/** Applies the shared defaults; the kind-specific parts come from the caller. */
export function resolveComponent(
  name: string,
  options: ContainerComponentProps,
  kind: {
    readonly defaultPath: string;
    readonly linkage: Linkage;
    readonly build: RustBuild | GoBuild;
    readonly user: ImageUser;
    readonly defaultWorkload?: WorkloadKind;
  },
): ComponentModel {
  const binary = options.binary ?? name;
  const ports = [...(options.ports ?? [])]
    .map((p): PortModel => ({ name: p.name, port: p.port, protocol: p.protocol ?? "TCP", ...(p.allowFrom ? { allowFrom: p.allowFrom.map(peerOf) } : {}) }))
    .sort((a, b) => a.port - b.port || byCodeUnits(a.name, b.name));
  const metrics = ports.find((p) => p.name === "metrics");
  const writablePaths = [...new Set(["/tmp", ...(options.writablePaths ?? [])])].sort();
  const health = options.health ?? (metrics ? { port: metrics.name } : undefined);
  return {
    name,
    description: options.description ?? `${name} component`,
    path: options.path ?? kind.defaultPath,
    language: kind.build.kind,
    binary,
    linkage: kind.linkage,
    runtime: options.runtime ?? RuntimeBase.DISTROLESS,
    ports,
    env: Object.entries(options.env ?? {})
      .map(([k, v]) => ({ name: k, value: v }))
      .sort((a, b) => byCodeUnits(a.name, b.name)),
    workload: options.workload ?? kind.defaultWorkload ?? WorkloadKind.DEPLOYMENT,
    replicas: options.replicas ?? 2,
    resources: { ...DEFAULT_RESOURCES, ...ephemeralStorage(writablePaths.length), ...options.resources },
    egress: (options.egress ?? []).map((e) => ({
      destination: e.cidr !== undefined ? { cidr: e.cidr } : { namespace: e.namespace! },
      ports: [...new Set(e.ports)].sort((a, b) => a - b),
      protocol: e.protocol ?? "TCP",
    })),
    connectsTo: (options.connectsTo ?? []).map((c) => ({ component: c.component, port: c.port })),
    health: health && {
      port: health.port,
      livenessPath: health.livenessPath ?? "/healthz",
      readinessPath: health.readinessPath ?? "/readyz",
    },
    timezoneData: options.timezoneData ?? false,
    writablePaths,
    user: kind.user,
    build: kind.build,
    installPath: `${INSTALL_DIR}/${binary}`,
    optionsGiven: [
      ...Object.keys(options).filter((k) => options[k as keyof ContainerComponentProps] !== undefined),
      // The nested resources too: a default ephemeral-storage request follows writablePaths, a given one does not.
      ...Object.keys(options.resources ?? {}).filter((k) => options.resources?.[k as keyof ResourceSpec] !== undefined).map((k) => `resources.${k}`),
    ].sort(),
  };
}
