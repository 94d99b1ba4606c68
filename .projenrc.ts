import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "./src";

// Prism's one source: every Dockerfile, Cargo manifest, workflow and manifest
// in this repository is synthesized from here by `npx projen`.
// Exported so the tests synthesize exactly this definition into a temporary folder.
export function prism(outdir?: string): ContainerMonorepo {
  const project = new ContainerMonorepo({
    name: "prism",
    outdir,
    imageRegistry: "ghcr.io/prism",
    version: "0.1.0",
  });

  new RustComponent(project, "proxy", {
    description: "Prism proxy core",
    path: "proxy",
    binary: "prism-proxy",
    linkage: Linkage.GLIBC,
    ports: [
      { name: "grpc", port: 8980 },
      { name: "metrics", port: 9090 },
    ],
    env: { RUST_LOG: "info" },
    resources: { cpuRequest: "250m", memoryRequest: "128Mi", cpuLimit: "1", memoryLimit: "256Mi" },
  });

  for (const plugin of ["kafka-publisher", "kafka-consumer", "mailbox-listener"]) {
    new RustComponent(project, plugin, {
      description: `Prism ${plugin} plugin`,
      linkage: Linkage.STATIC,
      ports: [{ name: "metrics", port: 9090 }],
      env: { RUST_LOG: "info" },
    });
  }

  new GoComponent(project, "prism-cli", {
    description: "Prism command-line client",
  });

  new GoComponent(project, "prism-migrate", {
    description: "Prism schema migrations",
    workload: WorkloadKind.JOB,
  });

  return project;
}

if (require.main === module) {
  prism().synth();
}
