import { DebianRelease, Linkage, RUST_TARGET_FILE, RuntimeBase, type ComponentModel, type GoBuild, type RustBuild } from "../model/component";
import type { ProjectModel } from "../model/project";
import { inGoModule } from "../model/go-module";
import type { CacheMount, DockerfileModel, Instruction, Stage } from "./dockerfile-model";
import { STUB_PATTERNS } from "./rust-workspace";
import { because, fixed, from, optionsOf, projectOptions, type Because } from "../explain/trace";

const RENDERER = "src/dockerfile/image-plan.ts";
/** Why a part of a Dockerfile is what it is (`npx projen explain`). */
const why = {
  of: (c: ComponentModel, options: string[], rule?: string): Because => from(optionsOf(c.name, ...options), { renderer: RENDERER, ...(rule ? { rule } : {}) }),
  project: (options: string[], rule?: string): Because => from(projectOptions(...options), { renderer: RENDERER, ...(rule ? { rule } : {}) }),
  rule: (rule: string): Because => fixed(rule, RENDERER),
};
const LOCK_RULE = "pinned by digest when base-images/Dockerfile lists the image";

/** Attaches a reason to each command line of a RUN (each is a line of the Dockerfile). */
function withCommandReasons(instruction: Instruction, reasons: Readonly<Record<number, Because>>): Instruction {
  if (instruction.op === "RUN") because(instruction.commands, undefined, Object.fromEntries(Object.entries(reasons)));
  return instruction;
}

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

/**
 * Why the builder FROM is what it is: the Debian release and, when the base-image lock pins that builder
 * on this Debian release at some version, the toolchain version too (the digest is that version's, if any).
 */
