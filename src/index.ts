export * from "./project";
export * from "./component/model";
export type { HealthSpec, ImageUser, PortSpec, ResourceSpec } from "./component/option-specs";
// The helpers a component kind is built from stay internal: a component made without them would skip the option schemas.
export { isContainerComponent, type ContainerComponentOptions, type IContainerComponent } from "./component/container-component";
export * from "./component/rust-component";
export * from "./component/go-component";
export * from "./cargo/profile";
export { ReqwestVersion, reqwestFeatureProblems, resolveReqwest, type ReqwestOptions, type ReqwestSpec } from "./cargo/reqwest";
export { isRefusal } from "./refusal";
export * as dockerfile from "./dockerfile";
export * as cargo from "./cargo";
export * as github from "./github";
export * as k8s from "./k8s";
export * from "./images";
