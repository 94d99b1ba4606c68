import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as TOML from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { CargoProfilePreset, ContainerMonorepo, Linkage, ReqwestVersion, RuntimeBase, RustComponent, StaticLibc, cargoProfile, type RustComponentProps } from "../src";
import { parseDockerfile, type ParsedDockerfile } from "../src/policy/dockerfile-rules";
import { runTargetSelection, rustBuildStage, runCargoBuild, type RustDockerBuild } from "./dockerfile-builds";
import { embeddedDependencies, hasInterpreter, hasNeeded, hasSymtab, readelf, runInEmptyRoot } from "./binaries";
import { DEBIAN_REGISTRY, METRICS, PRISM_COMPONENTS, UNPINNED, readTree, synth, synthPrism, tmpdir, useDebianCrates } from "./helpers";
import { removeAtEnd } from "./standin-images";

/**
 * Proofs with the real toolchain: cargo builds what the Dockerfiles say, the
 * release profile shrinks and strips, static binaries are static and run in an
 * empty root, reqwest's flags keep OpenSSL out (cargo's resolver over Debian's
 * packaged crates), and buildah builds a scratch image from the generated
 * runtime stage. All offline.
 */

const RUST = PRISM_COMPONENTS.filter((c) => c.language === "rust");

/** The production stage's COPY of the staged binary, and its ENTRYPOINT. */
function productionRun(df: ParsedDockerfile, staged: string): { dest: string; entrypoint: string[] } {
  const production = df.stages.find((s) => s.name === "production")!;
  const copy = production.instructions.find((i) => i.keyword === "COPY" && i.flags.from === "build" && i.args[0] === staged)!;
  const entrypoint = JSON.parse(production.instructions.find((i) => i.keyword === "ENTRYPOINT")!.text);
  return { dest: copy.args.at(-1)!, entrypoint };
}

/**
 * The release profile without its optimizations (opt-level 0, no LTO, many codegen units), strip kept: what the
 * describe below checks (paths, linkage, the crate list, a run in an empty root) does not depend on them, and the
 * dependency graph (tokio, reqwest, rustls) then compiles in a third of the time. The optimizations are measured by
 * "the release profile takes effect" below, and every image build (image-build.test.ts) compiles with them.
 */
const UNOPTIMIZED = { CARGO_PROFILE_RELEASE_OPT_LEVEL: "0", CARGO_PROFILE_RELEASE_LTO: "false", CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "16" };

