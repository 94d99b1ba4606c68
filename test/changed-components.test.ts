import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { imageInputs, rebuilds } from "../src/github/image-inputs";
import { prism } from "../.projenrc";
import { ContainerMonorepo, GoComponent, RustComponent, WorkloadKind } from "../src";
import { METRICS, UNPINNED, synth, synthPrism, tmpdir } from "./helpers";

/**
 * Build only what changed: which components a pull request rebuilds, decided by the model's inputs
 * (image-inputs.ts) and by the workflow's own generated steps, run here on a real git history.
 */

const ALL = ["kafka-consumer", "kafka-publisher", "mailbox-listener", "prism-cli", "prism-migrate", "proxy"];
const RUST = ["kafka-consumer", "kafka-publisher", "mailbox-listener", "proxy"];

/** [what changed, the changed paths, the components that rebuild]. */
const TABLE: [string, string[], string[]][] = [
  ["one plugin's source", ["containers/kafka-publisher/src/main.rs"], ["kafka-publisher"]],
  ["one plugin's generated Dockerfile", ["containers/mailbox-listener/Dockerfile"], ["mailbox-listener"]],
  ["the proxy's manifest", ["proxy/Cargo.toml"], ["proxy"]],
  ["Cargo.lock", ["Cargo.lock"], RUST],
  ["the workspace manifest", ["Cargo.toml"], RUST],
  ["tools/go.sum", ["tools/go.sum"], ["prism-cli", "prism-migrate"]],
  ["a shared Go package", ["tools/internal/db/db.go"], ["prism-cli", "prism-migrate"]],
  ["one Go command", ["tools/cmd/prism-migrate/main.go"], ["prism-migrate"]],
  [".projenrc.ts", [".projenrc.ts"], ALL],
  ["the package lock", ["package-lock.json"], ALL],
  ["the base-image lock", ["base-images/Dockerfile"], ALL],
  ["the manifests and docs only", ["deploy/base/proxy.yaml", "README.md", "docs/policy.md"], []],
  ["two plugins", ["containers/kafka-consumer/src/main.rs", "containers/kafka-publisher/Cargo.toml"], ["kafka-consumer", "kafka-publisher"]],
  ["paths that only start like a component's folder", ["proxy-notes.md", "containers/kafka-consumer-old/src/main.rs"], []],
  ["a file in the Go module that is no command's own", ["tools/cmd/README.md"], ["prism-cli", "prism-migrate"]],
];

/** Runs the changes job's two steps, as generated in `workflow`, on a repository whose pull request changes `changed`. */
function workflowSelects(changed: string[], event = "pull_request", workflow = synthPrism().files[".github/workflows/images.yml"]): { components: string[]; any: string } {
  const job = parse(workflow).jobs.changes;
  const repo = tmpdir("changes-");
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, encoding: "utf-8" }).trim();
  git("init", "-q");
  fs.writeFileSync(path.join(repo, "README.md"), "base\n");
  git("add", "-A");
  git("commit", "-qm", "base");
  const base = git("rev-parse", "HEAD");
  for (const file of changed) {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), "changed\n");
  }
  git("add", "-A");
  git("commit", "-qm", "change", "--allow-empty");
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    EVENT: event, BASE_SHA: base, HEAD_SHA: git("rev-parse", "HEAD"),
    RUNNER_TEMP: tmpdir("runner-temp-"), GITHUB_ENV: path.join(repo, "..", `env-${path.basename(repo)}`), GITHUB_OUTPUT: path.join(repo, "..", `out-${path.basename(repo)}`),
  };
  const [list, select] = job.steps.filter((s: any) => s.run);
  execFileSync("bash", ["-c", list.run], { cwd: repo, env });
  const written = Object.fromEntries(fs.readFileSync(env.GITHUB_ENV, "utf-8").trim().split("\n").map((l) => l.split("=", 2)));
  execFileSync("bash", ["-c", select.run], { cwd: repo, env: { ...env, CHANGED: written.changed, ALL: written.all } });
  const outputs = Object.fromEntries(fs.readFileSync(env.GITHUB_OUTPUT, "utf-8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return { components: JSON.parse(outputs.matrix).include.map((e: any) => e.component).sort(), any: outputs.any };
}

describe("which components a pull request rebuilds", () => {
  const project = prism(tmpdir());
  const components = project.componentModels();
  const inputs = imageInputs(project.model, components);

  it.each(TABLE)("the model: %s", (_what, changed, expected) => {
    const selected = inputs.filter((i) => changed.some((f) => rebuilds(i, f))).map((i) => i.component).sort();
    expect(selected).toEqual(expected);
  });

  it.each(TABLE)("the workflow's generated steps, on a git history: %s", (_what, changed, expected) => {
    expect(workflowSelects(changed)).toEqual({ components: expected, any: expected.length > 0 ? "true" : "false" });
  });

  it("a file moved from one component to another rebuilds both (git lists both sides of the rename)", () => {
    const job = parse(synthPrism().files[".github/workflows/images.yml"]).jobs.changes;
    const repo = tmpdir("rename-");
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, encoding: "utf-8" }).trim();
    git("init", "-q");
    fs.mkdirSync(path.join(repo, "containers/kafka-consumer/src"), { recursive: true });
    fs.writeFileSync(path.join(repo, "containers/kafka-consumer/src/util.rs"), "pub fn shared() -> u32 {\n    42\n}\n".repeat(20));
    git("add", "-A");
    git("commit", "-qm", "base");
    const base = git("rev-parse", "HEAD");
    fs.mkdirSync(path.join(repo, "containers/kafka-publisher/src"), { recursive: true });
    git("mv", "containers/kafka-consumer/src/util.rs", "containers/kafka-publisher/src/util.rs");
    git("commit", "-qm", "move");
    const out = path.join(tmpdir("out-"), "o");
    const envFile = path.join(tmpdir("env-"), "e");
    const env = { ...process.env as Record<string, string>, EVENT: "pull_request", BASE_SHA: base, HEAD_SHA: git("rev-parse", "HEAD"), RUNNER_TEMP: tmpdir("rt-"), GITHUB_ENV: envFile, GITHUB_OUTPUT: out };
    const [list, select] = job.steps.filter((s: any) => s.run);
    execFileSync("bash", ["-c", list.run], { cwd: repo, env });
    const written = Object.fromEntries(fs.readFileSync(envFile, "utf-8").trim().split("\n").map((l) => l.split("=", 2)));
    execFileSync("bash", ["-c", select.run], { cwd: repo, env: { ...env, CHANGED: written.changed, ALL: written.all } });
    const matrix = fs.readFileSync(out, "utf-8").split("\n").find((l) => l.startsWith("matrix="))!.slice("matrix=".length);
    expect(JSON.parse(matrix).include.map((e: any) => e.component).sort()).toEqual(["kafka-consumer", "kafka-publisher"]);
  });

  it("outside a pull request (workflow_dispatch) every component builds; the image job takes the matrix from this job", () => {
    expect(workflowSelects([], "workflow_dispatch")).toEqual({ components: ALL, any: "true" });
    const wf = parse(synthPrism().files[".github/workflows/images.yml"]);
    expect(wf.jobs.image.strategy.matrix).toBe("${{ fromJSON(needs.changes.outputs.matrix) }}");
    expect(wf.jobs.image.if).toBe("github.event_name != 'push' && needs.changes.outputs.any == 'true'");
    // pushes (publish) build everything
    expect(wf.jobs.publish.strategy.matrix.include.map((e: any) => e.component).sort()).toEqual(ALL);
  });

  it("a one-plugin pull request builds 2 images (its 2 targets) instead of 12", () => {
    const wf = parse(synthPrism().files[".github/workflows/images.yml"]);
    // an image is a target of a component (its platforms are one manifest list)
    const targets = new Set(wf.jobs.image.steps.filter((s: any) => s.uses?.startsWith("docker/build-push-action@")).map((s: any) => s.with.target)).size;
    expect(targets * ALL.length).toBe(12);
    expect(targets * workflowSelects(["containers/kafka-publisher/src/main.rs"]).components.length).toBe(2);
  });
});

