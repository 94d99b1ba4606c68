/**
 * What in `.projenrc.ts` decides each kind of generated file: the options a
 * reader changes to change the file. Shown by the drift check next to each
 * file that drifted. Keep in step with the README's table.
 */
const HINTS: readonly [RegExp, string][] = [
  [/(^|\/)Dockerfile$/, "options linkage, runtime, ports, binary, timezoneData; project debian, rustVersion, goVersion, imageUser; base-images/Dockerfile"],
  [/^Cargo\.toml$/, "the Rust components and library crates; project cargoProfile, reqwest, workspaceDependencies, version, rustVersion"],
  [/\/Cargo\.toml$/, "options packageName, binary, httpClient, dependencies; project version, rustEdition, rustVersion; the entries cargo add wrote"],
  [/^deploy\/(base\/kustomization|overlays\/[^/]+\/(kustomization|namespace))\.yaml$/, "project namespace, imageRegistry, version; the deployable components"],
  [/^deploy\//, "options workload, ports, env, replicas, resources, health, writablePaths, egress; project namespace, monitoringNamespace, imageRegistry, version, imageUser"],
  [/^\.github\/workflows\//, "the components; project imageRegistry, defaultBranch, nodeVersion; action pins in src/github/actions.ts"],
  [/^\.github\/dependabot\.yml$/, "the languages present; base-images/Dockerfile"],
  [/^policy-exceptions\.json$/, "project allowUnpinnedBaseImages; src/policy/exceptions.ts"],
];

/** `<construct> (<options>)` for a generated file. */
export function describeProducer(file: string, construct: string): string {
  const hint = HINTS.find(([pattern]) => pattern.test(file))?.[1] ?? "projen itself (ContainerMonorepo)";
  return `${construct} in .projenrc.ts; ${hint}`;
}
