import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

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

const RUSTUP_HOME = process.env.RUSTUP_HOME ?? path.join(os.homedir(), ".rustup");
const CARGO_BIN = path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo"), "bin");
const DEBIAN_REGISTRY = "/usr/share/cargo/registry";

/** `buildah bud` volumes: this machine's toolchain and libraries, read-only, for every RUN. */
export const BUILD_VOLUMES = [
  ...["/usr/bin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/include", DEBIAN_REGISTRY].filter((d) => fs.existsSync(d)).map((d) => `${d}:${d}:ro`),
  `${RUSTUP_HOME}:/usr/local/rustup:ro`,
].flatMap((v) => ["-v", v]);

function exists(ref: string): boolean {
  try {
    buildah("inspect", "--type", "image", ref);
    return true;
  } catch {
    return false;
  }
}

/** Commits an image `ref` from scratch, its root filled by `fill`, with `env`. */
function standIn(ref: string, fill: (root: string) => void, env: Record<string, string> = {}): void {
  if (exists(ref)) return;
  const container = buildah("from", "scratch").trim();
  try {
    fill(buildah("mount", container).trim());
    for (const [k, v] of Object.entries(env)) buildah("config", "--env", `${k}=${v}`, container);
    buildah("umount", container);
    buildah("commit", "--quiet", container, ref);
  } finally {
    buildah("rm", container);
  }
}

/** The Rust builder `rust:<version>-slim-<suite>` and the distroless images a Rust Dockerfile names. */
export function rustStandIns(rustVersion = "1.95.0", suite = "trixie", debian = "debian13"): void {
  standIn(`docker.io/library/rust:${rustVersion}-slim-${suite}`, (root) => {
    for (const d of ["usr", "tmp", "root", "etc", "usr/local/cargo/bin", "usr/local/rustup", DEBIAN_REGISTRY.slice(1)]) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.chmodSync(path.join(root, "tmp"), 0o1777);
    // merged /usr, as in Debian: the mounted /usr/bin and /usr/lib serve /bin and /lib
    for (const d of ["bin", "lib", "lib64", "sbin"]) fs.symlinkSync(`usr/${d}`, path.join(root, d));
    fs.cpSync(CARGO_BIN, path.join(root, "usr/local/cargo/bin"), { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(root, "usr/local/cargo/config.toml"),
      `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${DEBIAN_REGISTRY}"\n\n[net]\noffline = true\n`);
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

/** `buildah bud --layers` of one target of a generated Dockerfile, in the repository root `context`; returns the build log (both streams). */
export function budTarget(context: string, dockerfile: string, target: string, tag: string): string {
  const args = [...BUILDAH, "bud", "--isolation", "chroot", "--layers", ...BUILD_VOLUMES, "-f", path.join(context, dockerfile), "--target", target, "-t", tag, context];
  const run = spawnSync("buildah", args, { encoding: "utf-8", maxBuffer: 64 * 1024 * 1024 });
  const log = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (run.status !== 0) throw new Error(`buildah bud ${dockerfile} --target ${target} failed:\n${log}`);
  return log;
}
