import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { kustomizeBuild } from "../src/policy/kustomize-build";
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

/**
 * The deployment block: `kubectl kustomize` runs here for real; the commands that need a cluster
 * cannot, so each is checked against what kustomize renders: the overlay it applies renders, and
 * every object it names (`job/...`, `deploy/...`, in `-n NAMESPACE`) is in that namespace.
 */
describe("the README's deployment commands", () => {
  const ROOT = path.resolve(__dirname, "..");
  const lines = readmeBlock("Deploy, upgrade, migrate");
  const rendered = ["production", "debug"].flatMap((variant) => kustomizeBuild(path.join(ROOT, "deploy/overlays", variant)) as any[]);
  const KINDS: Record<string, string> = { job: "Job", deploy: "Deployment" };
  /** Whether an object carries every `key=value` of a kubectl label selector (`-l a=b,c=d`). */
  const hasLabels = (o: any, selector: string) => selector.split(",").every((pair) => {
    const [key, value] = pair.split("=");
    return o.metadata.labels?.[key] === value;
  });

  it("kubectl kustomize renders the overlay as written", () => {
    const render = lines.filter((l) => l.startsWith("kubectl kustomize "));
    expect(render.length).toBeGreaterThan(0);
    for (const line of render) {
      const result = sh(line, ROOT);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^kind: Deployment$/m);
    }
  });

  it("every other command applies an overlay that renders, or names an object that it renders, in its namespace", () => {
    const checked = lines.filter((l) => !l.startsWith("kubectl kustomize ")).map((line) => {
      const words = line.split(/\s+/);
      expect(words[0], line).toBe("kubectl");
      const overlay = words.indexOf("-k");
      if (overlay >= 0) {
        const objects = kustomizeBuild(path.join(ROOT, words[overlay + 1])) as any[];
        // `-l` applies only the objects it selects: the migration Job (and its NetworkPolicy).
        const selector = words.includes("-l") ? words[words.indexOf("-l") + 1] : undefined;
        const selected = selector ? objects.filter((o) => hasLabels(o, selector)) : objects;
        return expect(selector ? selected.map((o) => o.kind).sort() : selected.length, line).toEqual(selector ? ["Job", "NetworkPolicy"] : expect.any(Number));
      }
      const namespace = words[words.indexOf("-n") + 1];
      const object = words.find((w) => /^(job|deploy)\/[a-z0-9-]+$/.test(w))?.split("/");
      const selector = words.includes("-l") ? words[words.indexOf("-l") + 1] : undefined;
      const kind = object?.[0] ?? words.find((w) => KINDS[w] !== undefined);
      expect([kind, object !== undefined || selector !== undefined], line).toEqual([expect.any(String), true]);
      const matches = (o: any) => o.kind === KINDS[kind!] && o.metadata.namespace === namespace &&
        (object ? o.metadata.name === object[1] : hasLabels(o, selector!));
      expect(rendered.filter(matches).length, line).toBe(1);
    });
    expect(checked.length).toBe(lines.length - 1);
  });
});
