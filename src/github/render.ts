import type { ComponentModel } from "../model/component";
import type { ProjectModel } from "../model/project";
import { ACTIONS, uses } from "./actions";
import { changedComponentsScript, imageInputs } from "./image-inputs";
import { matrixEntries, publishJob, releaseJob } from "./publish-jobs";
import { PINNED, buildInputs, checkout, scanStep, setupBuildx } from "./steps";
import type { Job, Step, Workflow } from "./workflow-model";
import { byCodeUnits } from "../model/order";
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


