import { because, fixed, from, projectOptions, type Because } from "../explain/trace";
import { inGoModule } from "../model/go-module";

/**
 * Renders `.github/dependabot.yml`: weekly updates of the Cargo and Go dependencies, the npm
 * packages (prism-projen itself among them), and the base-image digests (through the base-image
 * lock, a Dockerfile of pinned FROM lines). Not `github-actions`: the workflow is generated, and its
 * action pins come with prism-projen (`src/github/actions.ts`), so a Dependabot edit of it would be
 * a hand edit that the next synthesis refuses and the drift job fails; the pins move with an
 * upgrade of prism-projen, which the npm updates propose.
 *
 * @see https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference
 */
export interface DependabotInputs {
  /** Folder of the Go module, when there are Go components. */
  readonly goModuleDir?: string;
  /** Whether there is a Cargo workspace. */
  readonly cargo: boolean;
  /** Folder of the base-image lock, when there is one. */
  readonly baseImageLockDir?: string;
}

/** One `updates` entry of `dependabot.yml`. */
export interface DependabotUpdate {
  readonly "package-ecosystem": "npm" | "cargo" | "gomod" | "docker";
  readonly "directory": string;
  readonly "schedule": { readonly interval: "daily" | "weekly" | "monthly" };
  readonly "cooldown"?: { readonly "default-days": number };
  readonly "open-pull-requests-limit"?: number;
}

/** `.github/dependabot.yml`, version 2. */
export interface DependabotConfig {
  readonly version: 2;
  readonly updates: readonly DependabotUpdate[];
}

const RENDERER = "src/github/dependabot.ts";

export function renderDependabot(inputs: DependabotInputs): DependabotConfig {
  const weekly = (ecosystem: DependabotUpdate["package-ecosystem"], directory: string, why: Because, where?: Because): DependabotUpdate => because({
    "package-ecosystem": ecosystem,
    "directory": directory,
    "schedule": { interval: "weekly" },
    // A new release waits a week before it is proposed: time for a compromised version to be found and pulled.
    "cooldown": { "default-days": 7 },
    "open-pull-requests-limit": 10,
  }, why, {
    ...(where ? { directory: where } : {}),
    "schedule": fixed("updates are proposed weekly; not configurable", RENDERER),
    "cooldown": fixed("a new release waits a week before it is proposed: time for a compromised version to be found and pulled; not configurable", RENDERER),
    "open-pull-requests-limit": fixed("at most 10 open update pull requests per ecosystem; not configurable", RENDERER),
  });
  return because({
    version: 2,
    updates: [
      weekly("npm", "/", fixed("npm packages, prism-projen among them (its upgrades bring new action pins for the generated workflow)", RENDERER)),
      ...(inputs.cargo ? [weekly("cargo", "/", fixed("the Cargo workspace's dependencies: the project has Rust components", RENDERER))] : []),
      ...(inputs.goModuleDir
        ? [weekly("gomod", inGoModule("/", inputs.goModuleDir), fixed("the Go module's dependencies: the project has Go components", RENDERER), from(projectOptions("goModuleDir"), { renderer: RENDERER }))]
        : []),
      ...(inputs.baseImageLockDir ? [weekly("docker", `/${inputs.baseImageLockDir}`, fixed("the base-image digests pinned in the base-image lock", RENDERER))] : []),
    ],
  }, fixed("Dependabot's configuration, version 2; no github-actions updates: the workflow is generated, its pins come with prism-projen", RENDERER));
}
