import { distance } from "fastest-levenshtein";
import * as v from "valibot";
import { byCodeUnits } from "./order";

/**
 * Checks an options object against its schema at run time: `.projenrc.ts` runs without a
 * type check (the runner bundles it with esbuild), so a mistyped key or a value of the wrong
 * type would otherwise be dropped or crash deep inside a renderer. Every problem comes back
 * as `field: problem; fix`, the caller prefixes `[component]`.
 */

/** The options, parsed, or every problem with them. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Parses `input` with `schema`; `problems` name the field (`ports[0].port`) and say how to fix it. */
export function checkOptions<S extends v.GenericSchema>(schema: S, input: unknown): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true, message: typeMessage });
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, problems: result.issues.map((issue) => formatIssue(schema, issue)) };
}

/** Values as the user would write them in `.projenrc.ts`: strings quoted, newlines escaped. */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

function formatIssue(root: v.GenericSchema, issue: v.BaseIssue<unknown>): string {
  const items = issue.path ?? [];
  const field = fieldPath(items) || "(options)";
  const last = items.at(-1);
  if (last?.origin === "key" && issue.type === "strict_object" && issue.expected === "never") {
    return `${field}: ${unknownKey(String(last.key), knownKeys(root, items.slice(0, -1)))}`;
  }
  if (last?.origin === "key" && issue.type === "strict_object" && issue.received === "undefined") {
    return `${field}: is required and missing; give it a value`;
  }
  return `${field}: ${issue.message}`;
}

/** The message of a wrong type: what was expected, what came, what to write instead. */
function typeMessage(issue: v.BaseIssue<unknown>): string {
  const expected = EXPECTED[issue.type] ?? issue.expected ?? issue.type;
  return `expected ${expected}, got ${shown(issue.input)}; change it to ${expected}`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  array: "an array",
  strict_object: "an object",
  object: "an object",
  record: "an object",
  integer: "a whole number",
};

function unknownKey(key: string, known: readonly string[]): string {
  const closest = known
    .map((name) => ({ name, d: distance(key.toLowerCase(), name.toLowerCase()) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(c.name.length / 3)))
    .sort((a, b) => a.d - b.d || byCodeUnits(a.name, b.name))[0];
  return closest
    ? `unknown option; did you mean "${closest.name}"?`
    : `unknown option; remove it (the options here are: ${[...known].sort().join(", ") || "none"})`;
}

/** `ports[0].port`, `env.RUST_LOG`, `env["1BAD"]`. */
function fieldPath(items: readonly v.IssuePathItem[]): string {
  return items.map((item) => {
    const key = item.key as unknown;
    if (item.type === "array") return `[${String(key)}]`;
    return typeof key === "string" && /^[A-Za-z_]\w*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }).join("").replace(/^\./, "");
}

/** The keys of the object schema that `items` lead to, for a did-you-mean. */
function knownKeys(root: v.GenericSchema, items: readonly v.IssuePathItem[]): string[] {
  let schema: unknown = root;
  for (const item of items) schema = child(schema, item.key);
  const object = unwrap(schema) as { entries?: Record<string, unknown> } | undefined;
  return Object.keys(object?.entries ?? {});
}

function child(schema: unknown, key: unknown): unknown {
  const s = unwrap(schema) as { type?: string; entries?: Record<string, unknown>; item?: unknown; value?: unknown } | undefined;
  if (s?.entries && typeof key === "string") return s.entries[key];
  if (s?.type === "array") return s.item;
  if (s?.type === "record") return s.value;
  return undefined;
}

function unwrap(schema: unknown): unknown {
  let s = schema as { type?: string; wrapped?: unknown } | undefined;
  while (s && (s.type === "optional" || s.type === "exact_optional" || s.type === "nullish")) s = s.wrapped as typeof s;
  return s;
}
