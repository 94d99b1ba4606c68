/**
 * The one order of generated output: strings by UTF-16 code units, as `Array.prototype.sort()`
 * orders them. `localeCompare` would follow the machine's locale (under lt_LT, "y" sorts before
 * "j"), and the same `.projenrc.ts` would give other bytes on another machine.
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
