import { execFileSync } from "node:child_process";
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
}

/** Reads a Rust build stage: RUSTFLAGS, the cargo command and the install step, as the Dockerfile has them. */
export function rustBuildStage(df: ParsedDockerfile, workspace: string): RustDockerBuild {
  const stage = df.stages.find((s) => s.name === "build")!;
  const workdir = stage.instructions.find((i) => i.keyword === "WORKDIR")!.args[0];
  expect(workdir).toBe("/workspace");
  const env = stage.instructions.filter((i) => i.keyword === "ENV").map((i) => i.text).join(" ");
  const rustflags = /RUSTFLAGS="([^"]*)"/.exec(env)?.[1];
  const run = stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.text).find((t) => /\bcargo (auditable )?build\b/.test(t))!;
  const commands = run.replace(/--mount=\S+/g, "").split("&&").map((c) => c.trim().split(/\s+/));
  const cargo = commands.find((c) => c[0] === "cargo")!;
  const install = commands.find((c) => c[0] === "install")!;
  // install -D -m 0555 <built, relative to WORKDIR> <staged>
  return { built: path.join(workspace, install.at(-2)!), staged: install.at(-1)!, rustflags, cargoArgs: cargo.slice(1) };
}

/** Runs the Dockerfile's cargo command on the local workspace, offline. */
export function runCargoBuild(workspace: string, build: RustDockerBuild): void {
  execFileSync("cargo", [...build.cargoArgs, "--offline"], {
    cwd: workspace,
    encoding: "utf-8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CARGO_TARGET_DIR: path.join(workspace, "target"), RUSTFLAGS: build.rustflags ?? "" },
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
    .find((t) => t.startsWith("go build"))!;
  return { workdir, env, command };
}

/** Runs the Dockerfile's go build in `tree`, offline, with /out as a local folder; returns that folder. */
export function runGoBuild(tree: string, build: GoDockerBuild): string {
  const staging = tmpdir("prism-go-out-");
  const cache = tmpdir("prism-go-cache-");
  execFileSync("sh", ["-c", build.command.replace(" -o /out/", ` -o ${staging}/`)], {
    cwd: path.join(tree, build.workdir.replace(/^\/workspace\/?/, "")),
    encoding: "utf-8",
    env: { ...process.env, ...build.env, GOPROXY: "off", GOFLAGS: "-mod=mod", GOCACHE: path.join(cache, "build"), GOPATH: path.join(cache, "path"), GOTOOLCHAIN: "local" },
  });
  return staging;
}
