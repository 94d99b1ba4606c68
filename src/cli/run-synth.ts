import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Runs the project's own synth command (projen's default task) in `dir`. */
export function runDefaultTask(dir: string): { status: number; output: string } {
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, ".projen", "tasks.json"), "utf-8"));
  const command = (tasks.tasks.default?.steps ?? []).map((s: { exec?: string }) => s.exec).filter(Boolean).join(" && ");
  if (!command) throw new Error(`${dir}/.projen/tasks.json has no default task to synthesize with`);
  const run = spawnSync(command, {
    cwd: dir,
    shell: true,
    encoding: "utf-8",
    env: {
      ...process.env,
      PATH: `${path.join(dir, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    },
  });
  return { status: run.status ?? 1, output: `${run.stdout ?? ""}${run.stderr ?? ""}` };
}
