import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * One temporary folder per test run, under which every test makes its own
 * (test/helpers.ts `tmpdir`); removed when the run ends, cargo target folders included.
 */
export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "prism-projen-tests-"));
  process.env.PRISM_TEST_TMP = root;
  return () => fs.rmSync(root, { recursive: true, force: true });
}
