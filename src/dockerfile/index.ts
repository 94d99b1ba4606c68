export * from "./dockerfile-model";
export * from "./image-plan";
export * from "./render";
