import type { ComponentModel } from "../model/component";
import { TARGETS } from "../dockerfile/image-plan";
import { imageRepository } from "../model/images";
import type { ProjectModel } from "../model/project";
import { ACTIONS, uses } from "./actions";
import { PINNED, buildInputs, checkout, installCosign, registryLogin, scanSteps, setupBuildx } from "./steps";
import type { Job, Step } from "./workflow-model";
import { because, fixed, folderOptions, from, projectSetting, type Because, type OptionRef } from "../explain/trace";

// The jobs that publish: on the default branch each image built once, pushed, scanned, signed and tagged; on a release tag, verified and tagged.

const RENDERER = "src/github/publish-jobs.ts";
const rule = (why: string): Because => fixed(why, RENDERER);
const option = (options: OptionRef[], why?: string): Because => from(options, { renderer: RENDERER, ...(why ? { rule: why } : {}) });

/** Path of a component's Dockerfile, relative to the repository root. */
export function dockerfilePath(component: ComponentModel): string {
  return `${component.path}/Dockerfile`;
}

/**
 * The release tags of a push, per the ADR: `latest` / `debug` on the default branch, `vX.Y.Z` /
 * `vX.Y.Z-debug` on a release tag. Values reach the script through env, never through ${{ }} inside run.
 */
function releaseTags(): Step {
  return because({
    name: "Compute release tags",
    id: "tags",
    shell: "bash",
    env: {
      REF_TYPE: "${{ github.ref_type }}",
      REF_NAME: "${{ github.ref_name }}",
      IS_DEFAULT_BRANCH: "${{ github.ref == format('refs/heads/{0}', github.event.repository.default_branch) }}",
    },
    run: [
      "set -euo pipefail",
      "production=\"\"",
      "debug=\"\"",
      "if [ \"${IS_DEFAULT_BRANCH}\" = \"true\" ]; then",
      "  production=\"latest\"",
      "  debug=\"debug\"",
      "fi",
      "if [ \"${REF_TYPE}\" = \"tag\" ] && [[ \"${REF_NAME}\" =~ ^v[0-9]+\\.[0-9]+\\.[0-9]+$ ]]; then",
      "  production=\"${production} ${REF_NAME}\"",
      "  debug=\"${debug} ${REF_NAME}-debug\"",
      "fi",
      "{",
      "  echo \"production=${production# }\"",
      "  echo \"debug=${debug# }\"",
      "} >> \"${GITHUB_OUTPUT}\"",
    ].join("\n"),
  }, rule("the release tags, per the ADR: latest and debug on the default branch, vX.Y.Z and vX.Y.Z-debug on a release tag; not configurable"));
}

/** Puts the release tags (the `tags` step's output) on a digest; a tag that does not resolve to it fails the job. */
function tagStep(target: keyof typeof TARGETS, digest: string): Step {
  return because({
    name: `Tag ${target} image`,
    shell: "bash",
    env: { IMAGE: "${{ matrix.image }}", DIGEST: digest, TAGS: `\${{ steps.tags.outputs.${target} }}` },
    // A tag for the same digest, never a rebuild; a tag that does not resolve to it fails the job.
    run: [
      "set -euo pipefail",
      "for tag in ${TAGS}; do",
      "  docker buildx imagetools create --tag \"${IMAGE}:${tag}\" \"${IMAGE}@${DIGEST}\"",
      "  tagged=\"$(docker buildx imagetools inspect --format '{{.Manifest.Digest}}' \"${IMAGE}:${tag}\")\"",
      "  if [ \"${tagged}\" != \"${DIGEST}\" ]; then",
      "    echo \"::error::${IMAGE}:${tag} is ${tagged}, not the digest that was scanned and signed (${DIGEST})\"",
      "    exit 1",
      "  fi",
      "done",
    ].join("\n"),
  }, rule("the release tags put on the digest that was scanned and signed, never on a rebuild; a tag that resolves elsewhere fails the job"));
}

export function matrixEntries(project: ProjectModel, components: readonly ComponentModel[]): { component: string; dockerfile: string; image: string }[] {
  return components.map((c) => because({ component: c.name, dockerfile: dockerfilePath(c), image: imageRepository(c, project) }, rule("one matrix entry per component"), {
    dockerfile: option(folderOptions(c), "the component's Dockerfile"),
    image: option(projectSetting(project, "imageRegistry"), "<imageRegistry>/<component>"),
  }));
}

export function matrix(project: ProjectModel, components: readonly ComponentModel[]): Job["strategy"] {
  return because({ "fail-fast": false, "matrix": { include: matrixEntries(project, components) } }, rule("every component, one job each; one failing does not stop the others"));
}
/**
 * Pushes to the default branch and release tags: each target built once and pushed under its commit
 * tag with attestations; the production digest scanned; both digests signed; only then the release
 * tags put on exactly those digests (checked after tagging). What is scanned is what is signed and run.
 */