describe("with the Go module at the repository root (goModuleDir \".\", go.mod beside .projenrc.ts)", () => {
  const tree = synth((dir) => {
    const p = new ContainerMonorepo({ name: "demo", outdir: dir, goModuleDir: ".", ...UNPINNED });
    new GoComponent(p, "cli");
    new GoComponent(p, "migrate", { workload: WorkloadKind.JOB });
    new RustComponent(p, "api", { ports: METRICS });
    return p;
  });
  const workflow = tree.files[".github/workflows/images.yml"];
  const GO = ["cli", "migrate"];
  const ROOT_TABLE: [string, string[], string[]][] = [
    ["go.mod", ["go.mod"], GO],
    ["go.sum", ["go.sum"], GO],
    ["a shared Go package at the root", ["internal/db/db.go"], GO],
    ["one Go command", ["cmd/cli/main.go"], ["cli"]],
    ["the Rust component's source", ["containers/api/src/main.rs"], ["api"]],
    // outside every component's folder, so inside the module: the Go images rebuild too (a file at the root may be embedded)
    ["Cargo.lock", ["Cargo.lock"], ["api", "cli", "migrate"]],
    ["the README", ["README.md"], GO],
    [".projenrc.ts", [".projenrc.ts"], ["api", "cli", "migrate"]],
  ];

  it("writes go.mod at the root and the commands below cmd/", () => {
    expect(tree.files["go.mod"]).toMatch(/^module demo$/m);
    expect(Object.keys(tree.files)).toEqual(expect.arrayContaining(["cmd/cli/main.go", "cmd/migrate/main.go"]));
    expect(Object.keys(tree.files).some((f) => f.startsWith("./") || f.includes("/./"))).toBe(false);
  });

  it.each(ROOT_TABLE)("the workflow's generated steps and the model agree: %s", (_what, changed, expected) => {
    const project = new ContainerMonorepo({ name: "demo", outdir: tmpdir(), goModuleDir: ".", ...UNPINNED });
    new GoComponent(project, "cli");
    new GoComponent(project, "migrate", { workload: WorkloadKind.JOB });
    new RustComponent(project, "api", { ports: METRICS });
    const inputs = imageInputs(project.model, project.componentModels());
    expect(inputs.filter((i) => changed.some((f) => rebuilds(i, f))).map((i) => i.component).sort()).toEqual(expected);
    expect(workflowSelects(changed, "pull_request", workflow)).toEqual({ components: expected, any: expected.length > 0 ? "true" : "false" });
  });

  it("govulncheck scans the module at the root, and Dependabot watches it there", () => {
    const wf = parse(workflow);
    const scan = Object.values(wf.jobs).flatMap((j: any) => j.steps ?? []).find((s: any) => s.uses?.startsWith("golang/govulncheck-action@"));
    expect(scan.with["work-dir"]).toBe(".");
    const gomod = parse(tree.files[".github/dependabot.yml"]).updates.find((u: any) => u["package-ecosystem"] === "gomod");
    expect(gomod.directory).toBe("/");
  });
});
