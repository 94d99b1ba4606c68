import type { IConstruct } from "constructs";
import {
  INSTALL_DIR,
  Linkage,
  RuntimeBase,
  WorkloadKind,
  type ComponentModel,
  type GoBuild,
  type HealthSpec,
  type ImageUser,
  type PortSpec,
  type ResourceSpec,
  type RustBuild,
} from "./model";

/** Options every kind of component shares. */
export interface ContainerComponentOptions {
  /**
   * One line saying what the component does (image label, Cargo description).
   * @default - "<name> component"
   */
  readonly description?: string;
  /**
   * Folder of the component, relative to the repository root.
   * @default - `containers/<name>` for Rust, `tools/cmd/<name>` for Go
   */
  readonly path?: string;
  /**
   * Name of the executable.
   * @default - the component name
   */
  readonly binary?: string;
  /**
   * Network ports: `EXPOSE`d, named container ports, and Service ports.
   * @default []
   */
  readonly ports?: PortSpec[];
  /**
   * Environment variables of the container.
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * How the component runs on Kubernetes.
   * @default WorkloadKind.DEPLOYMENT
   */
  readonly workload?: WorkloadKind;
  /**
   * Replicas of a Deployment.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Container resource requests and limits.
   * @default - requests 100m CPU / 64Mi, limits 500m CPU / 128Mi
   */
  readonly resources?: ResourceSpec;
  /**
   * HTTP health endpoints for the liveness and readiness probes.
   * @default - `/healthz` and `/readyz` on the port named `metrics`, if there is one; no probes otherwise
   */
  readonly health?: HealthSpec;
  /**
   * Absolute paths the process may write to, mounted as `emptyDir` volumes
   * (the root filesystem is read-only). `/tmp` is always included.
   * @default ["/tmp"]
   */
  readonly writablePaths?: string[];
  /**
   * Base image family of the runtime stage.
   * @default RuntimeBase.DISTROLESS
   */
  readonly runtime?: RuntimeBase;
  /**
   * Whether the process reads local time zones (the IANA database). Distroless
   * ships it; on scratch a Go binary embeds it (`-tags timetzdata`) and a Rust
   * one is refused.
   * @default false
   */
  readonly timezoneData?: boolean;
}

const DEFAULT_RESOURCES: Required<ResourceSpec> = {
  cpuRequest: "100m",
  memoryRequest: "64Mi",
  cpuLimit: "500m",
  memoryLimit: "128Mi",
};

const BRAND = Symbol.for("prism-projen.ContainerComponent");

/** A construct that is one container component of the monorepo. */
export interface IContainerComponent extends IConstruct {
  /** @internal */
  _toModel(): ComponentModel;
  /** @internal attaches the component's files; called once by the project, after validation. */
  _addFiles(): void;
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
    throw new Error("[<unnamed>] name: a component needs a non-empty name; pass it as the second argument, e.g. new RustComponent(project, \"proxy\")");
  }
  if (scope.node.tryFindChild(name) !== undefined) {
    throw new Error(`[${name}] name: a component named "${name}" is declared more than once; component names must be unique, rename one`);
  }
}

/** Applies the shared defaults; the kind-specific parts come from the caller. */
export function resolveComponent(
  name: string,
  options: ContainerComponentOptions,
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
    .map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? "TCP" }) as const)
    .sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
  const metrics = ports.find((p) => p.name === "metrics");
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
      .sort((a, b) => a.name.localeCompare(b.name)),
    workload: options.workload ?? kind.defaultWorkload ?? WorkloadKind.DEPLOYMENT,
    replicas: options.replicas ?? 2,
    resources: { ...DEFAULT_RESOURCES, ...options.resources },
    health: health && {
      port: health.port,
      livenessPath: health.livenessPath ?? "/healthz",
      readinessPath: health.readinessPath ?? "/readyz",
    },
    timezoneData: options.timezoneData ?? false,
    writablePaths: [...new Set(["/tmp", ...(options.writablePaths ?? [])])].sort(),
    user: kind.user,
    build: kind.build,
    installPath: `${INSTALL_DIR}/${binary}`,
  };
}
