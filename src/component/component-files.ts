import { planImage } from "../dockerfile/image-plan";
import { dockerfileLineReasons } from "../explain/lines";
import { renderDockerfile } from "../dockerfile/render";
import { GeneratedTextFile } from "../files/text-file";
import { YamlDocumentsFile } from "../files/yaml-file";
import { manifestPath } from "../k8s/kustomize";
import { renderWorkload } from "../k8s/render";
import type { ProjectModel } from "../model/project";
import type { IContainerComponent } from "./container-component";
import { WorkloadKind, type ComponentModel } from "../model/component";

/** What the component files need from their project (a ContainerMonorepo), without importing it. */
export interface ComponentFilesContext {
  readonly model: ProjectModel;
  rustMemberRoots(): string[];
  componentModels(): ComponentModel[];
}

/**
 * The files every component has: its Dockerfile and, unless image-only, its
 * Kubernetes manifest. Rendered at synth time from the component's model.
 */
export function addImageAndManifests(component: IContainerComponent, project: ComponentFilesContext): void {
  const model = component._toModel();
  const plan = (marker: string) => planImage(component._toModel(), project.model, { rustMemberRoots: project.rustMemberRoots(), marker });
  new GeneratedTextFile(component, `${model.path}/Dockerfile`, {
    render: (marker) => renderDockerfile(plan(marker)),
    trace: (marker) => {
      const rustMembers = project.componentModels().filter((c) => c.build.kind === "rust");
      const traced = planImage(component._toModel(), project.model, { rustMemberRoots: project.rustMemberRoots(), rustMembers, marker });
      return { text: renderDockerfile(traced), reasons: dockerfileLineReasons(traced) };
    },
  });
  if (model.workload !== WorkloadKind.NONE) {
    new YamlDocumentsFile(component, manifestPath(model.name), {
      documents: () => renderWorkload(component._toModel(), project.model, project.componentModels()),
    });
  }
}
