import { Component } from "projen/lib/component";
import type { Project } from "projen/lib/project";
import { YamlDocumentsFile } from "../files/yaml-file";
import { BASE_DIR, overlayDir, renderBaseKustomization, renderNamespace, renderOverlayKustomization, variantNamespace, type Variant } from "../k8s/kustomize";
import { renderDefaultDeny } from "../k8s/network-policy";
import { WorkloadKind } from "../model/component";
import type { MonorepoContext } from "./context";

/**
 * The kustomize tree around the components' manifests: the base's kustomization, and for each
 * variant (production, debug) an overlay with its namespace and the namespace's default-deny policy.
 */
export class KustomizeTree extends Component {
  constructor(project: Project, ctx: MonorepoContext) {
    super(project);
    const deployable = () => ctx.componentModels().filter((c) => c.workload !== WorkloadKind.NONE);
    new YamlDocumentsFile(project, `${BASE_DIR}/kustomization.yaml`, {
      documents: () => [renderBaseKustomization(deployable())],
    });
    for (const variant of ["production", "debug"] as Variant[]) {
      new YamlDocumentsFile(project, `${overlayDir(variant)}/kustomization.yaml`, {
        documents: () => [renderOverlayKustomization(ctx.model, variant, deployable())],
      });
      new YamlDocumentsFile(project, `${overlayDir(variant)}/namespace.yaml`, {
        documents: () => [
          renderNamespace(ctx.model, variant),
          // With no workload, there is no pod to protect, and a policy that selects nothing (kube-score networkpolicy-targets-pod).
          ...(deployable().length > 0
            ? [renderDefaultDeny(variantNamespace(ctx.model, variant), { "app.kubernetes.io/part-of": ctx.model.name, "app.kubernetes.io/managed-by": "projen" }, ctx.model)]
            : []),
        ],
      });
    }
  }
}
