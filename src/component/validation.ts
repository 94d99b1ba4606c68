import * as path from "node:path";
import { renderMemberManifest } from "../cargo/render";
import { sameValue } from "../model/cargo-dependencies";
import { shownEntry } from "./dependency-validation";
import { reqwestFeatureProblems } from "../model/reqwest";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Job } from "kubernetes-types/batch/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { Instruction } from "../dockerfile/dockerfile-model";
import { BUILD_STAGE, STAGING_DIR, TARGETS, planImage } from "../dockerfile/image-plan";
import { renderWorkload, volumeName, workloadName } from "../k8s/render";
import { DEFAULT_DENY } from "../k8s/network-policy";
import { quantityValue, RFC1123_LABEL } from "../model/grammars";
import type { ProjectModel } from "../model/project";
import { BASE_IMAGE_LOCK } from "../dockerfile/base-image-lock";
import { Linkage, RuntimeBase, WorkloadKind, WRITABLE_VOLUME_SIZE, type ComponentModel, type RustBuild } from "../model/component";

/**
 * The invariants that span generated files, checked once, on the models,
 * before anything is written. Each message names the field and the fix; the
 * caller prefixes the construct path, which names the component.
 */

/** Binary target names cargo forbids: the folders of its own target directory (cargo metadata refuses the manifest). */
const CARGO_FORBIDDEN_BINARIES = ["build", "deps", "examples", "incremental"];

/**
 * Names cargo refuses to load, though the component's own grammars accept them: a package name that starts with a
 * digit (the package is named after the component unless packageName is set), and a binary named like a folder of
 * cargo's target directory (the binary is named after the component unless binary is set).
 */
function cargoNameProblems(c: ComponentModel, build: RustBuild): string[] {
  const errors: string[] = [];
  if (/^[0-9]/.test(build.packageName)) {
    errors.push(`name: cargo refuses a package name that starts with a digit ("${build.packageName}", the component's name); ` +
      `set packageName to one that starts with a letter, e.g. packageName: "prism-${build.packageName}"`);
  }
  if (CARGO_FORBIDDEN_BINARIES.includes(c.binary)) {
    errors.push(`binary: cargo forbids a binary named "${c.binary}" (${CARGO_FORBIDDEN_BINARIES.join(", ")} are folders of its target directory)` +
      `${c.binary === c.name ? ", and the binary is named after the component" : ""}; set binary to another name, e.g. binary: "${c.binary}-server"`);
  }
  return errors;
}

