/**
 * The resolved intent of one container component: every default applied, every
 * derived value (artifact path, runtime base) computed once. Renderers read only
 * this model and the project's `ProjectModel`, so what a component *is* lives in
 * one place and every generated file agrees with it.
 *
 * This file holds types and constants only, no logic.
 */

import type { DependencyEntry } from "./cargo-dependencies";
import type { HealthSpec, ImageUser, ResourceSpec } from "./option-specs";

/** How the component's binary is linked. */
export enum Linkage {
  /** Dynamically linked against glibc: needs distroless `cc`. */
  GLIBC = "glibc",
  /** Fully static (Rust `+crt-static`, Go `CGO_ENABLED=0`): runs on distroless `static` or `scratch`. */
  STATIC = "static",
}

/** The family of the runtime stage's base image. */
export enum RuntimeBase {
  /** Google distroless: `cc` for glibc-linked binaries, `static` for static ones. */
  DISTROLESS = "distroless",
  /** An empty image: only for static binaries that bring their own CA roots. */
  SCRATCH = "scratch",
}

/** How the component runs on Kubernetes. */
export enum WorkloadKind {
  /** A long-running Deployment (plus a Service when it has ports). */
  DEPLOYMENT = "deployment",
  /** A run-to-completion Job. */
  JOB = "job",
  /** Image only: no Kubernetes manifests. */
  NONE = "none",
}

/** The Debian generation of the distroless runtime and of the builder images. */
export enum DebianRelease {
  /** Debian 12: distroless `-debian12` images reached end of life in September 2026. */
  BOOKWORM = "debian12",
  /** Debian 13. */
  TRIXIE = "debian13",
}

/** The distroless `nonroot` user: UID and GID 65532. */
export const NONROOT: ImageUser = { uid: 65532, gid: 65532 };

/** The size limit of each writable path's `emptyDir` volume, in MiB; the pod's ephemeral-storage request must hold them all. */
export const WRITABLE_VOLUME_MI = 64;
export const WRITABLE_VOLUME_SIZE = `${WRITABLE_VOLUME_MI}Mi`;

/** Where a built binary is installed in the runtime image. */
export const INSTALL_DIR = "/usr/local/bin";

/** Where a Rust build stage writes the target triple of the platform it builds for. */
export const RUST_TARGET_FILE = "/usr/local/cargo/target-triple";

export type Language = "rust" | "go";

/** The fully resolved model of a component, consumed by every renderer. */
export interface ComponentModel {
  readonly name: string;
  readonly description: string;
  /** Folder of the component, relative to the repository root, no trailing slash. */
  readonly path: string;
  readonly language: Language;
  /** Name of the executable the build produces and the image runs. */
  readonly binary: string;
  readonly linkage: Linkage;
  readonly runtime: RuntimeBase;
  /** Sorted by number, then name. */
  readonly ports: readonly PortModel[];
  /** Environment variables, sorted by name. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly workload: WorkloadKind;
  readonly replicas: number;
  readonly resources: Required<ResourceSpec>;
  /** Destinations the workload may connect to besides DNS, in the order given. */
  readonly egress: readonly Egress[];
  /** The other components' ports this one connects to, in the order given. */
  readonly connectsTo: readonly Connection[];
  readonly health?: Required<HealthSpec>;
  /** Whether the process needs the IANA time zone database at run time. */
  readonly timezoneData: boolean;
  /** Paths mounted as writable `emptyDir` volumes; always includes `/tmp`. */
  readonly writablePaths: readonly string[];
  readonly user: ImageUser;
  /** Build recipe: where the build stage leaves the binary, relative to its WORKDIR. */
  readonly build: RustBuild | GoBuild;
  /** Absolute path of the binary in the runtime image; the ENTRYPOINT runs it. */
  readonly installPath: string;
  /** The options `.projenrc.ts` set (rather than left to their defaults), for the checks that depend on it. */
  readonly optionsGiven: readonly string[];
}

/** A named port of a component. */
export interface PortModel {
  readonly name: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP" | "SCTP";
  /** The sources the component itself allows; undefined: the default (the monitoring namespace for metrics, else none). */
  readonly allowFrom?: readonly Peer[];
}

/** A source of traffic to a port. */
export type Peer =
  | { readonly component: string }
  | { readonly namespace: string }
  | { readonly cidr: string }
  | { readonly anywhere: true };

/** A port of another component, by the component's name and the port's name. */
export interface Connection {
  readonly component: string;
  readonly port: string;
}

/** One allowed egress destination, resolved. */
export interface Egress {
  readonly destination: { readonly cidr: string } | { readonly namespace: string };
  /** Port numbers, sorted, each once. */
  readonly ports: readonly number[];
  readonly protocol: "TCP" | "UDP" | "SCTP";
}

/** How cargo builds a Rust component. */
export interface RustBuild {
  readonly kind: "rust";
  /** Cargo package name (the workspace member). */
  readonly packageName: string;
  /** The C library of the target triple (`<arch>-unknown-linux-<libc>`); the arch is the image's platform. */
  readonly libc: "gnu" | "musl";
  /** RUSTFLAGS the build uses. */
  readonly rustflags?: string;
  /** Path of the built binary relative to the workspace root. */
  readonly artifactPath: string;
  /** Whether the member depends on the workspace's reqwest. */
  readonly httpClient: boolean;
  /** Whether staticLibc was set (it means nothing without static linkage). */
  readonly staticLibcRequested: boolean;
  /** Why the binary is built without cargo auditable's embedded crate list; undefined: it is built with it. */
  readonly unauditableBecause?: string;
  /** The dependencies `.projenrc.ts` declares (dependencies, devDependencies, buildDependencies), by table. */
  readonly dependencies: readonly DependencyEntry[];
  /** The user's own dependency entries of the member's Cargo.toml (what `cargo add` wrote), kept as they are. */
  readonly keptDependencies: readonly DependencyEntry[];
  /** Folders of the crates the binary's build takes by path (shared libraries), followed through theirs; sorted. */
  readonly libraries: readonly string[];
  /** Folders of every crate the member takes by path, dev-dependencies included (cargo loads them all); sorted. */
  readonly pathDependencies: readonly string[];
}

/** How `go build` builds a Go component. */
export interface GoBuild {
  readonly kind: "go";
  /** Folder of the Go module (holding go.mod), relative to the repository root. */
  readonly moduleDir: string;
  /** Package path of the command, relative to the module (e.g. `./cmd/prism-cli`). */
  readonly packagePath: string;
  /** The `-ldflags` value. */
  readonly ldflags: string;
  /** Build tags (`-tags`), e.g. `timetzdata` to embed the zone database. */
  readonly tags: readonly string[];
  /** Output path of `go build -o`, absolute inside the build stage. */
  readonly artifactPath: string;
}

/**
 * A Rust library crate of the workspace, declared in `.projenrc.ts` (`RustLibrary`): a member that is no image.
 * Components take it by path, through `[workspace.dependencies]`; their images copy it.
 */
export interface RustLibraryModel {
  readonly name: string;
  readonly description: string;
  /** Folder of the crate, relative to the repository root, no trailing slash. */
  readonly path: string;
  readonly build: {
    readonly kind: "library";
    readonly packageName: string;
    /** A library has no HTTP client of its own (a dependency option of its own declares reqwest). */
    readonly httpClient: false;
    /** The dependencies `.projenrc.ts` declares, by table. */
    readonly dependencies: readonly DependencyEntry[];
    /** The user's own dependency entries of the crate's Cargo.toml, kept as they are. */
    readonly keptDependencies: readonly DependencyEntry[];
  };
}
