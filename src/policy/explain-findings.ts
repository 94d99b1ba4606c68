import { spawnSync } from "node:child_process";
import { explanationSummary, type LineExplanation } from "../explain/explain";
import type { Finding } from "./finding";

/**
 * Why each finding's line is there, from `npx projen explain` (run once per file with findings,
 * through the project's own runner): the options to change, the rule behind it, or that the line
 * is a hand edit. A file explain cannot read gets no explanation; the finding stands as it is.
 */
export function explainFindings(findings: readonly Finding[], dir: string, command: readonly string[]): (finding: Finding) => string | undefined {
  const byFile = new Map<string, Map<number, LineExplanation>>();
  for (const file of new Set(findings.map((f) => f.file))) {
    const [program, ...args] = command;
    const run = spawnSync(program, [...args, file, "--json"], { cwd: dir, encoding: "utf-8" });
    if (run.status !== 0) continue;
    try {
      const { lines } = JSON.parse(run.stdout) as { lines: LineExplanation[] };
      byFile.set(file, new Map(lines.map((l) => [l.line, l])));
    } catch {
      // Not the runner's JSON: no explanation for this file.
    }
  }
  return (finding) => {
    const line = byFile.get(finding.file)?.get(finding.line);
    return line ? explanationSummary(line) : undefined;
  };
}
