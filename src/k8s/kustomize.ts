import type { Namespace } from "kubernetes-types/core/v1";
import type { ComponentModel } from "../model/component";
import type { ProjectModel } from "../model/project";
import { imageRepository } from "../model/images";
import { byCodeUnits } from "../model/order";
import type { Kustomization } from "./kustomization-model";
import { because, fixed, from, optionsOf, projectOptions, projectSetting } from "../explain/trace";

const RENDERER = "src/k8s/kustomize.ts";

/**
 * The kustomize layout: `deploy/base` holds every component's manifest; the
 * `production` and `debug` overlays each add their namespace and pick the
 * image tags. `kubectl apply -k deploy/overlays/<variant>` deploys one.
 *
 * The ADR's rule: reproduce with the debug image in a separate environment,
 * never in production. The debug overlay therefore has its own namespace and
 * label; both keep the base's restricted security contexts (the debug images
 * are `:debug-nonroot`, UID 65532 like production).
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
 */

/** An overlay of the base. */
export type Variant = "production" | "debug";

/** Where the kustomize files go, relative to the repository root. */
export const BASE_DIR = "deploy/base";
export const overlayDir = (variant: Variant) => `deploy/overlays/${variant}`;

/** Path of a component's manifest file, relative to the repository root. */
export function manifestPath(name: string): string {
  return `${BASE_DIR}/${name}.yaml`;
}

/** The label every object of an overlay carries. */
export const VARIANT_LABEL = "app.kubernetes.io/environment";

/** The namespace of a variant: the project's own for production, `<namespace>-debug` for debug. */
export function variantNamespace(project: ProjectModel, variant: Variant): string {
  return variant === "production" ? project.namespace : `${project.namespace}-debug`;
}

/** The image tag a variant runs: `v<version>`, or `v<version>-debug` (the ADR's tags). */
export function variantTag(project: ProjectModel, variant: Variant): string {
  return variant === "production" ? `v${project.version}` : `v${project.version}-debug`;
}

/** The base kustomization: the component manifests, no namespace object (each overlay brings its own). */
export function renderBaseKustomization(components: readonly ComponentModel[]): Kustomization {
  const sorted = [...components].sort((a, b) => byCodeUnits(a.name, b.name));
  return because({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: because(sorted.map((c) => `${c.name}.yaml`), fixed("the manifest of every component with a workload", RENDERER),
      Object.fromEntries(sorted.map((c, i) => [String(i), from(optionsOf(c.name, "workload"), { rule: "a component with a workload has a manifest", renderer: RENDERER })]))),
  }, fixed("the base: every component's manifest, in no namespace of its own (each overlay sets one)", RENDERER));
}

/** An overlay's kustomization: the base, its namespace, its label, and each deployable component's tag. */
export function renderOverlayKustomization(project: ProjectModel, variant: Variant, components: readonly ComponentModel[]): Kustomization {
  const sorted = [...components].sort((a, b) => byCodeUnits(a.name, b.name));
  return because({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace: variantNamespace(project, variant),
    resources: ["../../base", "namespace.yaml"],
    // Selectors stay as the base has them: a label change there would orphan running ReplicaSets.
    labels: [{ pairs: { [VARIANT_LABEL]: variant }, includeSelectors: false, includeTemplates: true }],
    images: sorted.map((c) => because({ name: imageRepository(c, project), newTag: variantTag(project, variant) },
      { ...fixed(`component "${c.name}" has a workload`, RENDERER), requires: optionsOf(c.name, "workload") }, {
      name: from(projectSetting(project, "imageRegistry"), { rule: `<imageRegistry>/${c.name}: the image of component "${c.name}", which has a workload`, renderer: RENDERER }),
      newTag: from(projectOptions("version"), { rule: variant === "production" ? "the release tag v<version>" : "the debug tag v<version>-debug", renderer: RENDERER }),
    })),
  }, fixed(`the ${variant} overlay: the base in its own namespace, labelled ${variant}, at its image tags; not configurable`, RENDERER), {
    namespace: from(projectSetting(project, "namespace"), { rule: variant === "production" ? "production runs in the namespace" : "debug runs in <namespace>-debug", renderer: RENDERER }),
    images: fixed("each workload's image at this overlay's tag", RENDERER),
  });
}

/** A variant's namespace, enforcing the restricted Pod Security Standard on everything in it. */
export function renderNamespace(project: ProjectModel, variant: Variant): Namespace {
  return because({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: because({
      name: variantNamespace(project, variant),
      labels: because({
        "app.kubernetes.io/part-of": project.name,
        [VARIANT_LABEL]: variant,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      }, fixed("the restricted Pod Security Standard, enforced on everything in the namespace; not configurable", RENDERER), {
        "app.kubernetes.io/part-of": from(projectOptions("name"), { renderer: RENDERER }),
        [VARIANT_LABEL]: fixed(`the overlay: ${variant}`, RENDERER),
      }),
    }, undefined, {
      name: from(projectSetting(project, "namespace"), { rule: variant === "production" ? "the project's namespace" : "<namespace>-debug", renderer: RENDERER }),
    }),
  }, fixed(`the ${variant} overlay's namespace`, RENDERER));
}
