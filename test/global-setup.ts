import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildah, goStandIns, IMAGES_TO_REMOVE, rustStandIns } from "./standin-images";

// Where bin/prism-projen-synth.cjs keeps the compiled .projenrc.ts, one folder per project folder.
// Repository copies made by the tests share this repository's node_modules (a symlink), so their bundles land here too.
const RUNNER_CACHE = path.resolve(__dirname, "..", "node_modules", ".cache", "prism-projen");

const cacheEntries = (): string[] => (fs.existsSync(RUNNER_CACHE) ? fs.readdirSync(RUNNER_CACHE) : []);

/**
 * One temporary folder per test run, under which every test makes its own
 * (test/helpers.ts `tmpdir`); removed when the run ends, cargo target folders included,
 * and so are the compiled bundles of the repository copies made during the run, and the images the tests built.
 * The stand-in base images are made here, once, before test files build in parallel on the one buildah storage.
 */
export default function setup(): () => void {
  provideCargoAuditable();
  rustStandIns();
  goStandIns();
  // Memory-backed where the machine has it: the tests write thousands of small files, and the disk is not what they test.
  const root = fs.mkdtempSync(path.join(memoryBacked() ?? os.tmpdir(), "prism-projen-tests-"));
  process.env.PRISM_TEST_TMP = root;
  const before = new Set(cacheEntries());
  return () => {
    const images = path.join(root, IMAGES_TO_REMOVE);
    for (const tag of fs.existsSync(images) ? new Set(fs.readFileSync(images, "utf-8").split("\n").filter(Boolean)) : []) {
      try {
        buildah("rmi", "--force", tag);
      } catch {
        // already gone
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
    for (const entry of cacheEntries().filter((e) => !before.has(e))) {
      fs.rmSync(path.join(RUNNER_CACHE, entry), { recursive: true, force: true });
    }
  };
}

/** /dev/shm when it is a writable folder (tmpfs on Linux). */
function memoryBacked(): string | undefined {
  try {
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    return fs.statSync("/dev/shm").isDirectory() ? "/dev/shm" : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Rust Dockerfiles build with `cargo auditable build`, and the tests run their commands as
 * written: scripts/build-cargo-auditable.sh provides cargo-auditable from Debian's packages (kept
 * in node_modules/.cache between runs), and its folder goes first on the PATH the tests inherit.
 */
function provideCargoAuditable(): void {
  const cache = path.resolve(__dirname, "..", "node_modules", ".cache", "cargo-auditable");
  const script = path.resolve(__dirname, "..", "scripts", "build-cargo-auditable.sh");
  const run = spawnSync("bash", [script, cache], { encoding: "utf-8" });
  if (run.status !== 0) {
    throw new Error(`scripts/build-cargo-auditable.sh could not provide cargo-auditable (the Rust build proofs need it):\n${run.stderr}`);
  }
  const binary = run.stdout.trim().split("\n").at(-1)!;
  process.env.PATH = `${path.dirname(binary)}${path.delimiter}${process.env.PATH ?? ""}`;
}
