import type { PodSecurityContext, SecurityContext } from "kubernetes-types/core/v1";
import type { ImageUser } from "../component/option-specs";

/**
 * The security contexts of the Pod Security Standards "restricted" profile,
 * for a pod running as the image's numeric user.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */

/** Pod-level: non-root user and group, volumes owned by the group, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext(user: ImageUser): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user.uid,
    runAsGroup: user.gid,
    fsGroup: user.gid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level: the pod's identity repeated (a container context wins), nothing writable, no capabilities. */
export function restrictedContainerSecurityContext(user: ImageUser): SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user.uid,
    runAsGroup: user.gid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
