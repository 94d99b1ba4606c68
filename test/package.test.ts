import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoCopy, tmpdir } from "./helpers";

/**
 * The library as another repository gets it: `npm pack` (which builds lib/ first), then
 * `npm install` of the tarball into a new project (npm's cache first: `npm ci` filled it with the
 * packages; their registry metadata may still have to be fetched, as for any `npm install`).
 */
describe("the package, installed into another repository", () => {
  it("builds lib/ when packed, links an executable prism-projen-synth, and its .projenrc.ts synthesizes through npx projen", () => {
    const packed = tmpdir("pack-");
    const pack = spawnSync("npm", ["pack", "--pack-destination", packed], { cwd: repoCopy(), encoding: "utf-8" });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = path.join(packed, fs.readdirSync(packed).find((f) => f.endsWith(".tgz"))!);
    const listing = spawnSync("tar", ["-tvzf", tarball], { encoding: "utf-8" }).stdout;
    expect(listing).toMatch(/^-rwxr-xr-x .* package\/bin\/prism-projen-synth\.cjs$/m);
    expect(listing).toMatch(/ package\/bin\/record-inputs\.cjs$/m);
    expect(listing).toMatch(/ package\/lib\/index\.js$/m);

    const consumer = tmpdir("consumer-");
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: consumer, encoding: "utf-8" });
    expect(install.status, install.stderr).toBe(0);
    expect(fs.realpathSync(path.join(consumer, "node_modules/.bin/prism-projen-synth"))).toBe(path.join(fs.realpathSync(consumer), "node_modules/prism-projen/bin/prism-projen-synth.cjs"));

    fs.writeFileSync(path.join(consumer, ".projenrc.ts"), [
      'import { ContainerMonorepo, RustComponent } from "prism-projen";',
      'const project = new ContainerMonorepo({ name: "consumer", imageRegistry: "ghcr.io/acme", version: "1.0.0", allowUnpinnedBaseImages: "a test" });',
      'new RustComponent(project, "svc", { ports: [{ name: "metrics", port: 9090 }] });',
      "project.synth();",
      "",
    ].join("\n"));
    // The first synth writes .projen/tasks.json, which `npx projen` needs.
    const bootstrap = spawnSync("npx", ["prism-projen-synth", ".projenrc.ts"], { cwd: consumer, encoding: "utf-8" });
    expect(bootstrap.status, bootstrap.stderr).toBe(0);
    const tasks = JSON.parse(fs.readFileSync(path.join(consumer, ".projen/tasks.json"), "utf-8"));
    expect(tasks.tasks.default.steps[0].execArgs).toEqual(["prism-projen-synth", ".projenrc.ts"]);
    expect(fs.readFileSync(path.join(consumer, "containers/svc/Dockerfile"), "utf-8")).toContain("USER 65532:65532");

    // projen's CLI sets PROJEN_DISABLE_POST, which projen reads: the first run through it synthesizes again (writing nothing)
    const synth = spawnSync("npx", ["projen"], { cwd: consumer, encoding: "utf-8" });
    expect(synth.status, synth.stderr).toBe(0);
    const again = spawnSync("npx", ["projen"], { cwd: consumer, encoding: "utf-8" });
    expect(again.stdout).toContain("prism-projen: up to date");
    const drift = spawnSync("npx", ["projen", "drift"], { cwd: consumer, encoding: "utf-8" });
    expect([drift.status, drift.stdout]).toEqual([0, expect.stringContaining("drift: none")]);
    // A hand edit: the record no longer holds, and the drift check finds it.
    const dockerfile = path.join(consumer, "containers/svc/Dockerfile");
    fs.chmodSync(dockerfile, 0o644);
    fs.appendFileSync(dockerfile, "USER root\n");
    const drifted = spawnSync("npx", ["projen", "drift"], { cwd: consumer, encoding: "utf-8" });
    expect(drifted.status).toBe(1);
    expect(drifted.stdout).toMatch(/^edited by hand: containers\/svc\/Dockerfile$/m);
  });
});
