import * as fs from "node:fs";
import * as path from "node:path";
import { CARGO_RULES, readCargoGraph } from "./cargo-rules";
import { DOCKERFILE_RULES, parseDockerfile } from "./dockerfile-rules";
import { BUILTIN_EXCEPTIONS, EXCEPTIONS_FILE } from "./exceptions";
import type { FileKind, Finding, PolicyException, PolicyReport, Rule } from "./finding";
import { KUBE_SCORE_RULES } from "./kube-score-rules";
import { KUBERNETES_RULES } from "./kubernetes-rules";
import { fileObjects, renderedObjects, type KubernetesObject, type KubernetesSource } from "./kubernetes-source";
import { kustomizeBuild } from "./kustomize-build";
import { WORKFLOW_RULES } from "./workflow-rules";
import { parseYamlSource } from "./yaml-source";
import { isTreePath, staysInside } from "../files/tree-path";

/** Every rule, by the kind of file it reads. */
export const RULES = {
  dockerfile: DOCKERFILE_RULES,
  kubernetes: [...KUBERNETES_RULES, ...KUBE_SCORE_RULES],
  workflow: WORKFLOW_RULES,
  cargo: CARGO_RULES,
} as const;

/** The kind of a generated file, from its path; undefined for files the policy does not read. */
export function fileKind(file: string): FileKind | undefined {
  if (path.posix.basename(file) === "Dockerfile") return "dockerfile";
  // The workspace manifest stands for the whole resolved graph, which the cargo rules read through cargo.
  if (file === "Cargo.toml") return "cargo";
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(file)) return "workflow";
  if (/^deploy\/.+\.ya?ml$/.test(file) && !/(^|\/)kustomization\.ya?ml$/.test(file)) return "kubernetes";
  return undefined;
}

const runRules = <P>(rules: readonly Rule<P>[], parsed: P, file: string): Finding[] => rules.flatMap((rule) =>
  rule.check(parsed).map((f) => ({ ruleIds: rule.ids, file, ...f })));

/**
 * Runs the rules of `kind` over one file's text (for `cargo`, over the graph cargo resolves in `dir`;
 * for `kubernetes`, over the objects of this file alone).
 */
export function checkFile(kind: FileKind, file: string, text: string, dir = "."): Finding[] {
  try {
    switch (kind) {
      case "cargo": return runRules(CARGO_RULES, readCargoGraph(dir), file);
      case "dockerfile": return runRules(DOCKERFILE_RULES, parseDockerfile(text), file);
      case "kubernetes": return runRules(RULES.kubernetes, { objects: fileObjects(file, parseYamlSource(text)) }, file);
      case "workflow": return runRules(WORKFLOW_RULES, parseYamlSource(text), file);
    }
  } catch (e) {
    return [{ ruleIds: ["PARSE"], file, line: 1, message: `cannot be parsed: ${(e as Error).message}` }];
  }
}

/** A kustomize overlay the policy renders: what `kubectl apply -k` sends to a cluster. */
const OVERLAY = /^(deploy\/overlays\/[^/]+)\/kustomization\.ya?ml$/;
/** A file of some overlay. */
const OVERLAY_FILE = /^deploy\/overlays\//;

/**
 * Runs the Kubernetes rules over what a cluster receives: each overlay rendered by kustomize, every
 * object located back in the generated file that wrote it. A finding both overlays share is reported
 * once, naming both. Files no overlay renders are checked on their own.
 */
function checkKubernetes(dir: string, files: readonly string[], overlays: readonly string[]): Finding[] {
  const sources: KubernetesObject[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    try {
      sources.push(...fileObjects(file, parseYamlSource(fs.readFileSync(path.join(dir, file), "utf-8"))));
    } catch (e) {
      findings.push({ ruleIds: ["PARSE"], file, line: 1, message: `cannot be parsed: ${(e as Error).message}` });
    }
  }
  /** Files an overlay accounts for: those its rendering located objects in, and a failed overlay's own. */
  const rendered = new Set<string>();
  const byFinding = new Map<string, { finding: Finding; overlays: string[] }>();
  for (const kustomization of overlays) {
    const overlay = path.posix.dirname(kustomization);
    let objects: KubernetesObject[];
    try {
      // Located in the base and in this overlay's own files: another overlay has objects of the same names.
      const own = sources.filter((o) => !OVERLAY_FILE.test(o.file) || o.file.startsWith(`${overlay}/`));
      objects = renderedObjects(kustomizeBuild(path.join(dir, overlay)), own, kustomization);
    } catch (e) {
      findings.push({ ruleIds: ["KUSTOMIZE"], file: kustomization, line: 1, message: `cannot be rendered: ${(e as Error).message}` });
      // Its own files are that overlay's: the finding above stands for them.
      for (const f of files) if (f.startsWith(`${overlay}/`)) rendered.add(f);
      continue;
    }
    for (const o of objects) rendered.add(o.file);
    for (const f of runRules(RULES.kubernetes, { objects }, kustomization)) {
      const key = JSON.stringify([f.ruleIds, f.file, f.line, f.message]);
      const seen = byFinding.get(key) ?? { finding: f, overlays: [] };
      seen.overlays.push(path.posix.basename(overlay));
      byFinding.set(key, seen);
    }
  }
  findings.push(...[...byFinding.values()].map(({ finding, overlays: names }) =>
    ({ ...finding, message: `${finding.message} (${names.length > 1 ? "overlays" : "overlay"} ${names.join(", ")})` })));
  const alone = files.filter((f) => !rendered.has(f));
  const source: KubernetesSource = { objects: sources.filter((o) => alone.includes(o.file)) };
  if (source.objects.length > 0) findings.push(...runRules(RULES.kubernetes, source, alone[0]));
  return findings;
}

