import type { ComponentModel } from "../component/model";
import { TARGETS } from "../dockerfile/image-plan";
import { imageRepository } from "../images";
import type { ProjectModel } from "../project-model";
import { ACTIONS, uses } from "./actions";
import type { Job, Step, Workflow } from "./workflow-model";
import { byCodeUnits } from "../order";

/**
 * Renders the images workflow: a synth-drift gate and the policy over the
 * generated files; per component (a matrix entry each) the production and
 * debug images, tagged per the ADR, the production image scanned with trivy;
 * and, on pushes to the default branch or release tags only, the same images
 * pushed with provenance and SBOM attestations and signed keyless with cosign.
 * Pure: models in, workflow data out.
 */

/** Path of a component's Dockerfile, relative to the repository root. */
export function dockerfilePath(component: ComponentModel): string {
  return `${component.path}/Dockerfile`;
}


export function renderImagesWorkflow(project: ProjectModel, components: readonly ComponentModel[]): Workflow {
  const sorted = [...components].sort((a, b) => byCodeUnits(a.name, b.name));
  return {
    name: "images",
    on: {
      push: { branches: [project.defaultBranch], tags: ["v*.*.*"] },
      pull_request: { branches: [project.defaultBranch] },
      workflow_dispatch: {},
    },
    // Nothing by default; each job asks for what it needs.
    permissions: {},
    concurrency: { "group": "images-${{ github.ref }}", "cancel-in-progress": true },
    jobs: {
      synth: synthJob(project),
      policy: policyJob(project),
      image: imageJob(project, sorted),
      publish: publishJob(project, sorted),
    },
  };
}

function checkout(): Step {
  return {
    name: "Check out",
    uses: uses(ACTIONS.checkout),
    // The token is not needed after checkout; do not leave it in .git/config for later steps.
    with: { "persist-credentials": false },
  };
}

function setupNode(project: ProjectModel): Step[] {
  return [
    { name: "Set up Node.js", uses: uses(ACTIONS.setupNode), with: { "node-version": project.nodeVersion, "cache": "npm" } },
    { name: "Install", run: "npm ci" },
  ];
}

function policyJob(project: ProjectModel): Job {
  return {
    "name": "policy",
    "runs-on": "ubuntu-24.04",
    // security-events: write only here, to upload the SARIF report to code scanning.
    "permissions": { "contents": "read", "security-events": "write" },
    "timeout-minutes": 10,
    "steps": [
      checkout(),
      ...setupNode(project),
      { name: "Check the generated files", run: "npx projen policy --sarif policy.sarif" },
      {
        name: "Upload the report to code scanning",
        if: "always()",
        uses: uses(ACTIONS.uploadSarif),
        with: { sarif_file: "policy.sarif", category: "prism-projen-policy" },
      },
    ],
  };
}

function synthJob(project: ProjectModel): Job {
  return {
    "name": "synth drift",
    "runs-on": "ubuntu-24.04",
    "permissions": { contents: "read" },
    "timeout-minutes": 10,
    "steps": [
      checkout(),
      ...setupNode(project),
      // Synthesizes into a temporary folder and fails, with a diff per file, on anything missing,
      // out of date, edited by hand or orphaned.
      { name: "Fail on synth drift", run: "npx projen drift" },
    ],
  };
}

function imageJob(project: ProjectModel, components: readonly ComponentModel[]): Job {
  return {
    "name": "image ${{ matrix.component }}",
    "runs-on": "ubuntu-24.04",
    "needs": ["synth"],
    "permissions": { contents: "read" },
    "timeout-minutes": 60,
    "strategy": matrix(project, components),
    "steps": [
      checkout(),
      { name: "Set up Buildx", uses: uses(ACTIONS.setupBuildx) },
      computeTags(),
      buildPushStep("production", "load"),
      buildPushStep("debug", "load"),
      {
        name: "Scan production image",
        uses: uses(ACTIONS.trivy),
        with: {
          "image-ref": "${{ steps.tags.outputs.scan }}",
          "exit-code": "1",
          "ignore-unfixed": true,
          "severity": "CRITICAL,HIGH",
          "vuln-type": "os,library",
        },
      },
    ],
  };
}

/**
 * docker/build-push-action for one target of the matrix component: `load` into the runner's engine
 * for the scan (the image job), or `push` with attestations (the publish job, which has the permissions).
 */
