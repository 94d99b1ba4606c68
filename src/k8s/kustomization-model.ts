/**
 * The part of kustomize's `Kustomization` that prism-projen writes, as types: what the
 * kustomize renderers return and `YamlDocumentsFile` serializes.
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
 */

/** A `labels` entry: the pairs, and where kustomize adds them. */
export interface KustomizeLabels {
  readonly pairs: Readonly<Record<string, string>>;
  readonly includeSelectors?: boolean;
  readonly includeTemplates?: boolean;
}

/** An `images` entry: which image name to retag. */
export interface KustomizeImage {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

/** A `kustomization.yaml`. */
export interface Kustomization {
  readonly apiVersion: "kustomize.config.k8s.io/v1beta1";
  readonly kind: "Kustomization";
  readonly namespace?: string;
  readonly resources: readonly string[];
  readonly labels?: readonly KustomizeLabels[];
  readonly images?: readonly KustomizeImage[];
}
