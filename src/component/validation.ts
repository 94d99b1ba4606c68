import * as path from "node:path";
import { reqwestFeatureProblems } from "../cargo/reqwest";
import { volumeName } from "../k8s/render";
import type { ProjectModel } from "../project-model";
import { Linkage, RuntimeBase, type ComponentModel } from "./model";

/**
 * The invariants that span generated files, checked once, on the models,
 * before anything is written. Each message names the field and the fix; the
 * caller prefixes the construct path, which names the component.
 */

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// IANA service name (RFC 6335 §5.1), as Kubernetes checks container port names.
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BINARY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Problems within one component. */
export function validateComponent(c: ComponentModel): string[] {
  const errors: string[] = [];
  if (!RFC1123_LABEL.test(c.name) || c.name.length > 63) {
    errors.push(
      `name: "${c.name}" is not a valid Kubernetes name (RFC 1123 label: lower-case letters, digits and '-', ` +
        "starting and ending with a letter or digit, at most 63 characters); rename the component",
    );
  }
  errors.push(...repoPathProblems("path", c.path));
  if (!BINARY_NAME.test(c.binary)) {
    errors.push(`binary: "${c.binary}" is not a file name; use letters, digits, '-', '_' and '.' only`);
  }
  errors.push(...portProblems(c));
  if (c.user.uid === 0 || c.user.gid === 0 || !isId(c.user.uid) || !isId(c.user.gid)) {
    errors.push(
      `imageUser: ${c.user.uid}:${c.user.gid} must be a non-zero numeric UID:GID (root is never allowed); ` +
        "omit imageUser to use the distroless nonroot user 65532:65532",
    );
  }
  if (c.linkage === Linkage.GLIBC && c.runtime === RuntimeBase.SCRATCH) {
    errors.push(
      "runtime: a glibc-linked binary cannot run on scratch (no libc there); " +
        "set linkage: Linkage.STATIC, or use runtime: RuntimeBase.DISTROLESS (distroless cc)",
    );
  }
  if (c.health && !c.ports.some((p) => p.name === c.health!.port)) {
    errors.push(
      `health.port: "${c.health.port}" is not a declared port (declared: ${c.ports.map((p) => p.name).join(", ") || "none"}); ` +
        "name one of the component's ports",
    );
  }
  for (const e of c.env) {
    if (!ENV_NAME.test(e.name)) {
      errors.push(`env: "${e.name}" is not a valid environment variable name; use letters, digits and '_', not starting with a digit`);
    }
  }
  const volumes = new Map<string, string>();
  for (const p of c.writablePaths) {
    if (!p.startsWith("/") || p.split("/").includes("..") || p === "/") {
      errors.push(`writablePaths: "${p}" must be an absolute directory path below / without '..'`);
      continue;
    }
    const name = volumeName(p);
    if (volumes.has(name)) {
      errors.push(`writablePaths: "${p}" and "${volumes.get(name)}" map to the same volume name "${name}"; keep one`);
    }
    volumes.set(name, p);
  }
  if (c.build.kind === "go") {
    const rel = path.posix.relative(c.build.moduleDir, c.path);
    if (rel.startsWith("..") || path.posix.isAbsolute(rel) || rel === "") {
      errors.push(`path: "${c.path}" is outside the Go module "${c.build.moduleDir}"; put the command below ${c.build.moduleDir}/ or set goModuleDir`);
    }
  }
  return errors;
}

/** Problems across components and project settings. */
export function validateProject(project: ProjectModel, components: readonly ComponentModel[]): string[] {
  const errors: string[] = [];
  errors.push(...duplicates(components, (c) => c.name, "name", "component names must be unique; rename one"));
  errors.push(...duplicates(components, (c) => c.path, "path", "each component needs its own folder; change one path"));
  errors.push(...duplicates(components, (c) => c.build.kind === "rust" ? c.build.packageName : undefined,
    "packageName", "cargo package names must be unique in a workspace; rename one"));
  for (const a of components) {
    for (const b of components) {
      if (a !== b && b.path.startsWith(`${a.path}/`)) {
        errors.push(`path: "${b.path}" (${b.name}) is inside "${a.path}" (${a.name}); component folders must not nest`);
      }
    }
  }
  errors.push(...repoPathProblems("goModuleDir", project.goModuleDir));
  if (!RFC1123_LABEL.test(project.namespace)) {
    errors.push(`namespace: "${project.namespace}" is not a valid Kubernetes namespace (RFC 1123 label); change namespace`);
  }
  if (components.some((c) => c.build.kind === "rust" && c.build.httpClient)) {
    errors.push(...reqwestFeatureProblems(project.reqwest).map((p) => `reqwest: ${p}`));
  }
  return errors;
}

function portProblems(c: ComponentModel): string[] {
  const errors: string[] = [];
  for (const p of c.ports) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      errors.push(`ports: port ${p.port} of "${p.name}" is out of range; use a whole number from 1 to 65535`);
    }
    if (!IANA_SVC_NAME.test(p.name) || p.name.length > 15) {
      errors.push(
        `ports: "${p.name}" is not a valid IANA service name (at most 15 lower-case letters, digits and single '-', ` +
          "with at least one letter); rename the port, e.g. \"grpc\" or \"metrics\"",
      );
    }
  }
  errors.push(...duplicates(c.ports, (p) => p.name, "ports", "port names must be unique within a component"));
  errors.push(...duplicates(c.ports, (p) => `${p.port}/${p.protocol}`, "ports", "each port number may be declared once per protocol"));
  return errors;
}

function repoPathProblems(field: string, p: string): string[] {
  if (p === "" || path.posix.isAbsolute(p) || p.split("/").some((s) => s === ".." || s === "." || s === "")) {
    return [`${field}: "${p}" must be a relative folder inside the repository, without '.', '..' or empty segments`];
  }
  return [];
}

function duplicates<T>(items: readonly T[], key: (t: T) => string | undefined, field: string, fix: string): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  const errors: string[] = [];
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    if (seen.has(k) && !reported.has(k)) {
      errors.push(`${field}: "${k}" is declared more than once; ${fix}`);
      reported.add(k);
    }
    seen.add(k);
  }
  return errors;
}

function isId(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 2 ** 31;
}
