/**
 * Types of the policy: rules, their findings, and recorded exceptions.
 */

/** The kind of generated file a rule reads. */
export type FileKind = "dockerfile" | "kubernetes" | "workflow" | "cargo";

/** One rule violation, located in a file. */
export interface Finding {
  /** The rule's ids, primary first (e.g. `["DL3002", "DS-0002"]`). */
  readonly ruleIds: readonly string[];
  /** Path relative to the repository root. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
}

/** A rule: ids from the tool it follows (hadolint DL, trivy DS/KSV, PSS control, zizmor audit), and a check. */
export interface Rule<Parsed> {
  readonly ids: readonly string[];
  /** One line: what the rule requires. */
  readonly summary: string;
  /** Where the rule comes from. */
  readonly source: string;
  /** Findings in the file read, or in the file a finding names (a workspace member, for a rule over the Cargo graph). */
  readonly check: (parsed: Parsed) => readonly (Omit<Finding, "ruleIds" | "file"> & { readonly file?: string })[];
}

/** A rule that does not hold for a stated reason, listed in the report instead of silently skipped. */
export interface PolicyException {
  /** Any of the rule's ids. */
  readonly ruleId: string;
  readonly reason: string;
}

/** What one policy run found. */
export interface PolicyReport {
  readonly findings: readonly Finding[];
  /** Exceptions in force, each with the number of findings it suppressed. */
  readonly exceptions: readonly (PolicyException & { readonly suppressed: number })[];
  /** Files read, by kind. */
  readonly files: Readonly<Record<FileKind, readonly string[]>>;
}
