import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRISM_COMPONENTS, synthPrism } from "./helpers";
import { buildah, budTarget, goStandIns, rustStandIns } from "./standin-images";

/**
 * Both targets of all six components, built by buildah from the generated Dockerfiles as they are
 * (stand-in base images under the upstream names, see standin-images.ts), in the synthesized tree
 * with its Cargo.lock: every line runs, cargo-auditable's install and the target selection included.
 */

const tags: string[] = [];

describe("every generated Dockerfile builds, both targets", () => {
  let tree: string;

  beforeAll(() => {
    rustStandIns();
    goStandIns();
    tree = synthPrism().outdir;
    fs.copyFileSync(path.resolve(__dirname, "../Cargo.lock"), path.join(tree, "Cargo.lock"));
  });

  afterAll(() => {
    for (const tag of tags) {
      try {
        buildah("rmi", "--force", tag);
      } catch {
        // already gone
      }
    }
  });

  it.each(PRISM_COMPONENTS.flatMap((c) => ["debug", "production"].map((target) => ({ ...c, target }))))("$name, $target", (c) => {
    const tag = `localhost/prism-projen-test/${c.name}:${c.target}-${process.pid}`;
    tags.push(tag);
    const log = budTarget(tree, `${c.path}/Dockerfile`, c.target, tag);
    const config = JSON.parse(buildah("inspect", "--type", "image", tag)).OCIv1.config;
    expect(config.User).toBe("65532:65532");
    expect(config.Entrypoint).toEqual([`/usr/local/bin/${c.binary}`]);
    if (c.language === "rust") expect(log).toMatch(/cargo auditable build --release --locked --package \S+ --bin /);
  });
});
