import type { ComponentModel, RustLibraryModel } from "../model/component";
import type { ImageUser } from "../model/option-specs";
import type { ProjectModel } from "../model/project";

/** The resolved project settings plus the image user. */
export interface ContainerMonorepoModel extends ProjectModel {
  readonly imageUser: ImageUser;
}

/** What the project's parts read from the project: its settings and, at synthesis, its components' models. */
export interface MonorepoContext {
  readonly model: ContainerMonorepoModel;
  /** The models of every component, sorted by name. */
  componentModels(): ComponentModel[];
  /** The models of the project's Rust library crates, by name. */
  libraryModels(): RustLibraryModel[];
}
