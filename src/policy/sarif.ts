import type { PolicyReport } from "./finding";
import { RULES } from "./run";

// Two folders up from both src/policy and lib/policy.
const { version } = require("../../package.json") as { version: string };

/**
 * The report as SARIF 2.1.0, for GitHub code scanning. Exceptions become
 * suppressed results' reasons in the run's properties, so they stay visible.
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
export function toSarif(report: PolicyReport): object {
  const rules = Object.values(RULES).flat();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: "prism-policy",
          fullName: "prism-projen policy over the generated files",
          version,
          semanticVersion: version,
          rules: rules.map((r) => ({
            id: r.ids[0],
            // SARIF wants a name distinct from the id, or none.
            ...(r.ids.length > 1 ? { name: r.ids.join("/") } : {}),
            shortDescription: { text: r.summary },
            properties: { aliases: r.ids.slice(1), source: r.source },
          })),
        },
      },
      results: report.findings.map((f) => ({
        ruleId: f.ruleIds[0],
        level: "error",
        message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line } } }],
      })),
      properties: { exceptions: report.exceptions },
    }],
  };
}
