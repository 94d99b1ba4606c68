/**
 * A refusal: the input is wrong and nothing was written. The runner prints its message
 * and exits 1, without a stack (the stack would point into prism-projen, not at the mistake);
 * any other error is a crash and keeps its stack.
 */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refusal";
    // A brand, not instanceof: bin/prism-projen-synth.cjs recognizes it without loading this module.
    Object.defineProperty(this, REFUSAL_BRAND, { value: true });
  }
}

/** The brand bin/prism-projen-synth.cjs looks for (`Symbol.for`, so two copies of the library agree). */
export const REFUSAL_BRAND = Symbol.for("prism-projen.refusal");

/** Whether `e` is a refusal. */
export function isRefusal(e: unknown): e is Refusal {
  return e !== null && typeof e === "object" && REFUSAL_BRAND in e;
}

/** The one format of every refusal: what was refused, then each problem on its own line. */
export function refusal(problems: readonly string[], fixWhere = "fix these in .projenrc.ts"): Refusal {
  return new Refusal(`prism-projen: nothing was written; ${fixWhere}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
