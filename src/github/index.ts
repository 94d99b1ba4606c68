export * from "./actions";
export * from "./render";
export * from "./workflow-model";
