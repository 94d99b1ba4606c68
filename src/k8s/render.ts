import { createHash } from "node:crypto";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Job } from "kubernetes-types/batch/v1";
import type { Affinity, Container, PodSpec, PodTemplateSpec, Probe, Service, TopologySpreadConstraint } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { WRITABLE_VOLUME_SIZE, WorkloadKind, type ComponentModel } from "../model/component";
import type { ProjectModel } from "../model/project";
import { productionImage } from "../model/images";
import { componentMetadata, selectorLabels } from "./labels";
import { renderWorkloadNetworkPolicy } from "./network-policy";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security";
import { because, fixed, from, optionsOf, projectOptions, projectSetting, type Because } from "../explain/trace";

/**
 * Kubernetes renderers: pure functions from the models to typed API objects
 * (`kubernetes-types`, so an unknown or misspelled field is a compile error).
 */

const RENDERER = "src/k8s/render.ts";
/** Why a node is what it is: the component's own options, the project's, or a fixed rule (`npx projen explain`). */
const why = {
  of: (c: ComponentModel, options: string[], rule?: string): Because => from(optionsOf(c.name, ...options), { renderer: RENDERER, ...(rule ? { rule } : {}) }),
  project: (options: string[], rule?: string): Because => from(projectOptions(...options), { renderer: RENDERER, ...(rule ? { rule } : {}) }),
  rule: (rule: string): Because => fixed(rule, RENDERER),
  name: (c: ComponentModel): Because => fixed(`the component's name, "${c.name}" (its construct id in .projenrc.ts)`, RENDERER),
};
const RESOURCE_OPTIONS = ["cpuRequest", "memoryRequest", "cpuLimit", "memoryLimit", "ephemeralStorageRequest", "ephemeralStorageLimit"].map((r) => `resources.${r}`);

/** A Kubernetes object of a component's manifest. */
export type WorkloadObject = Deployment | Job | Service | PodDisruptionBudget | NetworkPolicy;

/**
 * The objects of one component: a Deployment (+ Service when it has ports, + PodDisruptionBudget
 * when it has 2 or more replicas) or a Job, each with its NetworkPolicy; none for image-only tools.
 * `components` are the project's, for the traffic between them.
 */
export function renderWorkload(component: ComponentModel, project: ProjectModel, components: readonly ComponentModel[]): WorkloadObject[] {
  switch (component.workload) {
    case WorkloadKind.DEPLOYMENT:
      return [
        renderDeployment(component, project),
        ...(component.ports.length > 0 ? [renderService(component, project)] : []),
        ...(isSpread(component) ? [renderDisruptionBudget(component, project)] : []),
        renderWorkloadNetworkPolicy(component, project, components),
      ];
    case WorkloadKind.JOB:
      return [renderJob(component, project), renderWorkloadNetworkPolicy(component, project, components)];
    case WorkloadKind.NONE:
      return [];
  }
}

/**
 * The name of a component's workload. A Job's pod template cannot change once created, so a Job's
 * name carries the release version and a digest of its pod template: a new release, or a changed
 * template, applies a new Job beside the old one (which its TTL removes) instead of being refused.
 */
export function workloadName(component: ComponentModel, project: ProjectModel): string {
  return component.workload === WorkloadKind.JOB ? jobName(component, project, podTemplate(component, project, "Never")) : component.name;
}

/** A Job's name, from the pod template it runs. */
function jobName(component: ComponentModel, project: ProjectModel, template: PodTemplateSpec): string {
  const digest = createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 8);
  return `${component.name}-v${project.version.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${digest}`;
}

/** Whether a Deployment runs enough replicas to be spread over nodes and kept up during drains (2 or more). */
function isSpread(component: ComponentModel): boolean {
  return component.workload === WorkloadKind.DEPLOYMENT && component.replicas >= 2;
}

function renderDeployment(component: ComponentModel, project: ProjectModel): Deployment {
  const kind = why.of(component, ["workload"], "a long-running component is a Deployment");
  return because({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: componentMetadata(component, project),
    spec: because({
      replicas: component.replicas,
      revisionHistoryLimit: 5,
      selector: because({ matchLabels: selectorLabels(component, project) }, why.rule("selects the pods by name and project, labels no release changes")),
      template: podTemplate(component, project, "Always"),
    }, kind, {
      replicas: why.of(component, ["replicas"]),
      revisionHistoryLimit: why.rule("5 old ReplicaSets are kept for `kubectl rollout undo`; not configurable"),
    }),
  }, kind);
}

