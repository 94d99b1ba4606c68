import { ContainerMonorepo, GoComponent, Linkage, ReqwestVersion, RustComponent, RustLibrary, WorkloadKind } from "./src";

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
    // reqwest 0.11: the line Debian packages (librust-reqwest-dev), so this tree builds offline on the project's
    // machines, which reach no crate registry but Debian's. Still rustls, never OpenSSL.
    reqwest: { version: ReqwestVersion.V0_11 },
  });

  // What the proxy and its plugins share: the registration a plugin sends the proxy, and the health endpoints.
  new RustLibrary(project, "prism-common", {
    description: "Prism's shared types and health endpoints",
    dependencies: {
      serde: { version: "1", features: ["derive"] },
      serde_json: "1",
      tokio: { version: "1", features: ["rt", "net", "io-util", "time"] },
    },
  });
  const runtime = { version: "1", features: ["rt-multi-thread", "macros", "net", "io-util", "time"] };

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
    dependencies: {
      "prism-common": { workspace: true },
      tokio: runtime,
      serde: { version: "1", features: ["derive"] },
      // The proxy's outbound calls (JSON over HTTPS): the workspace's reqwest, rustls only.
      reqwest: { workspace: true, features: ["json"] },
    },
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
      // The Kafka plugins run on tokio and Prism's shared crate; mailbox-listener is still its starter.
      dependencies: plugin.startsWith("kafka-") ? { "prism-common": { workspace: true }, tokio: runtime } : {},
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
