/**
 * The workload `trace-cost.ts` bundles: `node bundle.cjs N RUNS BASE` synthesizes N components (or, for
 * N = 0, this repository's six, as `npx projen` does) into a new folder under BASE, once to warm up and
 * RUNS times timed, and prints the times (ms) as JSON.
 * `node bundle.cjs N 0 BASE OUTDIR` synthesizes once into OUTDIR and keeps it (to compare the bundles' files).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { prism } from "../.projenrc";
import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "../src";

const [n, runs, base, keep] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], process.argv[5]];

/**
 * What the working tree (the current folder) keeps of its Cargo check: its Cargo.lock, its cargo configuration and
 * the verdict the check recorded for them. Copied into each folder this repository's tree is synthesized into, the
 * check's answer stands there too (the same bytes), so the figures are the synthesis', not cargo's.
 */
const CARGO_CHECK_INPUTS = ["Cargo.lock", ".cargo/config.toml", "target/prism-projen/cargo-check.json"];

function synth(): number {
  const outdir = keep ?? fs.mkdtempSync(path.join(base, "bench-trace-synth-"));
  if (n === 0) {
    for (const file of CARGO_CHECK_INPUTS.filter((f) => fs.existsSync(f))) {
      fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
      fs.copyFileSync(file, path.join(outdir, file));
    }
  }
  const t0 = performance.now();
  const p = n === 0 ? prism(outdir) : new ContainerMonorepo({ name: "bench", outdir, allowUnpinnedBaseImages: "benchmark" });
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) new GoComponent(p, `tool-${i}`, { workload: i % 2 ? WorkloadKind.JOB : WorkloadKind.NONE });
    else new RustComponent(p, `svc-${i}`, { linkage: i % 2 ? Linkage.STATIC : Linkage.GLIBC, ports: [{ name: "metrics", port: 9090 }] });
  }
  p.synth();
  const elapsed = performance.now() - t0;
  if (!keep) fs.rmSync(outdir, { recursive: true, force: true });
  return elapsed;
}

synth();
console.log(JSON.stringify(Array.from({ length: runs }, synth)));
