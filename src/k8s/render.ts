import type { Deployment } from "kubernetes-types/apps/v1";
import type { Job } from "kubernetes-types/batch/v1";
import type { Container, PodSpec, PodTemplateSpec, Probe, Service } from "kubernetes-types/core/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { WorkloadKind, type ComponentModel } from "../component/model";
import type { ProjectModel } from "../project-model";
import { productionImage } from "../images";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security";

/**
 * Kubernetes renderers: pure functions from the models to typed API objects
 * (`kubernetes-types`, so an unknown or misspelled field is a compile error).
 */

/** The objects of one component: Deployment (+ Service when it has ports), or Job; none for image-only tools. */
export function renderWorkload(component: ComponentModel, project: ProjectModel): (Deployment | Job | Service)[] {
  switch (component.workload) {
    case WorkloadKind.DEPLOYMENT:
      return component.ports.length > 0
        ? [renderDeployment(component, project), renderService(component, project)]
        : [renderDeployment(component, project)];
    case WorkloadKind.JOB:
      return [renderJob(component, project)];
    case WorkloadKind.NONE:
      return [];
  }
}

function selectorLabels(component: ComponentModel, project: ProjectModel): Record<string, string> {
  return {
    "app.kubernetes.io/name": component.name,
    "app.kubernetes.io/part-of": project.name,
  };
}

function metadata(component: ComponentModel, project: ProjectModel): ObjectMeta {
  return {
    name: component.name,
    namespace: project.namespace,
    labels: {
      ...selectorLabels(component, project),
      "app.kubernetes.io/version": project.version,
      "app.kubernetes.io/managed-by": "projen",
    },
  };
}

function renderDeployment(component: ComponentModel, project: ProjectModel): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(component, project),
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
    metadata: metadata(component, project),
    spec: {
      backoffLimit: 3,
      // Finished Jobs (and their pods' logs) are garbage-collected after a day.
      ttlSecondsAfterFinished: 86400,
      template: podTemplate(component, project, "Never"),
    },
  };
}

function renderService(component: ComponentModel, project: ProjectModel): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(component, project),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(component, project),
      ports: component.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
    },
  };
}

function podTemplate(component: ComponentModel, project: ProjectModel, restartPolicy: "Always" | "Never"): PodTemplateSpec {
  return { metadata: { labels: metadata(component, project).labels }, spec: podSpec(component, project, restartPolicy) };
}

function podSpec(component: ComponentModel, project: ProjectModel, restartPolicy: "Always" | "Never"): PodSpec {
  const volumes = component.writablePaths.map((path) => ({ name: volumeName(path), path }));
  return {
    // The components do not call the Kubernetes API: no token in the pod.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy,
    securityContext: restrictedPodSecurityContext(component.user),
    containers: [container(component, project, volumes)],
    volumes: volumes.map((v) => ({ name: v.name, emptyDir: { sizeLimit: "64Mi" } })),
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
      requests: { cpu: component.resources.cpuRequest, memory: component.resources.memoryRequest },
      limits: { cpu: component.resources.cpuLimit, memory: component.resources.memoryLimit },
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
