import { DebianRelease, Linkage, RUST_TARGET_FILE, RuntimeBase, type ComponentModel, type GoBuild, type RustBuild } from "../component/model";
import type { ProjectModel } from "../project-model";
import type { CacheMount, DockerfileModel, Instruction, Stage } from "./dockerfile-model";

/**
 * Decides what each stage of a component's Dockerfile holds: the pinned
 * builder, the cached dependency build, and the two runtime targets. Every
 * line of a generated Dockerfile comes from here (the syntax from `render.ts`).
 */

/** WORKDIR of the build stage; the repository root is copied below it. */
export const BUILD_WORKDIR = "/workspace";
/** Where the build stage puts the finished binary for the runtime stages to copy. */
export const STAGING_DIR = "/out";
/** Name of the build stage. */
export const BUILD_STAGE = "build";
/** The image targets every Dockerfile offers, in file order (the last is `docker build`'s default). */
export const TARGETS = { debug: "debug", production: "production" } as const;

const SUITES: Record<DebianRelease, string> = {
  [DebianRelease.BOOKWORM]: "bookworm",
  [DebianRelease.TRIXIE]: "trixie",
};

/** The Debian suite name (`trixie`) of a distroless generation (`debian13`). */
export function debianSuite(release: DebianRelease): string {
  return SUITES[release];
}

/** `ref@digest` when the base-image lock pins `ref`, else `ref`. */
function pin(ref: string, project: ProjectModel): string {
  const digest = project.baseImageDigests[ref];
  return digest ? `${ref}@${digest}` : ref;
}

/** The builder image of a language, with its version written out (the key of the base-image lock). */
export function builderImage(kind: "rust" | "go", project: ProjectModel, version = kind === "rust" ? project.rustVersion : project.goVersion): string {
  const suite = debianSuite(project.debian);
  return kind === "rust" ? `docker.io/library/rust:${version}-slim-${suite}` : `docker.io/library/golang:${version}-${suite}`;
}

/** The builder FROM: the version from the ARG, and the lock's digest for the default version. */
function builderFrom(kind: "rust" | "go", project: ProjectModel): string {
  const arg = kind === "rust" ? "${RUST_VERSION}" : "${GO_VERSION}";
  const digest = project.baseImageDigests[builderImage(kind, project)];
  return builderImage(kind, project, arg) + (digest ? `@${digest}` : "");
}

/** The runtime base image of a target. */
export function runtimeImage(component: ComponentModel, project: ProjectModel, target: keyof typeof TARGETS): string {
  if (component.runtime === RuntimeBase.SCRATCH && target === "production") {
    return "scratch";
  }
  // scratch has no debug flavour: its debug target is distroless static, the same libc-free world plus busybox.
  const flavour = component.linkage === Linkage.GLIBC ? "cc" : "static";
  const tag = target === "production" ? "nonroot" : "debug-nonroot";
  return `gcr.io/distroless/${flavour}-${project.debian}:${tag}`;
}

/** The full Dockerfile model of a component. */
export function planImage(
  component: ComponentModel,
  project: ProjectModel,
  context: {
    /** Top-level folders holding the workspace's members (`containers`, `proxy`), sorted. */
    readonly rustMemberRoots: readonly string[];
    readonly marker: string;
  },
): DockerfileModel {
  const build = component.build.kind === "rust"
    ? rustBuildStages(component, component.build, project, context.rustMemberRoots)
    : goBuildStage(component.build, project);
  return {
    syntax: "docker/dockerfile:1",
    header: [context.marker],
    globalArgs: [build.arg],
    stages: [
      ...build.stages,
      runtimeStage(component, project, "debug",
        "Debug image: distroless debug-nonroot, busybox shell at /busybox/sh. Never deploy it to production."),
      runtimeStage(component, project, "production",
        "Production image: no shell, no package manager. Last stage, so a plain `docker build` builds it."),
    ],
  };
}

/** The distinct top-level folders of the Rust components' paths (the workspace members), sorted. */
export function workspaceMemberRoots(components: readonly ComponentModel[]): string[] {
  return [...new Set(components.filter((c) => c.build.kind === "rust").map((c) => c.path.split("/")[0]))].sort();
}

/**
 * cargo-auditable, installed in the builder: `cargo auditable build` embeds the resolved crate list in
 * the binary (a `.dep-v0` section), so trivy and syft see the component's own dependencies in the image.
 * Bump it here (a new release of the tool changes every Rust Dockerfile).
 * @see https://github.com/rust-secure-code/cargo-auditable
 */
export const CARGO_AUDITABLE_VERSION = "0.7.5";

/**
 * The image platforms' Rust targets and the Debian cross toolchains that link them, by Docker's
 * TARGETARCH. The build stage runs on the build machine's platform and cross-compiles: no emulation.
 */
