export * from "./render";
export * from "./security";
