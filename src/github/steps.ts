import { TARGETS } from "../dockerfile/image-plan";
import type { ProjectModel } from "../model/project";
import { ACTIONS, uses } from "./actions";
import type { Step } from "./workflow-model";
import { because, fixed, from, projectOptions, type Because, type OptionRef } from "../explain/trace";

// The steps the images workflow's jobs share: checkout, Buildx, cosign, the registry login, the build inputs, the trivy scans.

const RENDERER = "src/github/steps.ts";
const rule = (why: string): Because => fixed(why, RENDERER);
const option = (options: OptionRef[], why?: string): Because => from(options, { renderer: RENDERER, ...(why ? { rule: why } : {}) });

/** An action pinned by commit SHA, its version in a comment (src/github/actions.ts); prism-projen upgrades move the pins. */
export const PINNED = "actions pinned by commit SHA, the version in a comment (src/github/actions.ts); upgrading prism-projen moves the pins";

/** The checkout step; `fetchDepth` 0 for the whole history. */
export function checkout(fetchDepth?: number): Step {
  return because({
    name: "Check out",
    uses: uses(ACTIONS.checkout),
    // The token is not needed after checkout; do not leave it in .git/config for later steps.
    with: { "persist-credentials": false, ...(fetchDepth === undefined ? {} : { "fetch-depth": fetchDepth }) },
  }, rule("check out the commit without leaving the token in .git/config for later steps"), {
    uses: rule(PINNED),
    ...(fetchDepth === undefined ? {} : { with: rule("check out the whole history (fetch-depth 0), to diff a pull request against its base, without leaving the token in .git/config") }),
  });
}

export const setupBuildx = (): Step => because({ name: "Set up Buildx", uses: uses(ACTIONS.setupBuildx) }, rule(`Buildx builds the images; ${PINNED}`));
export const installCosign = (): Step => because({ name: "Install cosign", uses: uses(ACTIONS.cosignInstaller) }, rule(`cosign signs and verifies the images; ${PINNED}`));

export function registryLogin(project: ProjectModel): Step {
  return because({
    name: "Log in to the registry",
    uses: uses(ACTIONS.login),
    with: because({ registry: registryHost(project), username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" }, undefined, {
      registry: option(projectOptions("imageRegistry"), "the host of the image registry (ghcr.io unless imageRegistry names another)"),
    }),
  }, rule("log in to the registry with the workflow's own token"), { uses: rule(PINNED) });
}

/** The inputs every build of a target shares (one manifest list of every platform, cross-compiled), then `extra`. */
export function buildInputs(project: ProjectModel, target: keyof typeof TARGETS, extra: Readonly<Record<string, string | boolean>>) {
  const inputs = {
    "context": ".",
    "file": "${{ matrix.dockerfile }}",
    "target": TARGETS[target],
    "platforms": project.platforms.join(","),
    "cache-from": "type=gha,scope=${{ matrix.component }}",
    ...extra,
  };
  // A platform's own build keeps its own platforms line, which the step's reason covers.
  return because(inputs, undefined, extra.platforms === undefined ? { platforms: option(projectOptions("platforms"), "one manifest list of every platform, cross-compiled") } : {});
}

export function scanStep(name: string, imageRef: string, env: Record<string, string> = {}): Step {
  return because({
    name,
    uses: uses(ACTIONS.trivy),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    with: {
      "image-ref": imageRef,
      "exit-code": "1",
      "ignore-unfixed": true,
      "severity": "CRITICAL,HIGH",
      "vuln-type": "os,library",
    },
  }, rule("trivy fails the job on a fixable critical or high vulnerability of the OS packages or libraries; not configurable"), { uses: rule(PINNED) });
}

/** One trivy scan per platform of a pushed manifest list; trivy reads its --platform from TRIVY_PLATFORM. */
export function scanSteps(project: ProjectModel, imageRef: string): Step[] {
  return project.platforms.map((platform) => because(scanStep(`Scan production image (${platform})`, imageRef, { TRIVY_PLATFORM: platform }),
    { ...rule("one scan per platform of the manifest list"), requires: projectOptions("platforms") }));
}
/** The registry host of the image repository prefix (`ghcr.io` of `ghcr.io/prism`). */
export function registryHost(project: ProjectModel): string {
  return project.imageRegistry.split("/")[0];
}

