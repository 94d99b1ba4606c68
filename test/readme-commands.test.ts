import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { readTree, repoCopy } from "./helpers";
import { readmeBlock } from "./readme-blocks";

/**
 * The README's everyday commands, run as written in a copy of this repository. (Its other blocks
 * are run where their subject is tested: the start in package.test.ts, new-component in
 * new-component.test.ts; `npm ci && npm test` is what `.ci/run` runs.)
 */

const sh = (line: string, cwd: string) => spawnSync("sh", ["-c", line], { cwd, encoding: "utf-8" });

describe("the README's commands, in a copy of this repository", () => {
  it("`npx projen` (after `npm ci`, which CI runs first) synthesizes and leaves the committed tree as it is", () => {
    const [main] = readmeBlock("The two commands");
    expect(main.startsWith("npm ci && ")).toBe(true);
    const dir = repoCopy();
    const before = readTree(dir);
    const result = sh(main.replace(/^npm ci && /, ""), dir);
    expect(result.status, result.stderr).toBe(0);
    expect(readTree(dir)).toEqual(before);
  });

  it("`npx projen drift` finds no drift, and `npx projen policy` no finding", () => {
    const dir = repoCopy();
    const [drift] = readmeBlock("Check for drift");
    const driftRun = sh(drift, dir);
    expect([driftRun.status, driftRun.stdout]).toEqual([0, expect.stringContaining("drift: none")]);
    const [policy] = readmeBlock("Run the policy");
    const policyRun = sh(policy, dir);
    expect([policyRun.status, policyRun.stdout]).toEqual([0, expect.stringMatching(/^policy: 0 finding\(s\)/m)]);
  });
});
