export * from "./render";
export * from "./security";
export * from "./kustomize";
