import { planImage } from "../dockerfile/image-plan";
import { renderDockerfile } from "../dockerfile/render";
import { GeneratedTextFile } from "../files/text-file";
import { YamlDocumentsFile } from "../files/yaml-file";
import { renderWorkload } from "../k8s/render";
import type { ContainerMonorepo } from "../project";
import type { IContainerComponent } from "./container-component";
import { WorkloadKind } from "./model";

/** Path of a component's manifest file, relative to the repository root. */
export function manifestPath(name: string): string {
  return `deploy/base/${name}.yaml`;
}

/**
 * The files every component has: its Dockerfile and, unless image-only, its
 * Kubernetes manifest. Rendered at synth time from the component's model.
 */
export function addImageAndManifests(component: IContainerComponent, project: ContainerMonorepo): void {
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