describe("the synthesized workspace builds, and each Dockerfile copies what cargo built", () => {
  const { outdir, files } = synthPrism();
  const builds = new Map<string, RustDockerBuild>();

  beforeAll(() => {
    // The tree's Cargo.lock is the one its synthesis resolved (the committed one: project.test.ts).
    for (const c of RUST) {
      const build = rustBuildStage(parseDockerfile(files[`${c.path}/Dockerfile`]), outdir);
      runCargoBuild(outdir, build, UNOPTIMIZED);
      builds.set(c.name, build);
    }
  }, 600_000);

  it.each(RUST)("$name: the path the build stage installs is the binary cargo produced; production copies it and runs it", (c) => {
    const build = builds.get(c.name)!;
    expect(build.cargoArgs).toContain(`--bin`);
    expect(build.cargoArgs[build.cargoArgs.indexOf("--bin") + 1]).toBe(c.binary);
    expect(fs.existsSync(build.built), build.built).toBe(true);
    expect(readelf("-h", build.built)).toMatch(/Type:\s+DYN/);
    const { dest, entrypoint } = productionRun(parseDockerfile(files[`${c.path}/Dockerfile`]), build.staged);
    expect(build.staged).toBe(`/out/${c.binary}`);
    expect(entrypoint).toEqual([dest]);
  });

  it.each(RUST.filter((c) => c.base === "static"))("$name: static means static (no ELF interpreter), and it runs in an empty root as 65532", (c) => {
    const build = builds.get(c.name)!;
    expect(build.rustflags).toBe("-C target-feature=+crt-static");
    expect(hasInterpreter(build.built)).toBe(false);
    expect(hasNeeded(build.built)).toBe(false);
    const { dest } = productionRun(parseDockerfile(files[`${c.path}/Dockerfile`]), build.staged);
    const run = runInEmptyRoot({ [dest]: build.built }, [dest, "--version"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(String(run.stdout).trim()).toBe(`${c.binary} 0.1.0`);
  });

  it.each(RUST)("$name: built with cargo auditable, the binary carries its crate list (.dep-v0), read back", (c) => {
    const build = builds.get(c.name)!;
    expect(build.cargoArgs.slice(0, 2)).toEqual(["auditable", "build"]);
    const packages = embeddedDependencies(build.built)?.packages ?? [];
    expect(packages.filter((p) => p.root).map(({ name, version, source }) => ({ name, version, source })))
      .toEqual([{ name: c.name, version: "0.1.0", source: "local" }]);
    // Every other crate it lists is one Cargo.lock pins, at the locked version: the list is the build's graph.
    const locked = new Set((TOML.parse(files["Cargo.lock"]) as { package: { name: string; version: string }[] }).package.map((p) => `${p.name} ${p.version}`));
    const listed = packages.filter((p) => !p.root).map((p) => `${p.name} ${p.version}`);
    expect(listed.filter((p) => !locked.has(p))).toEqual([]);
    expect(listed.some((p) => p.startsWith("tokio "))).toBe(c.name !== "mailbox-listener");
  });

  it("the glibc-linked proxy is dynamic, and the same empty-root run fails without its libc (so the check above can fail)", () => {
    const build = builds.get("proxy")!;
    expect(hasInterpreter(build.built)).toBe(true);
    const run = runInEmptyRoot({ "/usr/local/bin/prism-proxy": build.built }, ["/usr/local/bin/prism-proxy", "--version"]);
    expect(run.status).not.toBe(0);
  });
});

describe("the release profile takes effect", () => {
  const sizes: Record<string, number> = {};
  const binaries: Record<string, string> = {};

  beforeAll(() => {
    // One std-only crate (the proxy's starter), built with Cargo's default release profile and with each preset.
    const { files } = synthPrism();
    for (const variant of ["default", CargoProfilePreset.SPEED, CargoProfilePreset.SIZE]) {
      const dir = tmpdir("prism-profile-");
      fs.mkdirSync(path.join(dir, "src"));
      fs.writeFileSync(path.join(dir, "src/main.rs"), files["proxy/src/main.rs"]);
      const manifest: Record<string, unknown> = { package: { name: "sizer", version: "0.1.0", edition: "2024" } };
      if (variant !== "default") manifest.profile = { release: { ...cargoProfile(variant as CargoProfilePreset) } };
      fs.writeFileSync(path.join(dir, "Cargo.toml"), TOML.stringify(manifest));
      execFileSync("cargo", ["build", "--release", "--offline"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CARGO_TARGET_DIR: path.join(dir, "target") } });
      binaries[variant] = path.join(dir, "target/release/sizer");
      sizes[variant] = fs.statSync(binaries[variant]).size;
    }
    const ratio = (v: string) => (sizes[v] / sizes.default).toFixed(3);
    console.log(
      `release profile sizes (std-only starter): default ${sizes.default} bytes; ` +
        `speed ${sizes.speed} bytes (${ratio("speed")} of default); size ${sizes.size} bytes (${ratio("size")} of default)`,
    );
  }, 600_000);

  it("the presets strip the symbol table; Cargo's default release profile keeps it", () => {
    expect(hasSymtab(binaries.default)).toBe(true);
    expect(hasSymtab(binaries.speed)).toBe(false);
    expect(hasSymtab(binaries.size)).toBe(false);
  });

  it("both presets are smaller than the default, and size is smaller than speed", () => {
    expect(sizes.speed).toBeLessThan(sizes.default);
    expect(sizes.size).toBeLessThan(sizes.default);
    expect(sizes.size).toBeLessThan(sizes.speed);
  });
});

describe("reqwest's flags keep OpenSSL out, by cargo's resolver", () => {
  // Debian's packaged crates (librust-reqwest-dev, reqwest 0.11) as an offline source replacing crates.io.
  function tree(workspace: string): string {
    useDebianCrates(workspace);
    return execFileSync("cargo", ["tree", "--offline", "-e", "normal", "-p", "fetcher", "--prefix", "none"], { cwd: workspace, encoding: "utf-8" });
  }

  function fetcherWorkspace(): string {
    return synth((outdir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir, ...UNPINNED, reqwest: { version: ReqwestVersion.V0_11 } });
      new RustComponent(p, "fetcher", { httpClient: true, linkage: Linkage.STATIC, ports: METRICS });
      return p;
    }).outdir;
  }

  it("Debian's crate registry is installed (.ci/run installs librust-reqwest-dev)", () => {
    expect(fs.readdirSync(DEBIAN_REGISTRY).filter((d) => d.startsWith("reqwest-0.11"))).not.toEqual([]);
  });

  it("the synthesized workspace reqwest (0.11, rustls) resolves with no openssl-sys and no native-tls", () => {
    const deps = tree(fetcherWorkspace());
    expect(deps).toMatch(/^reqwest v0\.11\./m);
    expect(deps).toMatch(/^rustls v/m);
    expect(deps).not.toMatch(/^openssl-sys v/m);
    expect(deps).not.toMatch(/^native-tls v/m);
  });

  it("the same crate with reqwest's default features does pull openssl-sys and native-tls", () => {
    const dir = fetcherWorkspace();
    const manifest = path.join(dir, "Cargo.toml");
    const parsed = TOML.parse(fs.readFileSync(manifest, "utf-8")) as any;
    parsed.workspace.dependencies.reqwest = { version: parsed.workspace.dependencies.reqwest.version };
    fs.chmodSync(manifest, 0o644);
    fs.writeFileSync(manifest, TOML.stringify(parsed));
    const deps = tree(dir);
    expect(deps).toMatch(/^openssl-sys v/m);
    expect(deps).toMatch(/^native-tls v/m);
  });
});

