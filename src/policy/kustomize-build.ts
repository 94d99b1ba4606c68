import { spawnSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

/**
 * What a cluster receives from `kubectl apply -k DIR`: kustomize's own rendering of the overlay, by
 * `kubectl kustomize` (kustomize is built into kubectl), or by a standalone `kustomize build`.
 *
 * @see https://kubectl.docs.kubernetes.io/references/kubectl/kustomize/
 */

const RENDERERS: readonly (readonly string[])[] = [["kubectl", "kustomize"], ["kustomize", "build"]];

/** The objects of the rendered overlay; throws with the renderer's own message when it fails, or when none is installed. */
export function kustomizeBuild(dir: string): unknown[] {
  for (const [command, ...args] of RENDERERS) {
    const run = spawnSync(command, [...args, dir], { encoding: "utf-8", maxBuffer: 256 * 1024 * 1024 });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") continue;
    if (run.error) throw run.error;
    if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${(run.stderr || run.stdout).trim()}`);
    return parseAllDocuments(run.stdout).map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS();
    }).filter((o) => o !== null && o !== undefined);
  }
  throw new Error("neither kubectl nor kustomize is installed, so the overlay cannot be rendered as a cluster receives it; " +
    "install kubectl (it includes kustomize), https://kubernetes.io/docs/tasks/tools/");
}
