import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ContainerMonorepo, RustComponent, RustLibrary, isRefusal } from "../src";
import { BUILD_STAGE, PLAN_STAGE, planImage } from "../src/dockerfile/image-plan";
import type { Instruction } from "../src/dockerfile/dockerfile-model";
import { imageInputs, rebuilds } from "../src/github/image-inputs";
import { METRICS, UNPINNED, tmpdir, useDebianCrates } from "./helpers";

/**
 * A shared library crate of the workspace (crates/common), taken by path by one component: a member of the
 * workspace, built from the generated Dockerfile's own steps (run here as the Dockerfile runs them, with cargo,
 * offline, on Debian's packaged crates), copied into the image of the component that depends on it and no
 * other, and an input of that image alone.
 */

const cargo = (cwd: string, ...args: string[]) => execFileSync("cargo", args, { cwd, encoding: "utf-8", stdio: ["ignore", "pipe", "pipe"] });
const define = (outdir: string) => {
  const p = new ContainerMonorepo({ name: "shop", outdir, ...UNPINNED });
  new RustComponent(p, "api", { ports: METRICS });
  new RustComponent(p, "worker", { ports: METRICS });
  return p;
};

/** A library with every kind of target cargo finds by convention: a lib, a build script, a second binary, an example, a bench. */
function writeLibrary(dir: string): void {
  const files: Record<string, string> = {
    "crates/common/Cargo.toml": "[package]\nname = \"common\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nitoa = \"1\"\n",
    "crates/common/src/lib.rs": "pub fn answer() -> String { itoa::Buffer::new().format(42u32).to_string() }\n",
    "crates/common/build.rs": "fn main() { println!(\"cargo:rustc-env=COMMON_BUILT=yes\"); }\n",
    "crates/common/src/bin/tool.rs": "fn main() { println!(\"{}\", common::answer()); }\n",
    "crates/common/examples/demo.rs": "fn main() { println!(\"{}\", common::answer()); }\n",
    "crates/common/benches/speed.rs": "fn main() {}\n",
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

describe("a shared library crate, taken by path", () => {
  const dir = useDebianCrates(tmpdir("library-"));
  define(dir).synth();
  writeLibrary(dir);
  cargo(path.join(dir, "containers/api"), "add", "--offline", "--quiet", "--path", "../../crates/common");
  const main = path.join(dir, "containers/api/src/main.rs");
  // The component uses the library, so a stub of it (no `answer`) could not build the component.
  fs.writeFileSync(main, "fn main() { println!(\"{}\", common::answer()); }\n");
  const project = define(dir);
  project.synth();
  const models = project.componentModels();
  const plan = (name: string) => planImage(models.find((m) => m.name === name)!, project.model, { rustMemberRoots: project.rustMemberRoots(), marker: "" });

  it("is a member of the workspace, and cargo builds every member offline with the lock as it is", () => {
    const metadata = JSON.parse(cargo(dir, "metadata", "--offline", "--locked", "--format-version", "1", "--no-deps"));
    expect(metadata.packages.map((p: { name: string }) => p.name).sort()).toEqual(["api", "common", "worker"]);
    cargo(dir, "build", "--offline", "--locked", "--workspace");
  });

  it("the api's image copies it, the worker's does not; both plans carry its manifest (cargo loads every member)", () => {
    const copied = (name: string, stage: string) => plan(name).stages.find((s) => s.name === stage)!.instructions
      .filter((i): i is Extract<Instruction, { op: "COPY" }> => i.op === "COPY" && i.from === undefined).flatMap((i) => i.sources);
    expect(copied("api", BUILD_STAGE)).toEqual(["Cargo.toml", "Cargo.lock", "containers/api/", "crates/common/"]);
    expect(copied("worker", BUILD_STAGE)).toEqual(["Cargo.toml", "Cargo.lock", "containers/worker/"]);
    for (const name of ["api", "worker"]) expect(copied(name, PLAN_STAGE)).toEqual(["Cargo.toml", "Cargo.lock", "containers/", "crates/"]);
  });

  it("a change to it rebuilds the api's images and not the worker's", () => {
    const inputs = imageInputs(project.model, models);
    const of = (name: string) => inputs.find((i) => i.component === name)!;
    expect(rebuilds(of("api"), "crates/common/src/lib.rs")).toBe(true);
    expect(rebuilds(of("worker"), "crates/common/src/lib.rs")).toBe(false);
    expect(rebuilds(of("worker"), "containers/worker/src/main.rs")).toBe(true);
  });

  it("the Dockerfile's own steps build it: the plan's stubs (lib, build script, bins, examples, benches) build the dependency layer, the real sources the binary", () => {
    const work = tmpdir("library-build-");
    const planDir = path.join(work, "plan");
    const context = path.join(work, "context");
    const stages = plan("api").stages;
    // Each stage's COPY from the build context, then its RUNs, as buildah runs them (the plan's folder here, not /plan).
    const run = (stage: string, cwd: string, rewrite: (command: string) => string) => {
      for (const i of stages.find((s) => s.name === stage)!.instructions) {
        if (i.op === "COPY" && i.from === undefined) {
          for (const source of i.sources) fs.cpSync(path.join(dir, source), path.join(cwd, i.dest.endsWith("/") && source.endsWith("/") ? i.dest : path.join(i.dest, source)), { recursive: true });
        } else if (i.op === "COPY" && i.from === PLAN_STAGE) {
          fs.cpSync(planDir, cwd, { recursive: true });
        } else if (i.op === "RUN" && stage === PLAN_STAGE) {
          execFileSync("sh", ["-c", i.commands.map(rewrite).join(" && ")], { cwd });
        }
      }
    };
    fs.mkdirSync(context, { recursive: true });
    fs.mkdirSync(planDir, { recursive: true });
    run(PLAN_STAGE, context, (c) => c.split("/plan").join(planDir));
    for (const stub of ["crates/common/src/lib.rs", "crates/common/build.rs", "crates/common/src/bin/tool.rs", "crates/common/examples/demo.rs",
      "crates/common/benches/speed.rs", "containers/api/src/main.rs", "containers/worker/src/main.rs"]) {
      expect(fs.readFileSync(path.join(planDir, stub), "utf-8"), stub).toBe("fn main() {}\n");
    }
    // The dependency layer: the graph alone, as the build stage's first cargo build compiles it.
    const build = path.join(work, "build");
    fs.cpSync(planDir, build, { recursive: true });
    useDebianCrates(build);
    cargo(build, "build", "--offline", "--locked", "--release", "--package", "api", "--bin", "api");
    // Then the real sources of the api and its library over the stubs, touched as the Dockerfile does, and the binary.
    const buildStage = stages.find((s) => s.name === BUILD_STAGE)!.instructions;
    for (const i of buildStage.filter((x): x is Extract<Instruction, { op: "COPY" }> => x.op === "COPY" && x.from === undefined)) {
      for (const source of i.sources) fs.cpSync(path.join(dir, source), path.join(build, source.endsWith("/") ? i.dest : source), { recursive: true });
    }
    // COPY keeps the context's times, which may be older than the stubs cargo just built (hence the Dockerfile's
    // touch): the real sources get old times here too. The api calls the library, so its stub could not build it.
    const old = new Date("2000-01-01T00:00:00Z");
    for (const copied of ["Cargo.toml", "Cargo.lock", "containers/api", "crates/common"]) {
      const at = path.join(build, copied);
      const files = fs.statSync(at).isDirectory() ? fs.readdirSync(at, { recursive: true, encoding: "utf-8" }).map((f) => path.join(at, f)) : [at];
      for (const file of [at, ...files]) fs.utimesSync(file, old, old);
    }
    const last = buildStage.filter((x): x is Extract<Instruction, { op: "RUN" }> => x.op === "RUN").at(-1)!;
    execFileSync("sh", ["-c", last.commands[0]], { cwd: build });
    cargo(build, "build", "--offline", "--locked", "--release", "--package", "api", "--bin", "api");
    expect(execFileSync(path.join(build, "target/release/api"), { encoding: "utf-8" })).toBe("42\n");
  });
});

describe("a library crate declared in .projenrc.ts (RustLibrary)", () => {
  const defineWithLibrary = (outdir: string, library: ConstructorParameters<typeof RustLibrary>[2] = {}) => {
    const p = new ContainerMonorepo({ name: "shop", outdir, ...UNPINNED });
    new RustLibrary(p, "common", library);
    new RustComponent(p, "api", { ports: METRICS, dependencies: { common: { workspace: true } } });
    new RustComponent(p, "worker", { ports: METRICS });
    return p;
  };
  const dir = useDebianCrates(tmpdir("library-declared-"));
  const project = defineWithLibrary(dir, { dependencies: { itoa: "1" } });
  project.synth();
  const toml = (file: string) => fs.readFileSync(path.join(dir, file), "utf-8");

  it("writes the crate's manifest and a starter once; it is a member, and a shared version by its path", () => {
    expect(toml("crates/common/Cargo.toml")).toMatch(/\[package\]\nname = "common"\n[\s\S]*\[lib\]\npath = "src\/lib\.rs"\n[\s\S]*\[dependencies\]\nitoa = "1"\n/);
    expect(toml("crates/common/src/lib.rs")).toContain("pub const NAME: &str = \"common\";");
    expect(toml("Cargo.toml")).toMatch(/members = \[ "containers\/api", "containers\/worker", "crates\/common" \]/);
    expect(toml("Cargo.toml")).toMatch(/\[workspace\.dependencies\.common\]\npath = "crates\/common"\n/);
    expect(toml("containers/api/Cargo.toml")).toMatch(/\[dependencies\.common\]\nworkspace = true\n/);
  });

  it("cargo builds every member offline; the api's image copies the library, the worker's does not", () => {
    fs.writeFileSync(path.join(dir, "containers/api/src/main.rs"), "fn main() { println!(\"{}\", common::NAME); }\n");
    cargo(dir, "build", "--offline", "--locked", "--workspace");
    expect(toml("containers/api/Dockerfile")).toMatch(/^COPY crates\/common\/ crates\/common\/$/m);
    expect(toml("containers/worker/Dockerfile")).not.toMatch(/^COPY crates\/common\/ crates\/common\/$/m);
    expect(toml("containers/worker/Dockerfile")).toMatch(/^COPY crates\/ crates\/$/m);
  });

  it("explain names the library and its options; cargo add in its folder is kept", () => {
    const line = defineWithLibrary(dir, { dependencies: { itoa: "1" } })._explain("crates/common/Cargo.toml").lines.find((l) => l.text === "itoa = \"1\"")!;
    expect(line.construct).toBe("RustLibrary \"common\"");
    expect(line.options.map((o) => `${o.of}.${o.option}`)).toEqual(["common.dependencies"]);
    cargo(path.join(dir, "crates/common"), "add", "--offline", "--quiet", "memchr");
    defineWithLibrary(dir, { dependencies: { itoa: "1" } }).synth();
    expect(toml("crates/common/Cargo.toml")).toMatch(/^memchr = "2\./m);
  });

  it("refuses a library in a component's folder, or with a component's package name, naming the library and the fix", () => {
    const refusal = (library: ConstructorParameters<typeof RustLibrary>[2]) => {
      try {
        defineWithLibrary(tmpdir(), library).synth();
      } catch (e) {
        if (isRefusal(e)) return (e as Error).message;
        throw e;
      }
      throw new Error("synth did not refuse");
    };
    expect(refusal({ path: "containers/api/common" })).toMatch(/\[common\] path: "containers\/api\/common" and the component api's folder "containers\/api" overlap; give the library a folder of its own/);
    expect(refusal({ packageName: "worker" })).toMatch(/\[common\] packageName: "worker" is also the component worker's; cargo package names must be unique/);
  });
});
