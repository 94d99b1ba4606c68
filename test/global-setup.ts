import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// Where bin/prism-projen-synth.cjs keeps the record of the last synth, one folder per project folder.
// Repository copies made by the tests share this repository's node_modules (a symlink), so their records land here too.
const RUNNER_CACHE = path.resolve(__dirname, "..", "node_modules", ".cache", "prism-projen");

const cacheEntries = (): string[] => (fs.existsSync(RUNNER_CACHE) ? fs.readdirSync(RUNNER_CACHE) : []);

/**
 * One temporary folder per test run, under which every test makes its own
 * (test/helpers.ts `tmpdir`); removed when the run ends, cargo target folders included,
 * and so are the runner records of the repository copies made during the run.
 */
export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "prism-projen-tests-"));
  process.env.PRISM_TEST_TMP = root;
  const before = new Set(cacheEntries());
  return () => {
    fs.rmSync(root, { recursive: true, force: true });
    for (const entry of cacheEntries().filter((e) => !before.has(e))) {
      fs.rmSync(path.join(RUNNER_CACHE, entry), { recursive: true, force: true });
    }
  };
}
