import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as TOML from "smol-toml";
import { describe, expect, it, vi } from "vitest";
import { ContainerMonorepo, RustComponent, isRefusal, type ContainerMonorepoProps, type RustComponentProps } from "../src";
import { compareTrees } from "../src/drift/compare";
import { SYNTH_DIR_ENV } from "../src/env-names";
import { CARGO_CHECK_RECORD } from "../src/monorepo/cargo-check";
import { METRICS, UNPINNED, snapshot, tmpdir, useDebianCrates } from "./helpers";

/**
 * A member's dependencies, the Rust way: what `cargo add` writes in a member's Cargo.toml is the user's and
 * stays; what `.projenrc.ts` declares is synthesis'. Real cargo, offline, on Debian's packaged crates.
 */

type Define = { project?: Partial<ContainerMonorepoProps>; api?: RustComponentProps };
const define = (o: Define = {}) => (outdir: string) => {
  const p = new ContainerMonorepo({ name: "shop", outdir, ...UNPINNED, ...o.project });
  new RustComponent(p, "api", { ports: METRICS, ...o.api });
  new RustComponent(p, "worker", { ports: METRICS });
  return p;
};

/** A synthesized tree whose cargo reads crates.io from Debian's packaged crates. */
function tree(o: Define = {}): string {
  const dir = useDebianCrates(tmpdir("deps-"));
  define(o)(dir).synth();
  return dir;
}

const cargo = (cwd: string, ...args: string[]) => execFileSync("cargo", args, { cwd, encoding: "utf-8", stdio: ["ignore", "pipe", "pipe"] });
const manifest = (dir: string, file = "containers/api/Cargo.toml") => TOML.parse(fs.readFileSync(path.join(dir, file), "utf-8")) as Record<string, any>;

/** The drift check, in process: a fresh synthesis reading the working tree `dir`, compared with it. */
function drift(dir: string, o: Define = {}) {
  const out = tmpdir("deps-drift-");
  const was = process.env[SYNTH_DIR_ENV];
  process.env[SYNTH_DIR_ENV] = out;
  let project: ContainerMonorepo;
  try {
    project = define(o)(dir);
    project.synth();
  } finally {
    if (was === undefined) delete process.env[SYNTH_DIR_ENV];
    else process.env[SYNTH_DIR_ENV] = was;
  }
  // As npx projen drift compares: a file partly owned by cargo is read through its own part.
  const ownedHash = (file: string, text: string, declared: readonly string[]) =>
    (project.tryFindFile(file) as unknown as { _ownedHash?: (t: string, d: readonly string[]) => string | undefined } | undefined)?._ownedHash?.(text, declared);
  return compareTrees(dir, out, ownedHash).map((d) => `${d.kind} ${d.file}`);
}

function refusalOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (isRefusal(e)) return (e as Error).message;
    throw e;
  }
  throw new Error("synth did not refuse");
}

