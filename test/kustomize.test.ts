import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { checkFile } from "../src/policy/run";
import { containers, imageTag, kustomizeBuild } from "./kustomize-render";
import { KUBERNETES_MODELS, PRISM_COMPONENTS, synthPrism, tmpdir } from "./helpers";

const MODELS = KUBERNETES_MODELS;
const DEPLOYABLE = PRISM_COMPONENTS.filter((c) => c.workload !== undefined);
const render = (variant: string) => kustomizeBuild(path.join(synthPrism().outdir, "deploy/overlays", variant));
const asFile = (objects: any[]) => objects.map((o) => stringify(o)).join("---\n");

describe("the kustomize renderer used here", () => {
  it("refuses a kustomization field it does not implement", () => {
    const fs = require("node:fs") as typeof import("node:fs");
    const dir = tmpdir("kustomize-");
    fs.writeFileSync(path.join(dir, "kustomization.yaml"), "resources: []\npatches: []\n");
    expect(() => kustomizeBuild(dir)).toThrow(/does not implement: patches/);
  });
});

describe.each(["production", "debug"])("deploy/overlays/%s", (variant) => {
  const objects = render(variant);
  const namespace = variant === "production" ? "prism" : "prism-debug";

  it("renders every deployable component and its namespace, all valid for kubernetes-models", () => {
    expect(objects.filter((o) => o.kind === "Deployment" || o.kind === "Job").map((o) => o.metadata.name).sort())
      .toEqual(DEPLOYABLE.map((c) => c.name).sort());
    for (const o of objects) expect(() => new MODELS[o.kind](o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });

  it(`puts everything in its own namespace (${namespace}), which enforces the restricted Pod Security Standard`, () => {
    const ns = objects.filter((o) => o.kind === "Namespace");
    expect(ns.map((n) => n.metadata.name)).toEqual([namespace]);
    expect(ns[0].metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const o of objects.filter((x) => x.kind !== "Namespace")) expect(o.metadata.namespace).toBe(namespace);
  });

  it(`labels every object and pod template as ${variant}, selectors untouched`, () => {
    for (const o of objects) {
      expect(o.metadata.labels["app.kubernetes.io/environment"]).toBe(variant);
      if (o.spec?.template) expect(o.spec.template.metadata.labels["app.kubernetes.io/environment"]).toBe(variant);
      if (o.spec?.selector?.matchLabels) expect(o.spec.selector.matchLabels["app.kubernetes.io/environment"]).toBeUndefined();
    }
  });

  it("keeps the restricted security contexts: the Pod Security Standards rules find nothing", () => {
    const findings = checkFile("kubernetes", `${variant}.yaml`, asFile(objects));
    if (variant === "production") {
      expect(findings).toEqual([]);
    } else {
      // Only the debug-image rule fires, once per container: the check that production passes is live.
      expect(new Set(findings.map((f) => f.ruleIds[0]))).toEqual(new Set(["PRISM-K002"]));
      expect(findings).toHaveLength(DEPLOYABLE.length);
    }
  });
});

describe("image tags per variant", () => {
  it("production runs v0.1.0 everywhere and never a debug tag", () => {
    const images = render("production").flatMap(containers).map((c) => c.image);
    expect(images).toHaveLength(DEPLOYABLE.length);
    for (const image of images) {
      expect(imageTag(image)).toBe("v0.1.0");
      expect(image).not.toMatch(/debug/);
    }
  });

  it("debug switches every component to its v0.1.0-debug image", () => {
    const images = render("debug").flatMap(containers).map((c) => c.image).sort();
    expect(images).toEqual(DEPLOYABLE.map((c) => `ghcr.io/prism/${c.name}:v0.1.0-debug`).sort());
  });
});
