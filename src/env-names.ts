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
