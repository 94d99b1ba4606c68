import type { ComponentModel } from "../component/model";
import { TARGETS } from "../dockerfile/image-plan";
import { imageRepository } from "../images";
import type { ProjectModel } from "../project-model";
import { ACTIONS, uses } from "./actions";
import { changedComponentsScript, imageInputs } from "./image-inputs";
import type { Job, Step, Workflow } from "./workflow-model";
import { byCodeUnits } from "../order";
import { because, fixed, folderOptions, from, projectOptions, projectSetting, type Because, type OptionRef } from "../explain/trace";

const RENDERER = "src/github/render.ts";
const rule = (why: string): Because => fixed(why, RENDERER);
const option = (options: OptionRef[], why?: string): Because => from(options, { renderer: RENDERER, ...(why ? { rule: why } : {}) });

/**
 * Renders the images workflow: a synth-drift gate and the policy over the generated files; the
 * dependency checks (cargo-deny for the Rust workspace, govulncheck for the Go module); per component
 * (a matrix entry each), on pull requests, both image targets built and production scanned with trivy;
 * on pushes to the default branch or release tags, each image built once and pushed under its commit
 * tag with provenance and SBOM attestations, and that digest scanned, signed keyless with cosign, and
 * only then given its release tags. Pure: models in, workflow data out.
 */

/** Path of a component's Dockerfile, relative to the repository root. */
export function dockerfilePath(component: ComponentModel): string {
  return `${component.path}/Dockerfile`;
}

export function renderImagesWorkflow(project: ProjectModel, components: readonly ComponentModel[]): Workflow {
  const sorted = [...components].sort((a, b) => byCodeUnits(a.name, b.name));
  const rust = sorted.some((c) => c.build.kind === "rust");
  const go = sorted.some((c) => c.build.kind === "go");
  const gates = ["synth", "policy", ...(rust ? ["cargo-deny"] : []), ...(go ? ["govulncheck"] : [])];
  const defaultBranch = () => because([project.defaultBranch], option(projectOptions("defaultBranch")));
  return because({
    name: "images",
    on: because({
      push: because({ branches: defaultBranch(), tags: ["v*.*.*"] }, rule("pushes to the default branch publish images; release tags (vX.Y.Z) release them")),
      pull_request: because({ branches: defaultBranch() }, rule("pull requests to the default branch build and scan the images they change")),
      workflow_dispatch: {},
    }, rule("when the workflow runs"), { workflow_dispatch: rule("a run by hand builds every component") }),
    // Nothing by default; each job asks for what it needs.
    permissions: {},
    // A newer commit of a pull request supersedes its running checks; a publishing run (default branch,
    // tags) is never cancelled half-way, between push and signature: it waits.
    concurrency: { "group": "images-${{ github.ref }}", "cancel-in-progress": "${{ github.event_name == 'pull_request' }}" },
    jobs: {
      "synth": synthJob(project),
      "policy": policyJob(project),
      ...(rust ? { "cargo-deny": cargoDenyJob() } : {}),
      ...(go ? { govulncheck: govulncheckJob(project) } : {}),
      "changes": changesJob(project, sorted),
      "image": imageJob(project),
      "publish": publishJob(project, sorted, gates),
      "release": releaseJob(project, sorted, gates),
    },
  }, rule("the images workflow: the synth-drift gate, the policy, the dependency checks, then each component's images built, scanned, signed and released"), {
    permissions: rule("no permission by default; each job asks for what it needs"),
    concurrency: rule("a newer commit of a pull request cancels its running checks; a publishing run is never cancelled half-way"),
  });
}

/** An action pinned by commit SHA, its version in a comment (src/github/actions.ts); prism-projen upgrades move the pins. */
const PINNED = "actions pinned by commit SHA, the version in a comment (src/github/actions.ts); upgrading prism-projen moves the pins";

