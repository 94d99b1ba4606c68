import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { repoCopy } from "./helpers";

/**
 * Prism's own tree is a real service (#24): the proxy and the Kafka plugins depend on crates (tokio, serde,
 * reqwest with json) and on the shared library crate prism-common, as `.projenrc.ts` declares them. cargo builds
 * the committed workspace, sources and Cargo.lock as they are, offline from Debian's packaged crates (the only
 * crate registry this project's machines reach), with `--locked`: the lock synthesis keeps is the one cargo builds.
 */

const cargo = (args: string[], cwd: string) => spawnSync("cargo", args, { cwd, encoding: "utf-8", maxBuffer: 64 * 1024 * 1024 });
const manifest = (dir: string, member: string) => parse(fs.readFileSync(path.join(dir, member, "Cargo.toml"), "utf-8")) as {
  dependencies?: Record<string, { workspace?: boolean; features?: string[] } | string>;
};

describe("Prism's own workspace", () => {
  let dir: string;

  beforeAll(() => {
    dir = repoCopy();
  });

  it("declares real dependencies: the proxy and a plugin take tokio, serde or reqwest with json, and the shared crate", () => {
    const proxy = manifest(dir, "proxy").dependencies ?? {};
    expect(Object.keys(proxy).sort()).toEqual(["prism-common", "reqwest", "serde", "tokio"]);
    expect(proxy.reqwest).toEqual({ workspace: true, features: ["json"] });
    const publisher = manifest(dir, "containers/kafka-publisher").dependencies ?? {};
    expect(Object.keys(publisher).sort()).toEqual(["prism-common", "tokio"]);
    expect(publisher["prism-common"]).toEqual({ workspace: true });
    expect(Object.keys(manifest(dir, "crates/prism-common").dependencies ?? {}).sort()).toEqual(["serde", "serde_json", "tokio"]);
  });

  it("builds, every member, offline and locked; the shared crate's tests pass", () => {
    const build = cargo(["build", "--offline", "--locked", "--workspace"], dir);
    expect(build.status, build.stderr).toBe(0);
    // Each member compiled from its own sources, against the crates the lock pins.
    for (const crate of ["prism-common", "proxy", "kafka-publisher", "kafka-consumer", "mailbox-listener", "tokio", "reqwest", "serde_json", "rustls"]) {
      expect(build.stderr).toMatch(new RegExp(`^\\s+Compiling ${crate} v`, "m"));
    }
    for (const binary of ["prism-proxy", "kafka-publisher", "kafka-consumer", "mailbox-listener"]) {
      expect(fs.existsSync(path.join(dir, "target/debug", binary)), binary).toBe(true);
    }
    const version = spawnSync(path.join(dir, "target/debug/prism-proxy"), ["--version"], { encoding: "utf-8" });
    expect(version.stdout).toBe("prism-proxy 0.1.0\n");
    const tests = cargo(["test", "--offline", "--locked", "--package", "prism-common"], dir);
    expect(tests.status, tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/test tests::a_registration_survives_its_line \.\.\. ok/);
  });

  it("links no OpenSSL: reqwest reaches TLS through rustls alone", () => {
    const tree = cargo(["tree", "--offline", "--locked", "--package", "proxy", "--edges", "normal", "--prefix", "none", "--format", "{p}"], dir);
    expect(tree.status, tree.stderr).toBe(0);
    const crates = new Set(tree.stdout.split("\n").map((l) => l.split(" ")[0]).filter((c) => c !== ""));
    expect([...crates].filter((c) => ["reqwest", "rustls", "hyper-rustls", "tokio", "serde", "prism-common"].includes(c)).sort())
      .toEqual(["hyper-rustls", "prism-common", "reqwest", "rustls", "serde", "tokio"]);
    expect([...crates].filter((c) => ["openssl", "openssl-sys", "native-tls"].includes(c))).toEqual([]);
  });
});
