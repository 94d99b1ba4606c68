import { createHash } from "node:crypto";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Job } from "kubernetes-types/batch/v1";
import type { Affinity, Container, PodSpec, PodTemplateSpec, Probe, Service, TopologySpreadConstraint } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { WRITABLE_VOLUME_SIZE, WorkloadKind, type ComponentModel } from "../component/model";
import type { ProjectModel } from "../project-model";
import { productionImage } from "../images";
import { componentMetadata, selectorLabels } from "./labels";
import { renderWorkloadNetworkPolicy } from "./network-policy";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security";

/**
 * Kubernetes renderers: pure functions from the models to typed API objects
 * (`kubernetes-types`, so an unknown or misspelled field is a compile error).
 */

/** A Kubernetes object of a component's manifest. */
export type WorkloadObject = Deployment | Job | Service | PodDisruptionBudget | NetworkPolicy;

/**
 * The objects of one component: a Deployment (+ Service when it has ports, + PodDisruptionBudget
 * when it has 2 or more replicas) or a Job, each with its NetworkPolicy; none for image-only tools.
 */
export function renderWorkload(component: ComponentModel, project: ProjectModel): WorkloadObject[] {
  switch (component.workload) {
    case WorkloadKind.DEPLOYMENT:
      return [
        renderDeployment(component, project),
        ...(component.ports.length > 0 ? [renderService(component, project)] : []),
        ...(isSpread(component) ? [renderDisruptionBudget(component, project)] : []),
        renderWorkloadNetworkPolicy(component, project),
      ];
    case WorkloadKind.JOB:
      return [renderJob(component, project), renderWorkloadNetworkPolicy(component, project)];
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
  if (component.workload !== WorkloadKind.JOB) return component.name;
  const template = createHash("sha256").update(JSON.stringify(podTemplate(component, project, "Never"))).digest("hex").slice(0, 8);
  return `${component.name}-v${project.version.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${template}`;
}

/** Whether a Deployment runs enough replicas to be spread over nodes and kept up during drains (2 or more). */
function isSpread(component: ComponentModel): boolean {
  return component.workload === WorkloadKind.DEPLOYMENT && component.replicas >= 2;
}

function renderDeployment(component: ComponentModel, project: ProjectModel): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: componentMetadata(component, project),
    spec: {
      replicas: component.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(component, project) },
      template: podTemplate(component, project, "Always"),
    },
  };
}

function renderJob(component: ComponentModel, project: ProjectModel): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { ...componentMetadata(component, project), name: workloadName(component, project) },
    spec: {
      backoffLimit: 3,
      // Finished Jobs (and their pods' logs) are garbage-collected after a day.
      ttlSecondsAfterFinished: 86400,
      template: podTemplate(component, project, "Never"),
    },
  };
}

/** Node drains and upgrades evict at most one pod of the Deployment at a time. */
function renderDisruptionBudget(component: ComponentModel, project: ProjectModel): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: componentMetadata(component, project),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(component, project) },
      // A pod that is not ready serves nothing: evicting it must not block a node drain.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

function renderService(component: ComponentModel, project: ProjectModel): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: componentMetadata(component, project),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(component, project),
      ports: component.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
    },
  };
}

function podTemplate(component: ComponentModel, project: ProjectModel, restartPolicy: "Always" | "Never"): PodTemplateSpec {
  return { metadata: { labels: componentMetadata(component, project).labels }, spec: podSpec(component, project, restartPolicy) };
}

function podSpec(component: ComponentModel, project: ProjectModel, restartPolicy: "Always" | "Never"): PodSpec {
  const volumes = component.writablePaths.map((path) => ({ name: volumeName(path), path }));
  return {
    // The components do not call the Kubernetes API: no token in the pod.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy,
    securityContext: restrictedPodSecurityContext(component.user),
    ...(isSpread(component) ? spread(component, project) : {}),
    containers: [container(component, project, volumes)],
    volumes: volumes.map((v) => ({ name: v.name, emptyDir: { sizeLimit: WRITABLE_VOLUME_SIZE } })),
  };
}

/**
 * Replicas on different nodes when there are enough nodes, and across zones where the nodes have
 * zones; both preferences, so a small cluster still runs every replica.
 */
function spread(component: ComponentModel, project: ProjectModel): { affinity: Affinity; topologySpreadConstraints: TopologySpreadConstraint[] } {
  const labelSelector = { matchLabels: selectorLabels(component, project) };
  return {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector } },
        ],
      },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
    ],
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
    c.livenessProbe = httpProbe(component.health.port, component.health.livenessPath, 10);
    c.readinessProbe = httpProbe(component.health.port, component.health.readinessPath, 5);
  }
  return dropEmpty(c);
}

function httpProbe(port: string, path: string, periodSeconds: number): Probe {
  return { httpGet: { path, port }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 };
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
