import type { Rule } from "./finding";
import type { YamlSource } from "./yaml-source";

/**
 * GitHub Actions rules, after zizmor's audits and OpenSSF Scorecard's checks.
 *
 * @see https://docs.zizmor.sh/audits/
 * @see https://github.com/ossf/scorecard/blob/main/docs/checks.md
 */

interface StepRef {
  readonly job: string;
  readonly index: number;
  readonly step: any;
}

function steps(src: YamlSource): StepRef[] {
  const wf = src.documents[0]?.value ?? {};
  return Object.entries<any>(wf.jobs ?? {}).flatMap(([job, j]) =>
    ((j?.steps ?? []) as any[]).map((step, index) => ({ job, index, step })));
}

const stepLine = (src: YamlSource, s: StepRef, key: string) => src.line(0, ["jobs", s.job, "steps", s.index, key]);
const stepName = (s: StepRef) => `job "${s.job}" step ${s.index + 1}${s.step.name ? ` ("${s.step.name}")` : ""}`;

const PINNED = /^[^@\s]+@[0-9a-f]{40}$/;

function isReadOnly(permissions: unknown): boolean {
  if (permissions === "read-all" || (typeof permissions === "object" && permissions !== null && Object.keys(permissions).length === 0)) {
    return true;
  }
  return typeof permissions === "object" && permissions !== null &&
    Object.values(permissions).every((level) => level === "read" || level === "none");
}

export const WORKFLOW_RULES: readonly Rule<YamlSource>[] = [
  {
    ids: ["unpinned-uses", "Pinned-Dependencies"],
    summary: "Every uses: is pinned to a full 40-character commit SHA (local actions and docker:// digests excepted)",
    source: "zizmor unpinned-uses; OpenSSF Scorecard Pinned-Dependencies",
    check: (src) => {
      const wf = src.documents[0]?.value ?? {};
      const jobUses = Object.entries<any>(wf.jobs ?? {}).filter(([, j]) => typeof j?.uses === "string")
        .map(([job, j]) => ({ uses: j.uses as string, line: src.line(0, ["jobs", job, "uses"]), where: `job "${job}"` }));
      const stepUses = steps(src).filter((s) => typeof s.step.uses === "string")
        .map((s) => ({ uses: s.step.uses as string, line: stepLine(src, s, "uses"), where: stepName(s) }));
      return [...jobUses, ...stepUses]
        .filter((u) => !u.uses.startsWith("./") && !/^docker:\/\/[^@]+@sha256:[0-9a-f]{64}$/.test(u.uses) && !PINNED.test(u.uses))
        .map((u) => ({ line: u.line, message: `${u.where} uses ${u.uses}, not pinned to a commit SHA` }));
    },
  },
  {
    ids: ["excessive-permissions", "Token-Permissions"],
    summary: "Top-level permissions are read-only (or empty); writes are granted per job, never write-all",
    source: "zizmor excessive-permissions; OpenSSF Scorecard Token-Permissions",
    check: (src) => {
      const wf = src.documents[0]?.value ?? {};
      const out = [];
      if (wf.permissions === undefined) {
        out.push({ line: 1, message: "no top-level permissions: the token gets the repository default, which may be write" });
      } else if (!isReadOnly(wf.permissions)) {
        out.push({ line: src.line(0, ["permissions"]), message: "top-level permissions grant write; grant writes on the job that needs them" });
      }
      for (const [job, j] of Object.entries<any>(wf.jobs ?? {})) {
        if (j?.permissions === "write-all") {
          out.push({ line: src.line(0, ["jobs", job, "permissions"]), message: `job "${job}" has write-all permissions` });
        }
      }
      return out;
    },
  },
  {
    ids: ["artipacked"],
    summary: "actions/checkout runs with persist-credentials: false",
    source: "zizmor artipacked",
    check: (src) => steps(src)
      .filter((s) => typeof s.step.uses === "string" && s.step.uses.startsWith("actions/checkout@"))
      .filter((s) => s.step.with?.["persist-credentials"] !== false && s.step.with?.["persist-credentials"] !== "false")
      .map((s) => ({ line: stepLine(src, s, "uses"), message: `${stepName(s)} leaves the token in .git/config (set persist-credentials: false)` })),
  },
  {
    ids: ["template-injection"],
    summary: "No ${{ }} expansion inside run: (pass values through env:)",
    source: "zizmor template-injection",
    check: (src) => steps(src).filter((s) => typeof s.step.run === "string" && s.step.run.includes("${{"))
      .map((s) => ({ line: stepLine(src, s, "run"), message: `${stepName(s)} expands \${{ }} inside run:; pass the value through env:` })),
  },
  {
    ids: ["dangerous-triggers"],
    summary: "No pull_request_target or workflow_run triggers",
    source: "zizmor dangerous-triggers",
    check: (src) => {
      const on = src.documents[0]?.value?.on;
      const triggers = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
      return triggers.filter((t: string) => t === "pull_request_target" || t === "workflow_run")
        .map((t: string) => ({ line: src.line(0, ["on", t]), message: `triggered by ${t}, which runs with secrets on untrusted input` }));
    },
  },
];
