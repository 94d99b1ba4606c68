import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as TOML from "smol-toml";
import { parseNewComponentArgs } from "../src/cli/new-component";
import { addComponent } from "../src/cli/projenrc-edit";
import { runPolicy } from "../src/policy/run";
import { readTree, repoCopy } from "./helpers";
import { readmeBlock } from "./readme-blocks";

const RC = fs.readFileSync(path.resolve(__dirname, "../.projenrc.ts"), "utf-8");

describe("addComponent (the .projenrc.ts edit)", () => {
  it("adds a Rust plugin after the last component, indented like its neighbours", () => {
    const out = addComponent(RC, { name: "kafka-archiver", lang: "rust", kind: "plugin", ports: [{ name: "metrics", port: 9090 }] });
    expect(out).toContain([
      "    egress: [{ namespace: \"postgres\", ports: [5432] }],",
      "  });",
      "",
      "  new RustComponent(project, \"kafka-archiver\", {",
      "    description: \"kafka-archiver plugin\",",
      "    linkage: Linkage.STATIC,",
      "    ports: [{ name: \"metrics\", port: 9090 }],",
      "    env: { RUST_LOG: \"info\" },",
      "  });",
      "",
      "  return project;",
    ].join("\n"));
    // only that statement was added
    expect(out.replace(/\n\n {2}new RustComponent\(project, "kafka-archiver"[\s\S]*?\n {2}\}\);/, "")).toBe(RC);
  });

  it("adds missing imports to the import that brings ContainerMonorepo", () => {
    const source = [
      "import { ContainerMonorepo, RustComponent } from \"prism-projen\";",
      "const project = new ContainerMonorepo({ name: \"x\" });",
      "new RustComponent(project, \"a\");",
      "project.synth();",
      "",
    ].join("\n");
    const out = addComponent(source, { name: "job", lang: "go", kind: "job", ports: [] });
    expect(out.split("\n")[0]).toBe("import { ContainerMonorepo, GoComponent, RustComponent, WorkloadKind } from \"prism-projen\";");
    expect(out).toContain("new RustComponent(project, \"a\");\n\nnew GoComponent(project, \"job\", {\n  description: \"job job\",\n  workload: WorkloadKind.JOB,\n});\nproject.synth();");
  });

  it("refuses a name that exists, declared literally or in a loop", () => {
    expect(() => addComponent(RC, { name: "prism-cli", lang: "go", kind: "tool", ports: [] }))
      .toThrow('a component named "prism-cli" is already declared in .projenrc.ts; nothing was changed');
    expect(() => addComponent(RC, { name: "kafka-consumer", lang: "rust", kind: "plugin", ports: [] }))
      .toThrow(/"kafka-consumer" is already declared/);
  });

  it("reads the command line", () => {
    expect(parseNewComponentArgs(["kafka-archiver", "--lang", "rust", "--kind", "plugin", "--port", "metrics=9090", "--port", "grpc=8981"]))
      .toEqual({ name: "kafka-archiver", lang: "rust", kind: "plugin", ports: [{ name: "metrics", port: 9090 }, { name: "grpc", port: 8981 }], linkage: undefined });
    expect(() => parseNewComponentArgs(["x", "--lang", "java"])).toThrow(/--lang must be rust or go/);
    // a long-running kind keeps its probes' port when given others; a tool gets none
    expect(parseNewComponentArgs(["x", "--lang", "rust", "--port", "grpc=8980"]).ports).toEqual([{ name: "grpc", port: 8980 }, { name: "metrics", port: 9090 }]);
    expect(parseNewComponentArgs(["x", "--lang", "go"]).ports).toEqual([]);
    // the Go starter exits: it cannot be a Deployment's long-running process
    expect(() => parseNewComponentArgs(["x", "--lang", "go", "--kind", "service"])).toThrow(/--kind service is for Rust components/);
    expect(() => parseNewComponentArgs(["x", "--lang", "rust", "--port", "metrics"])).toThrow(/--port takes name=number/);
  });
});