function renderJob(component: ComponentModel, project: ProjectModel): Job {
  const kind = why.of(component, ["workload"], "a run-to-completion component is a Job");
  // Rendered once: the Job runs it, and its name digests it.
  const template = podTemplate(component, project, "Never");
  return because({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: because(Object.assign(componentMetadata(component, project), { name: jobName(component, project, template) }), undefined, {
      name: from([
        ...projectOptions("version", "imageRegistry", "imageUser", "name"),
        ...optionsOf(component.name, "env", "ports", "writablePaths", ...RESOURCE_OPTIONS,
          ...(component.health ? ["health.port", "health.livenessPath", "health.readinessPath"] : [])),
      ], {
        rule: `the component's name, "${component.name}", the release version and a digest of the pod template (so of every option ` +
          "it holds): a Job cannot change, so each release, or template change, applies a new one",
        renderer: RENDERER,
      }),
    }),
    spec: because({
      backoffLimit: 3,
      // Finished Jobs (and their pods' logs) are garbage-collected after a day.
      ttlSecondsAfterFinished: 86400,
      template,
    }, kind, {
      backoffLimit: why.rule("3 retries of a failed migration, then the Job fails; not configurable"),
      ttlSecondsAfterFinished: why.rule("a finished Job and its logs are deleted after a day; not configurable"),
    }),
  }, kind);
}

/** Node drains and upgrades evict at most one pod of the Deployment at a time. */
function renderDisruptionBudget(component: ComponentModel, project: ProjectModel): PodDisruptionBudget {
  const budget = why.rule("a Deployment of 2 or more replicas gets a PodDisruptionBudget (kube-score deployment-has-poddisruptionbudget); not configurable");
  return because({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: componentMetadata(component, project),
    spec: because({
      maxUnavailable: 1,
      selector: because({ matchLabels: selectorLabels(component, project) }, why.rule("selects the Deployment's pods")),
      // A pod that is not ready serves nothing: evicting it must not block a node drain.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    }, budget, {
      maxUnavailable: why.rule("drains and upgrades evict one pod at a time; not configurable"),
      unhealthyPodEvictionPolicy: why.rule("a pod that is not ready serves nothing, so evicting it never blocks a node drain; not configurable"),
    }),
  }, budget);
}

function renderService(component: ComponentModel, project: ProjectModel): Service {
  const service = why.rule("a Deployment with ports gets a Service, which exposes each of them");
  return because({
    apiVersion: "v1",
    kind: "Service",
    metadata: componentMetadata(component, project),
    spec: because({
      type: "ClusterIP",
      selector: because(selectorLabels(component, project), why.rule("selects the Deployment's pods")),
      ports: component.ports.map((p) => because({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol }, why.of(component, ["ports"]))),
    }, service, { type: why.rule("ClusterIP: reachable inside the cluster only, never on a node port (kube-score service-type); not configurable") }),
  }, service);
}

function podTemplate(component: ComponentModel, project: ProjectModel, restartPolicy: "Always" | "Never"): PodTemplateSpec {
  return because({ metadata: { labels: componentMetadata(component, project).labels }, spec: podSpec(component, project, restartPolicy) },
    why.rule("the pod template: what every pod of the workload runs"));
}

function podSpec(component: ComponentModel, project: ProjectModel, restartPolicy: "Always" | "Never"): PodSpec {
  const volumes = component.writablePaths.map((path) => ({ name: volumeName(path), path }));
  return because({
    // The components do not call the Kubernetes API: no token in the pod.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy,
    securityContext: restrictedPodSecurityContext(component.user),
    ...(isSpread(component) ? spread(component, project) : {}),
    containers: [container(component, project, volumes)],
    volumes: volumes.map((v) => because({ name: v.name, emptyDir: because({ sizeLimit: WRITABLE_VOLUME_SIZE }, why.rule(`each writable volume holds ${WRITABLE_VOLUME_SIZE}; not configurable`)) },
      writable(component, v.path, `the writable path ${v.path}, an emptyDir volume (the root filesystem is read-only)`))),
  }, why.rule("the pod spec"), {
    automountServiceAccountToken: why.rule("no service-account token: the components do not call the Kubernetes API (KSV-0036); not configurable"),
    enableServiceLinks: why.rule("no environment variables for every Service of the namespace; not configurable"),
    restartPolicy: why.of(component, ["workload"], "a Deployment's pods restart (Always), a Job's do not (Never)"),
  });
}

/**
 * Replicas on different nodes when there are enough nodes, and across zones where the nodes have
 * zones; both preferences, so a small cluster still runs every replica.
 */
function spread(component: ComponentModel, project: ProjectModel): { affinity: Affinity; topologySpreadConstraints: TopologySpreadConstraint[] } {
  const labelSelector = { matchLabels: selectorLabels(component, project) };
  const spreading = why.rule("2 or more replicas are spread: preferably on different nodes " +
    "(kube-score deployment-has-host-podantiaffinity) and across zones; preferences, so a small cluster still runs them all; not configurable");
  return {
    affinity: because({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector } },
        ],
      },
    }, spreading),
    topologySpreadConstraints: because([
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
    ], spreading),
  };
}

