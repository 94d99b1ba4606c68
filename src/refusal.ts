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

/** How a component is named in a refusal: `[proxy]`, or quoted when its name would break the line (`["a\nb"]`). */
export function subject(name: string): string {
  return /^[\w.-]+$/.test(name) ? `[${name}]` : `[${JSON.stringify(name)}]`;
}

/** How the project is named in a refusal: `[project prism]`, quoted like a component name when it must be. */
export function projectSubject(name: unknown): string {
  if (typeof name !== "string") return "[project]";
  return `[project ${subject(name).slice(1, -1)}]`;
}

/** The one format of every refusal: what was refused, then each problem on its own line. */
export function refusal(problems: readonly string[], fixWhere = "fix these in .projenrc.ts"): Refusal {
  return new Refusal(`prism-projen: nothing was written; ${fixWhere}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