export const RUST_ARCHES = {
  amd64: { arch: "x86_64", linker: "x86_64-linux-gnu-gcc", cross: ["gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross"] },
  arm64: { arch: "aarch64", linker: "aarch64-linux-gnu-gcc", cross: ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"] },
} as const;

/**
 * The build-stage command that selects the target from TARGETARCH: the cross linker installed when
 * the build machine's arch differs, the Rust target added, cargo configured to build for it (so
 * every build names its target, which +crt-static needs), and the triple written for the install step.
 */
function selectRustTarget(libc: "gnu" | "musl"): string[] {
  const arms = Object.entries(RUST_ARCHES).map(([docker, a]) =>
    `${docker}) triple=${a.arch}-unknown-linux-${libc} linker=${a.linker} cross="${a.cross.join(" ")}" ;;`);
  return [
    `case "\${TARGETARCH}" in ${arms.join(" ")} *) echo "no Rust target for TARGETARCH=\${TARGETARCH}" >&2; exit 1 ;; esac`,
    "if [ \"${TARGETARCH}\" != \"${BUILDARCH}\" ]; then apt-get update && apt-get install -y --no-install-recommends ${cross} && rm -rf /var/lib/apt/lists/*; fi",
    "rustup target add \"${triple}\"",
    "printf '[build]\\ntarget = \"%s\"\\n\\n[target.%s]\\nlinker = \"%s\"\\n' \"${triple}\" \"${triple}\" \"${linker}\" >> \"${CARGO_HOME}/config.toml\"",
    `echo "\${triple}" > ${RUST_TARGET_FILE}`,
  ];
}

/** Name of the stage that extracts the dependency graph (manifests, Cargo.lock, stub mains) from the sources. */
export const PLAN_STAGE = "plan";
/** Where the plan stage puts the graph. */
const PLAN_DIR = "/plan";

function rustBuildStages(component: ComponentModel, build: RustBuild, project: ProjectModel, roots: readonly string[]) {
  const binary = component.binary;
  const auditable = build.unauditableBecause === undefined;
  const cargoBuild = [auditable ? "cargo auditable build --release --locked" : "cargo build --release --locked", `--package ${build.packageName}`, `--bin ${binary}`].join(" ");
  const registry: CacheMount[] = [
    { id: "cargo-registry", target: "/usr/local/cargo/registry" },
    { id: "cargo-git", target: "/usr/local/cargo/git" },
  ];
  const sources: Instruction[] = [
    { op: "COPY", sources: ["Cargo.toml", "Cargo.lock"], dest: "./" },
    // Every member (cargo refuses to load a workspace with one missing), by top-level folder, so a
    // Dockerfile has one COPY per folder, not one per member, however many members there are.
    ...roots.map((top): Instruction => ({ op: "COPY", sources: [`${top}/`], dest: `${top}/` })),
  ];
  const plan: Stage = {
    name: PLAN_STAGE,
    platform: "$BUILDPLATFORM",
    comment: "The dependency graph alone: every manifest, Cargo.lock, and an empty main.rs per member (cargo-chef's recipe).\n" +
      "The build stage copies it and compiles the dependencies in a layer of their own, which a source edit leaves as it is.",
    from: builderFrom("rust", project),
    instructions: [
      { op: "WORKDIR", path: BUILD_WORKDIR },
      ...sources,
      {
        op: "RUN",
        mounts: [],
        commands: [
          `for manifest in $(find . -name Cargo.toml -not -path './target/*'); do member="$(dirname "\${manifest}")"; ` +
            `mkdir -p "${PLAN_DIR}/\${member}/src"; cp "\${manifest}" "${PLAN_DIR}/\${manifest}"; printf 'fn main() {}\\n' > "${PLAN_DIR}/\${member}/src/main.rs"; done`,
          `cp Cargo.lock ${PLAN_DIR}/`,
        ],
      },
    ],
  };
  const instructions: Instruction[] = [];
  if (auditable) {
    // Its own layer, before any source is copied and before the platform ARGs (which enter every later RUN's
    // environment): built once per builder, whatever the platforms, and again only when the version changes.
    instructions.push({
      op: "RUN",
      mounts: [registry[0]],
      commands: [`cargo install cargo-auditable --version ${CARGO_AUDITABLE_VERSION} --locked`],
    });
  }
  instructions.push(
    { op: "ARG", name: "BUILDARCH" },
    { op: "ARG", name: "TARGETARCH" },
    { op: "RUN", mounts: [], commands: selectRustTarget(build.libc) },
    { op: "WORKDIR", path: BUILD_WORKDIR },
  );
  if (build.rustflags) {
    instructions.push({ op: "ENV", vars: [["RUSTFLAGS", build.rustflags]] });
  }
  instructions.push(
    // The dependencies, compiled from the graph alone into the image's own target/ (a layer, which CI's
    // layer cache keeps; cache mounts it does not): reused until a manifest or Cargo.lock changes.
    { op: "COPY", from: PLAN_STAGE, sources: [`${PLAN_DIR}/`], dest: "./" },
    { op: "RUN", mounts: registry, commands: [cargoBuild] },
    ...sources,
    {
      op: "RUN",
      mounts: registry,
      // touch: the real main.rs may be older than the stub cargo just built; only this member compiles again.
      commands: [`touch ${component.path}/src/main.rs`, cargoBuild, `install -D -m 0555 "${build.artifactPath}" ${STAGING_DIR}/${binary}`],
    },
  );
  return {
    arg: { name: "RUST_VERSION", defaultValue: project.rustVersion },
    stages: [plan, {
      name: BUILD_STAGE,
      platform: "$BUILDPLATFORM",
      comment: `Builder pinned by RUST_VERSION, on the same Debian (${debianSuite(project.debian)}) as the runtime so glibc matches;` +
        " it runs on the build machine and cross-compiles for TARGETARCH." +
        (auditable ? "" : `\nBuilt without cargo auditable (allowUnauditableBinary): ${build.unauditableBecause}`),
      from: builderFrom("rust", project),
      instructions,
    } satisfies Stage],
  };
}

function goBuildStage(build: GoBuild, project: ProjectModel) {
  const mounts = [
    { id: "go-mod", target: "/go/pkg/mod" },
    { id: "go-build", target: "/root/.cache/go-build" },
  ];
  return {
    arg: { name: "GO_VERSION", defaultValue: project.goVersion },
    stages: [{
      name: BUILD_STAGE,
      comment: "Builder pinned by GO_VERSION; CGO off, so the binary is static. It runs on the build machine and cross-compiles for TARGETOS/TARGETARCH.",
      from: builderFrom("go", project),
      platform: "$BUILDPLATFORM",
      instructions: [
        { op: "ARG", name: "TARGETOS" },
        { op: "ARG", name: "TARGETARCH" },
        { op: "WORKDIR", path: `${BUILD_WORKDIR}/${build.moduleDir}` },
        { op: "ENV", vars: [["CGO_ENABLED", "0"]] },
        // go.mod (and go.sum, once there are dependencies) first: the download layer survives source edits.
        { op: "COPY", sources: [`${build.moduleDir}/go.*`], dest: "./" },
        { op: "RUN", mounts: [mounts[0]], commands: ["go mod download"] },
        { op: "COPY", sources: [`${build.moduleDir}/`], dest: "./" },
        {
          op: "RUN",
          mounts,
          commands: [[
            "GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath",
            ...(build.tags.length > 0 ? [`-tags ${build.tags.join(",")}`] : []),
            `-ldflags="${build.ldflags}"`,
            `-o ${build.artifactPath} ${build.packagePath}`,
          ].join(" ")],
        },
      ],
    } satisfies Stage],
  };
}

function runtimeStage(
  component: ComponentModel,
  project: ProjectModel,
  target: keyof typeof TARGETS,
  comment: string,
): Stage {
  const instructions: Instruction[] = [
    {
      op: "LABEL",
      labels: [
        ["org.opencontainers.image.title", component.name],
        ["org.opencontainers.image.description", component.description],
        ["org.opencontainers.image.version", project.version],
      ],
    },
  ];
  if (component.runtime === RuntimeBase.SCRATCH && target === "production") {
    // scratch has no trust store; the builder's (Debian ca-certificates) goes where distroless keeps it.
    instructions.push({
      op: "COPY",
      from: BUILD_STAGE,
      chown: "0:0",
      chmod: "0444",
      sources: ["/etc/ssl/certs/ca-certificates.crt"],
      dest: "/etc/ssl/certs/ca-certificates.crt",
    });
  }
  instructions.push(
    // Owned by root and not writable: the non-root process cannot replace its own binary.
    {
      op: "COPY",
      from: BUILD_STAGE,
      chown: "0:0",
      chmod: "0555",
      sources: [`${STAGING_DIR}/${component.binary}`],
      dest: component.installPath,
    },
    // Numeric, so Kubernetes' runAsNonRoot can verify it without an /etc/passwd lookup.
    { op: "USER", user: `${component.user.uid}:${component.user.gid}` },
  );
  if (component.ports.length > 0) {
    instructions.push({ op: "EXPOSE", ports: component.ports.map((p) => `${p.port}/${p.protocol.toLowerCase()}`) });
  }
  instructions.push({ op: "ENTRYPOINT", argv: [component.installPath] });
  return {
    name: TARGETS[target],
    comment,
    from: pin(runtimeImage(component, project, target), project),
    instructions,
  };
}