function builderFromReason(kind: "rust" | "go", project: ProjectModel): Because {
  const version = kind === "rust" ? "rustVersion" : "goVersion";
  // The builder on this Debian release at any version: "docker.io/library/rust:" and "-slim-trixie" around it.
  const [repository, suffix] = builderImage(kind, project, "").split(":");
  const pinned = Object.keys(project.baseImageDigests).some((ref) => ref.startsWith(`${repository}:`) && ref.endsWith(suffix));
  return why.project(["debian", ...(pinned ? [version] : [])],
    `the ${kind === "rust" ? "Rust" : "Go"} builder image at ${kind === "rust" ? "RUST_VERSION" : "GO_VERSION"} on the runtime's Debian; ${LOCK_RULE} (the digest of the ${version} image)`);
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
    /** The Rust components, by name and path: only for the trace (`npx projen explain`) of the folders copied. */
    readonly rustMembers?: readonly { readonly name: string; readonly path: string }[];
    readonly marker: string;
  },
): DockerfileModel {
  const build = component.build.kind === "rust"
    ? rustBuildStages(component, component.build, project, context.rustMemberRoots, context.rustMembers ?? [])
    : goBuildStage(component, component.build, project);
  return because({
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
  }, why.rule("the Dockerfile's layout (a blank line before each stage)"), {
    syntax: why.rule("the BuildKit frontend: cache mounts, COPY --chmod and FROM --platform need it; not configurable"),
    header: fixed("projen's marker: the file is generated; edit .projenrc.ts and run \"npx projen\" instead", "projen"),
    globalArgs: component.build.kind === "rust"
      ? why.project(["rustVersion"], "the builder's Rust toolchain, an ARG so a build can try another")
      : why.project(["goVersion"], "the builder's Go toolchain, an ARG so a build can try another"),
  });
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

function rustBuildStages(
  component: ComponentModel,
  build: RustBuild,
  project: ProjectModel,
  roots: readonly string[],
  members: readonly { readonly name: string; readonly path: string }[],
) {
  const binary = component.binary;
  const auditable = build.unauditableBecause === undefined;
  const cargoBuild = [auditable ? "cargo auditable build --release --locked" : "cargo build --release --locked", `--package ${build.packageName}`, `--bin ${binary}`].join(" ");
  const registry: CacheMount[] = [
    because({ id: "cargo-registry", target: "/usr/local/cargo/registry" }, why.rule("BuildKit cache of cargo's registry, kept between builds; not configurable")),
    because({ id: "cargo-git", target: "/usr/local/cargo/git" }, why.rule("BuildKit cache of cargo's git checkouts; not configurable")),
  ];
  const building = (rule: string) => why.of(component, ["packageName", "binary", "allowUnauditableBinary"], rule);
  const sources: Instruction[] = [
    because({ op: "COPY", sources: ["Cargo.toml", "Cargo.lock"], dest: "./" }, why.rule("the workspace manifest and lock; not configurable")),
    // Every member (cargo refuses to load a workspace with one missing), by top-level folder, so a
    // Dockerfile has one COPY per folder, not one per member, however many members there are.
    ...roots.map((top): Instruction => because({ op: "COPY", sources: [`${top}/`], dest: `${top}/` },
      from(members.filter((m) => m.path.split("/")[0] === top).flatMap((m) => optionsOf(m.name, "path")),
        { rule: `the top-level folder "${top}" of these Rust components' paths: cargo needs every workspace member`, renderer: RENDERER }))),
  ];
  const plan: Stage = because({
    name: PLAN_STAGE,
    platform: "$BUILDPLATFORM",
    comment: "The dependency graph alone: every manifest, Cargo.lock, and an empty main.rs per member (cargo-chef's recipe).\n" +
      "The build stage copies it and compiles the dependencies in a layer of their own, which a source edit leaves as it is.",
    from: builderFrom("rust", project),
    instructions: [
      because({ op: "WORKDIR", path: BUILD_WORKDIR }, why.rule("the build's working folder; not configurable")),
      ...sources,
      because({
        op: "RUN",
        mounts: [],
        commands: [
          `for manifest in $(find . -name Cargo.toml -not -path './target/*'); do mkdir -p "${PLAN_DIR}/$(dirname "\${manifest}")"; cp "\${manifest}" "${PLAN_DIR}/\${manifest}"; done`,
          // Each target root cargo may look for, where the member has one: the binary, the library, the build
          // script, further binaries, examples, benches, tests; a stub each (an unused main warns, nothing more).
          `for target in $(find . -path ./target -prune -o -type f \\( ${STUB_PATTERNS.map((p) => `-path '${p}'`).join(" -o ")} \\) -print); do ` +
            `mkdir -p "${PLAN_DIR}/$(dirname "\${target}")"; printf 'fn main() {}\\n' > "${PLAN_DIR}/\${target}"; done`,
          `cp Cargo.lock ${PLAN_DIR}/`,
        ],
      }, why.rule("the dependency graph alone (cargo-chef's recipe), so the dependencies compile in a layer a source edit keeps; not configurable")),
    ],
  }, why.rule("the plan stage: the dependency graph"), {
    comment: why.rule("why the plan stage exists"),
    from: builderFromReason("rust", project),
  });
  const instructions: Instruction[] = [];
  if (auditable) {
    // Its own layer, before any source is copied and before the platform ARGs (which enter every later RUN's
    // environment): built once per builder, whatever the platforms, and again only when the version changes.
    instructions.push(because({
      op: "RUN",
      mounts: [registry[0]],
      commands: [`cargo install cargo-auditable --version ${CARGO_AUDITABLE_VERSION} --locked`],
    }, { ...why.of(component, ["allowUnauditableBinary"], `cargo-auditable ${CARGO_AUDITABLE_VERSION} embeds the crate list in the binary; ` +
      "only allowUnauditableBinary leaves it out"), requires: optionsOf(component.name, "allowUnauditableBinary") }));
  }
  const selection = selectRustTarget(build.libc);
  instructions.push(
    because({ op: "ARG", name: "BUILDARCH" }, why.rule("the build machine's architecture, set by BuildKit; not configurable")),
    because({ op: "ARG", name: "TARGETARCH" }, why.rule("the image platform's architecture, set by BuildKit for each of the project's platforms; not configurable")),
    withCommandReasons(because({ op: "RUN", mounts: [], commands: selection },
      why.rule("selects the Rust target of TARGETARCH and its cross linker (cross-compiling, never emulating); not configurable")),
    { 0: component.linkage === Linkage.STATIC
      ? why.of(component, ["staticLibc"], "the target triple of each TARGETARCH, with the C library of the static build")
      : why.rule("the target triple of each TARGETARCH, with glibc (only a static build chooses its C library)") }),
    because({ op: "WORKDIR", path: BUILD_WORKDIR }, why.rule("the build's working folder; not configurable")),
  );
  if (build.rustflags) {
    instructions.push(because({ op: "ENV", vars: [["RUSTFLAGS", build.rustflags]] }, why.of(component, ["linkage"], "a static build links the C runtime in (+crt-static)")));
  }
  instructions.push(
    // The dependencies, compiled from the graph alone into the image's own target/ (a layer, which CI's
    // layer cache keeps; cache mounts it does not): reused until a manifest or Cargo.lock changes.
    because({ op: "COPY", from: PLAN_STAGE, sources: [`${PLAN_DIR}/`], dest: "./" }, why.rule("the dependency graph from the plan stage; not configurable")),
    withCommandReasons(because({ op: "RUN", mounts: registry, commands: [cargoBuild] }, why.rule("the dependencies, compiled in a layer of their own")),
      { 0: building("builds the member's dependencies from the graph alone (the stub main.rs)") }),
    // The sources this image is built from, and no other member's (they stay stubs, enough for cargo to load the
    // workspace): the component's own folder, and the shared crates it takes by path.
    sources[0],
    because({ op: "COPY", sources: [`${component.path}/`], dest: `${component.path}/` }, why.of(component, ["path"], "the component's own sources")),
    ...build.libraries.map((folder): Instruction => because({ op: "COPY", sources: [`${folder}/`], dest: `${folder}/` },
      why.rule(`a crate ${component.name} takes by path (a shared library of the workspace): its image is built from its sources`))),
    withCommandReasons(because({
      op: "RUN",
      mounts: registry,
      // touch: a real source may be older than the stub cargo just built; only these crates compile again.
      commands: [`find ${[component.path, ...build.libraries].join(" ")} -name '*.rs' -exec touch {} +`, cargoBuild,
        `install -D -m 0555 "${build.artifactPath}" ${STAGING_DIR}/${binary}`],
    }, why.rule("the component itself, on its compiled dependencies")), {
      0: why.of(component, ["path"], "the real sources replace the stubs: the component's, and its shared libraries'"),
      1: building("builds the component's binary"),
      2: why.of(component, ["binary"], "the binary, read-only, where the runtime stages copy it from"),
    }),
  );
  return {
    arg: { name: "RUST_VERSION", defaultValue: project.rustVersion },
    stages: [plan, because({
      name: BUILD_STAGE,
      platform: "$BUILDPLATFORM",
      comment: `Builder pinned by RUST_VERSION, on the same Debian (${debianSuite(project.debian)}) as the runtime so glibc matches;` +
        " it runs on the build machine and cross-compiles for TARGETARCH." +
        (auditable ? "" : `\nBuilt without cargo auditable (allowUnauditableBinary): ${build.unauditableBecause}`),
      from: builderFrom("rust", project),
      instructions,
    } satisfies Stage, why.rule("the build stage"), {
      comment: auditable ? why.project(["debian"], "why the builder is what it is") : from([...projectOptions("debian"), ...optionsOf(component.name, "allowUnauditableBinary")], { renderer: RENDERER }),
      from: builderFromReason("rust", project),
    })],
  };
}

function goBuildStage(component: ComponentModel, build: GoBuild, project: ProjectModel) {
  const mounts = [
    { id: "go-mod", target: "/go/pkg/mod" },
    { id: "go-build", target: "/root/.cache/go-build" },
  ];
  return {
    arg: { name: "GO_VERSION", defaultValue: project.goVersion },
    stages: [because({
      name: BUILD_STAGE,
      comment: "Builder pinned by GO_VERSION; CGO off, so the binary is static. It runs on the build machine and cross-compiles for TARGETOS/TARGETARCH.",
      from: builderFrom("go", project),
      platform: "$BUILDPLATFORM",
      instructions: [
        because({ op: "ARG", name: "TARGETOS" }, why.rule("the image platform's OS, set by BuildKit; not configurable")),
        because({ op: "ARG", name: "TARGETARCH" }, why.rule("the image platform's architecture, set by BuildKit for each of the project's platforms; not configurable")),
        because({ op: "WORKDIR", path: inGoModule(BUILD_WORKDIR, build.moduleDir) }, why.project(["goModuleDir"], "the Go module's folder")),
        because({ op: "ENV", vars: [["CGO_ENABLED", "0"]] }, why.rule("no cgo: a static binary for distroless static or scratch; not configurable")),
        // go.mod (and go.sum, once there are dependencies) first: the download layer survives source edits.
        because({ op: "COPY", sources: [inGoModule(build.moduleDir, "go.*")], dest: "./" }, why.project(["goModuleDir"], "go.mod and go.sum first, so the download layer survives source edits")),
        because({ op: "RUN", mounts: [mounts[0]], commands: ["go mod download"] }, why.rule("the module's dependencies, in a layer of their own; not configurable")),
        because({ op: "COPY", sources: [`${inGoModule(build.moduleDir, ".")}/`], dest: "./" }, why.project(["goModuleDir"], "the Go module")),
        withCommandReasons(because({
          op: "RUN",
          mounts,
          commands: [[
            "GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath",
            ...(build.tags.length > 0 ? [`-tags ${build.tags.join(",")}`] : []),
            `-ldflags="${build.ldflags}"`,
            `-o ${build.artifactPath} ${build.packagePath}`,
          ].join(" ")],
        }, why.rule("the component's binary, cross-compiled for TARGETOS/TARGETARCH")), {
          0: why.of(component, ["binary", "path", "ldflags", ...(component.runtime === RuntimeBase.SCRATCH ? ["timezoneData"] : [])],
            "go build for the target platform: -o the binary, the command's path, -ldflags with ldflags, -tags timetzdata on scratch with timezoneData"),
        }),
      ],
    } satisfies Stage, why.rule("the build stage"), {
      comment: why.rule("why the builder is what it is; not configurable"),
      from: builderFromReason("go", project),
    })],
  };
}

function runtimeStage(
  component: ComponentModel,
  project: ProjectModel,
  target: keyof typeof TARGETS,
  comment: string,
): Stage {
  const instructions: Instruction[] = [
    because({
      op: "LABEL",
      labels: because([
        ["org.opencontainers.image.title", component.name],
        ["org.opencontainers.image.description", component.description],
        ["org.opencontainers.image.version", project.version],
      ], undefined, {
        0: why.rule(`the component's name, "${component.name}" (its construct id in .projenrc.ts)`),
        1: why.of(component, ["description"]),
        2: why.project(["version"]),
      }),
    }, why.rule("the OCI image labels")),
  ];
  if (component.runtime === RuntimeBase.SCRATCH && target === "production") {
    // scratch has no trust store; the builder's (Debian ca-certificates) goes where distroless keeps it.
    instructions.push(because({
      op: "COPY",
      from: BUILD_STAGE,
      chown: "0:0",
      chmod: "0444",
      sources: ["/etc/ssl/certs/ca-certificates.crt"],
      dest: "/etc/ssl/certs/ca-certificates.crt",
    }, why.of(component, ["runtime"], "scratch has no CA certificates: the builder's are copied where distroless keeps them")));
  }
  instructions.push(
    // Owned by root and not writable: the non-root process cannot replace its own binary.
    because({
      op: "COPY",
      from: BUILD_STAGE,
      chown: "0:0",
      chmod: "0555",
      sources: [`${STAGING_DIR}/${component.binary}`],
      dest: component.installPath,
    }, why.of(component, ["binary"], "the binary, owned by root and not writable, so the process cannot replace it")),
    // Numeric, so Kubernetes' runAsNonRoot can verify it without an /etc/passwd lookup.
    because({ op: "USER", user: `${component.user.uid}:${component.user.gid}` },
      why.project(["imageUser"], "a numeric non-root user, which Kubernetes' runAsNonRoot can verify")),
  );
  if (component.ports.length > 0) {
    instructions.push(because({ op: "EXPOSE", ports: component.ports.map((p) => `${p.port}/${p.protocol.toLowerCase()}`) }, why.of(component, ["ports"])));
  }
  instructions.push(because({ op: "ENTRYPOINT", argv: [component.installPath] }, why.of(component, ["binary"], "runs the binary in exec form (no shell)")));
  const base = component.runtime === RuntimeBase.SCRATCH && target === "production"
    ? why.of(component, ["runtime"], "the empty image")
    : from([
      // A Go component is always static (no linkage option); scratch changes the production target only.
      // A glibc-linked binary cannot run on scratch: its runtime changes only with its linkage.
      ...optionsOf(component.name, ...(component.build.kind === "rust" ? ["linkage"] : []),
        ...(target === "production" && component.linkage === Linkage.STATIC ? ["runtime"] : [])),
      ...projectOptions("debian"),
    ], {
      rule: `distroless ${target === "production" ? "nonroot" : "debug-nonroot"}: cc for a glibc-linked binary, static otherwise; ${LOCK_RULE}`,
      renderer: RENDERER,
    });
  return because({
    name: TARGETS[target],
    comment,
    from: pin(runtimeImage(component, project, target), project),
    instructions,
  }, why.rule(`the ${target} target`), { comment: why.rule(`what the ${target} target is; not configurable`), from: base });
}
