import { ContainerMonorepo, GoComponent, Linkage, RustComponent, WorkloadKind } from "prism-projen";

// The one source of this repository's Dockerfiles, Cargo workspace, CI workflow and Kubernetes
// manifests: change it, then run `npx projen`. Your editor shows each option's documentation and default.
const project = new ContainerMonorepo({
  name: "consumer",
  // The publish job pushes with the workflow's GITHUB_TOKEN, which can push only under the
  // repository's own GitHub owner: make this ghcr.io/<that owner>.
  imageRegistry: "ghcr.io/consumer",
  version: "0.1.0",
  // No base-image digest is pinned yet. Create base-images/Dockerfile with one
  // `FROM <image>:<tag>@sha256:<digest>` line per base image the Dockerfiles use, then delete this
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