describe("cargo add in a member: synthesis keeps what cargo wrote", () => {
  const dir = tree();
  const api = path.join(dir, "containers/api");
  cargo(api, "add", "--offline", "--quiet", "tokio", "--features", "rt-multi-thread,macros");
  cargo(api, "add", "--offline", "--quiet", "--dev", "serde");
  cargo(api, "add", "--offline", "--quiet", "--build", "serde_json");
  const lock = fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8");
  define()(dir).synth();
  const after = snapshot(dir);

  it("the dependencies, dev-dependencies and build-dependencies cargo add wrote are there after npx projen", () => {
    const m = manifest(dir);
    expect(m.dependencies.tokio).toEqual({ version: expect.stringMatching(/^1\./), features: ["rt-multi-thread", "macros"] });
    expect(m["dev-dependencies"].serde).toMatch(/^1\./);
    expect(m["build-dependencies"].serde_json).toMatch(/^1\./);
    // And synthesis' own part is as before: the package, the binary.
    expect(m.package.name).toBe("api");
    expect(m.bin).toEqual([{ name: "api", path: "src/main.rs" }]);
  });

  it("drift reports nothing; cargo loads the workspace with the lock as it is; Cargo.lock was not rewritten", () => {
    expect(drift(dir)).toEqual([]);
    cargo(dir, "metadata", "--offline", "--locked", "--format-version", "1", "--no-deps");
    expect(fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8")).toBe(lock);
  });

  it("explain says whose each entry is: the cargo-added ones are the user's, kept as they are", () => {
    const lines = define()(dir)._explain("containers/api/Cargo.toml").lines;
    const version = lines.find((l) => l.text.startsWith("version = \"1.") && lines[l.line - 2].text.includes("tokio"))!;
    expect(version.rule).toMatch(/^the user's own entry \(cargo add, or an edit of Cargo\.toml\): kept as the file has it$/);
    expect(version.options).toEqual([]);
  });

  it("synthesizing again changes no byte", () => {
    define()(dir).synth();
    expect(snapshot(dir)).toEqual(after);
  });

  it("another cargo add after synthesis is kept too, beside the first", () => {
    const copy = tmpdir("deps-again-");
    fs.cpSync(dir, copy, { recursive: true });
    cargo(path.join(copy, "containers/api"), "add", "--offline", "--quiet", "itoa");
    define()(copy).synth();
    const m = manifest(copy);
    expect(Object.keys(m.dependencies).sort()).toEqual(["itoa", "tokio"]);
    expect(drift(copy)).toEqual([]);
  });

  it("right after cargo add, before npx projen, drift calls the manifest out of date (run npx projen), not edited by hand", () => {
    const copy = tmpdir("deps-stale-");
    fs.cpSync(dir, copy, { recursive: true });
    // A renamed crate: cargo writes an inline table, which synthesis' layout writes as a table of its own.
    cargo(path.join(copy, "containers/api"), "add", "--offline", "--quiet", "itoa", "--rename", "numfmt");
    expect(fs.readFileSync(path.join(copy, "containers/api/Cargo.toml"), "utf-8")).toMatch(/^numfmt = \{/m);
    expect(drift(copy)).toEqual(["out of date containers/api/Cargo.toml"]);
  });

  it("a comment is never dropped without a word: one added anywhere makes the file a hand edit", () => {
    const copy = tmpdir("deps-comment-");
    fs.cpSync(dir, copy, { recursive: true });
    const file = path.join(copy, "containers/api/Cargo.toml");
    fs.chmodSync(file, 0o644);
    const text = fs.readFileSync(file, "utf-8");
    expect(text).toContain("[dependencies.tokio]\n");
    fs.writeFileSync(file, text.replace("[dependencies.tokio]\n", "[dependencies.tokio]\n# pinned: see issue 12\n"));
    expect(refusalOf(() => define()(copy).synth())).toMatch(/containers\/api\/Cargo\.toml: edited by hand/);
    expect(drift(copy)).toEqual(["edited by hand containers/api/Cargo.toml"]);
  });

  it("a hand edit outside the dependency tables is still refused, and nothing is written", () => {
    const copy = tmpdir("deps-edit-");
    fs.cpSync(dir, copy, { recursive: true });
    const file = path.join(copy, "containers/api/Cargo.toml");
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, fs.readFileSync(file, "utf-8").replace('edition = "2024"', 'edition = "2021"'));
    const before = snapshot(copy);
    expect(refusalOf(() => define()(copy).synth())).toMatch(/containers\/api\/Cargo\.toml.*edited by hand|edited by hand[\s\S]*containers\/api\/Cargo\.toml/);
    expect(snapshot(copy)).toEqual(before);
  });
});

describe("dependencies declared in .projenrc.ts", () => {
  it("are written with their features; dropping one drops it, the user's own stay", () => {
    const declared: Define = { api: { dependencies: { serde: { version: "1", features: ["derive"], defaultFeatures: false } }, devDependencies: { itoa: "1" } } };
    const dir = tree(declared);
    expect(manifest(dir).dependencies.serde).toEqual({ "version": "1", "default-features": false, "features": ["derive"] });
    expect(manifest(dir)["dev-dependencies"].itoa).toBe("1");
    cargo(path.join(dir, "containers/api"), "add", "--offline", "--quiet", "tokio");
    define(declared)(dir).synth();
    define()(dir).synth();
    const m = manifest(dir);
    expect(Object.keys(m.dependencies)).toEqual(["tokio"]);
    expect(m["dev-dependencies"]).toBeUndefined();
    expect(drift(dir)).toEqual([]);
  });

  it("shared versions: workspaceDependencies with { workspace: true } in a member load in cargo, and an entry added to the root by hand stays", () => {
    const shared: Define = { project: { workspaceDependencies: { serde: "1.0" } }, api: { dependencies: { serde: { workspace: true, features: ["derive"] } } } };
    const dir = tree(shared);
    expect(manifest(dir, "Cargo.toml").workspace.dependencies.serde).toBe("1.0");
    const root = path.join(dir, "Cargo.toml");
    fs.chmodSync(root, 0o644);
    fs.writeFileSync(root, fs.readFileSync(root, "utf-8").replace('serde = "1.0"', 'itoa = "1"\nserde = "1.0"'));
    const worker = path.join(dir, "containers/worker/Cargo.toml");
    fs.chmodSync(worker, 0o644);
    fs.appendFileSync(worker, "\n[dependencies]\nitoa = { workspace = true }\n");
    define(shared)(dir).synth();
    expect(manifest(dir, "Cargo.toml").workspace.dependencies.itoa).toBe("1");
    expect(manifest(dir, "containers/worker/Cargo.toml").dependencies.itoa).toEqual({ workspace: true });
    const metadata = JSON.parse(cargo(dir, "metadata", "--offline", "--format-version", "1"));
    const names = (member: string) => metadata.packages.find((p: any) => p.name === member).dependencies.map((d: any) => d.name).sort();
    expect(names("api")).toEqual(["serde"]);
    expect(names("worker")).toEqual(["itoa"]);
    expect(drift(dir, shared)).toEqual([]);
  });
});

describe("what synthesis refuses before it writes", () => {
  const cases: [string, Define, (dir: string) => void, RegExp][] = [
    ["a crate cargo add wrote and .projenrc.ts declares otherwise", { api: { dependencies: { tokio: { version: "1", features: ["rt"] } } } },
      (dir) => cargo(path.join(dir, "containers/api"), "add", "--offline", "--quiet", "tokio", "--features", "macros"),
      /\[api\] dependencies: containers\/api\/Cargo\.toml has tokio = \{"version":"1\.[^"]*","features":\["macros"\]\} in \[dependencies\] \(cargo add\), and \.projenrc\.ts declares tokio = \{"version":"1","features":\["rt"\]\}; keep one: remove it from Cargo\.toml \(cargo remove tokio\)/],
    ["workspace = true for a crate the workspace does not share", { api: { dependencies: { serde: { workspace: true } } } }, () => undefined,
      /\[api\] dependencies: serde \(in \.projenrc\.ts \(dependencies\)\) has workspace = true, but \[workspace\.dependencies\] has no serde, so cargo refuses the member; add serde to the project's workspaceDependencies/],
    ["an OpenSSL crate declared", { api: { dependencies: { openssl: "0.10" } } }, () => undefined,
      /\[api\] dependencies: api -> openssl \(in \.projenrc\.ts \(dependencies\)\) links OpenSSL, which no image may \(policy PRISM-C001/],
    ["an OpenSSL crate added with cargo", {}, (dir) => {
      const file = path.join(dir, "containers/api/Cargo.toml");
      fs.chmodSync(file, 0o644);
      fs.appendFileSync(file, "\n[dependencies]\nnative-tls = \"0.2\"\n");
    }, /\[api\] dependencies: api -> native-tls \(in containers\/api\/Cargo\.toml \[dependencies\]\) links OpenSSL/],
    ["reqwest twice, by httpClient and in dependencies", { api: { httpClient: true, dependencies: { reqwest: "0.11" } } }, () => undefined,
      /\[api\] dependencies: reqwest is declared twice, by httpClient: true/],
    ["reqwest among the shared versions", { project: { workspaceDependencies: { reqwest: "0.11" } } }, () => undefined,
      /\[project shop\] workspaceDependencies: reqwest is the workspace's already/],
  ];

  it.each(cases)("%s: named with the fix, and nothing is written", (_label, o, edit, message) => {
    const dir = tree();
    edit(dir);
    const before = snapshot(dir);
    expect(refusalOf(() => define(o)(dir).synth())).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a dependency that is not a crate spec is refused by the option check", () => {
    expect(refusalOf(() => define({ api: { dependencies: { tokio: { features: ["rt"] } as never } } })(tmpdir()).synth())).toMatch(/\[api\] dependencies\.tokio: .*version/);
  });
});

describe("the graph cargo resolves, before anything is written: OpenSSL, and Cargo.lock", () => {
  it("a crate whose default features pull native-tls (reqwest 0.11 added with cargo) is refused with its path", () => {
    const dir = tree();
    cargo(path.join(dir, "containers/api"), "add", "--offline", "--quiet", "reqwest@0.11");
    const before = snapshot(dir);
    expect(refusalOf(() => define()(dir).synth()))
      .toMatch(/\[api\] dependencies: api pulls (native-tls|openssl-sys|openssl): api 0\.1\.0 -> reqwest 0\.11\.\d+ -> .*; use the crate's rustls feature .* \(policy PRISM-C001\)/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a feature another member enables (feature unification) is refused for each member it reaches, saying how", () => {
    const dir = tree();
    const rustls = { version: "0.11", defaultFeatures: false, features: ["rustls-tls"] };
    const worker = path.join(dir, "containers/worker/Cargo.toml");
    const original = fs.readFileSync(worker, "utf-8");
    fs.chmodSync(worker, 0o644);
    // The worker's reqwest has native-tls; the api's, alone, does not: built together, it is the same crate, with that feature.
    fs.appendFileSync(worker, "\n[dependencies]\nreqwest = { version = \"0.11\", default-features = false, features = [\"native-tls\"] }\n");
    const message = refusalOf(() => define({ api: { dependencies: { reqwest: rustls } } })(dir).synth());
    expect(message).toMatch(/\[worker\] dependencies: worker pulls native-tls: worker 0\.1\.0 -> reqwest 0\.11\.\d+ -> (hyper-tls \S+ -> )?native-tls/);
    expect(message).toMatch(/\[api\] dependencies: api pulls native-tls when the workspace is built together \(cargo build --workspace unifies features across members\): api 0\.1\.0 -> reqwest 0\.11\.\d+ -> (hyper-tls \S+ -> )?native-tls/);
    // A dev-dependency's features reach no image and no workspace build (cargo test's alone): accepted.
    fs.writeFileSync(worker, `${original}\n[dev-dependencies]\nreqwest = { version = "0.11", features = ["native-tls"] }\n`);
    define({ api: { dependencies: { reqwest: rustls } } })(dir).synth();
    expect(manifest(dir).dependencies.reqwest).toEqual({ "version": "0.11", "default-features": false, "features": ["rustls-tls"] });
  });

  it("the same crate as a dependency (rustls) and a dev-dependency (defaults) is accepted: the images build without the dev one", () => {
    const dir = tree();
    define({ api: { dependencies: { reqwest: { version: "0.11", defaultFeatures: false, features: ["rustls-tls"] } }, devDependencies: { reqwest: "0.11" } } })(dir).synth();
    expect(manifest(dir)["dev-dependencies"].reqwest).toBe("0.11");
  });

  it("a declared dependency updates Cargo.lock offline, as cargo build would; synthesizing again leaves it as it is", () => {
    const dir = tree();
    cargo(dir, "generate-lockfile", "--offline", "--quiet");
    const lockFile = path.join(dir, "Cargo.lock");
    const o: Define = { api: { dependencies: { itoa: "1" } } };
    define(o)(dir).synth();
    const lock = fs.readFileSync(lockFile, "utf-8");
    expect(lock).toMatch(/name = "itoa"/);
    cargo(dir, "metadata", "--offline", "--locked", "--format-version", "1", "--no-deps");
    const stat = fs.statSync(lockFile);
    define(o)(dir).synth();
    expect(fs.readFileSync(lockFile, "utf-8")).toBe(lock);
    expect(fs.statSync(lockFile).mtimeMs).toBe(stat.mtimeMs);
  });
});

describe("the check runs once per change of what cargo reads", () => {
  const o: Define = { api: { dependencies: { itoa: "1" } } };

  /** Runs `fn` with a cargo first on the PATH that records each call and fails (so a call cannot pass a check); returns the calls. */
  function cargoCalls(fn: () => void): string[] {
    const bin = tmpdir("recording-cargo-");
    const log = path.join(bin, "calls");
    fs.writeFileSync(path.join(bin, "cargo"), `#!/bin/sh\necho "$*" >> "${log}"\nexit 101\n`, { mode: 0o755 });
    const path0 = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${path0}`;
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      fn();
    } finally {
      process.env.PATH = path0;
      stderr.mockRestore();
    }
    return fs.existsSync(log) ? fs.readFileSync(log, "utf-8").trim().split("\n") : [];
  }

  it("a synthesis that changes nothing cargo reads runs no cargo, and writes no byte", () => {
    const dir = tree(o);
    expect(JSON.parse(fs.readFileSync(path.join(dir, CARGO_CHECK_RECORD), "utf-8")).passed).toMatch(/^[0-9a-f]{64}$/);
    const before = snapshot(dir);
    expect(cargoCalls(() => define(o)(dir).synth())).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });

  it.each([
    ["a declared dependency", (_dir: string): Define => ({ api: { dependencies: { itoa: "1", memchr: "2" } } })],
    ["Cargo.lock", (dir: string): Define => (fs.appendFileSync(path.join(dir, "Cargo.lock"), "# read again\n"), o)],
    ["cargo's configuration in the tree", (dir: string): Define => (fs.appendFileSync(path.join(dir, ".cargo/config.toml"), "# read again\n"), o)],
    ["the record itself", (dir: string): Define => (fs.writeFileSync(path.join(dir, CARGO_CHECK_RECORD), `{"passed":"${"0".repeat(64)}"}\n`), o)],
    ["the record, unreadable", (dir: string): Define => (fs.writeFileSync(path.join(dir, CARGO_CHECK_RECORD), "{"), o)],
  ])("a change of %s runs cargo again", (_what, change) => {
    const dir = tree(o);
    const changed = change(dir);
    expect(cargoCalls(() => define(changed)(dir).synth())[0]).toMatch(/^metadata /);
  });
});

describe("a crate cargo cannot resolve offline (not fetched yet)", () => {
  it("is written, with a warning that names the command that fetches it and updates Cargo.lock; the lock is left as it was", () => {
    const dir = tree();
    cargo(dir, "generate-lockfile", "--offline", "--quiet");
    const lock = fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      define({ api: { dependencies: { "prism-no-such-crate": "1" } } })(dir).synth();
      const warned = stderr.mock.calls.map((c) => String(c[0])).join("");
      expect(warned).toMatch(/^prism-projen: warning: cargo cannot resolve the Rust dependencies offline \(.*prism-no-such-crate.*\), so Cargo\.lock is not updated and their OpenSSL check \(PRISM-C001\) did not run; run `cargo fetch`/m);
    } finally {
      stderr.mockRestore();
    }
    expect(manifest(dir).dependencies["prism-no-such-crate"]).toBe("1");
    expect(fs.readFileSync(path.join(dir, "Cargo.lock"), "utf-8")).toBe(lock);
    // A check that did not run records no verdict: the next synthesis checks again.
    expect(fs.existsSync(path.join(dir, CARGO_CHECK_RECORD))).toBe(false);
  });
});

describe("what cargo itself writes around a dependency", () => {
  it("cargo remove (which drops the shared versions no member uses, synthesis' own among them) is kept, not a hand edit", () => {
    const dir = tree();
    const api = path.join(dir, "containers/api");
    cargo(api, "add", "--offline", "--quiet", "itoa");
    define()(dir).synth();
    cargo(api, "remove", "--offline", "--quiet", "itoa");
    define()(dir).synth();
    expect(manifest(dir).dependencies).toBeUndefined();
    expect(manifest(dir, "Cargo.toml").workspace.dependencies.reqwest).toMatchObject({ "default-features": false });
    expect(drift(dir)).toEqual([]);
  });

  it("cargo add --optional writes [features] too: both are kept", () => {
    const dir = tree();
    cargo(path.join(dir, "containers/api"), "add", "--offline", "--quiet", "--optional", "itoa");
    define()(dir).synth();
    const m = manifest(dir);
    expect(m.dependencies.itoa).toMatchObject({ optional: true });
    expect(m.features.itoa).toEqual(["dep:itoa"]);
    expect(drift(dir)).toEqual([]);
  });

  it("a path dependency outside the members (cargo add --path) is resolved with the rest: its OpenSSL is refused", () => {
    const dir = tree();
    fs.mkdirSync(path.join(dir, "libs/tlsy/src"), { recursive: true });
    fs.writeFileSync(path.join(dir, "libs/tlsy/Cargo.toml"), "[package]\nname = \"tlsy\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nnative-tls = \"0.2\"\n");
    fs.writeFileSync(path.join(dir, "libs/tlsy/src/lib.rs"), "");
    cargo(path.join(dir, "containers/api"), "add", "--offline", "--quiet", "--path", "../../libs/tlsy");
    expect(refusalOf(() => define()(dir).synth())).toMatch(/\[api\] dependencies: api pulls native-tls: api 0\.1\.0 -> tlsy 0\.1\.0 -> native-tls/);
  });

  it("a feature the crate does not have is refused with cargo's own words; a dev-dependency on native-tls is the graph's to judge (no image links it)", () => {
    expect(refusalOf(() => define({ api: { dependencies: { itoa: { version: "1", features: ["no-such-feature"] } } } })(tree()).synth()))
      .toMatch(/\[project shop\] dependencies: cargo refuses the workspace's dependencies: .*no-such-feature.*; fix the entry it names/);
    const dir = tree();
    define({ api: { devDependencies: { "native-tls": "0.2" } } })(dir).synth();
    expect(manifest(dir)["dev-dependencies"]["native-tls"]).toBe("0.2");
  });
});