/** The checkout step; `fetchDepth` 0 for the whole history. */
function checkout(fetchDepth?: number): Step {
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

const setupBuildx = (): Step => because({ name: "Set up Buildx", uses: uses(ACTIONS.setupBuildx) }, rule(`Buildx builds the images; ${PINNED}`));
const installCosign = (): Step => because({ name: "Install cosign", uses: uses(ACTIONS.cosignInstaller) }, rule(`cosign signs and verifies the images; ${PINNED}`));

function registryLogin(project: ProjectModel): Step {
  return because({
    name: "Log in to the registry",
    uses: uses(ACTIONS.login),
    with: because({ registry: registryHost(project), username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" }, undefined, {
      registry: option(projectOptions("imageRegistry"), "the host of the image registry (ghcr.io unless imageRegistry names another)"),
    }),
  }, rule("log in to the registry with the workflow's own token"), { uses: rule(PINNED) });
}

function setupNode(project: ProjectModel): Step[] {
  return [
    because({ name: "Set up Node.js", uses: uses(ACTIONS.setupNode), with: because({ "node-version": project.nodeVersion, "cache": "npm" }, undefined, {
      "node-version": option(projectOptions("nodeVersion")),
    }) }, rule("Node.js for projen, npm's cache kept between runs"), { uses: rule(PINNED) }),
    because({ name: "Install", run: "npm ci" }, rule("install exactly what package-lock.json pins")),
  ];
}

function policyJob(project: ProjectModel): Job {
  return because({
    "name": "policy",
    "runs-on": "ubuntu-24.04",
    // security-events: write only here, to upload the SARIF report to code scanning.
    "permissions": { "contents": "read", "security-events": "write" },
    "timeout-minutes": 10,
    "steps": [
      checkout(),
      ...setupNode(project),
      { name: "Check the generated files", run: "npx projen policy --sarif policy.sarif" },
      because({
        name: "Upload the report to code scanning",
        if: "always()",
        uses: uses(ACTIONS.uploadSarif),
        with: { sarif_file: "policy.sarif", category: "prism-projen-policy" },
      }, undefined, { uses: rule(PINNED) }),
    ],
  }, rule("the policy over the generated files, its SARIF report uploaded to code scanning; not configurable"));
}

function synthJob(project: ProjectModel): Job {
  return because({
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
  }, rule("the synth-drift gate: fails on a generated file missing, out of date, edited by hand or orphaned; not configurable"));
}

/** cargo-deny over the workspace: advisories, the OpenSSL ban, licenses and sources, as deny.toml says. */
function cargoDenyJob(): Job {
  return because({
    "name": "cargo-deny",
    "runs-on": "ubuntu-24.04",
    "permissions": { contents: "read" },
    "timeout-minutes": 15,
    "steps": [
      checkout(),
      because({ name: "Check advisories, bans, licenses and sources", uses: uses(ACTIONS.cargoDeny), with: { "command": "check", "manifest-path": "./Cargo.toml" } },
        undefined, { uses: rule(PINNED) }),
    ],
  }, rule("cargo-deny over the Rust workspace, as deny.toml says: there because the project has Rust components"));
}

/** govulncheck over the Go module: known vulnerabilities in the code paths the commands reach. */
function govulncheckJob(project: ProjectModel): Job {
  return because({
    "name": "govulncheck",
    "runs-on": "ubuntu-24.04",
    "permissions": { contents: "read" },
    "timeout-minutes": 15,
    "steps": [
      checkout(),
      because({
        name: "Check the Go module for known vulnerabilities",
        uses: uses(ACTIONS.govulncheck),
        // Our own checkout (no persisted token) instead of the action's.
        with: because({ "repo-checkout": false, "go-version-input": project.goVersion, "check-latest": false, "cache": false, "work-dir": project.goModuleDir, "go-package": "./..." }, undefined, {
          "go-version-input": option(projectOptions("goVersion")),
          "work-dir": option(projectOptions("goModuleDir")),
        }),
      }, undefined, { uses: rule(PINNED) }),
    ],
  }, rule("govulncheck over the Go module: there because the project has Go components"));
}

/**
 * Which components a pull request rebuilds: the paths it changes against each component's inputs
 * (from the model, see image-inputs.ts). Other events (workflow_dispatch) select every component.
 */
function changesJob(project: ProjectModel, components: readonly ComponentModel[]): Job {
  const entries = new Map(matrixEntries(project, components).map((e) => [e.component, e]));
  const byName = new Map(components.map((c) => [c.name, c]));
  const byFolder = new Map(components.map((c) => [`${c.path}/`, c]));
  const folderOf = (name: string) => folderOptions(byName.get(name)!);
  const script = changedComponentsScript(imageInputs(project, components), entries, {
    rule,
    folder: (name, why) => option(folderOf(name), why),
    folders: (folders, why) => option(folders.flatMap((f) => folderOptions(byFolder.get(f)!)), why),
    shared: (name, why) => (byName.get(name)!.build.kind === "go" ? option(projectOptions("goModuleDir"), why) : rule(`${why}: .cargo/ for Rust`)),
    entry: (name, why) => option([...folderOf(name), ...projectSetting(project, "imageRegistry")], why),
  });
  return because({
    "name": "changed components",
    "runs-on": "ubuntu-24.04",
    "permissions": { contents: "read" },
    "timeout-minutes": 10,
    "outputs": { matrix: "${{ steps.changes.outputs.matrix }}", any: "${{ steps.changes.outputs.any }}" },
    "steps": [
      checkout(0),
      {
        name: "List the changed paths",
        shell: "bash",
        env: { EVENT: "${{ github.event_name }}", BASE_SHA: "${{ github.event.pull_request.base.sha }}", HEAD_SHA: "${{ github.sha }}" },
        run: [
          "set -euo pipefail",
          "changed=\"${RUNNER_TEMP}/changed-paths\"",
          "if [ \"${EVENT}\" = \"pull_request\" ]; then",
          // Both sides of a rename (its old component changed too), paths as they are (no quoting of non-ASCII names).
          "  git -c core.quotePath=false diff --no-renames --name-only \"${BASE_SHA}\" \"${HEAD_SHA}\" > \"${changed}\"",
          "  echo \"all=false\" >> \"${GITHUB_ENV}\"",
          "else",
          "  : > \"${changed}\"",
          "  echo \"all=true\" >> \"${GITHUB_ENV}\"",
          "fi",
          "echo \"changed=${changed}\" >> \"${GITHUB_ENV}\"",
        ].join("\n"),
      },
      because({
        name: "Select the components whose inputs changed",
        id: "changes",
        shell: "bash",
        env: { CHANGED: "${{ env.changed }}", ALL: "${{ env.all }}" },
        run: script.text,
      }, rule("the components whose inputs changed (src/github/image-inputs.ts), as the image job's matrix"), undefined, { run: script.reasons }),
    ],
  }, rule("which components a pull request rebuilds: the paths it changes against each component's inputs; not configurable"));
}

/** Pull requests: both targets of each changed component built (nothing pushed), the production image scanned on the runner. */
function imageJob(project: ProjectModel): Job {
  const scope = "${{ matrix.component }}";
  // Each platform's steps are there because of it: every line of them names platforms.
  const platforms: Because = { ...rule("one build and scan per platform"), requires: projectOptions("platforms") };
  return because({
    "name": "image ${{ matrix.component }}",
    "runs-on": "ubuntu-24.04",
    "needs": ["synth", "changes"],
    "if": "github.event_name != 'push' && needs.changes.outputs.any == 'true'",
    "permissions": { contents: "read" },
    "timeout-minutes": 60,
    "strategy": { "fail-fast": false, "matrix": "${{ fromJSON(needs.changes.outputs.matrix) }}" },
    "steps": [
      checkout(),
      setupBuildx(),
      // Each platform built once and loaded (the engine holds one platform per tag), then scanned by that tag.
      ...project.platforms.flatMap((platform): Step[] => {
        const arch = platform.split("/")[1];
        const tag = `\${{ matrix.image }}:pr-\${{ github.sha }}-${arch}`;
        return [
          because({
            name: `Build production image (${platform})`,
            uses: uses(ACTIONS.buildPush),
            // A cache scope per platform: one export would replace the other's.
            with: buildInputs(project, "production", {
              "platforms": platform, "tags": tag, "load": true, "push": false,
              "cache-from": `type=gha,scope=${scope}-${arch}`, "cache-to": `type=gha,mode=max,scope=${scope}-${arch}`,
            }),
          }, platforms, { uses: rule(PINNED) }),
          because(scanStep(`Scan production image (${platform})`, tag), platforms),
        ];
      }),
      because({
        name: "Build debug image",
        uses: uses(ACTIONS.buildPush),
        with: buildInputs(project, "debug", { push: false, outputs: "type=cacheonly" }),
      }, rule("the debug target built too (not loaded or pushed), so a pull request cannot break it"), { uses: rule(PINNED) }),
    ],
  }, rule("pull requests: each changed component's images built (nothing pushed) and the production image scanned with trivy; not configurable"));
}

/** The inputs every build of a target shares (one manifest list of every platform, cross-compiled), then `extra`. */
function buildInputs(project: ProjectModel, target: keyof typeof TARGETS, extra: Readonly<Record<string, string | boolean>>) {
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

function scanStep(name: string, imageRef: string, env: Record<string, string> = {}): Step {
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
function scanSteps(project: ProjectModel, imageRef: string): Step[] {
  return project.platforms.map((platform) => because(scanStep(`Scan production image (${platform})`, imageRef, { TRIVY_PLATFORM: platform }),
    { ...rule("one scan per platform of the manifest list"), requires: projectOptions("platforms") }));
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

function matrixEntries(project: ProjectModel, components: readonly ComponentModel[]): { component: string; dockerfile: string; image: string }[] {
  return components.map((c) => because({ component: c.name, dockerfile: dockerfilePath(c), image: imageRepository(c, project) }, rule("one matrix entry per component"), {
    dockerfile: option(folderOptions(c), "the component's Dockerfile"),
    image: option(projectSetting(project, "imageRegistry"), "<imageRegistry>/<component>"),
  }));
}

function matrix(project: ProjectModel, components: readonly ComponentModel[]): Job["strategy"] {
  return because({ "fail-fast": false, "matrix": { include: matrixEntries(project, components) } }, rule("every component, one job each; one failing does not stop the others"));
}

/** The registry host of the image repository prefix (`ghcr.io` of `ghcr.io/prism`). */
export function registryHost(project: ProjectModel): string {
  return project.imageRegistry.split("/")[0];
}

/**
 * Pushes to the default branch and release tags: each target built once and pushed under its commit
 * tag with attestations; the production digest scanned; both digests signed; only then the release
 * tags put on exactly those digests (checked after tagging). What is scanned is what is signed and run.
 */
function publishJob(project: ProjectModel, components: readonly ComponentModel[], gates: readonly string[]): Job {
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
function releaseJob(project: ProjectModel, components: readonly ComponentModel[], gates: readonly string[]): Job {
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
