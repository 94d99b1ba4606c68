import { isIP } from "node:net";
import * as v from "valibot";
import { shown } from "./check-options";

/**
 * The allow-list grammars of option values, as schemas: each refuses with what is wrong and how
 * to write it instead. A value that passes is safe to place verbatim in a Dockerfile, a TOML or
 * YAML file and a shell line (no whitespace, quotes or `$` in any of them).
 */

type Message = (input: unknown) => string;

/** A string that matches `pattern` entirely; `problem` describes a value that does not. */
export function grammar(pattern: RegExp, problem: Message) {
  return v.pipe(v.string(), v.regex(pattern, (issue) => problem(issue.input)));
}

/** One of a TypeScript enum's values; the message lists them as the user writes them (`Linkage.STATIC`). */
export function enumOf<E extends Record<string, string>>(values: E, name: string) {
  const members = Object.keys(values).map((k) => `${name}.${k}`);
  const use = `use ${members.slice(0, -1).join(", ")}${members.length > 1 ? " or " : ""}${members.at(-1)}`;
  return v.enum(values, (issue) => issue.input === undefined
    // `Linkage.STATC` is undefined in JavaScript: a given option whose value is undefined is most likely a misspelled member.
    ? `is undefined (a misspelled ${name} member reads as undefined); ${use}, or leave the option out for its default`
    : `${shown(issue.input)} is not a ${name}; ${use}`);
}

/**
 * An optional enum option: absent means the default, but a key given the value undefined is refused,
 * because that is what a misspelled member (`Linkage.STATC`) evaluates to.
 */
export function optionalEnum<E extends Record<string, string>>(values: E, name: string) {
  return v.exactOptional(enumOf(values, name));
}

/** An SPDX license identifier or expression as cargo-deny reads them (`MIT`, `Apache-2.0 WITH LLVM-exception`). */
export const spdxLicense = grammar(/^[A-Za-z0-9][A-Za-z0-9.+-]*( WITH [A-Za-z0-9][A-Za-z0-9.+-]*)?$/,
  (input) => `${shown(input)} is not an SPDX license identifier; use e.g. "MIT" or "Apache-2.0 WITH LLVM-exception"`);

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number, why: string) {
  const problem = (input: unknown) => `${shown(input)} is not a whole number from ${min} to ${max}${why}`;
  return v.pipe(v.number(), v.integer((i) => problem(i.input)), v.minValue(min, (i) => problem(i.input)), v.maxValue(max, (i) => problem(i.input)));
}

/** RFC 1123 label, as Kubernetes checks object names and namespaces. */
export const RFC1123_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes name (RFC 1123 label): `what` says where it is used. */
export function kubernetesName(fix: string) {
  return grammar(RFC1123_LABEL, (input) => `${shown(input)} is not a valid Kubernetes name (RFC 1123 label: at most 63 lower-case letters, ` +
    `digits and '-', starting and ending with a letter or digit); ${fix}`);
}

/** IANA service name (RFC 6335 §5.1), as Kubernetes checks container port names. */
export const portName = grammar(/^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/, (input) =>
  `${shown(input)} is not a valid IANA service name (at most 15 lower-case letters, digits and single '-', with at least one letter); ` +
  "rename the port, e.g. \"grpc\" or \"metrics\"");

/** A folder inside the repository: relative, POSIX, no `.`/`..`/empty segments, no hidden folders, no spaces or quotes. */
export const repoPath = grammar(/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/, (input) =>
  `${shown(input)} must be a relative folder inside the repository, without '.', '..' or empty segments; ` +
  "write it like \"containers/proxy\" (letters, digits, '.', '_' and '-' in each segment)");