describe("a real scratch image, built by buildah from the generated runtime stage", () => {
  it("builds, runs the entrypoint as 65532:65532, and reports its size", () => {
    // GIVEN a static component on scratch, built exactly as its Dockerfile builds it
    const { outdir, files } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, ...UNPINNED });
      new RustComponent(p, "tiny", { linkage: Linkage.STATIC, runtime: RuntimeBase.SCRATCH, ports: [{ name: "metrics", port: 9090 }] });
      return p;
    });
    execFileSync("cargo", ["generate-lockfile", "--offline"], { cwd: outdir, stdio: "ignore" });
    const df = parseDockerfile(files["containers/tiny/Dockerfile"]);
    const build = rustBuildStage(df, outdir);
    runCargoBuild(outdir, build);

    // WHEN the production stage's own instructions build an image: each COPY --from=build takes its file
    // from a context folder instead (the builder image cannot be pulled here); every other line is kept.
    const production = df.stages.find((s) => s.name === "production")!;
    expect(production.image).toBe("scratch");
    const context = tmpdir("prism-context-");
    const fromBuild: Record<string, string> = { [build.staged]: build.built, "/etc/ssl/certs/ca-certificates.crt": "/etc/ssl/certs/ca-certificates.crt" };
    const lines = files["containers/tiny/Dockerfile"].split("\n");
    const start = production.line - 1;
    const stageText = lines.slice(start).map((line) => {
      if (!line.startsWith("COPY ") || !line.includes(" --from=build ")) return line;
      const tokens = line.split(" ").filter((t) => t !== "--from=build");
      const sourceIndex = tokens.findIndex((t, i) => i > 0 && !t.startsWith("--"));
      const local = path.join("from-build", tokens[sourceIndex]);
      fs.mkdirSync(path.dirname(path.join(context, local)), { recursive: true });
      fs.copyFileSync(fromBuild[tokens[sourceIndex]], path.join(context, local));
      tokens[sourceIndex] = local;
      return tokens.join(" ");
    }).join("\n");
    fs.writeFileSync(path.join(context, "Containerfile"), stageText);
    const buildah = (...args: string[]) => execFileSync("buildah", ["--storage-driver", "vfs", ...args], { encoding: "utf-8" });
    const tag = `localhost/prism-projen-test/tiny:${process.pid}`;
    buildah("bud", "--isolation", "chroot", "--quiet", "-f", path.join(context, "Containerfile"), "-t", tag, context);
    try {
      // THEN the image carries the generated USER, ENTRYPOINT and EXPOSE
      const config = JSON.parse(buildah("inspect", "--type", "image", tag)).OCIv1.config;
      expect(config.User).toBe("65532:65532");
      expect(config.Entrypoint).toEqual(["/usr/local/bin/tiny"]);
      expect(Object.keys(config.ExposedPorts)).toEqual(["9090/tcp"]);
      // and the entrypoint runs inside it as 65532:65532
      const container = buildah("from", tag).trim();
      try {
        const out = buildah("run", "--isolation", "chroot", "--user", "65532:65532", container, "--", ...config.Entrypoint, "--version");
        expect(out.trim()).toBe("tiny 0.1.0");
      } finally {
        buildah("rm", container);
      }
      // The manifest's own sizes: the (uncompressed) layer tars and the config.
      const manifest = JSON.parse(JSON.parse(buildah("inspect", "--type", "image", tag)).Manifest);
      const size = manifest.config.size + manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, 0);
      console.log(`scratch image: ${size} bytes (${(size / 1024 / 1024).toFixed(2)} MiB) in ${manifest.layers.length} layer(s); ` +
        `binary ${fs.statSync(build.built).size} bytes; CA bundle ${fs.statSync("/etc/ssl/certs/ca-certificates.crt").size} bytes`);
      expect(size).toBeGreaterThan(fs.statSync(build.built).size);
    } finally {
      removeAtEnd(tag);
    }
    expect(readTree(outdir)["containers/tiny/Dockerfile"]).toBe(files["containers/tiny/Dockerfile"]);
  });
});

