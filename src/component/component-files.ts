import { planImage } from "../dockerfile/image-plan";
import { renderDockerfile } from "../dockerfile/render";
import { GeneratedTextFile } from "../files/text-file";
import { YamlDocumentsFile } from "../files/yaml-file";
import { manifestPath } from "../k8s/kustomize";
import { renderWorkload } from "../k8s/render";
import type { ProjectModel } from "../project-model";
import type { IContainerComponent } from "./container-component";
import { WorkloadKind } from "./model";

/** What the component files need from their project (a ContainerMonorepo), without importing it. */
export interface ComponentFilesContext {
  readonly model: ProjectModel;
  rustMemberRoots(): string[];
}

/**
 * The files every component has: its Dockerfile and, unless image-only, its
 * Kubernetes manifest. Rendered at synth time from the component's model.
 */
export function addImageAndManifests(component: IContainerComponent, project: ComponentFilesContext): void {
  const model = component._toModel();
  new GeneratedTextFile(component, `${model.path}/Dockerfile`, {
    render: (marker) => renderDockerfile(planImage(component._toModel(), project.model, {
      rustMemberRoots: project.rustMemberRoots(),
      marker,
    })),
  });
  if (model.workload !== WorkloadKind.NONE) {
    new YamlDocumentsFile(component, manifestPath(model.name), {
      documents: () => renderWorkload(component._toModel(), project.model),
    });
  }
}
