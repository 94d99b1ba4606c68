import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRISM_COMPONENTS, synthPrism } from "./helpers";
import { buildah, budTarget, compiled, goStandIns, removeAtEnd, rustStandIns } from "./standin-images";

/**
 * Both targets of the components, built by buildah from the generated Dockerfiles as they are
 * (stand-in base images under the upstream names, see standin-images.ts), in the synthesized tree
 * with its Cargo.lock: every line runs, cargo-auditable's install and the target selection included.
 *
 * One component of each shape is built: the glibc-linked proxy (with its crates and the shared crate), a
 * static Rust plugin with the shared crate (kafka-publisher) and one without (mailbox-listener), and both Go
 * commands (a Job and an image-only tool). kafka-consumer has kafka-publisher's shape: its Dockerfile,
 * manifest and starter are kafka-publisher's with the name put in its place, byte for byte, so what builds
 * for one builds for the other (checked here, on the synthesized files).
 */

const SHAPE_OF: Readonly<Record<string, string>> = { "kafka-consumer": "kafka-publisher" };
const BUILT = PRISM_COMPONENTS.filter((c) => !(c.name in SHAPE_OF));

const tags: string[] = [];

describe("every generated Dockerfile builds, both targets", () => {
  let tree: string;

  beforeAll(() => {
    rustStandIns();
    goStandIns();
    // The synthesized tree, with the Cargo.lock its synthesis resolved (the committed one: project.test.ts).
    tree = synthPrism().outdir;
  });

  afterAll(() => {
    for (const tag of tags) removeAtEnd(tag);
  });

  it.each(Object.entries(SHAPE_OF))("%s has %s's shape: its build files are that component's with the name replaced", (name, like) => {
    const { files } = synthPrism();
    const component = PRISM_COMPONENTS.find((c) => c.name === name)!;
    const model = PRISM_COMPONENTS.find((c) => c.name === like)!;
    const buildFiles = (c: typeof component) => ["Dockerfile", "Cargo.toml", "src/main.rs"].map((f) => files[`${c.path}/${f}`]);
    const renamed = buildFiles(model).map((text) => text.replaceAll(model.path, component.path).replaceAll(model.name, component.name));
    expect(buildFiles(component).every((text) => text !== undefined && text.length > 0)).toBe(true);
    expect(buildFiles(component)).toEqual(renamed);
  });

  it.each(BUILT.flatMap((c) => ["debug", "production"].map((target) => ({ ...c, target }))))("$name, $target", (c) => {
    const tag = `localhost/prism-projen-test/${c.name}:${c.target}-${process.pid}`;
    tags.push(tag);
    const log = budTarget(tree, `${c.path}/Dockerfile`, c.target, tag);
    const config = JSON.parse(buildah("inspect", "--type", "image", tag)).OCIv1.config;
    expect(config.User).toBe("65532:65532");
    expect(config.Entrypoint).toEqual([`/usr/local/bin/${c.binary}`]);
    if (c.language === "rust") expect(log).toMatch(/cargo auditable build --release --locked --package \S+ --bin /);
  });

  // After the builds above (a file's tests run in order): their layers are the cache the edit below is built against.
  it("an edit of the shared crate rebuilds the plugin that takes it on its kept dependency layer, and nothing of the one that does not", () => {
    // WHEN the shared crate's source changes (an edit new to this machine: buildah keeps layers between runs)
    fs.appendFileSync(path.join(tree, "crates/prism-common/src/lib.rs"), `\n#[allow(dead_code)]\nfn edited_${process.pid}_${Date.now()}() -> u32 { 42 }\n`);
    const rebuild = (name: string) => {
      const tag = `localhost/prism-projen-test/${name}:edited-${process.pid}`;
      tags.push(tag);
      return budTarget(tree, `containers/${name}/Dockerfile`, "production", tag);
    };
    const dependent = rebuild("kafka-publisher");
    const other = rebuild("mailbox-listener");
    // THEN kafka-publisher, which takes prism-common (and tokio), keeps its dependency layer: no crate of the registry
    // compiles, only the shared crate and the plugin
    expect(dependent).toMatch(/STEP \d+\/\d+: COPY --from=plan \/plan\/ \.\/\n--> Using cache/);
    expect(compiled(dependent)).toEqual(["prism-common", "kafka-publisher"]);
    // AND mailbox-listener, which does not, copies no shared crate: every layer from the cache, nothing compiled
    expect(compiled(other)).toEqual([]);
    expect(other).toMatch(/STEP \d+\/\d+: COPY containers\/mailbox-listener\/ containers\/mailbox-listener\/\n--> Using cache/);
  });
});
