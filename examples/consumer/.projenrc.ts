import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "prism-projen";

// The one source of this repository's Dockerfiles, Cargo workspace, CI workflow and Kubernetes
// manifests: change it, then run `npx projen`. Your editor shows each option's documentation and default.
const project = new ContainerMonorepo({
  name: "consumer",
  imageRegistry: "ghcr.io/consumer",
  version: "0.1.0",
  // No base-image digest is pinned yet: write them into base-images/Dockerfile (one pinned FROM line
  // per image), then delete this line, and the policy checks that every FROM is pinned.
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
