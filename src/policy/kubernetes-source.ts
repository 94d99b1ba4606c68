import type { YamlSource } from "./yaml-source";

/** A path into a Kubernetes object, e.g. `["spec", "template", "spec", "containers", 0]`. */
export type ObjectPath = readonly (string | number)[];

/** Where a finding on an object points: a generated file and a line of it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** One Kubernetes object, and how to find the line that wrote any of its fields. */
export interface KubernetesObject {
  readonly value: any;
  /** The generated file that wrote the object (the fallback file, for an object none wrote). */
  readonly file: string;
  /** The line of `path` (or of its nearest existing parent) in the file that wrote the object. */
  locate(path: ObjectPath): SourceLocation;
}

/**
 * What the Kubernetes rules read: every object a cluster would receive from one apply, so the rules
 * that relate objects (a NetworkPolicy selecting a pod, a budget covering a Deployment) see them all.
 */
export interface KubernetesSource {
  readonly objects: readonly KubernetesObject[];
}

/** The objects of one file, located in it. */
export function fileObjects(file: string, src: YamlSource): KubernetesObject[] {
  return src.documents.flatMap(({ value }, index) => value && typeof value === "object"
    ? [{ value, file, locate: (path: ObjectPath) => ({ file, line: src.line(index, path) }) }]
    : []);
}

/** The identity of an object across a rendering: kustomize sets namespaces and labels, never kinds or names. */
export function objectKey(value: any): string {
  return `${value?.apiVersion}/${value?.kind}/${value?.metadata?.name}`;
}

/**
 * The objects of a rendering (e.g. `kubectl kustomize` of an overlay), each located in the generated
 * file that wrote it; an object no file wrote is located at `fallback`, line 1.
 */
export function renderedObjects(rendered: readonly any[], sources: readonly KubernetesObject[], fallback: string): KubernetesObject[] {
  const byKey = new Map(sources.map((o) => [objectKey(o.value), o]));
  return rendered.filter((value) => value && typeof value === "object").map((value) => {
    const source = byKey.get(objectKey(value));
    return source ? { value, file: source.file, locate: source.locate } : { value, file: fallback, locate: () => ({ file: fallback, line: 1 }) };
  });
}
