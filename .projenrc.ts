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
    // The machines this tree is generated and tested on reach no container registry, so no digest
    // can be resolved and checked here. Fill base-images/Dockerfile where one is reachable, then drop this.
    allowUnpinnedBaseImages:
      "no container registry is reachable from this project's build machines to resolve digests; " +
      "pin them in base-images/Dockerfile (Dependabot then keeps them current) where one is",
    // This repository runs its commands from source; an installed package runs its `prism-projen-*` bins.
    synthCommand: ["node", "bin/prism-projen-synth.cjs", ".projenrc.ts"],
    policyCommand: "tsx src/policy/cli.ts",
    newComponentCommand: "tsx src/cli/new-component.ts",
  });

  new RustComponent(project, "proxy", {
    description: "Prism proxy core",
    path: "proxy",
    binary: "prism-proxy",
    linkage: Linkage.GLIBC,
    ports: [
      // Prism's clients are applications in any namespace of the cluster; the Service is a ClusterIP, so
      // "anywhere" is the cluster unless an overlay exposes it.
      { name: "grpc", port: 8980, allowFrom: [{ anywhere: true }] },
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
      // The Kafka plugins reach the brokers, and nothing else: their NetworkPolicy denies other egress.
      egress: plugin.startsWith("kafka-") ? [{ namespace: "kafka", ports: [9092] }] : [],
      // Each plugin registers with the proxy and takes its work over the proxy's gRPC port: the proxy's
      // ingress and the plugin's egress both allow it.
      connectsTo: [{ component: "proxy", port: "grpc" }],
    });
  }

  new GoComponent(project, "prism-cli", {
    description: "Prism command-line client",
  });

  new GoComponent(project, "prism-migrate", {
    description: "Prism schema migrations",
    workload: WorkloadKind.JOB,
    // The migrations run against Prism's PostgreSQL, in its own namespace.
    egress: [{ namespace: "postgres", ports: [5432] }],
  });

  return project;
}

if (require.main === module) {
  prism().synth();
}
