import type { Rule } from "./finding";
import { VARIANT_LABEL as ENVIRONMENT_LABEL } from "../k8s/kustomize";
import type { KubernetesObject, KubernetesSource, ObjectPath } from "./kubernetes-source";

/**
 * Kubernetes rules: every control of the Pod Security Standards baseline and
 * restricted profiles, plus trivy's KSV checks for resources, root filesystem,
 * IDs and the service-account token, and probes on Deployments.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * @see https://avd.aquasec.com/misconfig/kubernetes/
 */

type Path = ObjectPath;

export interface PodRef {
  readonly object: KubernetesObject;
  readonly kind: string;
  readonly name: string;
  readonly spec: any;
  readonly path: Path;
}

export interface ContainerRef {
  readonly pod: PodRef;
  readonly c: any;
  readonly path: Path;
}

const POD_SPEC_PATHS: Record<string, Path> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Every object with a pod spec (a Pod, or a workload's pod template). */
export function pods(src: KubernetesSource): PodRef[] {
  return src.objects.flatMap((object) => {
    const value = object.value;
    const path = POD_SPEC_PATHS[value.kind];
    if (!path) return [];
    const spec = path.reduce((o: any, k: string | number) => o?.[k], value);
    return spec ? [{ object, kind: value.kind, name: value.metadata?.name ?? "?", spec, path }] : [];
  });
}

/** Every container of every pod spec: init, regular and ephemeral. */
export function containers(src: KubernetesSource): ContainerRef[] {
  return pods(src).flatMap((pod) => ["initContainers", "containers", "ephemeralContainers"].flatMap((field) =>
    ((pod.spec[field] ?? []) as any[]).map((c, i) => ({ pod, c, path: [...pod.path, field, i] }))));
}

/** The containers that take resources: the API refuses them on ephemeral (debugging) containers. */
export function resourced(src: KubernetesSource): ContainerRef[] {
  return containers(src).filter((r) => !r.path.includes("ephemeralContainers"));
}

/** A resource quantity that is absent or zero (`0`, `0Mi`, `0.0`): kube-score counts both as not set. */
export function isUnset(quantity: unknown): boolean {
  return quantity === undefined || quantity === null || /^[+-]?0*(\.0*)?([a-zA-Z]*)$/.test(String(quantity));
}

/** Builds a finding on a pod-level field. */
export const atPod = (p: PodRef, rel: Path, message: string) =>
  ({ ...p.object.locate([...p.path, ...rel]), message: `${p.kind}/${p.name}: ${message}` });
/** Builds a finding on a container-level field. */
export const atContainer = (r: ContainerRef, rel: Path, message: string) =>
  ({ ...r.pod.object.locate([...r.path, ...rel]), message: `${r.pod.kind}/${r.pod.name} container "${r.c.name}": ${message}` });

/** A container's effective value: its own securityContext first, then the pod's. */
function effective(r: ContainerRef, field: string): unknown {
  return r.c.securityContext?.[field] ?? r.pod.spec.securityContext?.[field];
}

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
  "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export const KUBERNETES_RULES: readonly Rule<KubernetesSource>[] = [
  {
    ids: ["PSS-HostProcess"],
    summary: "No Windows HostProcess containers",
    source: "PSS baseline: HostProcess",
    check: (src) => [
      ...pods(src).filter((p) => p.spec.securityContext?.windowsOptions?.hostProcess === true)
        .map((p) => atPod(p, ["securityContext", "windowsOptions", "hostProcess"], "hostProcess is true")),
      ...containers(src).filter((r) => r.c.securityContext?.windowsOptions?.hostProcess === true)
        .map((r) => atContainer(r, ["securityContext", "windowsOptions", "hostProcess"], "hostProcess is true")),
    ],
  },
  {
    ids: ["PSS-HostNamespaces", "KSV-0008", "KSV-0009", "KSV-0010"],
    summary: "No host network, PID or IPC namespace",
    source: "PSS baseline: Host Namespaces; trivy KSV008/009/010",
    check: (src) => pods(src).flatMap((p) => ["hostNetwork", "hostPID", "hostIPC"]
      .filter((f) => p.spec[f] === true).map((f) => atPod(p, [f], `${f} is true`))),
  },
  {
    ids: ["PSS-Privileged", "KSV-0017", "container-security-context-privileged"],
    summary: "No privileged containers",
    source: "PSS baseline: Privileged Containers; trivy KSV017; kube-score container-security-context-privileged",
    check: (src) => containers(src).filter((r) => r.c.securityContext?.privileged === true)
      .map((r) => atContainer(r, ["securityContext", "privileged"], "privileged is true")),
  },
  {
    ids: ["PSS-Capabilities"],
    summary: "Capabilities: drop ALL; add nothing but NET_BIND_SERVICE (baseline: only its default set)",
    source: "PSS baseline: Capabilities; PSS restricted: Capabilities",
    check: (src) => containers(src).flatMap((r) => {
      const caps = r.c.securityContext?.capabilities ?? {};
      const out = [];
      if (!(caps.drop ?? []).includes("ALL")) {
        out.push(atContainer(r, ["securityContext", "capabilities", "drop"], "capabilities.drop does not include ALL"));
      }
      for (const [i, cap] of ((caps.add ?? []) as string[]).entries()) {
        if (cap !== "NET_BIND_SERVICE") {
          const level = BASELINE_CAPABILITIES.has(cap) ? "restricted" : "baseline";
          out.push(atContainer(r, ["securityContext", "capabilities", "add", i], `adds capability ${cap} (not allowed by ${level})`));
        }
      }
      return out;
    }),
  },
  {
    ids: ["PSS-HostPathVolumes", "KSV-0023"],
    summary: "No hostPath volumes",
    source: "PSS baseline: HostPath Volumes; trivy KSV023",
    check: (src) => pods(src).flatMap((p) => ((p.spec.volumes ?? []) as any[]).flatMap((v, i) =>
      v.hostPath ? [atPod(p, ["volumes", i, "hostPath"], `volume "${v.name}" is a hostPath`)] : [])),
  },
  {
    ids: ["PSS-HostPorts", "KSV-0024"],
    summary: "No host ports",
    source: "PSS baseline: Host Ports; trivy KSV024",
    check: (src) => containers(src).flatMap((r) => ((r.c.ports ?? []) as any[]).flatMap((port, i) =>
      port.hostPort ? [atContainer(r, ["ports", i, "hostPort"], `hostPort ${port.hostPort}`)] : [])),
  },
  {
    ids: ["PSS-AppArmor"],
    summary: "AppArmor is not set to Unconfined",
    source: "PSS baseline: AppArmor",
    check: (src) => [
      ...pods(src).filter((p) => p.spec.securityContext?.appArmorProfile?.type === "Unconfined")
        .map((p) => atPod(p, ["securityContext", "appArmorProfile", "type"], "appArmorProfile is Unconfined")),
      ...containers(src).filter((r) => r.c.securityContext?.appArmorProfile?.type === "Unconfined")
        .map((r) => atContainer(r, ["securityContext", "appArmorProfile", "type"], "appArmorProfile is Unconfined")),
    ],
  },
  {
    ids: ["PSS-SELinux"],
    summary: "SELinux: only the container types, no custom user or role",
    source: "PSS baseline: SELinux",
    check: (src) => [
      ...pods(src).map((p) => ({ at: (rel: Path, m: string) => atPod(p, rel, m), opts: p.spec.securityContext?.seLinuxOptions })),
      ...containers(src).map((r) => ({ at: (rel: Path, m: string) => atContainer(r, rel, m), opts: r.c.securityContext?.seLinuxOptions })),
    ].flatMap(({ at, opts }) => {
      if (!opts) return [];
      const out = [];
      if (!SELINUX_TYPES.has(opts.type ?? "")) out.push(at(["securityContext", "seLinuxOptions", "type"], `seLinuxOptions.type ${opts.type}`));
      if (opts.user || opts.role) out.push(at(["securityContext", "seLinuxOptions"], "seLinuxOptions sets user or role"));
      return out;
    }),
  },
  {
    ids: ["PSS-ProcMount"],
    summary: "procMount is Default",
    source: "PSS baseline: /proc Mount Type",
    check: (src) => containers(src).filter((r) => (r.c.securityContext?.procMount ?? "Default") !== "Default")
      .map((r) => atContainer(r, ["securityContext", "procMount"], `procMount is ${r.c.securityContext.procMount}`)),
  },
  {
    ids: ["PSS-Seccomp", "KSV-0104"],
    summary: "seccomp RuntimeDefault or Localhost on the pod or on every container; never Unconfined",
    source: "PSS baseline and restricted: Seccomp; trivy KSV104",
    check: (src) => containers(src).flatMap((r) => {
      const type = (effective(r, "seccompProfile") as any)?.type;
      return type === "RuntimeDefault" || type === "Localhost" ? []
        : [atContainer(r, ["securityContext", "seccompProfile"], `seccompProfile is ${type ?? "not set"}`)];
    }),
  },
  {
    ids: ["PSS-Sysctls"],
    summary: "Only the safe sysctls",
    source: "PSS baseline: Sysctls",
    check: (src) => pods(src).flatMap((p) => ((p.spec.securityContext?.sysctls ?? []) as any[]).flatMap((s, i) =>
      SAFE_SYSCTLS.has(s.name) ? [] : [atPod(p, ["securityContext", "sysctls", i], `sysctl ${s.name} is not in the safe set`)])),
  },
  {
    ids: ["PSS-VolumeTypes"],
    summary: `Volumes only of the restricted types (${RESTRICTED_VOLUMES.join(", ")})`,
    source: "PSS restricted: Volume Types",
    check: (src) => pods(src).flatMap((p) => ((p.spec.volumes ?? []) as any[]).flatMap((v, i) => {
      const type = Object.keys(v).find((k) => k !== "name");
      return type && !RESTRICTED_VOLUMES.includes(type) ? [atPod(p, ["volumes", i], `volume "${v.name}" is of type ${type}`)] : [];
    })),
  },
  {
    ids: ["PSS-PrivilegeEscalation", "KSV-0001"],
    summary: "allowPrivilegeEscalation is false on every container",
    source: "PSS restricted: Privilege Escalation; trivy KSV001",
    check: (src) => containers(src).filter((r) => r.c.securityContext?.allowPrivilegeEscalation !== false)
      .map((r) => atContainer(r, ["securityContext", "allowPrivilegeEscalation"], "allowPrivilegeEscalation is not false")),
  },
  {
    ids: ["PSS-RunAsNonRoot", "KSV-0012"],
    summary: "runAsNonRoot is true (pod or every container) and never false",
    source: "PSS restricted: Running as Non-root; trivy KSV012",
    check: (src) => containers(src).filter((r) => effective(r, "runAsNonRoot") !== true)
      .map((r) => atContainer(r, ["securityContext", "runAsNonRoot"], "runAsNonRoot is not true")),
  },
  {
    ids: ["PSS-RunAsUser"],
    summary: "runAsUser is never 0",
    source: "PSS restricted: Running as Non-root user",
    check: (src) => [
      ...pods(src).filter((p) => p.spec.securityContext?.runAsUser === 0)
        .map((p) => atPod(p, ["securityContext", "runAsUser"], "runAsUser is 0")),
      ...containers(src).filter((r) => r.c.securityContext?.runAsUser === 0)
        .map((r) => atContainer(r, ["securityContext", "runAsUser"], "runAsUser is 0")),
    ],
  },
  ...(["cpu", "memory"] as const).flatMap((resource) => (["limits", "requests"] as const).map((kind): Rule<KubernetesSource> => ({
    ids: [{ "cpu/limits": "KSV-0011", "cpu/requests": "KSV-0015", "memory/requests": "KSV-0016", "memory/limits": "KSV-0018" }[`${resource}/${kind}`], "container-resources"],
    summary: `Every container sets resources.${kind}.${resource}`,
    source: `trivy ${{ "cpu/limits": "KSV011", "cpu/requests": "KSV015", "memory/requests": "KSV016", "memory/limits": "KSV018" }[`${resource}/${kind}`]}; kube-score container-resources`,
    check: (src) => resourced(src).filter((r) => isUnset(r.c.resources?.[kind]?.[resource]))
      .map((r) => atContainer(r, ["resources", kind], `resources.${kind}.${resource} is not set`)),
  }))),
  {
    ids: ["KSV-0014", "container-security-context-readonlyrootfilesystem"],
    summary: "readOnlyRootFilesystem is true on every container",
    source: "trivy KSV014; kube-score container-security-context-readonlyrootfilesystem",
    check: (src) => containers(src).filter((r) => r.c.securityContext?.readOnlyRootFilesystem !== true)
      .map((r) => atContainer(r, ["securityContext", "readOnlyRootFilesystem"], "readOnlyRootFilesystem is not true")),
  },
  {
    ids: ["KSV-0020", "container-security-context-user-group-id"],
    summary: "runAsUser is above 10000 (no collision with host users)",
    source: "trivy KSV020; kube-score container-security-context-user-group-id",
    check: (src) => containers(src).filter((r) => !((effective(r, "runAsUser") as number) > 10000))
      .map((r) => atContainer(r, ["securityContext", "runAsUser"], `runAsUser ${effective(r, "runAsUser") ?? "not set"} is not above 10000`)),
  },
  {
    ids: ["KSV-0021", "container-security-context-user-group-id"],
    summary: "runAsGroup is above 10000",
    source: "trivy KSV021; kube-score container-security-context-user-group-id",
    check: (src) => containers(src).filter((r) => !((effective(r, "runAsGroup") as number) > 10000))
      .map((r) => atContainer(r, ["securityContext", "runAsGroup"], `runAsGroup ${effective(r, "runAsGroup") ?? "not set"} is not above 10000`)),
  },
  {
    ids: ["KSV-0036"],
    summary: "automountServiceAccountToken is false",
    source: "trivy KSV036",
    check: (src) => pods(src).filter((p) => p.spec.automountServiceAccountToken !== false)
      .map((p) => atPod(p, ["automountServiceAccountToken"], "automountServiceAccountToken is not false")),
  },
  {
    ids: ["KSV-0013", "container-image-tag"],
    summary: "Images carry an explicit tag other than latest",
    source: "trivy KSV013; kube-score container-image-tag",
    check: (src) => containers(src).filter((r) => {
      const image: string = r.c.image ?? "";
      const name = image.split("@")[0];
      const tag = name.lastIndexOf(":") > name.lastIndexOf("/") ? name.slice(name.lastIndexOf(":") + 1) : undefined;
      return !image.includes("@") && (tag === undefined || tag === "latest");
    }).map((r) => atContainer(r, ["image"], `image ${r.c.image} has no tag or uses latest`)),
  },
  {
    ids: ["PRISM-K001", "pod-probes"],
    summary: "Every container of a long-running pod (not a Job's) has liveness and readiness probes",
    source: "prism-projen, after Polaris livenessProbeMissing / readinessProbeMissing; stricter than kube-score pod-probes, " +
      "which asks it only of pods a Service targets",
    check: (src) => containers(src).filter((r) => r.pod.kind !== "Job" && r.pod.kind !== "CronJob" && r.path.includes("containers"))
      .flatMap((r) => (["livenessProbe", "readinessProbe"] as const).filter((probe) => !r.c[probe])
        .map((probe) => atContainer(r, [], `${probe} is missing`))),
  },
  {
    ids: ["PRISM-K002"],
    summary: "Production manifests never run a debug image (only objects labelled as the debug environment do)",
    source: "prism-projen (distroless ADR: never deploy the debug image to production)",
    check: (src) => containers(src).filter((r) => /(:|-)debug(@|$)/.test(r.c.image ?? "") &&
      r.pod.object.value.metadata?.labels?.[ENVIRONMENT_LABEL] !== "debug")
      .map((r) => atContainer(r, ["image"], `runs the debug image ${r.c.image}`)),
  },
];
