// The environment variables through which bin/prism-projen-synth.cjs steers a synthesis.
// Internal: the runner's flags (`--check`, `--force`) are the interface users see.

/**
 * Synthesis writes here instead of `outdir` when set (the drift check's
 * temporary folder); inputs such as the base-image lock are still read from `outdir`.
 */
export const SYNTH_DIR_ENV = "PRISM_PROJEN_SYNTH_DIR";
/** Set to 1 (by `prism-projen-synth --force`): synthesis overwrites generated paths even where it did not write their bytes. */
export const FORCE_ENV = "PRISM_PROJEN_FORCE";
/** Set (by `prism-projen-synth --check`) for the drift check: after synthesizing, compare with `outdir` and report. */
export const CHECK_ENV = "PRISM_PROJEN_CHECK";
/**
 * Set (by `prism-projen-synth --explain`) to a JSON request `{ "file": ..., "line"?: n, "json"?: true }`:
 * synthesis writes nothing and prints why each line of that file is what it is.
 */
export const EXPLAIN_ENV = "PRISM_PROJEN_EXPLAIN";
/**
 * Set by the project on its `policy` task: the command (a JSON argv) that explains a generated file
 * (`prism-projen-synth .projenrc.ts --explain`), so the policy can say why a finding's line is there.
 */
export const EXPLAIN_COMMAND_ENV = "PRISM_PROJEN_EXPLAIN_COMMAND";
