import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";

/**
 * A small kustomize-compatible renderer for the fields prism-projen's
 * kustomizations use (resources, namespace, labels, images), for tests:
 * kustomize itself cannot be installed offline here. It refuses any other
 * field, so it can never silently ignore part of an overlay.
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
 */
const SUPPORTED = new Set(["apiVersion", "kind", "resources", "namespace", "labels", "images"]);
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);

export function kustomizeBuild(dir: string): any[] {
  const k = parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf-8"));
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml uses fields this renderer does not implement: ${unknown.join(", ")}`);
  const objects: any[] = [];
  for (const resource of k.resources ?? []) {
    const target = path.join(dir, resource);
    if (fs.statSync(target).isDirectory()) objects.push(...kustomizeBuild(target));
    else objects.push(...parseAllDocuments(fs.readFileSync(target, "utf-8")).map((d) => d.toJS()));
  }
  for (const o of objects) {
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata = { ...o.metadata, namespace: k.namespace };
    for (const l of k.labels ?? []) {
      o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
      const template = o.spec?.template ?? o.spec?.jobTemplate?.spec?.template;
      if (l.includeTemplates && template) template.metadata.labels = { ...template.metadata?.labels, ...l.pairs };
      if (l.includeSelectors && o.spec?.selector?.matchLabels) o.spec.selector.matchLabels = { ...o.spec.selector.matchLabels, ...l.pairs };
    }
    for (const container of containers(o)) {
      const name = imageName(container.image);
      const rule = (k.images ?? []).find((i: any) => i.name === name);
      if (!rule) continue;
      const base = rule.newName ?? name;
      container.image = rule.digest ? `${base}@${rule.digest}` : `${base}:${rule.newTag ?? imageTag(container.image)}`;
    }
  }
  return objects;
}

export function containers(o: any): any[] {
  const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec ?? (o.kind === "Pod" ? o.spec : undefined);
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
}

/** `registry:5000/repo:tag@digest` -> `registry:5000/repo`. */
export function imageName(image: string): string {
  const withoutDigest = image.split("@")[0];
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split("@")[0];
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(colon + 1) : undefined;
}