describe("cargo auditable: the crates a binary links are in the binary", () => {
  // Debian's packaged crates as an offline source replacing crates.io (itoa, a dependency-free crate).
  function member(props: Partial<RustComponentProps> = {}): { outdir: string; build: RustDockerBuild; dockerfile: string } {
    const { outdir, files } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, ...UNPINNED });
      new RustComponent(p, "counter", { ports: METRICS, linkage: Linkage.STATIC, ...props });
      return p;
    });
    useDebianCrates(outdir);
    const manifest = path.join(outdir, "containers/counter/Cargo.toml");
    fs.chmodSync(manifest, 0o644);
    fs.appendFileSync(manifest, "\n[dependencies]\nitoa = \"1\"\n");
    execFileSync("cargo", ["generate-lockfile", "--offline", "--quiet"], { cwd: outdir });
    const dockerfile = files["containers/counter/Dockerfile"];
    return { outdir, build: rustBuildStage(parseDockerfile(dockerfile), outdir), dockerfile };
  }

  it("a member depending on itoa: the Dockerfile's own command embeds both crates, with the dependency edge", () => {
    const { outdir, build, dockerfile } = member();
    expect(dockerfile).toMatch(/^ {4}cargo install cargo-auditable --version \d+\.\d+\.\d+ --locked$/m);
    runCargoBuild(outdir, build);
    const list = embeddedDependencies(build.built)!;
    const itoa = list.packages.findIndex((p) => p.name === "itoa");
    expect(list.packages[itoa]).toMatchObject({ name: "itoa", source: "crates.io" });
    expect(list.packages.find((p) => p.root)).toEqual({ name: "counter", version: "0.1.0", source: "local", root: true, dependencies: [itoa] });
  });

  it("allowUnauditableBinary: plain cargo build, the reason in the Dockerfile, and no crate list in the binary", () => {
    const { outdir, build, dockerfile } = member({ allowUnauditableBinary: "size budget of the scratch image" });
    expect(build.cargoArgs[0]).toBe("build");
    expect(dockerfile).not.toContain("cargo-auditable");
    expect(dockerfile).toContain("# Built without cargo auditable (allowUnauditableBinary): size budget of the scratch image");
    runCargoBuild(outdir, build);
    expect(embeddedDependencies(build.built)).toBeUndefined();
  });
});

