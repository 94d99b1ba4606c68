import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../src/policy/run";
import { BUILTIN_EXCEPTIONS } from "../src/policy/exceptions";
import { PRISM_COMPONENTS } from "./helpers";

const README = fs.readFileSync(path.resolve(__dirname, "../README.md"), "utf-8");

describe("README", () => {
  it("lists every rule id the policy enforces", () => {
    const missing = Object.values(RULES).flat().flatMap((r) => r.ids).filter((id) => !README.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });

  it("lists every built-in exception", () => {
    for (const e of BUILTIN_EXCEPTIONS) expect(README).toContain(`\`${e.ruleId}\` (`);
  });

  it("gives the debug commands with the generated names", () => {
    for (const c of PRISM_COMPONENTS) {
      expect(README).toContain(`docker build --target debug -f ${c.path}/Dockerfile -t ghcr.io/prism/${c.name}:v0.1.0-debug .`);
      if (c.workload === "Deployment") expect(README).toContain(`kubectl -n prism-debug exec -it deploy/${c.name} -- /busybox/sh`);
    }
    expect(README).toContain("kubectl apply -k deploy/overlays/debug");
  });

  it("gives the two set-up commands", () => {
    expect(README).toContain("npm ci && npx projen");
    expect(README).toContain("npm ci && npm test");
    expect(fs.readFileSync(path.resolve(__dirname, "../.ci/run"), "utf-8")).toContain("npm ci && npm test");
  });
});
