import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerMonorepo, Linkage, RustComponent } from "../src";
import { DEBIAN_CRATES_CONFIG, METRICS, UNPINNED, synth } from "./helpers";
import { budTarget, compiled, removeAtEnd, rustStandIns } from "./standin-images";

/**
 * The Rust dependencies compile in a layer of their own, keyed by the manifests and Cargo.lock alone
 * (the plan stage's graph): proven with buildah (`--layers`, its layer cache) building a generated
 * Dockerfile as it is, with stand-in base images, and a member that depends on a crate from Debian's
 * registry. Counted by cargo's own `Compiling` lines.
 */

const tags: string[] = [];

describe("the dependency layer", () => {
  let workspace: string;
  let dockerfile: string;
  const build = () => {
    const tag = `localhost/prism-projen-test/counter:${process.pid}-${tags.length}`;
    tags.push(tag);
    return budTarget(workspace, dockerfile, "production", tag);
  };

  beforeAll(() => {
    rustStandIns();
    workspace = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, ...UNPINNED });
      new RustComponent(p, "counter", { ports: METRICS, linkage: Linkage.STATIC });
      new RustComponent(p, "other", { ports: METRICS });
      return p;
    }).outdir;
    dockerfile = "containers/counter/Dockerfile";
    const manifest = path.join(workspace, "containers/counter/Cargo.toml");
    fs.chmodSync(manifest, 0o644);
    // This run's own graph (buildah keeps layers between runs): a first build here cannot come from an earlier run's cache.
    fs.appendFileSync(manifest, `\n[package.metadata.test]\nrun = "${process.pid}-${Date.now()}"\n\n[dependencies]\nitoa = "1"\n`);
    lock(workspace);
  });

  afterAll(() => {
    for (const tag of tags) removeAtEnd(tag);
  });

  it("a first build compiles the dependency, then the member; a source edit rebuilds the member only; a Cargo.lock change rebuilds the dependencies", () => {
    // GIVEN a first build: the dependency layer (itoa and the member's stub), then the member's sources
    const first = build();
    expect(compiled(first)).toEqual(["itoa", "counter", "counter"]);

    // WHEN one source file changes (in the binary, not only a comment)
    const main = path.join(workspace, "containers/counter/src/main.rs");
    fs.appendFileSync(main, "\n#[allow(dead_code)]\nfn edited() -> u32 { 42 }\n");
    const second = build();
    // THEN the dependency layer comes from the cache and cargo compiles the member alone
    expect(compiled(second)).toEqual(["counter"]);
    expect(second).toMatch(/STEP \d+\/\d+: COPY --from=plan \/plan\/ \.\/\n--> Using cache/);

    // WHEN another member's source changes: the graph is the same, and the image copies no other member's sources:
    // every layer comes from the cache, and cargo compiles nothing
    fs.appendFileSync(path.join(workspace, "containers/other/src/main.rs"), "\n// another member\n");
    const untouched = build();
    expect(compiled(untouched)).toEqual([]);
    expect(untouched).toMatch(/STEP \d+\/\d+: COPY containers\/counter\/ containers\/counter\/\n--> Using cache/);

    // WHEN Cargo.lock changes (a new dependency, memchr from Debian's registry)
    const manifest = path.join(workspace, "containers/counter/Cargo.toml");
    fs.appendFileSync(manifest, "memchr = \"2\"\n");
    const before = fs.readFileSync(path.join(workspace, "Cargo.lock"), "utf-8");
    lock(workspace);
    expect(fs.readFileSync(path.join(workspace, "Cargo.lock"), "utf-8")).not.toBe(before);
    const third = build();
    // THEN the dependencies compile again
    expect(compiled(third)).toEqual(expect.arrayContaining(["itoa", "memchr"]));
  });
});

/** Cargo.lock for the workspace, from Debian's registry (the stand-in builder reads the same one). */
function lock(workspace: string): void {
  const home = fs.mkdtempSync(path.join(path.dirname(workspace), "cargo-home-"));
  fs.writeFileSync(path.join(home, "config.toml"), DEBIAN_CRATES_CONFIG);
  execFileSync("cargo", ["generate-lockfile", "--offline", "--quiet"], { cwd: workspace, env: { ...process.env, CARGO_HOME: home } });
}
