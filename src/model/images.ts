import type { ComponentModel } from "./component";
import type { ProjectModel } from "./project";

/** A component's image repository, without tag: `<imageRegistry>/<name>`. */
export function imageRepository(component: ComponentModel, project: ProjectModel): string {
  return `${project.imageRegistry}/${component.name}`;
}

/** The production image reference manifests run: the release tag, never `latest`. */
export function productionImage(component: ComponentModel, project: ProjectModel): string {
  return `${imageRepository(component, project)}:v${project.version}`;
}
