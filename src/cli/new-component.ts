#!/usr/bin/env node
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../files/atomic-write";
import { runDefaultTask } from "./run-synth";
import { addComponent, isDeclared, type ComponentKind, type ComponentLanguage, type NewComponentSpec } from "./projenrc-edit";

const USAGE = "usage: prism-projen-new-component NAME --lang rust|go [--kind plugin|service|tool|job] [--port name=number]... [--linkage static|glibc]\n" +
  "  plugin and service (Rust, a Deployment) get --port metrics=9090 unless a port named metrics is given: the starter serves\n" +
  "  its liveness and readiness probes there; tool and job run to completion. A NAME already declared changes nothing";

const OPTIONS = {
  lang: { type: "string" },
  kind: { type: "string" },
  port: { type: "string", multiple: true },
  linkage: { type: "string" },
} as const;

/** Reads the command line into a spec; throws with the usage on a mistake. */
export function parseNewComponentArgs(argv: string[]): NewComponentSpec {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [name, ...extra] = positionals;
  const fail = (problem: string): never => { throw new Error(`${problem}\n${USAGE}`); };
  if (!name || extra.length > 0) fail("give exactly one component name");
  const lang = values.lang as ComponentLanguage;
  if (lang !== "rust" && lang !== "go") fail(`--lang must be rust or go, not ${values.lang ?? "nothing"}`);
  const kind = (values.kind ?? (lang === "rust" ? "plugin" : "tool")) as ComponentKind;
  if (!["plugin", "service", "tool", "job"].includes(kind)) fail(`--kind must be plugin, service, tool or job, not ${kind}`);
  // A plugin or service runs as a Deployment probed over HTTP; the Go starter is a command that exits.
  if (lang === "go" && (kind === "plugin" || kind === "service")) fail(`--kind ${kind} is for Rust components (a Deployment with a health server); a Go component is a tool or a job`);
  const linkage = values.linkage as "static" | "glibc" | undefined;
  if (linkage !== undefined && (lang !== "rust" || !["static", "glibc"].includes(linkage))) fail("--linkage is static or glibc, for Rust components");
  const ports = (values.port ?? []).map((p) => {
    const match = /^([^=]+)=(\d+)$/.exec(p);
    return match ? { name: match[1], port: Number(match[2]) } : fail(`--port takes name=number, not ${p}`);
  });
  // A Deployment needs probes, which default to the port named metrics (the starter's health server):
  // a long-running kind gets metrics=9090 unless a port of that name is given.
  const longRunning = kind === "plugin" || kind === "service";
  const withMetrics = longRunning && !ports.some((p) => p.name === "metrics") ? [...ports, { name: "metrics", port: 9090 }] : ports;
  return { name: name!, lang, kind, ports: withMetrics, linkage };
}

function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = process.cwd();
  const rc = path.join(dir, ".projenrc.ts");
  const original = fs.readFileSync(rc, "utf-8");
  // Idempotent, so a script can call it again: a declared component is there, whatever options this call gives.
  const name = parseArgs({ args: argv, allowPositionals: true, strict: false, options: OPTIONS }).positionals[0];
  if (name !== undefined && isDeclared(original, name)) {
    process.stdout.write(`new-component: "${name}" is already declared in .projenrc.ts; nothing was changed\n`);
    return 0;
  }
  let spec: NewComponentSpec;
  try {
    spec = parseNewComponentArgs(argv);
  } catch (e) {
    process.stderr.write(`new-component: ${(e as Error).message}\n`);
    return 2;
  }
  let edited: string;
  try {
    edited = addComponent(original, spec);
  } catch (e) {
    process.stderr.write(`new-component: ${(e as Error).message}\n`);
    return 1;
  }
  writeFileAtomic(rc, edited);
  const synth = runDefaultTask(dir);
  if (synth.status !== 0) {
    // The synth validated nothing into the tree; put the source back as it was.
    writeFileAtomic(rc, original);
    if (synth.output.includes(`[${spec.name}] name: a component named "${spec.name}" is declared more than once`)) {
      // declared in a way the syntax tree did not show (a helper function, say): already there all the same
      process.stdout.write(`new-component: "${spec.name}" is already declared in .projenrc.ts; nothing was changed\n`);
      return 0;
    }
    process.stderr.write(`new-component: the synthesis refused "${spec.name}"; .projenrc.ts is restored and nothing was written:\n${synth.output}`);
    return 1;
  }
  if (spec.lang === "rust" && fs.existsSync(path.join(dir, "Cargo.lock"))) {
    // The Dockerfiles build with --locked: add the new member to Cargo.lock (no download for a std-only starter).
    const cargo = spawnSync("cargo", ["update", "--workspace", "--offline"], { cwd: dir, encoding: "utf-8" });
    if (cargo.status !== 0) {
      process.stderr.write(`new-component: run "cargo update --workspace" to add ${spec.name} to Cargo.lock (${(cargo.stderr ?? cargo.error?.message ?? "").trim()})\n`);
    }
  }
  process.stdout.write(`new-component: declared ${spec.lang} ${spec.kind} "${spec.name}" in .projenrc.ts and synthesized its files\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
