import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../src/policy/run";
import { BUILTIN_EXCEPTIONS } from "../src/policy/exceptions";
import { renderOptionsDoc } from "../scripts/options-doc";
import { PRISM_COMPONENTS } from "./helpers";
import { readmeBlock, readmeShellBlocks } from "./readme-blocks";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf-8");
const README = read("README.md");

describe("README", () => {
  it("is short enough to be read to the end; reference lives in docs/", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(200);
  });

  it("links only to files that exist, and every docs/ page is linked from it", () => {
    const links = [...README.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    for (const link of links) expect(fs.existsSync(path.join(ROOT, link)), link).toBe(true);
    for (const page of fs.readdirSync(path.join(ROOT, "docs"))) expect(links, page).toContain(`docs/${page}`);
    for (const page of fs.readdirSync(path.join(ROOT, "docs")).filter((p) => p.endsWith(".md"))) {
      const text = read(`docs/${page}`);
      for (const m of text.matchAll(/\]\(([^)#]+)\)/g)) {
        if (!/^https?:/.test(m[1])) expect(fs.existsSync(path.join(ROOT, "docs", m[1])), `${page}: ${m[1]}`).toBe(true);
      }
    }
  });

  it("gives the two set-up commands; CI runs exactly the test command", () => {
    expect(readmeBlock("The two commands")).toEqual(["npm ci && npx projen", "npm ci && npm test"]);
    expect(read(".ci/run").trim().split("\n").at(-1)).toBe("npm ci && npm test");
  });

  it("has no shell block that a test does not run: each test takes its block from the README by its heading", () => {
    const tests = fs.readdirSync(path.join(ROOT, "test")).filter((f) => f.endsWith(".test.ts")).map((f) => read(`test/${f}`)).join("\n");
    const run = new Set([...tests.matchAll(/readmeBlock\("([^"]+)"\)/g)].map((m) => m[1]));
    const blocks = readmeShellBlocks(README);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks.map((b) => b.heading).filter((h) => !run.has(h))).toEqual([]);
  });

  it("finds shell blocks by heading, and a block under a new heading is one no test runs", () => {
    const blocks = readmeShellBlocks("## A\n\n```sh\nnpx one\n# a comment\nnpx two\n```\n\n### B\n```sh\nnpx three\n```\n");
    expect(blocks).toEqual([{ heading: "A", lines: ["npx one", "npx two"] }, { heading: "B", lines: ["npx three"] }]);
  });
});

describe("docs/options.md", () => {
  it("is what `npm run docs` renders from the props types: every option, its doc comment and its default", () => {
    expect(read("docs/options.md")).toBe(renderOptionsDoc());
  });
});

describe("docs/policy.md", () => {
  const POLICY = read("docs/policy.md");

  it("lists every rule id the policy enforces", () => {
    const missing = Object.values(RULES).flat().flatMap((r) => r.ids).filter((id) => !POLICY.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });

  it("lists every built-in exception", () => {
    for (const e of BUILTIN_EXCEPTIONS) expect(POLICY).toContain(`\`${e.ruleId}\` (`);
  });
});

describe("docs/debugging.md", () => {
  it("gives the debug commands with the generated names", () => {
    const DEBUGGING = read("docs/debugging.md");
    for (const c of PRISM_COMPONENTS) {
      expect(DEBUGGING).toContain(`docker build --target debug -f ${c.path}/Dockerfile -t ghcr.io/prism/${c.name}:v0.1.0-debug .`);
      if (c.workload === "Deployment") expect(DEBUGGING).toContain(`kubectl -n prism-debug exec -it deploy/${c.name} -- /busybox/sh`);
    }
    expect(DEBUGGING).toContain("kubectl apply -k deploy/overlays/debug");
  });
});
