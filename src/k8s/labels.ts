import type { ObjectMeta } from "kubernetes-types/meta/v1";
import type { ComponentModel } from "../component/model";
import type { ProjectModel } from "../project-model";

/** The labels that select a component's pods (the same in every version, so a selector never changes). */
export function selectorLabels(component: ComponentModel, project: ProjectModel): Record<string, string> {
  return {
    "app.kubernetes.io/name": component.name,
    "app.kubernetes.io/part-of": project.name,
  };
}

/** The metadata of a component's objects: its name, the project's namespace, the recommended labels. */
export function componentMetadata(component: ComponentModel, project: ProjectModel): ObjectMeta {
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