function buildPushStep(target: keyof typeof TARGETS, mode: "load" | "push"): Step {
  const scope = "${{ matrix.component }}";
  const common = {
    "context": ".",
    "file": "${{ matrix.dockerfile }}",
    "target": TARGETS[target],
    "tags": `\${{ steps.tags.outputs.${target} }}`,
    "cache-from": `type=gha,scope=${scope}`,
  };
  return mode === "load"
    ? {
      name: `Build ${target} image`,
      uses: uses(ACTIONS.buildPush),
      with: { ...common, "load": true, "push": false, "cache-to": `type=gha,mode=max,scope=${scope}` },
    }
    : {
      name: `Push ${target} image`,
      id: target,
      uses: uses(ACTIONS.buildPush),
      // SLSA provenance with every build parameter, and an SPDX SBOM, attached to the image.
      with: { ...common, "push": true, "provenance": "mode=max", "sbom": true },
    };
}

/** Tags per the ADR, computed from the ref; values reach the script through env, never through ${{ }} inside run. */
function computeTags(): Step {
  return {
    name: "Compute image tags",
    id: "tags",
    shell: "bash",
    // Values reach the script through env, never through ${{ }} inside run (script injection).
    env: {
      IMAGE: "${{ matrix.image }}",
      SHA: "${{ github.sha }}",
      REF_TYPE: "${{ github.ref_type }}",
      REF_NAME: "${{ github.ref_name }}",
      IS_DEFAULT_BRANCH: "${{ github.ref == format('refs/heads/{0}', github.event.repository.default_branch) }}",
    },
    run: [
      "set -euo pipefail",
      "production=\"${IMAGE}:sha-${SHA}\"",
      "debug=\"${IMAGE}:sha-${SHA}-debug\"",
      "if [ \"${IS_DEFAULT_BRANCH}\" = \"true\" ]; then",
      "  production=\"${production},${IMAGE}:latest\"",
      "  debug=\"${debug},${IMAGE}:debug\"",
      "fi",
      "if [ \"${REF_TYPE}\" = \"tag\" ] && [[ \"${REF_NAME}\" =~ ^v[0-9]+\\.[0-9]+\\.[0-9]+$ ]]; then",
      "  production=\"${production},${IMAGE}:${REF_NAME}\"",
      "  debug=\"${debug},${IMAGE}:${REF_NAME}-debug\"",
      "fi",
      "{",
      "  echo \"production=${production}\"",
      "  echo \"debug=${debug}\"",
      "  echo \"scan=${IMAGE}:sha-${SHA}\"",
      "} >> \"${GITHUB_OUTPUT}\"",
    ].join("\n"),
  };
}

function matrix(project: ProjectModel, components: readonly ComponentModel[]): Job["strategy"] {
  return {
    "fail-fast": false,
    "matrix": {
      include: components.map((c) => ({
        component: c.name,
        dockerfile: dockerfilePath(c),
        image: imageRepository(c, project),
      })),
    },
  };
}

/** The registry host of the image repository prefix (`ghcr.io` of `ghcr.io/prism`). */
export function registryHost(project: ProjectModel): string {
  return project.imageRegistry.split("/")[0];
}

function publishJob(project: ProjectModel, components: readonly ComponentModel[]): Job {
  const sign = (target: keyof typeof TARGETS): Step => ({
    name: `Sign ${target} image`,
    shell: "bash",
    env: { IMAGE: "${{ matrix.image }}", DIGEST: `\${{ steps.${target}.outputs.digest }}` },
    // Keyless: the certificate binds the signature to this workflow run's OIDC identity.
    run: "cosign sign --yes \"${IMAGE}@${DIGEST}\"",
  });
  return {
    "name": "publish ${{ matrix.component }}",
    "runs-on": "ubuntu-24.04",
    "needs": ["image", "policy"],
    // Never from pull requests: only pushes, and the workflow's push trigger only has the default branch and release tags.
    "if": "github.event_name == 'push'",
    // id-token: write only on this job, for cosign's keyless signing; packages: write to push.
    "permissions": { "contents": "read", "packages": "write", "id-token": "write" },
    "timeout-minutes": 60,
    "strategy": matrix(project, components),
    "steps": [
      checkout(),
      { name: "Set up Buildx", uses: uses(ACTIONS.setupBuildx) },
      {
        name: "Log in to the registry",
        uses: uses(ACTIONS.login),
        with: { registry: registryHost(project), username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" },
      },
      computeTags(),
      buildPushStep("production", "push"),
      buildPushStep("debug", "push"),
      { name: "Install cosign", uses: uses(ACTIONS.cosignInstaller) },
      sign("production"),
      sign("debug"),
    ],
  };
}
