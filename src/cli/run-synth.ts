import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

interface TaskStep {
  readonly exec?: string;
  readonly execArgs?: string[];
  readonly env?: Record<string, string>;
}

/** Runs the project's own synth command (projen's default task) in `dir`, step by step as projen would. */
export function runDefaultTask(dir: string): { status: number; output: string } {
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, ".projen", "tasks.json"), "utf-8"));
  const steps = ((tasks.tasks.default?.steps ?? []) as TaskStep[]).filter((s) => s.exec || s.execArgs?.length);
  if (steps.length === 0) throw new Error(`${dir}/.projen/tasks.json has no default task to synthesize with`);
  let output = "";
  for (const step of steps) {
    const options = {
      cwd: dir,
      encoding: "utf-8" as const,
      env: {
        ...process.env,
        ...step.env,
        PATH: `${path.join(dir, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
      },
    };
    // An argv step is started without a shell, as projen starts it; a command line goes through one.
    const run = step.execArgs
      ? spawnSync(step.execArgs[0], step.execArgs.slice(1), options)
      : spawnSync(step.exec!, { ...options, shell: true });
    output += `${run.stdout ?? ""}${run.stderr ?? ""}`;
    if (run.status !== 0) return { status: run.status ?? 1, output };
  }
  return { status: 0, output };
}