/** Problems within one component: combinations of options that each fit their own grammar (the schemas check those). */
export function validateComponent(c: ComponentModel, project: ProjectModel): string[] {
  const errors: string[] = [];
  errors.push(...duplicates(c.ports, (p) => p.name, "ports", "port names must be unique within a component"));
  errors.push(...duplicates(c.ports, (p) => `${p.port}/${p.protocol}`, "ports", "each port number may be declared once per protocol"));
  if (c.linkage === Linkage.GLIBC && c.runtime === RuntimeBase.SCRATCH) {
    errors.push(
      "runtime: a glibc-linked binary cannot run on scratch (no libc there); " +
        "set linkage: Linkage.STATIC, or use runtime: RuntimeBase.DISTROLESS (distroless cc)",
    );
  }
  if (c.build.kind === "rust") errors.push(...cargoNameProblems(c, c.build));
  if (c.build.kind === "rust" && c.build.staticLibcRequested && c.linkage !== Linkage.STATIC) {
    errors.push("staticLibc: only a static build chooses its C library; set linkage: Linkage.STATIC or drop staticLibc");
  }
  if (c.timezoneData && c.runtime === RuntimeBase.SCRATCH && c.build.kind === "rust") {
    errors.push(
      "timezoneData: scratch has no /usr/share/zoneinfo and a Rust binary does not embed it; " +
        "use runtime: RuntimeBase.DISTROLESS (distroless static ships tzdata), or embed the zones in the binary and drop timezoneData",
    );
  }
  errors.push(...workloadProblems(c, project));
  if (c.health && !c.ports.some((p) => p.name === c.health!.port)) {
    errors.push(
      `health.port: "${c.health.port}" is not a declared port (declared: ${c.ports.map((p) => p.name).join(", ") || "none"}); ` +
        "name one of the component's ports",
    );
  }
  const volumes = new Map<string, string>();
  for (const p of c.writablePaths) {
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

/** Options that only some workloads take, a Deployment's probes (policy PRISM-K001), names and sizes the cluster checks. */
function workloadProblems(c: ComponentModel, project: ProjectModel): string[] {
  const errors: string[] = [];
  const given = (option: string) => c.optionsGiven.includes(option);
  const workload = given("workload") ? `workload: WorkloadKind.${enumKey(WorkloadKind, c.workload)}` : `workload ${enumKey(WorkloadKind, c.workload)} (the default)`;
  if (c.workload !== WorkloadKind.DEPLOYMENT && given("replicas")) {
    errors.push(`replicas: only a Deployment has replicas, and this component has ${workload}; drop replicas, or set workload: WorkloadKind.DEPLOYMENT`);
  }
  if (c.workload === WorkloadKind.NONE) {
    for (const option of ["env", "resources", "health", "writablePaths", "egress", "connectsTo"].filter(given)) {
      errors.push(`${option}: only a Kubernetes workload uses it, and this component has ${workload} (image only); ` +
        `drop ${option}, or set workload: WorkloadKind.DEPLOYMENT or WorkloadKind.JOB`);
    }
    if (c.ports.length > 0 && !given("workload")) {
      errors.push(`ports: given, but this component has ${workload}: no Deployment or Service serves them; ` +
        "set workload: WorkloadKind.DEPLOYMENT, or set workload: WorkloadKind.NONE to build an image that only EXPOSEs them");
    }
  }
  if (c.workload === WorkloadKind.DEPLOYMENT && !c.health) {
    errors.push(
      `health: a Deployment needs liveness and readiness probes (policy PRISM-K001) and this one has none${c.ports.length === 0 ? " (and no ports)" : ""}; ` +
        "declare a port named \"metrics\" (probed at /healthz and /readyz), or set health: { port: \"<a declared port>\" }, " +
        "or run it as workload: WorkloadKind.JOB",
    );
  }
  if (c.workload === WorkloadKind.NONE) return errors;
  if (c.workload === WorkloadKind.DEPLOYMENT && c.ports.length > 0 && c.replicas < 2) {
    errors.push(`replicas: ${c.replicas} replica behind the component's Service makes every restart, rollout and node drain an outage ` +
      "(policy deployment-replicas); use replicas: 2 or more (the default)");
  }
  const jobName = workloadName(c, project);
  if (c.workload === WorkloadKind.JOB && !RFC1123_LABEL.test(jobName)) {
    errors.push(`name: the Job is named "${jobName}" (the component name, the release version ${project.version} and a digest of its pod template), ` +
      "longer than the 63 characters Kubernetes allows; shorten the component name");
  }
  if (c.name === DEFAULT_DENY) {
    errors.push(`name: "${DEFAULT_DENY}" is the name of each namespace's default NetworkPolicy, which this component's own policy would replace; rename the component`);
  }
  errors.push(...resourceProblems(c));
  return errors;
}

/** Requests within their limits (the API server refuses them otherwise), and room on disk for every writable volume. */
function resourceProblems(c: ComponentModel): string[] {
  const r = c.resources;
  const errors = ([
    ["cpuRequest", "cpuLimit"], ["memoryRequest", "memoryLimit"], ["ephemeralStorageRequest", "ephemeralStorageLimit"],
  ] as const).filter(([request, limit]) => quantityValue(r[request]) > quantityValue(r[limit]))
    .map(([request, limit]) => `resources.${request}: ${r[request]} is above resources.${limit} ${r[limit]}, which the API server refuses; ` +
      `raise ${limit} or lower ${request}`);
  const volumes = c.writablePaths.length * quantityValue(WRITABLE_VOLUME_SIZE);
  if (quantityValue(r.ephemeralStorageRequest) < volumes) {
    const needed = `${volumes / quantityValue("1Mi")}Mi`;
    errors.push(`resources.ephemeralStorageRequest: ${r.ephemeralStorageRequest} does not hold the ${c.writablePaths.length} writable volumes ` +
      `(${WRITABLE_VOLUME_SIZE} each: ${c.writablePaths.join(", ")}); set it to at least ${needed}` +
      (quantityValue(r.ephemeralStorageLimit) < volumes ? `, and ephemeralStorageLimit with it` : ""));
  }
  return errors;
}

function enumKey(values: Record<string, string>, value: string): string {
  return Object.keys(values).find((k) => values[k] === value) ?? value;
}

/**
 * Traffic that names what is not there: a component that is not in the project or runs no pods, a port the
 * other component does not declare. Each is refused, so every edge synth writes has both ends.
 */
export function trafficProblems(c: ComponentModel, components: readonly ComponentModel[], project: ProjectModel): string[] {
  const errors: string[] = [];
  const names = () => components.map((o) => o.name).join(", ");
  /** Why `name` cannot be one end of an edge, if it cannot. */
  const endProblem = (name: string): string | undefined => {
    const other = components.find((o) => o.name === name);
    if (!other) return `"${name}" is not a component of this project (its components: ${names()}); name one of them`;
    if (other.workload === WorkloadKind.NONE) {
      return `"${name}" runs no pods (workload NONE: image only), so there is no traffic to allow; ` +
        `give ${name} a workload (WorkloadKind.DEPLOYMENT or WorkloadKind.JOB), or drop this entry`;
    }
    return undefined;
  };
  c.connectsTo.forEach((connection, i) => {
    const problem = endProblem(connection.component);
    if (problem) return void errors.push(`connectsTo[${i}].component: ${problem}`);
    const server = components.find((o) => o.name === connection.component)!;
    if (!server.ports.some((p) => p.name === connection.port)) {
      errors.push(`connectsTo[${i}].port: ${server.name} has no port named "${connection.port}" ` +
        `(its ports: ${server.ports.map((p) => p.name).join(", ") || "none"}); name one of them, or declare it in ${server.name}'s ports`);
    }
  });
  for (const port of c.ports) {
    if (port.allowFrom === undefined) continue;
    if (c.workload === WorkloadKind.NONE) {
      errors.push(`ports: "${port.name}" has allowFrom, but this component runs no pods (workload NONE: image only); ` +
        "drop allowFrom, or set workload: WorkloadKind.DEPLOYMENT");
      continue;
    }
    port.allowFrom.forEach((peer, i) => {
      const problem = "component" in peer ? endProblem(peer.component) : undefined;
      if (problem) errors.push(`ports: "${port.name}" allowFrom[${i}].component: ${problem}`);
      // Its pods may open no connection their own policy does not declare (default-deny), so the entry would let no one in.
      if ("namespace" in peer && peer.namespace === project.namespace) {
        errors.push(`ports: "${port.name}" allowFrom[${i}].namespace: "${peer.namespace}" is the project's own namespace, whose pods are denied ` +
          "every connection they do not declare, so no one could use it; name the components that connect (allowFrom: [{ component: \"<name>\" }], " +
          "or connectsTo on their side)");
      }
    });
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
  if (project.monitoringNamespace === project.namespace) {
    errors.push(`monitoringNamespace: "${project.monitoringNamespace}" is the project's own namespace, whose pods are denied every connection ` +
      "they do not declare, so no scraper there could reach the metrics ports; run the scrapers in a namespace of their own and name it here");
  }
  if (project.workspaceDependencies.some((e) => e.crate === "reqwest")) {
    errors.push("workspaceDependencies: reqwest is the workspace's already, pinned to rustls; set its version and features with the reqwest option instead");
  }
  for (const kept of project.keptWorkspaceDependencies) {
    const twin = project.workspaceDependencies.find((d) => d.crate === kept.crate);
    if (twin && !sameValue(twin.value, kept.value)) {
      errors.push(`workspaceDependencies: Cargo.toml has ${shownEntry(kept)} in [workspace.dependencies], and .projenrc.ts declares ${shownEntry(twin)}; ` +
        "keep one: remove it from Cargo.toml and synthesis writes the declared one, or drop it from workspaceDependencies");
    }
  }
  // Checked whether or not a component uses reqwest yet: a native-tls feature waits for the first one that does.
  errors.push(...reqwestFeatureProblems(project.reqwest).map((p) => `reqwest: ${p}`));
  if (components.length === 0) {
    errors.push("components: none is declared, and the images workflow would have an empty build matrix (invalid in GitHub Actions); " +
      "add a RustComponent or a GoComponent to .projenrc.ts");
  }
  return errors;
}

/**
 * Base images that the lock does not pin: a policy finding (PRISM-D001) unless the project
 * allows them, with a reason, so synth refuses them on the same terms.
 */
export function unpinnedBaseImageProblems(project: ProjectModel, components: readonly ComponentModel[], rustMemberRoots: readonly string[]): string[] {
  const unpinned = new Set<string>();
  for (const c of components) {
    const plan = planImage(c, project, { rustMemberRoots, marker: "" });
    // A FROM names its version through a global ARG: name the image as the lock does, version written out.
    const withArgs = (from: string) => plan.globalArgs.reduce((ref, arg) => ref.split(`\${${arg.name}}`).join(arg.defaultValue), from);
    for (const stage of plan.stages) {
      const isStage = plan.stages.some((s) => s.name === stage.from);
      if (!isStage && stage.from !== "scratch" && !stage.from.includes("@sha256:")) unpinned.add(withArgs(stage.from));
    }
  }
  if (unpinned.size === 0) return [];
  return [
    `allowUnpinnedBaseImages: these base images have no digest, which the policy reports (PRISM-D001): ${[...unpinned].sort().join(", ")}; ` +
      `pin them in ${BASE_IMAGE_LOCK} (FROM <image>:<tag>@sha256:<digest>, one line each), ` +
      "or set allowUnpinnedBaseImages: \"<why they cannot be pinned>\" to record an exception",
  ];
}

/**
 * Renders the component's Dockerfile, Cargo member and manifests and checks
 * that they agree: the binary built is the binary copied and run, the image
 * user is the pod user, the ports are the same everywhere, writable paths are
 * mounted, and no production manifest runs a debug image.
 */
export function validateRendered(c: ComponentModel, project: ProjectModel, rustMemberRoots: readonly string[], components: readonly ComponentModel[]): string[] {
  const errors: string[] = [];
  const dockerfile = planImage(c, project, { rustMemberRoots, marker: "" });
  const build = dockerfile.stages.find((s) => s.name === BUILD_STAGE);
  const built = `${STAGING_DIR}/${c.binary}`;
  const buildRuns = (build?.instructions ?? []).flatMap((i) => i.op === "RUN" ? i.commands : []).join("\n");
  if (!buildRuns.includes(built) || !buildRuns.includes(c.build.artifactPath)) {
    errors.push(`binary: the build stage does not produce ${built} from ${c.build.artifactPath}; this is a prism-projen bug, please report it`);
  }
  if (c.build.kind === "rust") {
    const bins = (renderMemberManifest(c, project).bin ?? []).map((b) => b.name);
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
      errors.push(`binary: the ${target} image's ENTRYPOINT does not run the binary copied from the build stage; this is a prism-projen bug, please report it`);
    }
    const users = ins.filter((i): i is Extract<Instruction, { op: "USER" }> => i.op === "USER");
    if (users.at(-1)?.user !== `${c.user.uid}:${c.user.gid}`) {
      errors.push(`imageUser: the ${target} image's last USER is not ${c.user.uid}:${c.user.gid}; this is a prism-projen bug, please report it`);
    }
    const exposed = ins.flatMap((i) => i.op === "EXPOSE" ? i.ports : []);
    const declared = c.ports.map((p) => `${p.port}/${p.protocol.toLowerCase()}`);
    if (exposed.join(" ") !== declared.join(" ")) {
      errors.push(`ports: the ${target} image exposes [${exposed.join(", ")}] but the component declares [${declared.join(", ")}]; this is a prism-projen bug, please report it`);
    }
  }
  for (const object of renderWorkload(c, project, components)) {
    if (object.kind === "Service") {
      const names = ((object as Service).spec?.ports ?? []).map((p) => `${p.name}:${p.port}`);
      if (names.join(" ") !== c.ports.map((p) => `${p.name}:${p.port}`).join(" ")) {
        errors.push(`ports: the Service exposes [${names.join(", ")}], not the declared ports; this is a prism-projen bug, please report it`);
      }
      continue;
    }
    if (object.kind !== "Deployment" && object.kind !== "Job") continue;
    const pod = (object as Deployment | Job).spec?.template.spec;
    for (const container of pod?.containers ?? []) {
      const ports = (container.ports ?? []).map((p) => `${p.name}:${p.containerPort}`);
      if (ports.join(" ") !== c.ports.map((p) => `${p.name}:${p.port}`).join(" ")) {
        errors.push(`ports: container "${container.name}" names [${ports.join(", ")}], not the declared ports; this is a prism-projen bug, please report it`);
      }
      if (/(:|-)debug$/.test(container.image ?? "")) {
        errors.push(`workload: the manifest runs the debug image ${container.image}; production manifests run the production tag only; this is a prism-projen bug, please report it`);
      }
      const ctx = container.securityContext;
      if (ctx?.runAsUser !== c.user.uid || ctx?.runAsGroup !== c.user.gid || pod?.securityContext?.runAsUser !== c.user.uid) {
        errors.push(`imageUser: the pod runs as ${ctx?.runAsUser}:${ctx?.runAsGroup}, the image as ${c.user.uid}:${c.user.gid}; this is a prism-projen bug, please report it`);
      }
      const mounted = (container.volumeMounts ?? []).map((m) => m.mountPath);
      const missing = c.writablePaths.filter((p) => !mounted.includes(p));
      if (ctx?.readOnlyRootFilesystem && missing.length > 0) {
        errors.push(`writablePaths: ${missing.join(", ")} not mounted writable under a read-only root filesystem; this is a prism-projen bug, please report it`);
      }
    }
  }
  return errors;
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