function container(
  component: ComponentModel,
  project: ProjectModel,
  volumes: readonly { name: string; path: string }[],
): Container {
  const c: Container = {
    name: component.name,
    image: productionImage(component, project),
    imagePullPolicy: "IfNotPresent",
    ports: component.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
    env: component.env.map((e) => ({ name: e.name, value: e.value })),
    resources: {
      requests: {
        cpu: component.resources.cpuRequest,
        memory: component.resources.memoryRequest,
        "ephemeral-storage": component.resources.ephemeralStorageRequest,
      },
      limits: {
        cpu: component.resources.cpuLimit,
        memory: component.resources.memoryLimit,
        "ephemeral-storage": component.resources.ephemeralStorageLimit,
      },
    },
    securityContext: restrictedContainerSecurityContext(component.user),
    volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.path })),
  };
  if (component.health) {
    c.livenessProbe = httpProbe(component, "livenessPath", 10);
    c.readinessProbe = httpProbe(component, "readinessPath", 5);
  }
  const given = (option: string) => component.optionsGiven.includes(option);
  // A default ephemeral-storage request holds every writable volume, so it follows writablePaths.
  const ephemeral = (option: "ephemeralStorageRequest" | "ephemeralStorageLimit") =>
    why.of(component, given(`resources.${option}`) ? [`resources.${option}`] : [`resources.${option}`, "writablePaths"]);
  c.resources = because({
    requests: because({ ...c.resources!.requests }, undefined, {
      cpu: why.of(component, ["resources.cpuRequest"]),
      memory: why.of(component, ["resources.memoryRequest"]),
      "ephemeral-storage": ephemeral("ephemeralStorageRequest"),
    }),
    limits: because({ ...c.resources!.limits }, undefined, {
      cpu: why.of(component, ["resources.cpuLimit"]),
      memory: why.of(component, ["resources.memoryLimit"]),
      "ephemeral-storage": ephemeral("ephemeralStorageLimit"),
    }),
  }, why.rule("requests and limits on every container (trivy KSV-0011/15/16/18, kube-score container-resources)"));
  const container = because(dropEmpty(c), why.rule("the component's container"), {
    name: why.name(component),
    image: from([...projectSetting(project, "imageRegistry"), ...projectOptions("version")], {
      rule: "<imageRegistry>/<component name>:v<version>, the release tag (never latest); each overlay sets its own tag", renderer: RENDERER,
    }),
    imagePullPolicy: why.rule("IfNotPresent with release tags: a recorded exception to kube-score container-image-pull-policy; not configurable"),
    // A Deployment always has a port (its probes need one); a Job's ports key is there only when it has ports.
    ports: component.workload === WorkloadKind.DEPLOYMENT ? why.of(component, ["ports"]) : { ...why.of(component, ["ports"]), requires: optionsOf(component.name, "ports") },
    // There only when env is not empty.
    env: { ...why.of(component, ["env"]), requires: optionsOf(component.name, "env") },
    // A Deployment always has probes; another workload has them when health is set, or by default when a port is named metrics.
    ...(component.workload === WorkloadKind.DEPLOYMENT || !component.health ? {} : Object.fromEntries(["livenessProbe", "readinessProbe"].map((probe) => [probe, {
      ...why.rule("the kubelet's probe, there because the component has health endpoints"),
      requires: optionsOf(component.name, given("health") ? "health.port" : "ports"),
    }]))),
  });
  for (const mount of container.volumeMounts ?? []) because(mount, writable(component, mount.mountPath, `the writable path ${mount.mountPath}, mounted from its volume`));
  return container;
}

/** `/tmp` is always writable; the others are the component's writablePaths (each line of their volumes and mounts is there because of it). */
function writable(component: ComponentModel, path: string, rule: string): Because {
  return path === "/tmp" ? why.rule(`${rule}; /tmp is always writable`) : { ...why.of(component, ["writablePaths"], rule), requires: optionsOf(component.name, "writablePaths") };
}

function httpProbe(component: ComponentModel, pathOption: "livenessPath" | "readinessPath", periodSeconds: number): Probe {
  const health = component.health!;
  const on = (option: string) => why.of(component, [option], "by default, /healthz and /readyz on the port named metrics");
  return because({
    httpGet: because({ path: health[pathOption], port: health.port }, undefined, { path: on(`health.${pathOption}`), port: on("health.port") }),
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  }, why.rule(`the kubelet's ${pathOption === "livenessPath" ? "liveness (restart)" : "readiness (traffic)"} probe; its timings are not configurable`), {
    httpGet: on(`health.${pathOption}`),
  });
}

/** `/tmp` becomes `tmp`, `/var/cache/app` becomes `var-cache-app` (uniqueness is a component validation). */
export function volumeName(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").replace(/[^a-z0-9]+/gi, "-").toLowerCase().slice(0, 63);
}

/** Drops empty arrays so the manifest has no `env: []` noise. */
function dropEmpty<T extends object>(obj: T): T {
  return Object.fromEntries(
    Object.entries(obj).filter(([, v]) => !(Array.isArray(v) && v.length === 0)),
  ) as T;
}
