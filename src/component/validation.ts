import * as path from "node:path";
import { renderMemberManifest } from "../cargo/render";
import { reqwestFeatureProblems } from "../cargo/reqwest";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Job } from "kubernetes-types/batch/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { Instruction } from "../dockerfile/dockerfile-model";
import { BUILD_STAGE, STAGING_DIR, TARGETS, planImage } from "../dockerfile/image-plan";
import { renderWorkload, volumeName } from "../k8s/render";
import type { ProjectModel } from "../project-model";
import { Linkage, RuntimeBase, WorkloadKind, type ComponentModel } from "./model";

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
const CPU_QUANTITY = /^(\d+(\.\d+)?|\d+m)$/;
const MEMORY_QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
// A registry host (optional port) and repository path, lower case, as OCI distribution allows.
const IMAGE_REPOSITORY = /^[a-z0-9]+([.-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

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
  if (c.build.kind === "rust" && c.build.staticLibcRequested && c.linkage !== Linkage.STATIC) {
    errors.push("staticLibc: only a static build chooses its C library; set linkage: Linkage.STATIC or drop staticLibc");
  }
  if (c.timezoneData && c.runtime === RuntimeBase.SCRATCH && c.build.kind === "rust") {
    errors.push(
      "timezoneData: scratch has no /usr/share/zoneinfo and a Rust binary does not embed it; " +
        "use runtime: RuntimeBase.DISTROLESS (distroless static ships tzdata), or embed the zones in the binary and drop timezoneData",
    );
  }
  if (c.workload === WorkloadKind.DEPLOYMENT && (!Number.isInteger(c.replicas) || c.replicas < 1)) {
    errors.push(`replicas: ${c.replicas} must be a whole number of at least 1; use WorkloadKind.JOB for run-to-completion work`);
  }
  for (const [field, value] of [["cpuRequest", c.resources.cpuRequest], ["cpuLimit", c.resources.cpuLimit]] as const) {
    if (!CPU_QUANTITY.test(value)) {
      errors.push(`resources.${field}: "${value}" is not a CPU quantity; write cores ("1", "0.5") or millicores ("250m")`);
    }
  }
  for (const [field, value] of [["memoryRequest", c.resources.memoryRequest], ["memoryLimit", c.resources.memoryLimit]] as const) {
    if (!MEMORY_QUANTITY.test(value)) {
      errors.push(`resources.${field}: "${value}" is not a memory quantity; write e.g. "128Mi" or "1Gi"`);
    }
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
  // A folder inside another component's: check each component's ancestors (linear, not pairwise).
  const byPath = new Map(components.map((c) => [c.path, c]));
  for (const b of components) {
    const parts = b.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const a = byPath.get(parts.slice(0, i).join("/"));
      if (a) errors.push(`path: "${b.path}" (${b.name}) is inside "${a.path}" (${a.name}); component folders must not nest`);
    }
  }
  errors.push(...repoPathProblems("goModuleDir", project.goModuleDir));
  if (!SEMVER.test(project.version)) {
    errors.push(`version: "${project.version}" is not a release version (X.Y.Z); images are tagged v<version>, so use e.g. "1.2.3"`);
  }
  if (!IMAGE_REPOSITORY.test(project.imageRegistry)) {
    errors.push(
      `imageRegistry: "${project.imageRegistry}" is not an image repository prefix (lower-case host and path, no tag, ` +
        "no trailing '/'); use e.g. \"ghcr.io/prism\"",
    );
  }
  if (!RFC1123_LABEL.test(project.namespace)) {
    errors.push(`namespace: "${project.namespace}" is not a valid Kubernetes namespace (RFC 1123 label); change namespace`);
  }
  if (components.some((c) => c.build.kind === "rust" && c.build.httpClient)) {
    errors.push(...reqwestFeatureProblems(project.reqwest).map((p) => `reqwest: ${p}`));
  }
  return errors;
}

/**
 * Renders the component's Dockerfile, Cargo member and manifests and checks
 * that they agree: the binary built is the binary copied and run, the image
 * user is the pod user, the ports are the same everywhere, writable paths are
 * mounted, and no production manifest runs a debug image.
 */
export function validateRendered(c: ComponentModel, project: ProjectModel, rustMemberRoots: readonly string[]): string[] {
  const errors: string[] = [];
  const dockerfile = planImage(c, project, { rustMemberRoots, marker: "" });
  const build = dockerfile.stages.find((s) => s.name === BUILD_STAGE);
  const built = `${STAGING_DIR}/${c.binary}`;
  const buildRuns = (build?.instructions ?? []).flatMap((i) => i.op === "RUN" ? i.commands : []).join("\n");
  if (!buildRuns.includes(built) || !buildRuns.includes(c.build.artifactPath)) {
    errors.push(`binary: the build stage does not produce ${built} from ${c.build.artifactPath}; this is a prism-projen bug, please report it`);
  }
  if (c.build.kind === "rust") {
    const bins = (renderMemberManifest(c, project).bin as { name: string }[]).map((b) => b.name);
    if (bins.length !== 1 || bins[0] !== c.binary || !buildRuns.includes(`--bin ${c.binary}`)) {
      errors.push(`binary: Cargo builds [${bins.join(", ")}] but the Dockerfile copies "${c.binary}"; set binary to the [[bin]] name`);
    }
  }
  for (const target of Object.values(TARGETS)) {
    const stage = dockerfile.stages.find((s) => s.name === target);
    const ins = stage?.instructions ?? [];
    const copy = ins.find((i): i is Extract<Instruction, { op: "COPY" }> => i.op === "COPY" && i.sources.includes(built));
    const entrypoint = ins.find((i): i is Extract<Instruction, { op: "ENTRYPOINT" }> => i.op === "ENTRYPOINT");
    if (!copy || copy.from !== BUILD_STAGE || entrypoint?.argv[0] !== copy.dest) {
      errors.push(`binary: the ${target} image's ENTRYPOINT does not run the binary copied from the build stage`);
    }
    const users = ins.filter((i): i is Extract<Instruction, { op: "USER" }> => i.op === "USER");
    if (users.at(-1)?.user !== `${c.user.uid}:${c.user.gid}`) {
      errors.push(`imageUser: the ${target} image's last USER is not ${c.user.uid}:${c.user.gid}`);
    }
    const exposed = ins.flatMap((i) => i.op === "EXPOSE" ? i.ports : []);
    const declared = c.ports.map((p) => `${p.port}/${p.protocol.toLowerCase()}`);
    if (exposed.join(" ") !== declared.join(" ")) {
      errors.push(`ports: the ${target} image exposes [${exposed.join(", ")}] but the component declares [${declared.join(", ")}]`);
    }
  }
  for (const object of renderWorkload(c, project)) {
    if (object.kind === "Service") {
      const names = ((object as Service).spec?.ports ?? []).map((p) => `${p.name}:${p.port}`);
      if (names.join(" ") !== c.ports.map((p) => `${p.name}:${p.port}`).join(" ")) {
        errors.push(`ports: the Service exposes [${names.join(", ")}], not the declared ports`);
      }
      continue;
    }
    const pod = (object as Deployment | Job).spec?.template.spec;
    for (const container of pod?.containers ?? []) {
      const ports = (container.ports ?? []).map((p) => `${p.name}:${p.containerPort}`);
      if (ports.join(" ") !== c.ports.map((p) => `${p.name}:${p.port}`).join(" ")) {
        errors.push(`ports: container "${container.name}" names [${ports.join(", ")}], not the declared ports`);
      }
      if (/(:|-)debug$/.test(container.image ?? "")) {
        errors.push(`workload: the manifest runs the debug image ${container.image}; production manifests run the production tag only`);
      }
      const ctx = container.securityContext;
      if (ctx?.runAsUser !== c.user.uid || ctx?.runAsGroup !== c.user.gid || pod?.securityContext?.runAsUser !== c.user.uid) {
        errors.push(`imageUser: the pod runs as ${ctx?.runAsUser}:${ctx?.runAsGroup}, the image as ${c.user.uid}:${c.user.gid}`);
      }
      const mounted = (container.volumeMounts ?? []).map((m) => m.mountPath);
      const missing = c.writablePaths.filter((p) => !mounted.includes(p));
      if (ctx?.readOnlyRootFilesystem && missing.length > 0) {
        errors.push(`writablePaths: ${missing.join(", ")} not mounted writable under a read-only root filesystem`);
      }
    }
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
