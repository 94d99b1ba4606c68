import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../src/policy/run";
import { BUILTIN_EXCEPTIONS } from "../src/policy/exceptions";
import { PRISM_COMPONENTS } from "./helpers";

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
    for (const page of fs.readdirSync(path.join(ROOT, "docs"))) {
      const text = read(`docs/${page}`);
      for (const m of text.matchAll(/\]\(([^)#]+)\)/g)) {
        if (!/^https?:/.test(m[1])) expect(fs.existsSync(path.join(ROOT, "docs", m[1])), `${page}: ${m[1]}`).toBe(true);
      }
    }
  });

  it("gives the two set-up commands", () => {
    expect(README).toContain("npm ci && npx projen");
    expect(README).toContain("npm ci && npm test");
    expect(read(".ci/run")).toContain("npm ci && npm test");
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