describe("npx projen new-component, end to end in a copy of this repository", () => {
  it("declares, writes starters once, synthesizes, builds offline, passes the policy; a second run changes nothing", () => {
    // GIVEN
    const dir = repoCopy();
    // the README's command, as it is written there
    const [line] = readmeBlock("Add a component");
    expect(line).toBe("npx projen new-component kafka-archiver --lang rust --kind plugin --port metrics=9090");
    const run = () => spawnSync("sh", ["-c", line], { cwd: dir, encoding: "utf-8" });
    // WHEN
    const first = run();
    // THEN
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.status).toBe(0);
    const files = readTree(dir);
    expect(files[".projenrc.ts"]).toContain("new RustComponent(project, \"kafka-archiver\", {");
    expect(files["containers/kafka-archiver/src/main.rs"]).toContain("const HEALTH_PORT: u16 = 9090;");
    expect(TOML.parse(files["containers/kafka-archiver/Cargo.toml"])).toMatchObject({ package: { name: "kafka-archiver" } });
    expect((TOML.parse(files["Cargo.toml"]) as any).workspace.members).toContain("containers/kafka-archiver");
    expect(files["Cargo.lock"]).toContain("name = \"kafka-archiver\"");
    expect(files["containers/kafka-archiver/Dockerfile"]).toContain("FROM gcr.io/distroless/static-debian13:nonroot AS production");
    expect(parse(files[".github/workflows/images.yml"]).jobs.publish.strategy.matrix.include)
      .toContainEqual({ component: "kafka-archiver", dockerfile: "containers/kafka-archiver/Dockerfile", image: "ghcr.io/prism/kafka-archiver" });
    expect(files["deploy/base/kafka-archiver.yaml"]).toContain("kind: Deployment");
    expect(runPolicy(dir).findings).toEqual([]);
    // the edited .projenrc.ts still type-checks
    execFileSync("npx", ["tsc", "--noEmit", "-p", "tsconfig.dev.json"], { cwd: dir, encoding: "utf-8" });
    // the Rust starter builds offline with the workspace's release profile, and runs
    execFileSync("cargo", ["build", "--release", "--offline", "--locked", "-p", "kafka-archiver"], {
      cwd: dir, encoding: "utf-8", env: { ...process.env, CARGO_TARGET_DIR: path.join(dir, "target") },
    });
    const version = execFileSync(path.join(dir, "target/release/kafka-archiver"), ["--version"], { encoding: "utf-8" });
    expect(version.trim()).toBe("kafka-archiver 0.1.0");
    // and nothing drifted
    expect(spawnSync("npx", ["projen", "drift"], { cwd: dir, encoding: "utf-8" }).status).toBe(0);

    // WHEN run again, as a script would (idempotent)
    const before = readTree(dir);
    const second = run();
    // THEN it succeeds and changes nothing
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain("new-component: \"kafka-archiver\" is already declared in .projenrc.ts; nothing was changed");
    expect(readTree(dir)).toEqual(before);
  });

  it("a name declared in a loop, or through a helper function, is already declared too: exit 0, nothing changed, whatever the options", () => {
    const dir = repoCopy();
    const before = readTree(dir);
    const run = spawnSync("npx", ["projen", "new-component", "kafka-consumer"], { cwd: dir, encoding: "utf-8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("\"kafka-consumer\" is already declared");
    expect(readTree(dir)).toEqual(before);
    // a name the syntax tree cannot see: the synthesis names it as declared twice
    fs.chmodSync(path.join(dir, ".projenrc.ts"), 0o644);
    fs.writeFileSync(path.join(dir, ".projenrc.ts"), before[".projenrc.ts"].replace(
      'for (const plugin of ["kafka-publisher", "kafka-consumer", "mailbox-listener"]) {',
      'for (const plugin of ["kafka-publisher", "kafka-consumer", "mailbox-" + "listener"]) {'));
    const edited = readTree(dir);
    const helper = spawnSync("npx", ["projen", "new-component", "mailbox-listener", "--lang", "rust"], { cwd: dir, encoding: "utf-8" });
    expect(helper.status, helper.stderr).toBe(0);
    expect(helper.stdout).toContain("\"mailbox-listener\" is already declared");
    expect(readTree(dir)).toEqual(edited);
  });

  it("a name the synthesis refuses leaves .projenrc.ts as it was", () => {
    const dir = repoCopy();
    const before = readTree(dir);
    const run = spawnSync("npx", ["projen", "new-component", "Bad_Name", "--lang", "go"], { cwd: dir, encoding: "utf-8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("[Bad_Name] name: \"Bad_Name\" is not a valid Kubernetes name");
    expect(readTree(dir)).toEqual(before);
  });
});

describe("npx projen new-component with the Go module at the repository root (goModuleDir \".\")", () => {
  it("declares a Go tool below cmd/, writes its starter, and the module at the root builds it, offline; no drift", () => {
    // GIVEN this repository with its Go module moved to the root: go.mod beside .projenrc.ts, the commands below cmd/
    const dir = repoCopy();
    const rc = path.join(dir, ".projenrc.ts");
    fs.chmodSync(rc, 0o644);
    fs.writeFileSync(rc, fs.readFileSync(rc, "utf-8").replace('    version: "0.1.0",\n', '    version: "0.1.0",\n    goModuleDir: ".",\n'));
    fs.rmSync(path.join(dir, "tools"), { recursive: true, force: true });
    const synth = spawnSync("npx", ["projen", "default", "--force"], { cwd: dir, encoding: "utf-8" });
    expect(synth.status, synth.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, "go.mod"))).toBe(true);
    // WHEN
    const run = spawnSync("npx", ["projen", "new-component", "prism-admin", "--lang", "go", "--kind", "tool"], { cwd: dir, encoding: "utf-8" });
    // THEN
    expect(run.status, run.stderr).toBe(0);
    const files = readTree(dir);
    expect(files[".projenrc.ts"]).toContain("new GoComponent(project, \"prism-admin\"");
    expect(files["cmd/prism-admin/main.go"]).toContain("package main");
    expect(files["cmd/prism-admin/Dockerfile"]).toContain("COPY ./ ./");
    const out = path.join(dir, "prism-admin-bin");
    execFileSync("go", ["build", "-o", out, "./cmd/prism-admin"], {
      cwd: dir, encoding: "utf-8", env: { ...process.env, GOPROXY: "off", GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
    });
    expect(execFileSync(out, ["--version"], { encoding: "utf-8" }).trim()).toBe("prism-admin 0.1.0");
    fs.rmSync(out);
    expect(spawnSync("npx", ["projen", "drift"], { cwd: dir, encoding: "utf-8" }).status).toBe(0);
  });
});
