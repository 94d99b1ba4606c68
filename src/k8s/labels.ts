import type { ObjectMeta } from "kubernetes-types/meta/v1";
import type { ComponentModel } from "../model/component";
import { because, fixed, from, projectOptions, projectSetting, type OptionRef } from "../explain/trace";
import type { ProjectModel } from "../model/project";

const RENDERER = "src/k8s/labels.ts";
const nameOf = (component: ComponentModel) => fixed(`the component's name, "${component.name}" (its construct id in .projenrc.ts)`, RENDERER);
const partOf = () => from(projectOptions("name"), { rule: "the project's name: the part-of label", renderer: RENDERER });

/** The labels that select a component's pods (the same in every version, so a selector never changes). */
export function selectorLabels(component: ComponentModel, project: ProjectModel): Record<string, string> {
  return because({
    "app.kubernetes.io/name": component.name,
    "app.kubernetes.io/part-of": project.name,
  }, undefined, { "app.kubernetes.io/name": nameOf(component), "app.kubernetes.io/part-of": partOf() });
}

/**
 * The labels that select another component's pods, in a rule of this one's policy: there because of `declared`
 * (the options that declare the traffic), the part-of label following the project's name too.
 */
export function peerSelectorLabels(component: ComponentModel, project: ProjectModel, declared: readonly OptionRef[]): Record<string, string> {
  return because(selectorLabels(component, project), undefined, {
    "app.kubernetes.io/name": from(declared, { rule: `the pods of ${component.name}, by its name`, renderer: RENDERER }),
    "app.kubernetes.io/part-of": from([...declared, ...projectOptions("name")], { rule: "the project's name: the part-of label", renderer: RENDERER }),
  });
}

/** The metadata of a component's objects: its name, the project's namespace, the recommended labels. */
export function componentMetadata(component: ComponentModel, project: ProjectModel): ObjectMeta {
  return because({
    name: component.name,
    namespace: project.namespace,
    labels: because({
      ...selectorLabels(component, project),
      "app.kubernetes.io/version": project.version,
      "app.kubernetes.io/managed-by": "projen",
    }, fixed("Kubernetes' recommended labels", RENDERER), {
      "app.kubernetes.io/name": nameOf(component),
      "app.kubernetes.io/part-of": partOf(),
      "app.kubernetes.io/version": from(projectOptions("version"), { renderer: RENDERER }),
      "app.kubernetes.io/managed-by": fixed("written by projen; not configurable", RENDERER),
    }),
  }, fixed("the object's metadata", RENDERER), {
    name: nameOf(component),
    namespace: from(projectSetting(project, "namespace"), { rule: "each overlay replaces it with its own namespace", renderer: RENDERER }),
  });
}
