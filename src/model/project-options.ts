import * as v from "valibot";
import { CargoProfilePreset } from "./cargo-profile";
import { shown } from "./check-options";
import { DebianRelease } from "./component";
import {
  branchName, goModuleFolder, goModulePath, optionalEnum, spdxLicense, grammar, imageRepositoryPrefix, kubernetesName, oneLine, releaseVersion, repoFile, toolchainVersion,
} from "./grammars";
import { DEPENDENCIES_SPEC, IMAGE_USER } from "./option-specs";
import { REQWEST_OPTIONS } from "./reqwest";

// The options of ContainerMonorepo: their schema (checked before anything else), doc comments and defaults.

export const CONTAINER_MONOREPO_PROPS = v.strictObject({
  /** Project name: the Kubernetes `part-of` label and default namespace. */
  name: kubernetesName("rename the project (it is the part-of label and the default namespace)"),
  /**
   * Where synthesized files go. Tests must give a temporary folder.
   * @default "."
   */
  outdir: v.optional(v.string()),
  /**
   * Image repository prefix; images are `<imageRegistry>/<component>`.
   * @default - `ghcr.io/<name>`
   */
  imageRegistry: v.optional(imageRepositoryPrefix),
  /**
   * Release version; manifests run the `v<version>` image tag.
   * @default "0.1.0"
   */
  version: v.optional(releaseVersion),
  /**
   * Debian generation of the distroless runtime images and the builders.
   * @default DebianRelease.TRIXIE
   */
  debian: optionalEnum(DebianRelease, "DebianRelease"),
  /**
   * Rust toolchain of the builder image (`RUST_VERSION` in the Dockerfiles) and `rust-version` of the crates.
   * @default "1.95.0"
   */
  rustVersion: v.optional(toolchainVersion),
  /**
   * Rust edition of the crates.
   * @default "2024"
   */
  rustEdition: v.optional(v.picklist(["2021", "2024"], (issue) => `${shown(issue.input)} is not a Rust edition; use "2021" or "2024"`)),
  /**
   * Go toolchain of the builder image (`GO_VERSION` in the Dockerfiles).
   * @default "1.25.4"
   */
  goVersion: v.optional(toolchainVersion),
  /**
   * Folder of the Go module that holds the Go commands; "." for a module at the repository root
   * (`go.mod` beside `.projenrc.ts`).
   * @default "tools"
   */
  goModuleDir: v.optional(goModuleFolder),
  /**
   * Module path written to a new `go.mod`.
   * @default - `<name>/tools`
   */
  goModulePath: v.optional(goModulePath),
  /**
   * The workspace's `[profile.release]`.
   * @default CargoProfilePreset.SPEED
   */
  cargoProfile: optionalEnum(CargoProfilePreset, "CargoProfilePreset"),
  /**
   * The workspace's reqwest, always without default features and with rustls.
   * @default - reqwest 0.12 with rustls-tls, charset, http2, system-proxy
   */
  reqwest: v.optional(REQWEST_OPTIONS),
  /**
   * Shared crate versions, `[workspace.dependencies]`: a member inherits one with `{ workspace: true }`.
   * Entries added to the root Cargo.toml by hand are kept too; reqwest is the project's `reqwest`.
   * @default {}
   */
  workspaceDependencies: v.optional(DEPENDENCIES_SPEC),
  /**
   * SPDX license identifiers allowed in the Rust dependency graph: cargo-deny (deny.toml, the workflow's
   * cargo-deny job) fails on a crate under any other license.
   * @default - Apache-2.0, Apache-2.0 WITH LLVM-exception, BSD-2-Clause, BSD-3-Clause, CDLA-Permissive-2.0, ISC, MIT, Unicode-3.0, Unicode-DFS-2016, Zlib
   */
  allowedLicenses: v.optional(v.pipe(v.array(spdxLicense), v.minLength(1, "is empty; allow at least the licenses of the crates you use, e.g. [\"MIT\", \"Apache-2.0\"]"))),
  /**
   * The platforms every image is built for, as one manifest list: each build cross-compiles on the
   * build machine (Rust targets and Go's GOARCH from TARGETARCH), never under emulation.
   * @default ["linux/amd64", "linux/arm64"]
   */
  platforms: v.optional(v.pipe(
    v.array(v.picklist(["linux/amd64", "linux/arm64"], (issue) => `${shown(issue.input)} is not a platform the Dockerfiles build; use "linux/amd64" or "linux/arm64"`)),
    v.minLength(1, "is empty; give at least one platform, e.g. [\"linux/amd64\"]"),
  )),
  /**
   * Kubernetes namespace of the manifests.
   * @default - the project name
   */
  namespace: v.optional(kubernetesName("change namespace")),
  /**
   * Namespace of the metrics scrapers (e.g. Prometheus): the NetworkPolicies let it, and nothing else
   * outside the project's namespace, reach the ports named `metrics`.
   * @default "monitoring"
   */
  monitoringNamespace: v.optional(kubernetesName("change monitoringNamespace")),
  /**
   * Branch whose pushes tag images `latest` / `debug`.
   * @default "main"
   */
  defaultBranch: v.optional(branchName),
  /**
   * Numeric user and group of every image and pod: above 10000, so never root and never a user of the node.
   * @default - the distroless nonroot user, 65532:65532
   */
  imageUser: v.optional(IMAGE_USER),
  /**
   * Node.js version the workflow's synth job uses.
   * @default "20"
   */
  nodeVersion: v.optional(grammar(/^\d+(\.\d+){0,2}$/, (input) => `${shown(input)} is not a Node.js version; use e.g. "20"`)),
  /**
   * Allows base images without a digest, and says why. Without it, every
   * base image must be pinned by the base-image lock (`base-images/Dockerfile`)
   * or the policy reports PRISM-D001. The reason is recorded as a policy exception.
   * @default - unpinned base images are policy findings
   */
  allowUnpinnedBaseImages: v.optional(oneLine("the reason")),
  /**
   * The program and arguments that run `.projenrc.ts` (projen's default task, so `npx projen`
   * runs it; the drift task adds `--check`, `npx projen default --force` adds `--force`). Started
   * directly, as an argv. The default, `prism-projen-synth`, compiles `.projenrc.ts` with esbuild (kept
   * while its sources are unchanged) and synthesizes.
   * @default ["prism-projen-synth", ".projenrc.ts"]
   */
  synthCommand: v.optional(v.pipe(v.array(v.string()), v.minLength(1, "is empty; give the program and its arguments, e.g. [\"prism-projen-synth\", \".projenrc.ts\"]"))),
  /**
   * The command the `policy` task runs.
   * @default "prism-projen-policy"
   */
  policyCommand: v.optional(oneLine("a command")),
  /**
   * The command the `new-component` task runs.
   * @default "prism-projen-new-component"
   */
  newComponentCommand: v.optional(oneLine("a command")),
  /**
   * Generated paths that hold files of your own, which synthesis may take over with the bytes they hold
   * until it first writes them. Once it has, a hand edit of one stops the synth like any other (run
   * `npx projen default --force` once instead), which then writes nothing.
   * @default []
   */
  adoptFiles: v.optional(v.array(repoFile)),
});

/** Props of `ContainerMonorepo`. */
export type ContainerMonorepoProps = Readonly<v.InferInput<typeof CONTAINER_MONOREPO_PROPS>>;
