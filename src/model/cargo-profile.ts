/**
 * The `[profile.release]` presets of the workspace.
 *
 * @see https://doc.rust-lang.org/cargo/reference/profiles.html
 */

/** The keys of `[profile.release]` that prism-projen sets. */
export interface CargoProfile {
  readonly strip: "none" | "debuginfo" | "symbols";
  readonly "opt-level": 0 | 1 | 2 | 3 | "s" | "z";
  readonly lto: boolean | "thin" | "fat" | "off";
  readonly "codegen-units": number;
  readonly panic: "unwind" | "abort";
}

/** A named choice between the two release profiles. */
export enum CargoProfilePreset {
  /**
   * Throughput first: `opt-level = 3`, fat LTO, one codegen unit, symbols
   * stripped, and unwinding kept so a panic still prints a backtrace.
   */
  SPEED = "speed",
  /**
   * Smallest binary: `opt-level = "z"`, fat LTO, one codegen unit, symbols
   * stripped, `panic = "abort"` (no unwinding tables; a panic kills the process).
   */
  SIZE = "size",
}

const PROFILES: Record<CargoProfilePreset, CargoProfile> = {
  [CargoProfilePreset.SPEED]: {
    "strip": "symbols",
    "opt-level": 3,
    "lto": "fat",
    "codegen-units": 1,
    "panic": "unwind",
  },
  [CargoProfilePreset.SIZE]: {
    "strip": "symbols",
    "opt-level": "z",
    "lto": "fat",
    "codegen-units": 1,
    "panic": "abort",
  },
};

/** The `[profile.release]` table of a preset. */
export function cargoProfile(preset: CargoProfilePreset): CargoProfile {
  return PROFILES[preset];
}
