import type { PolicyException } from "./finding";
import { because, fixed, from, projectOptions } from "../explain/trace";

/**
 * Rules that cannot hold for every prism-projen image, with the reason. The
 * policy report lists each one and how many findings it covered; nothing is
 * skipped silently. A project adds its own (e.g. unpinned base images) through
 * `ContainerMonorepo` props, and synthesis writes all of them to
 * `policy-exceptions.json`, which the policy command reads.
 */
export const BUILTIN_EXCEPTIONS: readonly PolicyException[] = [
  {
    ruleId: "DS-0026",
    reason: "distroless and scratch images have no shell or HTTP client to run a HEALTHCHECK; " +
      "Kubernetes liveness and readiness probes check health instead (PRISM-K001)",
  },
  {
    ruleId: "container-image-pull-policy",
    reason: "the manifests run release version tags (v<version>, never latest), which the release job sets on the digest the default branch built, " +
      "scanned and signed; IfNotPresent starts that image without a registry round-trip, so restarts keep working while the registry is down. " +
      "On a shared cluster, where a pod must not start a cached private image without its pull secret, enable the AlwaysPullImages admission plugin",
  },
];

const RENDERER = "src/policy/exceptions.ts";

/**
 * The content of `policy-exceptions.json`: the built-in exceptions, and PRISM-D001's when the project
 * allows unpinned base images (`allowUnpinnedBaseImages`, whose value is the reason).
 */
export function renderPolicyExceptions(allowUnpinnedBaseImages: string | undefined): { readonly exceptions: readonly PolicyException[] } {
  // The project's own first: the built-in ones then read the same whatever the project allows.
  const exceptions = [
    ...(allowUnpinnedBaseImages !== undefined
      ? [because({ ruleId: "PRISM-D001", reason: allowUnpinnedBaseImages },
        { ...fixed("the exception for unpinned base images (PRISM-D001), which synth requires while a base image has no digest", RENDERER), requires: projectOptions("allowUnpinnedBaseImages") },
        { reason: from(projectOptions("allowUnpinnedBaseImages"), { renderer: RENDERER }) })]
      : []),
    ...BUILTIN_EXCEPTIONS.map((e) => because({ ...e }, fixed(`a built-in exception of the policy (${e.ruleId}); not configurable`, RENDERER))),
  ];
  const inForce = fixed("the exceptions in force: the built-in ones, and those .projenrc.ts allows", RENDERER);
  return because({ exceptions: because(exceptions, inForce) }, inForce);
}

/** Where synthesis writes the exceptions in force. */
export const EXCEPTIONS_FILE = "policy-exceptions.json";
