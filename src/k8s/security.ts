import type { PodSecurityContext, SecurityContext } from "kubernetes-types/core/v1";
import type { ImageUser } from "../model/option-specs";
import { because, fixed, from, projectOptions } from "../explain/trace";

const RENDERER = "src/k8s/security.ts";
const user = () => from(projectOptions("imageUser"), { rule: "the image's numeric user, above 10000 (KSV-0020/KSV-0021)", renderer: RENDERER });
const pss = (control: string) => fixed(`restricted Pod Security Standard: ${control}; not configurable`, RENDERER);

/**
 * The security contexts of the Pod Security Standards "restricted" profile,
 * for a pod running as the image's numeric user.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */

/** Pod-level: non-root user and group, volumes owned by the group, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext(imageUser: ImageUser): PodSecurityContext {
  return because({
    runAsNonRoot: true,
    runAsUser: imageUser.uid,
    runAsGroup: imageUser.gid,
    fsGroup: imageUser.gid,
    seccompProfile: { type: "RuntimeDefault" },
  }, pss("the pod's security context"), {
    runAsNonRoot: pss("runAsNonRoot is true"),
    runAsUser: user(),
    runAsGroup: user(),
    fsGroup: user(),
    seccompProfile: pss("seccomp RuntimeDefault"),
  });
}

/** Container-level: the pod's identity repeated (a container context wins), nothing writable, no capabilities. */
export function restrictedContainerSecurityContext(imageUser: ImageUser): SecurityContext {
  return because({
    runAsNonRoot: true,
    runAsUser: imageUser.uid,
    runAsGroup: imageUser.gid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  }, pss("the container's security context"), {
    runAsNonRoot: pss("runAsNonRoot is true"),
    runAsUser: user(),
    runAsGroup: user(),
    readOnlyRootFilesystem: fixed("read-only root filesystem (trivy KSV-0014); writable paths are emptyDir volumes; not configurable", RENDERER),
    allowPrivilegeEscalation: pss("allowPrivilegeEscalation is false"),
    privileged: pss("no privileged container"),
    capabilities: pss("capabilities drop ALL"),
    seccompProfile: pss("seccomp RuntimeDefault"),
  });
}
