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

function synth(): number {
  const outdir = keep ?? fs.mkdtempSync(path.join(base, "bench-trace-synth-"));
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