/** What a policy run reads. */
export interface PolicyOptions {
  /**
   * Whether the Cargo rules read the resolved dependency graph (cargo metadata, which needs Cargo.lock
   * and may fetch crates). Off only where the graph cannot be had, e.g. a test tree whose crates are not cached.
   * @default true
   */
  readonly dependencyGraph?: boolean;
}

/**
 * Reads the synthesized tree back from disk (the files listed in
 * `.projen/files.json`), runs every rule, and applies the recorded exceptions.
 */
export function runPolicy(dir: string, options: PolicyOptions = {}): PolicyReport {
  const manifest = path.join(dir, ".projen", "files.json");
  if (!fs.existsSync(manifest)) {
    throw new Error(`${manifest} not found: run "npx projen" first, in the repository root`);
  }
  const listed: unknown = JSON.parse(fs.readFileSync(manifest, "utf-8")).files;
  if (!Array.isArray(listed) || !listed.every(isTreePath)) {
    throw new Error(`${manifest} does not list generated files as paths inside the repository: run "npx projen" to write it again`);
  }
  const generated: string[] = listed;
  const files: Record<FileKind, string[]> = { dockerfile: [], kubernetes: [], workflow: [], cargo: [] };
  const all: Finding[] = [];
  const overlays: string[] = [];
  for (const file of [...generated].sort()) {
    const kind = fileKind(file);
    const absolute = path.join(dir, file);
    if ((kind || OVERLAY.test(file)) && !staysInside(dir, file)) throw new Error(`${file}: a link on this path leads out of the repository; the policy reads nothing there`);
    if (OVERLAY.test(file) && fs.existsSync(absolute)) overlays.push(file);
    if (!kind || !fs.existsSync(absolute) || (kind === "cargo" && options.dependencyGraph === false)) continue;
    files[kind].push(file);
    // The Kubernetes rules relate objects across files: they run once over all of them, below.
    if (kind !== "kubernetes") all.push(...checkFile(kind, file, fs.readFileSync(absolute, "utf-8"), dir));
  }
  all.push(...checkKubernetes(dir, files.kubernetes, overlays));
  return applyExceptions(all, readExceptions(dir), files);
}

function readExceptions(dir: string): PolicyException[] {
  const file = path.join(dir, EXCEPTIONS_FILE);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf-8")).exceptions : [...BUILTIN_EXCEPTIONS];
}

/** Splits findings into those that stand and those an exception covers. */
export function applyExceptions(all: readonly Finding[], exceptions: readonly PolicyException[], files: Record<FileKind, string[]>): PolicyReport {
  const covered = (f: Finding) => exceptions.find((e) => f.ruleIds.includes(e.ruleId));
  return {
    findings: all.filter((f) => !covered(f)),
    exceptions: exceptions.map((e) => ({ ...e, suppressed: all.filter((f) => covered(f) === e).length })),
    files,
  };
}

/**
 * The report as text: one line per finding (followed by why its line is there, when `why` knows it),
 * then the exceptions with their reasons.
 */
export function formatReport(report: PolicyReport, why?: (finding: Finding) => string | undefined): string {
  const lines = report.findings.flatMap((f) => {
    const explained = why?.(f);
    return [`${f.file}:${f.line}  ${f.ruleIds.join("/")}  ${f.message}`, ...(explained ? [`  why: ${explained}`] : [])];
  });
  const counts = Object.entries(report.files).map(([k, v]) => `${v.length} ${k}`).join(", ");
  lines.push(`policy: ${report.findings.length} finding(s) in ${counts} file(s)`);
  for (const e of report.exceptions) {
    lines.push(`exception ${e.ruleId} (${e.suppressed} covered): ${e.reason}`);
  }
  return lines.join("\n") + "\n";
}
