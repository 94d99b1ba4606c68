#!/usr/bin/env node
import * as fs from "node:fs";
import { EXPLAIN_COMMAND_ENV } from "../env-names";
import { explainFindings } from "./explain-findings";
import { formatReport, runPolicy } from "./run";
import { toSarif } from "./sarif";

/**
 * `prism-projen-policy [--sarif FILE] [DIR]`: checks the synthesized tree in
 * DIR (default: the current folder); exits 1 on any finding.
 */
function main(argv: string[]): number {
  let sarif: string | undefined;
  let dir = ".";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--sarif") sarif = argv[++i];
    else if (argv[i] === "--help" || argv[i] === "-h") {
      process.stdout.write("usage: prism-projen-policy [--sarif FILE] [DIR]\n");
      return 0;
    } else dir = argv[i];
  }
  const report = runPolicy(dir);
  const command = process.env[EXPLAIN_COMMAND_ENV];
  const why = command && report.findings.length > 0 ? explainFindings(report.findings, dir, JSON.parse(command)) : undefined;
  process.stdout.write(formatReport(report, why));
  if (sarif) fs.writeFileSync(sarif, JSON.stringify(toSarif(report), null, 2) + "\n");
  return report.findings.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