export function publishJob(project: ProjectModel, components: readonly ComponentModel[], gates: readonly string[]): Job {
  const digest = (target: keyof typeof TARGETS) => `\${{ steps.${target}.outputs.digest }}`;
  const push = (target: keyof typeof TARGETS, tag: string): Step => because({
    name: `Build and push ${target} image`,
    id: target,
    uses: uses(ACTIONS.buildPush),
    // SLSA provenance with every build parameter, and an SPDX SBOM, attached to the pushed digest.
    with: buildInputs(project, target, { "tags": `\${{ matrix.image }}:${tag}`, "push": true, "provenance": "mode=max", "sbom": true }),
  }, rule(`the ${target} image built once and pushed under its commit tag, with SLSA provenance and an SBOM attached`), { uses: rule(PINNED) });
  const sign = (target: keyof typeof TARGETS): Step => because({
    name: `Sign ${target} image`,
    shell: "bash",
    env: { IMAGE: "${{ matrix.image }}", DIGEST: digest(target) },
    // Keyless: the certificate binds the signature to this workflow run's OIDC identity. --recursive signs
    // the manifest list and each platform's image in it, so either can be verified.
    run: "cosign sign --yes --recursive \"${IMAGE}@${DIGEST}\"",
  }, rule(`the ${target} digest signed keyless (the certificate names this workflow run), the manifest list and each platform's image`));
  const tag = (target: keyof typeof TARGETS): Step => tagStep(target, digest(target));
  return because({
    "name": "publish ${{ matrix.component }}",
    "runs-on": "ubuntu-24.04",
    "needs": [...gates],
    // Pushes to the default branch (the only branch the push trigger has); a release tag is the release job's.
    "if": "github.event_name == 'push' && github.ref_type == 'branch'",
    // id-token: write only on this job, for cosign's keyless signing; packages: write to push.
    "permissions": { "contents": "read", "packages": "write", "id-token": "write" },
    "timeout-minutes": 60,
    "strategy": matrix(project, components),
    "steps": [
      checkout(),
      setupBuildx(),
      registryLogin(project),
      releaseTags(),
      push("production", "sha-${{ github.sha }}"),
      ...scanSteps(project, `\${{ matrix.image }}@${digest("production")}`),
      push("debug", "sha-${{ github.sha }}-debug"),
      installCosign(),
      sign("production"),
      sign("debug"),
      tag("production"),
      tag("debug"),
    ],
  }, rule("pushes to the default branch: each image built once, pushed, scanned, signed, and only then tagged; not configurable"), {
    needs: rule("the gates: the synth-drift check, the policy, and the dependency checks of the languages present"),
  });
}

/**
 * Release tags (`vX.Y.Z`): nothing is built. The commit's images were built, scanned and signed when it
 * was pushed to the default branch; this job finds them by their commit tags, verifies that signature
 * (this workflow, on the default branch), scans the digests again (new advisories since), and puts the
 * release tags on exactly those digests. A commit never published from the default branch is refused.
 */
export function releaseJob(project: ProjectModel, components: readonly ComponentModel[], gates: readonly string[]): Job {
  const digest = (target: keyof typeof TARGETS) => `\${{ steps.published.outputs.${target} }}`;
  const verify = (target: keyof typeof TARGETS): Step => because({
    name: `Verify the ${target} image's signature`,
    shell: "bash",
    env: {
      IMAGE: "${{ matrix.image }}",
      DIGEST: digest(target),
      // The identity the publish job signed with: this workflow file, run on the default branch.
      IDENTITY: "^https://github\\.com/${{ github.repository }}/\\.github/workflows/images\\.yml@refs/heads/${{ github.event.repository.default_branch }}$",
    },
    run: "cosign verify --certificate-oidc-issuer https://token.actions.githubusercontent.com --certificate-identity-regexp \"${IDENTITY}\" \"${IMAGE}@${DIGEST}\" > /dev/null",
  }, rule(`the ${target} image's signature verified: signed by this workflow, run on the default branch`));
  return because({
    "name": "release ${{ matrix.component }}",
    "runs-on": "ubuntu-24.04",
    "needs": [...gates],
    "if": "github.event_name == 'push' && github.ref_type == 'tag'",
    // packages: write to add tags; no id-token: nothing is signed here.
    "permissions": { contents: "read", packages: "write" },
    "timeout-minutes": 30,
    "strategy": matrix(project, components),
    "steps": [
      setupBuildx(),
      registryLogin(project),
      releaseTags(),
      {
        name: "Find the images published for this commit",
        id: "published",
        shell: "bash",
        env: { IMAGE: "${{ matrix.image }}", SHA: "${{ github.sha }}" },
        run: [
          "set -euo pipefail",
          "for target in production debug; do",
          "  tag=\"sha-${SHA}\"",
          "  if [ \"${target}\" = debug ]; then tag=\"${tag}-debug\"; fi",
          "  if ! found=\"$(docker buildx imagetools inspect --format '{{.Manifest.Digest}}' \"${IMAGE}:${tag}\")\"; then",
          "    echo \"::error::${IMAGE}:${tag} does not exist: push this commit to the default branch, and tag it once its images are published\"",
          "    exit 1",
          "  fi",
          "  echo \"${target}=${found}\" >> \"${GITHUB_OUTPUT}\"",
          "done",
        ].join("\n"),
      },
      installCosign(),
      verify("production"),
      verify("debug"),
      ...scanSteps(project, `\${{ matrix.image }}@${digest("production")}`),
      tagStep("production", digest("production")),
      tagStep("debug", digest("debug")),
    ],
  }, rule("release tags: nothing is built; the commit's published images are verified, scanned again and tagged; not configurable"), {
    needs: rule("the gates: the synth-drift check, the policy, and the dependency checks of the languages present"),
  });
}
