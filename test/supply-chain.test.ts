import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { ContainerMonorepo, GoComponent, Linkage, RustComponent } from "../src";
import { BASE_IMAGE_LOCK, parseBaseImageLock } from "../src/dockerfile/base-image-lock";
import { runPolicy } from "../src/policy/run";
import { UNPINNED, readTree, synthPrism, tmpdir, withCargoLock } from "./helpers";

// Test data: well-formed digests, not real images' (no registry is reachable from the tests).
const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const D3 = `sha256:${"3".repeat(64)}`;
const D4 = `sha256:${"4".repeat(64)}`;

function demo(outdir: string, props: Partial<ConstructorParameters<typeof ContainerMonorepo>[0]> = {}): ContainerMonorepo {
  const p = new ContainerMonorepo({ name: "demo", outdir, ...props });
  new RustComponent(p, "svc", { linkage: Linkage.STATIC, ports: [{ name: "metrics", port: 9090 }] });
  return p;
}

describe("base-image digests", () => {
  it("without a lock or an opt-out, synth refuses every unpinned base image, by the name the lock would give it", () => {
    const outdir = tmpdir();
    expect(() => demo(outdir).synth()).toThrow(new RegExp("allowUnpinnedBaseImages: these base images have no digest, which the policy reports \\(PRISM-D001\\): " +
      "docker\\.io/library/rust:1\\.95\\.0-slim-trixie, gcr\\.io/distroless/static-debian13:debug-nonroot, gcr\\.io/distroless/static-debian13:nonroot; pin them in base-images/Dockerfile"));
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  it("the policy reports the same images as PRISM-D001 when the opt-out's exception is taken away", () => {
    const outdir = tmpdir();
    demo(outdir, UNPINNED).synth();
    fs.chmodSync(path.join(outdir, "policy-exceptions.json"), 0o644);
    fs.rmSync(path.join(outdir, "policy-exceptions.json"));
    const report = runPolicy(withCargoLock(outdir));
    expect(report.findings.map((f) => f.ruleIds[0])).toEqual(["PRISM-D001", "PRISM-D001", "PRISM-D001", "PRISM-D001"]);
    expect(report.exceptions.map((e) => e.ruleId)).toEqual(["DS-0026", "container-image-pull-policy"]);
  });

  it("the lock pins builder and runtime FROMs, and the policy is then clean without an opt-out", () => {
    // GIVEN a lock for every base image the component uses
    const outdir = tmpdir();
    fs.mkdirSync(path.join(outdir, "base-images"));
    fs.writeFileSync(path.join(outdir, BASE_IMAGE_LOCK), [
      "# base-image lock",
      `FROM docker.io/library/rust:1.95.0-slim-trixie@${D1}`,
      `FROM gcr.io/distroless/static-debian13:nonroot@${D2}`,
      `FROM gcr.io/distroless/static-debian13:debug-nonroot@${D3}`,
      "",
    ].join("\n"));
    // WHEN
    demo(outdir).synth();
    // THEN
    const dockerfile = readTree(outdir)["containers/svc/Dockerfile"];
    expect(dockerfile).toContain(`FROM --platform=$BUILDPLATFORM docker.io/library/rust:\${RUST_VERSION}-slim-trixie@${D1} AS build`);
    expect(dockerfile).toContain(`FROM gcr.io/distroless/static-debian13:nonroot@${D2} AS production`);
    expect(dockerfile).toContain(`FROM gcr.io/distroless/static-debian13:debug-nonroot@${D3} AS debug`);
    expect(runPolicy(withCargoLock(outdir)).findings).toEqual([]);
    // and Dependabot keeps the lock's digests current
    const dependabot = parse(readTree(outdir)[".github/dependabot.yml"]);
    expect(dependabot.updates).toContainEqual(expect.objectContaining({ "package-ecosystem": "docker", "directory": "/base-images" }));
  });

  it("a lock line that is not a pinned FROM stops the synth and writes nothing", () => {
    const outdir = tmpdir();
    fs.mkdirSync(path.join(outdir, "base-images"));
    fs.writeFileSync(path.join(outdir, BASE_IMAGE_LOCK), "FROM gcr.io/distroless/static-debian13:nonroot\n");
    expect(() => demo(outdir).synth()).toThrow(/base-images\/Dockerfile line 1: "FROM gcr\.io\/distroless\/static-debian13:nonroot" is not "FROM <image>:<tag>@sha256:<64 hex>"/);
    expect(Object.keys(readTree(outdir))).toEqual([BASE_IMAGE_LOCK]);
  });

  it("parses digests by image:tag and skips comments", () => {
    expect(parseBaseImageLock(`# c\n\nFROM a/b:1@${D4} AS x\n`)).toEqual({ digests: { "a/b:1": D4 }, problems: [] });
  });

  it("the opt-out is recorded with its reason as a policy exception", () => {
    const outdir = tmpdir();
    demo(outdir, { allowUnpinnedBaseImages: "no registry here" }).synth();
    const exceptions = JSON.parse(readTree(outdir)["policy-exceptions.json"]).exceptions;
    expect(exceptions).toContainEqual({ ruleId: "PRISM-D001", reason: "no registry here" });
    expect(runPolicy(withCargoLock(outdir)).findings).toEqual([]);
  });
});

describe("dependabot.yml", () => {
  it("keeps npm, Cargo and Go dependencies current, weekly, after a cooldown; not the generated workflow's action pins", () => {
    const text = synthPrism().files[".github/dependabot.yml"];
    expect(parseDocument(text, { strict: true, uniqueKeys: true }).errors).toEqual([]);
    const config = parse(text);
    expect(config.version).toBe(2);
    expect(config.updates.map((u: any) => [u["package-ecosystem"], u.directory])).toEqual([
      ["npm", "/"], ["cargo", "/"], ["gomod", "/tools"],
    ]);
    for (const u of config.updates) {
      expect(u.schedule).toEqual({ interval: "weekly" });
      expect(u.cooldown).toEqual({ "default-days": 7 });
    }
  });

  it("has no cargo entry without Rust components", () => {
    const outdir = tmpdir();
    const p = new ContainerMonorepo({ name: "demo", outdir, ...UNPINNED });
    new GoComponent(p, "tool");
    p.synth();
    const ecosystems = parse(readTree(outdir)[".github/dependabot.yml"]).updates.map((u: any) => u["package-ecosystem"]);
    expect(ecosystems).toEqual(["npm", "gomod"]);
    expect(readTree(outdir)["Cargo.toml"]).toBeUndefined();
  });
});
