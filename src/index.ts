// The public API: what a `.projenrc.ts` needs. Renderers, format models, grammars and the runner's
// environment variables stay internal, so they can change without breaking a consumer.
export { ContainerMonorepo, type ContainerMonorepoModel, type ContainerMonorepoProps } from "./project";
export { DebianRelease, Linkage, RuntimeBase, WorkloadKind, type ComponentModel, type GoBuild, type Language, type RustBuild } from "./model/component";
export type { ConnectionSpec, EgressSpec, HealthSpec, ImageUser, PeerSpec, PortSpec, ResourceSpec } from "./model/option-specs";
// The helpers a component kind is built from stay internal: a component made without them would skip the option schemas.
export { isContainerComponent, type ContainerComponentProps, type IContainerComponent } from "./component/container-component";
export { RustComponent, StaticLibc, type RustComponentProps } from "./component/rust-component";
export { RustLibrary, type RustLibraryProps } from "./component/rust-library";
export { GoComponent, type GoComponentProps } from "./component/go-component";
export { CargoProfilePreset, cargoProfile, type CargoProfile } from "./model/cargo-profile";
export { ReqwestVersion, reqwestFeatureProblems, resolveReqwest, type ReqwestOptions, type ReqwestSpec } from "./model/reqwest";
export { isRefusal } from "./refusal";
