import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CARGO_AUDITABLE_VERSION } from "../src/dockerfile/image-plan";
import { DEBIAN_REGISTRY } from "./helpers";

/**
 * Stand-ins for the upstream base images, so that buildah builds the generated Dockerfiles as they
 * are with no registry: local images under the upstream names. The Rust builder holds rustup's proxies
 * and a cargo configuration that reads crates from Debian's packaged registry, offline; the toolchain
 * and the system's compilers and libraries are bind-mounted from this machine at build time
 * (`BUILD_VOLUMES`). The distroless stand-ins hold only /etc/passwd: the runtime stages only copy files.
 * Made once per machine (buildah's storage keeps them between runs).
 */

const BUILDAH = ["--storage-driver", "vfs"];

export function buildah(...args: string[]): string {
  return execFileSync("buildah", [...BUILDAH, ...args], { encoding: "utf-8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/** The file that lists the images the tests built, for the run's teardown (test/global-setup.ts) to remove. */
export const IMAGES_TO_REMOVE = "buildah-images.txt";

/**
 * Removes image `tag` when the test run ends, not now: test files build in parallel on one buildah storage, and an
 * image removed while another build looks up its cache can take layers from under it ("layer not known").
 */
export function removeAtEnd(tag: string): void {
  const root = process.env.PRISM_TEST_TMP;
  if (!root) throw new Error("PRISM_TEST_TMP is not set: test/global-setup.ts makes it");
  fs.appendFileSync(path.join(root, IMAGES_TO_REMOVE), `${tag}\n`);
}

const RUSTUP_HOME = process.env.RUSTUP_HOME ?? path.join(os.homedir(), ".rustup");
const CARGO_BIN = path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo"), "bin");

/** The cargo-auditable the tests put on the PATH (test/global-setup.ts), with the folder its loader and libraries are in. */
function auditableBinary(): string {
  const found = (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "cargo-auditable")).find((f) => fs.existsSync(f));
  if (!found) throw new Error("cargo-auditable is not on the PATH (test/global-setup.ts provides it)");
  return found;
}

/** `buildah bud` volumes: this machine's toolchain and libraries, read-only, for every RUN. */
export const BUILD_VOLUMES = [
  // /etc/alternatives: Debian's cc and c++ are links through it
  // /usr/share: Debian's crate registry, and Go's standard library sources (/usr/lib/go-*/src links there)
  ...["/usr/bin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/include", "/usr/share", "/etc/alternatives"].filter((d) => fs.existsSync(d)).map((d) => `${d}:${d}:ro`),
  `${RUSTUP_HOME}:/usr/local/rustup:ro`,
].flatMap((v) => ["-v", v]);

/** Where a build finds the tests' cargo-auditable: the stand-in's crate runs it from there, whatever the checkout. */
const AUDITABLE_IN_BUILD = "/usr/local/libexec/cargo-auditable";

/** The volumes of a build that runs cargo-auditable: the binary, and its cache folder (its loader and libraries) at the same path. */
function auditableVolumes(): string[] {
  const binary = auditableBinary();
  const cache = path.dirname(path.dirname(binary));
  return ["-v", `${cache}:${cache}:ro`, "-v", `${binary}:${AUDITABLE_IN_BUILD}:ro`];
}

/** Bumped when what a stand-in holds changes: an older stand-in under the same name is made again. */
const STANDIN_VERSION = "3";

function current(ref: string): boolean {
  try {
    const labels = JSON.parse(buildah("inspect", "--type", "image", ref)).OCIv1?.config?.Labels ?? {};
    if (labels["prism-projen.standin"] === STANDIN_VERSION) return true;
    buildah("rmi", "--force", ref);
    return false;
  } catch {
    return false;
  }
}

/** Commits an image `ref` from scratch, its root filled by `fill`, with `env`. */
function standIn(ref: string, fill: (root: string) => void, env: Record<string, string> = {}): void {
  if (current(ref)) return;
  const container = buildah("from", "scratch").trim();
  try {
    fill(buildah("mount", container).trim());
    for (const [k, v] of Object.entries(env)) buildah("config", "--env", `${k}=${v}`, container);
    buildah("config", "--label", `prism-projen.standin=${STANDIN_VERSION}`, container);
    buildah("umount", container);
    buildah("commit", "--quiet", container, ref);
  } finally {
    buildah("rm", container);
  }
}

/** The Rust builder `rust:<version>-slim-<suite>` and the distroless images a Rust Dockerfile names. */
export function rustStandIns(rustVersion = "1.95.0", suite = "trixie", debian = "debian13"): void {
  standIn(`docker.io/library/rust:${rustVersion}-slim-${suite}`, (root) => {
    for (const d of ["usr", "tmp", "root", "etc", "usr/local/cargo/bin", "usr/local/rustup", "usr/local/libexec", DEBIAN_REGISTRY.slice(1)]) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.writeFileSync(path.join(root, AUDITABLE_IN_BUILD.slice(1)), "");
    fs.chmodSync(path.join(root, "tmp"), 0o1777);
    // merged /usr, as in Debian: the mounted /usr/bin and /usr/lib serve /bin and /lib
    for (const d of ["bin", "lib", "lib64", "sbin"]) fs.symlinkSync(`usr/${d}`, path.join(root, d));
    fs.cpSync(CARGO_BIN, path.join(root, "usr/local/cargo/bin"), { recursive: true, verbatimSymlinks: true });
    // crates.io stand-in: Debian's packaged crates (linked, mounted at build time), plus a cargo-auditable crate
    // of the version the Dockerfiles install, which runs the cargo-auditable the tests have (Debian's, see
    // scripts/build-cargo-auditable.sh) so that `cargo install cargo-auditable --version X --locked` works offline.
    const registry = path.join(root, "usr/local/standin-registry");
    fs.mkdirSync(registry, { recursive: true });
    for (const crate of fs.readdirSync(DEBIAN_REGISTRY)) fs.symlinkSync(path.join(DEBIAN_REGISTRY, crate), path.join(registry, crate));
    const auditable = path.join(registry, `cargo-auditable-${CARGO_AUDITABLE_VERSION}`);
    fs.mkdirSync(path.join(auditable, "src"), { recursive: true });
    fs.writeFileSync(path.join(auditable, "Cargo.toml"), `[package]\nname = "cargo-auditable"\nversion = "${CARGO_AUDITABLE_VERSION}"\nedition = "2021"\n`);
    fs.writeFileSync(path.join(auditable, "Cargo.lock"), `version = 4\n\n[[package]]\nname = "cargo-auditable"\nversion = "${CARGO_AUDITABLE_VERSION}"\n`);
    fs.writeFileSync(path.join(auditable, "src/main.rs"), [
      "use std::os::unix::process::CommandExt;",
      `fn main() { let e = std::process::Command::new(${JSON.stringify(AUDITABLE_IN_BUILD)}).args(std::env::args_os().skip(1)).exec(); eprintln!("{e}"); std::process::exit(1); }`,
      "",
    ].join("\n"));
    fs.writeFileSync(path.join(auditable, ".cargo-checksum.json"), "{\"files\":{},\"package\":null}");
    fs.writeFileSync(path.join(root, "usr/local/cargo/config.toml"),
      "[source.crates-io]\nreplace-with = \"standin\"\n\n[source.standin]\ndirectory = \"/usr/local/standin-registry\"\n\n[net]\noffline = true\n");
    fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  }, {
    // as the upstream image sets them
    CARGO_HOME: "/usr/local/cargo",
    RUSTUP_HOME: "/usr/local/rustup",
    PATH: "/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
  });
  for (const flavour of ["static", "cc"]) {
    for (const tag of ["nonroot", "debug-nonroot"]) {
      standIn(`gcr.io/distroless/${flavour}-${debian}:${tag}`, (root) => {
        fs.mkdirSync(path.join(root, "etc"));
        fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
      });
    }
  }
}

/** The Go builder `golang:<version>-<suite>`: this machine's Go (mounted with /usr), offline. */
export function goStandIns(goVersion = "1.25.4", suite = "trixie"): void {
  standIn(`docker.io/library/golang:${goVersion}-${suite}`, (root) => {
    for (const d of ["usr", "tmp", "root", "etc", "go"]) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.chmodSync(path.join(root, "tmp"), 0o1777);
    for (const d of ["bin", "lib", "lib64", "sbin"]) fs.symlinkSync(`usr/${d}`, path.join(root, d));
    fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  }, {
    PATH: "/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    GOPATH: "/go",
    HOME: "/root",
    // this machine's Go, no module proxy: nothing is downloaded
    GOTOOLCHAIN: "local",
    GOPROXY: "off",
    GOFLAGS: "-mod=mod",
  });
}

/** The crates cargo compiles for the component in a build's log (not cargo-auditable's own install, a layer of its own the first time). */
export const compiled = (log: string): string[] => [...log.matchAll(/^\s+Compiling (\S+) v/gm)].map((m) => m[1]).filter((c) => c !== "cargo-auditable");

/** `buildah bud --layers` of one target of a generated Dockerfile, in the repository root `context`; returns the build log (both streams). */
export function budTarget(context: string, dockerfile: string, target: string, tag: string): string {
  // The platform ARGs, given as BuildKit sets them for this machine (buildah 1.28 warns that they are missing).
  const arch = process.arch === "arm64" ? "arm64" : "amd64";
  const platform = ["TARGETOS=linux", `TARGETARCH=${arch}`, "BUILDOS=linux", `BUILDARCH=${arch}`, `TARGETPLATFORM=linux/${arch}`, `BUILDPLATFORM=linux/${arch}`]
    .flatMap((a) => ["--build-arg", a]);
  const args = [...BUILDAH, "bud", "--isolation", "chroot", "--layers", ...platform, ...BUILD_VOLUMES, ...auditableVolumes(), "-f", path.join(context, dockerfile), "--target", target, "-t", tag, context];
  const run = spawnSync("buildah", args, { encoding: "utf-8", maxBuffer: 64 * 1024 * 1024 });
  const log = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (run.status !== 0) throw new Error(`buildah bud ${dockerfile} --target ${target} failed:\n${log}`);
  return log;
}
