#!/usr/bin/env node
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../files/atomic-write";

const USAGE = "usage: prism-projen init [--name NAME]\n" +
  "  writes .projenrc.ts (one Rust service, one Go job) into the current folder and synthesizes it;\n" +
  "  NAME (the project's Kubernetes namespace and part-of label) defaults to the folder's name";

/** The project name init proposes for a folder: its name, as a Kubernetes name. */
export function projectNameFor(folder: string): string {
  const name = path.basename(folder).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return /^[a-z]/.test(name) ? name : `app-${name}`.replace(/-+$/, "");
}

/**
 * The `.projenrc.ts` a new repository starts from: every line is something a user changes or
 * deletes on purpose. `examples/consumer` is exactly what `init` makes of it.
 */
export function starterProjenrc(name: string): string {
  return `import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "prism-projen";

// The one source of this repository's Dockerfiles, Cargo workspace, CI workflow and Kubernetes
// manifests: change it, then run \`npx projen\`. Your editor shows each option's documentation and default.
const project = new ContainerMonorepo({
  name: ${JSON.stringify(name)},
  // The publish job pushes with the workflow's GITHUB_TOKEN, which can push only under the
  // repository's own GitHub owner: make this ghcr.io/<that owner>.
  imageRegistry: ${JSON.stringify(`ghcr.io/${name}`)},
  version: "0.1.0",
  // No base-image digest is pinned yet. Create base-images/Dockerfile with one
  // \`FROM <image>:<tag>@sha256:<digest>\` line per base image the Dockerfiles use, then delete this
  // line: synthesis pins every FROM from it, and the policy checks that each one is pinned.
  allowUnpinnedBaseImages: "digests not pinned yet; see base-images/Dockerfile",
});

// A Rust service: a Deployment probed on its metrics port; a static binary on distroless static.
new RustComponent(project, "api", {
  description: "HTTP API",
  linkage: Linkage.STATIC,
  ports: [{ name: "metrics", port: 9090 }],
  env: { RUST_LOG: "info" },
});

// A Go tool that runs to completion, as a Kubernetes Job.
new GoComponent(project, "migrate", {
  description: "Database migrations",
  workload: WorkloadKind.JOB,
});

project.synth();
`;
}

/** The runner this package ships: the same file as the project's `prism-projen-synth` bin. */
const RUNNER = path.resolve(__dirname, "../../bin/prism-projen-synth.cjs");

/** Starts a repository in `dir`; returns the exit code. */
export function init(dir: string, argv: readonly string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let name: string;
  try {
    const { values } = parseArgs({ args: [...argv], options: { name: { type: "string" } } });
    name = values.name ?? projectNameFor(dir);
  } catch (e) {
    process.stderr.write(`prism-projen init: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const rc = path.join(dir, ".projenrc.ts");
  if (fs.existsSync(rc)) {
    // Never overwrite the one source; running init again on a started repository changes nothing.
    const own = fs.readFileSync(rc, "utf-8").includes("\"prism-projen\"");
    process.stdout.write(own
      ? "prism-projen init: .projenrc.ts is already here; nothing was changed (run `npx projen`)\n"
      : "prism-projen init: .projenrc.ts exists and does not use prism-projen; nothing was changed\n");
    return own ? 0 : 1;
  }
  const packageJson = path.join(dir, "package.json");
  const madePackageJson = !fs.existsSync(packageJson);
  if (madePackageJson) {
    // `npm install prism-projen` writes one; a folder without it still needs one for npx and Dependabot's npm updates.
    writeFileAtomic(packageJson, `${JSON.stringify({ name, private: true }, null, 2)}\n`);
  }
  writeFileAtomic(rc, starterProjenrc(name));
  const synth = spawnSync(process.execPath, [RUNNER, ".projenrc.ts"], { cwd: dir, encoding: "utf-8" });
  process.stdout.write(synth.stdout ?? "");
  process.stderr.write(synth.stderr ?? "");
  if (synth.status !== 0) {
    // A refusal (a name that is not a Kubernetes name, say) wrote nothing: leave the folder as it was.
    fs.rmSync(rc);
    if (madePackageJson) fs.rmSync(packageJson);
    process.stderr.write(`prism-projen init: the first synthesis failed; nothing was kept\n${USAGE}\n`);
    return 1;
  }
  process.stdout.write(`prism-projen init: wrote .projenrc.ts for "${name}" and synthesized it; next: npx projen policy\n`);
  return 0;
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === "init") return init(process.cwd(), rest);
  const help = command === undefined || command === "--help" || command === "-h";
  (help ? process.stdout : process.stderr).write(`${USAGE}\n`);
  return help ? 0 : 2;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