/** The Go module's folder: a folder inside the repository, or "." for the repository root (go.mod beside .projenrc.ts). */
export const goModuleFolder = grammar(/^(\.|[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*)$/, (input) =>
  `${shown(input)} must be "." (the repository root) or a relative folder inside the repository, without '.', '..' or empty segments; ` +
  "write it like \"tools\" (letters, digits, '.', '_' and '-' in each segment)");

/** A file inside the repository (hidden names allowed, `.projen/tasks.json`), as `adoptFiles` lists them. */
export const repoFile = grammar(/^(?!\.\.?(\/|$))(?!.*\/\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, (input) =>
  `${shown(input)} is not a file path relative to the repository root; write it like "proxy/Dockerfile", without '.' or '..' segments`);

/** An absolute directory path below `/`, no `..`, no spaces or quotes. */
export const absolutePath = grammar(/^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/, (input) =>
  `${shown(input)} must be an absolute directory path below / without '..' or a trailing '/'; ` +
  "write it like \"/var/cache/app\" (letters, digits, '.', '_' and '-' in each segment)");

/** A file name: what `--bin`, `COPY` and `ENTRYPOINT` take verbatim. */
export const fileName = grammar(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, (input) =>
  `${shown(input)} is not a file name; use letters, digits, '-', '_' and '.' only`);

/** An environment variable name, as POSIX shells and Kubernetes accept it. */
export const envName = grammar(/^[A-Za-z_][A-Za-z0-9_]*$/, (input) =>
  `${shown(input)} is not a valid environment variable name; use letters, digits and '_', not starting with a digit`);

/** A Kubernetes CPU quantity. */
export const cpuQuantity = grammar(/^(\d+(\.\d+)?|\d+m)$/, (input) =>
  `${shown(input)} is not a CPU quantity; write cores ("1", "0.5") or millicores ("250m")`);

/** A Kubernetes memory quantity. */
export const memoryQuantity = grammar(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, (input) =>
  `${shown(input)} is not a memory quantity; write e.g. "128Mi" or "1Gi"`);

const QUANTITY_SUFFIX: Readonly<Record<string, number>> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * The amount a quantity that passed `cpuQuantity` or `memoryQuantity` stands for (cores or bytes),
 * to compare two of them: the grammars above already refused anything else.
 */
export function quantityValue(quantity: string): number {
  const [, number, suffix] = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity) ?? [];
  const scale = QUANTITY_SUFFIX[suffix ?? "?"];
  if (number === undefined || scale === undefined) throw new Error(`${quantity} is not a quantity the grammars accept`);
  return Number(number) * scale;
}

/** An IPv4 or IPv6 CIDR block, as a NetworkPolicy's `ipBlock` takes it. */
export const cidrBlock = v.pipe(v.string(), v.check((s) => {
  const [address, prefix, ...rest] = s.split("/");
  const family = isIP(address ?? "");
  return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(prefix ?? "") && Number(prefix) <= (family === 4 ? 32 : 128);
}, (issue) => `${shown(issue.input)} is not a CIDR block; write an address and a prefix length, e.g. "10.20.0.0/16" or "fd00::/64"`));

/** An HTTP path for a probe. */
export const httpPath = grammar(/^\/[A-Za-z0-9._~\/-]*$/, (input) =>
  `${shown(input)} is not an HTTP path; start with '/' and use letters, digits, '/', '.', '_', '~' and '-', e.g. "/healthz"`);

/** A Cargo package name, as cargo accepts it (and safe on a `cargo build --package` line). */
export const cargoPackageName = grammar(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, (input) =>
  `${shown(input)} is not a Cargo package name; use at most 64 letters, digits, '-' and '_', starting with a letter`);

/** Go linker flags: words of flag characters only, so the value can sit inside the RUN line's double quotes. */
export const goLinkerFlags = grammar(/^[A-Za-z0-9 ._=\/:+-]*$/, (input) =>
  `${shown(input)} holds characters that would need shell quoting; use letters, digits, spaces and . _ = / : + - only ` +
  "(e.g. \"-X main.version=1.2.3\")");

/** A release version `X.Y.Z[-pre]`, the image tag `v<version>`. */
export const releaseVersion = v.pipe(
  grammar(/^\d+\.\d+\.\d+(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?$/, (input) =>
    `${shown(input)} is not a release version (X.Y.Z, optionally -pre.release); images are tagged v<version>, so use e.g. "1.2.3"`),
  // The policy (PRISM-K002) reads a tag ending in "debug" as the debug image.
  v.check((s) => !/[.-]debug$/i.test(s), (issue) => `${shown(issue.input)} ends in "debug", which reads as the debug image's tag; use another pre-release name`),
);

/** A toolchain version `X.Y` or `X.Y.Z`. */
export const toolchainVersion = grammar(/^\d+\.\d+(\.\d+)?$/, (input) => `${shown(input)} is not a toolchain version; use X.Y.Z, e.g. "1.95.0"`);

/** An image repository prefix: a registry host (optional port) and path, lower case, as OCI distribution allows. */
export const imageRepositoryPrefix = grammar(/^[a-z0-9]+([.-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/, (input) =>
  `${shown(input)} is not an image repository prefix (lower-case host and path, no tag, no trailing '/'); use e.g. "ghcr.io/prism"`);

/** A Go module path. */
export const goModulePath = grammar(/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, (input) =>
  `${shown(input)} is not a Go module path; use e.g. "example.com/prism/tools"`);

/** A git branch name (a safe subset of what git accepts). */
export const branchName = grammar(/^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9_][A-Za-z0-9._\/-]*$/, (input) =>
  `${shown(input)} is not a branch name; use letters, digits, '.', '_', '-' and '/', e.g. "main"`);

/** A Cargo feature name. */
export const cargoFeature = grammar(/^[A-Za-z0-9_][A-Za-z0-9_+-]*$/, (input) =>
  `${shown(input)} is not a Cargo feature name; use letters, digits, '_', '-' and '+', e.g. "json"`);

/** Non-empty free text without line breaks or control characters (a reason, a description). */
export function oneLine(what: string) {
  return grammar(/^[^\u0000-\u001f\u007f]+$/, (input) => `${shown(input)} is not ${what} on one line; write it without line breaks or control characters`);
}
