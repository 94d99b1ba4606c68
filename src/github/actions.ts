/**
 * Third-party actions used by the generated workflow, pinned to full commit
 * SHAs (a tag can be moved: trivy-action's were force-pushed to malicious
 * commits in March 2026). The version is written as a comment beside each pin.
 * Bump a pin by replacing both the SHA and the version together.
 */
export interface PinnedAction {
  readonly repo: string;
  readonly sha: string;
  readonly version: string;
}

export const ACTIONS = {
  checkout: { repo: "actions/checkout", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  setupNode: { repo: "actions/setup-node", sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
  setupBuildx: { repo: "docker/setup-buildx-action", sha: "37fe631027851001ddb9b187196cc803df7f5f0e", version: "v4.3.0" },
  buildPush: { repo: "docker/build-push-action", sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", version: "v7.3.0" },
  trivy: { repo: "aquasecurity/trivy-action", sha: "ed142fd0673e97e23eac54620cfb913e5ce36c25", version: "v0.36.0" },
  login: { repo: "docker/login-action", sha: "4907a6ddec9925e35a0a9e82d7399ccc52663121", version: "v4.1.0" },
  cosignInstaller: { repo: "sigstore/cosign-installer", sha: "6f9f17788090df1f26f669e9d70d6ae9567deba6", version: "v4.1.2" },
  uploadSarif: { repo: "github/codeql-action/upload-sarif", sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", version: "v4.36.2" },
  cargoDeny: { repo: "EmbarkStudios/cargo-deny-action", sha: "91bf2b620e09e18d6eb78b92e7861937469acedb", version: "v2.0.17" },
  govulncheck: { repo: "golang/govulncheck-action", sha: "b625fbe08f3bccbe446d94fbf87fcc875a4f50ee", version: "v1.0.4" },
} as const satisfies Record<string, PinnedAction>;

/** The `uses:` value of a pinned action. */
export function uses(action: PinnedAction): string {
  return `${action.repo}@${action.sha}`;
}

/** `uses:` value to version comment, for every pinned action. */
export function versionComments(): Record<string, string> {
  return Object.fromEntries(Object.values(ACTIONS).map((a) => [uses(a), a.version]));
}
