import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import type { ParsedDockerfile } from "../src/policy/dockerfile-rules";
import { tmpdir } from "./helpers";

/**
 * The build stages of generated Dockerfiles, read back and run here as the image build would run
 * them (WORKDIR /workspace = the synthesized tree), offline: the command is the Dockerfile's own.
 */

export interface RustDockerBuild {
  /** The binary cargo produced, absolute. */
  readonly built: string;
  /** Where the build stage installs it (`/out/<bin>`), which the runtime stages copy from. */
  readonly staged: string;
  readonly rustflags?: string;
  readonly cargoArgs: readonly string[];
  /** The target triple the stage selected for this machine's arch. */
  readonly triple: string;
  /** The cargo configuration the stage wrote (build.target and the linker). */
  readonly cargoConfig: string;
}

/** This machine's arch, as Docker's TARGETARCH names it. */
export const HOST_ARCH = process.arch === "arm64" ? "arm64" : "amd64";

/**
 * Runs the build stage's target-selection RUN as written, with TARGETARCH/BUILDARCH, CARGO_HOME a
 * temporary folder (the triple file goes there too), and `fakes` (program name -> shell body) first
 * on the PATH; returns that CARGO_HOME.
 */
export function runTargetSelection(df: ParsedDockerfile, env: { TARGETARCH: string; BUILDARCH: string }, fakes: Record<string, string> = {}): string {
  const stage = df.stages.find((s) => s.name === "build")!;
  const run = stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.text).find((t) => t.includes("rustup target add"))!;
  const home = tmpdir("prism-cargo-home-");
  const bin = tmpdir("prism-fake-bin-");
  for (const [name, body] of Object.entries(fakes)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  execFileSync("sh", ["-c", run.replaceAll("/usr/local/cargo/target-triple", `${home}/target-triple`)], {
    encoding: "utf-8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, CARGO_HOME: home, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
  });
  return home;
}

/** Reads a Rust build stage (target selection for this machine, RUSTFLAGS, the cargo command, the install step), as the Dockerfile has them. */
export function rustBuildStage(df: ParsedDockerfile, workspace: string): RustDockerBuild {
  const stage = df.stages.find((s) => s.name === "build")!;
  const workdir = stage.instructions.find((i) => i.keyword === "WORKDIR")!.args[0];
  expect(workdir).toBe("/workspace");
  const home = runTargetSelection(df, { TARGETARCH: HOST_ARCH, BUILDARCH: HOST_ARCH });
  const triple = fs.readFileSync(path.join(home, "target-triple"), "utf-8").trim();
  const env = stage.instructions.filter((i) => i.keyword === "ENV").map((i) => i.text).join(" ");
  const rustflags = /RUSTFLAGS="([^"]*)"/.exec(env)?.[1];
  // the last cargo build: the one that installs the binary (the one before it builds the dependency layer)
  const run = stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.text).find((t) => /\bcargo (auditable )?build\b/.test(t) && t.includes("install -D"))!;
  const commands = run.replace(/--mount=\S+/g, "").split("&&").map((c) => c.trim());
  const cargo = commands.find((c) => c.startsWith("cargo "))!.split(/\s+/);
  // install -D -m 0555 "<built, relative to WORKDIR, the triple read from its file>" <staged>
  const [, built, staged] = /^install -D -m 0555 "([^"]+)" (\S+)$/.exec(commands.find((c) => c.startsWith("install "))!)!;
  const path_ = built.replace("$(cat /usr/local/cargo/target-triple)", triple);
  return { built: path.join(workspace, path_), staged, rustflags, cargoArgs: cargo.slice(1), triple, cargoConfig: path.join(home, "config.toml") };
}

/** Runs the Dockerfile's cargo command on the local workspace, offline, with the cargo configuration its stage wrote. */
export function runCargoBuild(workspace: string, build: RustDockerBuild, env: NodeJS.ProcessEnv = {}): void {
  execFileSync("cargo", [...build.cargoArgs, "--offline", "--config", build.cargoConfig], {
    cwd: workspace,
    encoding: "utf-8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, CARGO_TARGET_DIR: path.join(workspace, "target"), RUSTFLAGS: build.rustflags ?? "" },
  });
}

export interface GoDockerBuild {
  /** The build stage's WORKDIR, below /workspace (the repository root). */
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  /** The `go build` command line, as the Dockerfile has it (cache mounts removed). */
  readonly command: string;
}

/** Reads a Go build stage: WORKDIR, ENV and the go build command. */
export function goBuildStage(df: ParsedDockerfile): GoDockerBuild {
  const build = df.stages.find((s) => s.name === "build")!;
  const workdir = build.instructions.find((i) => i.keyword === "WORKDIR")!.args[0];
  const env = Object.fromEntries(build.instructions.filter((i) => i.keyword === "ENV").flatMap((i) => i.args.map((a) => a.split("=", 2))));
  const command = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.text.replace(/--mount=\S+/g, "").trim())
    .find((t) => /(^| )go build /.test(t))!;
  return { workdir, env, command };
}

/**
 * One Go build cache for the whole test run (the Dockerfiles keep theirs in a cache mount too): Go's cache is
 * keyed by the content of every input and safe for concurrent builds, so each build after the first compiles only
 * what changed, not the standard library again.
 */
function goCache(): string {
  const cache = path.join(process.env.PRISM_TEST_TMP ?? tmpdir("prism-go-cache-"), "go-cache");
  fs.mkdirSync(cache, { recursive: true });
  return cache;
}

/** Runs the Dockerfile's go build in `tree`, offline, with /out as a local folder, for a TARGETARCH; returns that folder. */
export function runGoBuild(tree: string, build: GoDockerBuild, targetArch: string = HOST_ARCH): string {
  const staging = tmpdir("prism-go-out-");
  const cache = goCache();
  execFileSync("sh", ["-c", build.command.replace(" -o /out/", ` -o ${staging}/`)], {
    cwd: path.join(tree, build.workdir.replace(/^\/workspace\/?/, "")),
    encoding: "utf-8",
    env: { ...process.env, ...build.env, TARGETOS: "linux", TARGETARCH: targetArch, GOPROXY: "off", GOFLAGS: "-mod=mod", GOCACHE: path.join(cache, "build"), GOPATH: path.join(cache, "path"), GOTOOLCHAIN: "local" },
  });
  return staging;
}
