import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../src/policy/dockerfile-rules";
import { prism } from "../.projenrc";
import { goBuildStage, runGoBuild } from "./dockerfile-builds";
import { hasInterpreter, hasNeeded, hasSymtab, readelf, runInEmptyRoot } from "./binaries";
import { ContainerMonorepo, GoComponent, RustComponent } from "../src";
import { METRICS, PRISM_COMPONENTS, UNPINNED, synth, synthPrism, tmpdir } from "./helpers";

/**
 * The Go starters built exactly as their generated Dockerfiles build them
 * (Debian's Go 1.19 here; the images use GO_VERSION), offline, and checked:
 * static, stripped, at the path the runtime stage copies, and runnable in an
 * empty root as 65532.
 */

const GO = PRISM_COMPONENTS.filter((c) => c.language === "go");

describe.each(GO)("Go command $name", (component) => {
  it("builds as its Dockerfile says, static and stripped, at the path production copies, and runs in an empty root as 65532", () => {
    const { outdir, files } = synthPrism();
    const df = parseDockerfile(files[`${component.path}/Dockerfile`]);
    // GIVEN the build stage's WORKDIR (below /workspace, the repository root), ENV and go build command
    const build = goBuildStage(df);
    expect(build.workdir).toBe("/workspace/tools");
    expect(build.env).toEqual({ CGO_ENABLED: "0" });
    expect(build.command).toBe(`GOOS=\${TARGETOS} GOARCH=\${TARGETARCH} go build -trimpath -ldflags="-s -w -buildid=" -o /out/${component.binary} ./cmd/${component.name}`);

    // WHEN the same command runs here, offline, with /out as a local folder
    const staging = runGoBuild(outdir, build);
    const binary = path.join(staging, component.binary);

    // THEN static (no interpreter, no NEEDED) and stripped (no symbol table)
    expect(hasInterpreter(binary)).toBe(false);
    expect(hasNeeded(binary)).toBe(false);
    expect(hasSymtab(binary)).toBe(false);
    // and production copies /out/<binary> and runs it
    const production = df.stages.find((s) => s.name === "production")!;
    const copy = production.instructions.find((i) => i.keyword === "COPY" && i.flags.from === "build")!;
    expect(copy.args[0]).toBe(`/out/${component.binary}`);
    const entrypoint = JSON.parse(production.instructions.find((i) => i.keyword === "ENTRYPOINT")!.text);
    expect(entrypoint).toEqual([copy.args.at(-1)]);
    // in a root holding only that file
    const run = runInEmptyRoot({ [entrypoint[0]]: binary }, [entrypoint[0], "--version"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`${component.binary} 0.1.0`);
  });
});

describe.each(GO)("Go command $name, for arm64", (component) => {
  it("cross-compiles on this machine exactly as its Dockerfile says (TARGETARCH=arm64): a static AArch64 ELF", () => {
    const { outdir, files } = synthPrism();
    const df = parseDockerfile(files[`${component.path}/Dockerfile`]);
    // the build stage runs on the build machine, the runtime stages on the target platform
    expect(files[`${component.path}/Dockerfile`]).toMatch(/^FROM --platform=\$BUILDPLATFORM docker\.io\/library\/golang:\$\{GO_VERSION\}-trixie AS build$/m);
    expect(files[`${component.path}/Dockerfile`]).toMatch(/^FROM gcr\.io\/distroless\/static-debian13:nonroot AS production$/m);
    const binary = path.join(runGoBuild(outdir, goBuildStage(df), "arm64"), component.binary);
    const header = readelf("-h", binary);
    expect(header).toMatch(/Machine:\s+AArch64/);
    expect(header).toMatch(/Class:\s+ELF64/);
    expect(hasInterpreter(binary)).toBe(false);
    expect(hasNeeded(binary)).toBe(false);
    // and the amd64 build of the same command is an x86-64 ELF: the arch comes from TARGETARCH alone
    expect(readelf("-h", path.join(runGoBuild(outdir, goBuildStage(df), "amd64"), component.binary))).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
  });
});

describe("the Go module", () => {
  it("go.mod and the starters are written once: an edited main.go and go.mod survive a synth", () => {
    const { outdir, files } = synth(prism);
    expect(files["tools/go.mod"]).toBe("module prism/tools\n\ngo 1.22\n");
    for (const c of GO) expect(files[`${c.path}/main.go`]).toContain("package main");
    fs.writeFileSync(path.join(outdir, "tools/cmd/prism-cli/main.go"), "package main\n\nfunc main() {}\n");
    fs.appendFileSync(path.join(outdir, "tools/go.mod"), "\nrequire example.com/x v1.0.0\n");
    prism(outdir).synth();
    expect(fs.readFileSync(path.join(outdir, "tools/cmd/prism-cli/main.go"), "utf-8")).toBe("package main\n\nfunc main() {}\n");
    expect(fs.readFileSync(path.join(outdir, "tools/go.mod"), "utf-8")).toContain("require example.com/x v1.0.0");
  });
});

describe("a Go module at the repository root (goModuleDir \".\", go.mod beside .projenrc.ts)", () => {
  it("the Dockerfile copies go.* and the whole module from the root, and its go build works as written, offline", () => {
    const { outdir, files } = synth((dir) => {
      const p = new ContainerMonorepo({ name: "demo", outdir: dir, goModuleDir: ".", ...UNPINNED });
      new GoComponent(p, "cli");
      new RustComponent(p, "api", { ports: METRICS });
      return p;
    });
    expect(files["go.mod"]).toMatch(/^module demo$/m);
    const df = parseDockerfile(files["cmd/cli/Dockerfile"]);
    const build = goBuildStage(df);
    expect(build.workdir).toBe("/workspace");
    const copies = df.stages.find((s) => s.name === "build")!.instructions.filter((i) => i.keyword === "COPY").map((i) => i.args);
    expect(copies).toEqual([["go.*", "./"], ["./", "./"]]);
    expect(build.command).toBe("GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags=\"-s -w -buildid=\" -o /out/cli ./cmd/cli");
    const binary = path.join(runGoBuild(outdir, build), "cli");
    expect(hasInterpreter(binary)).toBe(false);
    const run = runInEmptyRoot({ "/cli": binary }, ["/cli", "--version"]);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("cli 0.1.0");
  });

  it("\"./\" and other spellings of the root are refused, naming the field and the fix", () => {
    for (const dir of ["./", "./tools", "../tools"]) {
      expect(() => new ContainerMonorepo({ name: "demo", outdir: tmpdir(), goModuleDir: dir, ...UNPINNED }), dir)
        .toThrow(/\[project demo\] goModuleDir: .* must be "\." \(the repository root\) or a relative folder inside the repository/);
    }
  });
});
