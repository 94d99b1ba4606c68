/**
 * The subset of the GitHub Actions workflow schema the generated workflow
 * uses, with GitHub's own key spelling. Types only.
 *
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
 */

export type PermissionLevel = "read" | "write" | "none";

export interface Step {
  readonly "name": string;
  readonly "id"?: string;
  readonly "if"?: string;
  readonly "uses"?: string;
  readonly "with"?: Readonly<Record<string, string | number | boolean>>;
  readonly "env"?: Readonly<Record<string, string>>;
  readonly "run"?: string;
  readonly "shell"?: string;
}

export interface Job {
  readonly "name": string;
  readonly "runs-on": string;
  /** Required: every job states what its token may do. */
  readonly "permissions": Readonly<Record<string, PermissionLevel>>;
  readonly "needs"?: readonly string[];
  readonly "if"?: string;
  readonly "timeout-minutes": number;
  readonly "strategy"?: {
    readonly "fail-fast": boolean;
    /** The entries, or an expression that evaluates to them (`fromJSON` of a job output). */
    readonly "matrix": { readonly include: readonly Readonly<Record<string, string>>[] } | string;
  };
  readonly "outputs"?: Readonly<Record<string, string>>;
  readonly "env"?: Readonly<Record<string, string>>;
  readonly "steps": readonly Step[];
}

export interface Workflow {
  readonly "name": string;
  readonly "on": Readonly<Record<string, unknown>>;
  readonly "permissions": Readonly<Record<string, PermissionLevel>>;
  /** `cancel-in-progress`: a boolean, or an expression that evaluates to one. */
  readonly "concurrency": { readonly "group": string; readonly "cancel-in-progress": boolean | string };
  readonly "jobs": Readonly<Record<string, Job>>;
}