describe("the target platform: cross-compiled on the build machine, TARGETARCH mapped to the Rust target and its linker", () => {
  // The aarch64 standard library cannot be had here (no network for rustup), so arm64 is proven up to the
  // toolchain: the build stage's own selection command, run with apt-get and rustup recording their arguments.
  const record = (name: string, log: string) => `echo "${name} $*" >> "${log}"`;

  function select(linkage: Linkage, staticLibc: StaticLibc | undefined, env: { TARGETARCH: string; BUILDARCH: string }) {
    const { files } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, ...UNPINNED });
      new RustComponent(p, "svc", { ports: METRICS, linkage, ...(staticLibc ? { staticLibc } : {}) });
      return p;
    });
    const dockerfile = files["containers/svc/Dockerfile"];
    const log = path.join(tmpdir("prism-calls-"), "calls");
    fs.writeFileSync(log, "");
    const home = runTargetSelection(parseDockerfile(dockerfile), env, { "apt-get": record("apt-get", log), "rustup": record("rustup", log) });
    return {
      dockerfile,
      calls: fs.readFileSync(log, "utf-8").trim().split("\n").filter(Boolean),
      config: TOML.parse(fs.readFileSync(path.join(home, "config.toml"), "utf-8")) as any,
      triple: fs.readFileSync(path.join(home, "target-triple"), "utf-8").trim(),
    };
  }

  it("the build stage runs on the build platform; the runtime stages are per target platform", () => {
    const { dockerfile } = select(Linkage.GLIBC, undefined, { TARGETARCH: "amd64", BUILDARCH: "amd64" });
    expect(dockerfile).toMatch(/^FROM --platform=\$BUILDPLATFORM docker\.io\/library\/rust:\$\{RUST_VERSION\}-slim-trixie AS plan$/m);
    expect(dockerfile).toMatch(/^FROM --platform=\$BUILDPLATFORM docker\.io\/library\/rust:\$\{RUST_VERSION\}-slim-trixie AS build$/m);
    expect(dockerfile.match(/^FROM .*$/gm)!.slice(2)).toEqual([
      "FROM gcr.io/distroless/cc-debian13:debug-nonroot AS debug",
      "FROM gcr.io/distroless/cc-debian13:nonroot AS production",
    ]);
  });

  it.each([
    ["glibc, arm64 on amd64", Linkage.GLIBC, undefined, "arm64", "aarch64-unknown-linux-gnu", "aarch64-linux-gnu-gcc", ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"]],
    ["static glibc, arm64 on amd64", Linkage.STATIC, undefined, "arm64", "aarch64-unknown-linux-gnu", "aarch64-linux-gnu-gcc", ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"]],
    ["static musl, arm64 on amd64", Linkage.STATIC, StaticLibc.MUSL, "arm64", "aarch64-unknown-linux-musl", "aarch64-linux-gnu-gcc", ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"]],
    ["static musl, amd64 on arm64", Linkage.STATIC, StaticLibc.MUSL, "amd64", "x86_64-unknown-linux-musl", "x86_64-linux-gnu-gcc", ["gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross"]],
  ] as const)("%s: the target, its linker, and Debian's cross toolchain installed", (_what, linkage, libc, arch, triple, linker, packages) => {
    const { calls, config, triple: written } = select(linkage, libc, { TARGETARCH: arch, BUILDARCH: arch === "arm64" ? "amd64" : "arm64" });
    expect(calls).toEqual(["apt-get update", `apt-get install -y --no-install-recommends ${packages.join(" ")}`, `rustup target add ${triple}`]);
    expect(config).toEqual({ build: { target: triple }, target: { [triple]: { linker } } });
    expect(written).toBe(triple);
  });

  it("the same arch on both sides installs no cross toolchain; an arch without a Rust target fails the build", () => {
    expect(select(Linkage.GLIBC, undefined, { TARGETARCH: "arm64", BUILDARCH: "arm64" }).calls).toEqual(["rustup target add aarch64-unknown-linux-gnu"]);
    expect(() => select(Linkage.GLIBC, undefined, { TARGETARCH: "riscv64", BUILDARCH: "amd64" })).toThrow(/no Rust target for TARGETARCH=riscv64/);
  });
});
