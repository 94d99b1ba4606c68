import { Component } from "projen/lib/component";
import type { Project } from "projen/lib/project";
import { ProjenrcFile } from "projen/lib/projenrc";
import { TaskShell } from "projen/lib/task-shell";
import { EXPLAIN_COMMAND_ENV } from "../env-names";
import { because, fixed, from, projectOptions } from "../explain/trace";

/** Where the tasks and their reasons live (explain names it). */
const TASKS_SOURCE = "src/monorepo/tasks.ts";

/**
 * The synth and drift check open no TLS connection, so they do not load the extra CA
 * bundle: while NODE_EXTRA_CA_CERTS is set, Node 20 parses every bundled and extra root
 * certificate at the start of every process (nodejs/node#40524): 50 to 90 ms per process on
 * a 2-core machine. Corporate machines behind a TLS proxy set it; so do these CI machines.
 */
const NO_EXTRA_CA_CERTS = { NODE_EXTRA_CA_CERTS: "" };

/** How the synth and drift tasks start the runner: an argv spawned directly, not a line for projen's built-in shell to parse. */
const RUNNER_STEP = { env: NO_EXTRA_CA_CERTS, shell: TaskShell.system() };

/** Why each task prism-projen defines is there, and the option its command comes from. */
const TASKS: Readonly<Record<string, { readonly why: string; readonly command: "synthCommand" | "policyCommand" | "newComponentCommand" }>> = {
  "default": { why: "npx projen runs .projenrc.ts through prism-projen's runner (NODE_EXTRA_CA_CERTS cleared: it slows every start)", command: "synthCommand" },
  "drift": { why: "npx projen drift: the synth-drift check", command: "synthCommand" },
  "explain": { why: "npx projen explain: why a generated line is there", command: "synthCommand" },
  "policy": { why: "npx projen policy: the policy over the generated files", command: "policyCommand" },
  "new-component": { why: "npx projen new-component: declare a component and write its starters", command: "newComponentCommand" },
};

/**
 * The `.projenrc.ts` of a ContainerMonorepo, run by `prism-projen-synth`
 * (esbuild-compiled; not type-checked there, so `tsc --noEmit` belongs in the tests).
 */
class Projenrc extends ProjenrcFile {
  public readonly filePath = ".projenrc.ts";

  constructor(project: Project, argv: readonly string[]) {
    super(project);
    // Receives arguments: `npx projen default --force` overwrites what a refusal named.
    project.defaultTask?.execArgs([...argv], { ...RUNNER_STEP, receiveArgs: true });
  }
}

export interface MonorepoTasksOptions {
  /** The argv that runs `.projenrc.ts`: the default, drift and explain tasks start with it. */
  readonly synthCommand: readonly string[];
  readonly policyCommand: string;
  readonly newComponentCommand: string;
}

/** The tasks `npx projen TASK` runs: default (synthesis), drift, explain, policy, new-component; no eject. */
export class MonorepoTasks extends Component {
  constructor(project: Project, private readonly options: MonorepoTasksOptions) {
    super(project);
    const { synthCommand } = options;
    // The explain task, and the policy asking explain for each finding's reason, run the same argv.
    const explainArgv = [...synthCommand, "--explain"];
    new Projenrc(project, synthCommand);
    // No eject: an ejected tree keeps a workflow whose drift gate has nothing to compare with and a
    // policy that finds no generated files to check (it reads .projen/files.json), so CI would fail or
    // pass vacuously. ContainerMonorepo.synth refuses PROJEN_EJECTING set by hand.
    project.removeTask("eject");
    project.addTask("drift", {
      description: "Synthesize into a temporary folder and list every generated file that is missing, out of date, edited by hand or orphaned, with a diff; writes nothing",
    }).execArgs([...synthCommand, "--check"], RUNNER_STEP);
    project.addTask("explain", {
      description: "Print why each line of a generated file is what it is: the component, the options (with their values) or the rule, the renderer: explain FILE[:LINE] [--json]",
    }).execArgs(explainArgv, { ...RUNNER_STEP, receiveArgs: true });
    project.addTask("new-component", {
      description: "Declare a new component in .projenrc.ts, write its starter sources and synthesize: new-component NAME --lang rust|go --kind plugin|service|tool|job [--port name=number]",
      exec: options.newComponentCommand,
      receiveArgs: true,
    });
    project.addTask("policy", {
      description: "Check the generated files against the policy (rule ids, file:line); --sarif FILE writes SARIF",
      exec: options.policyCommand,
      receiveArgs: true,
      // Each finding says why its line is there: the policy asks explain, through the same runner.
      env: { [EXPLAIN_COMMAND_ENV]: JSON.stringify(explainArgv) },
    });
  }

  /** For `npx projen explain .projen/tasks.json`: attaches why a task prism-projen defines is there to its JSON object. */
  public annotateTask(name: string, task: Record<string, unknown>): void {
    const defined = TASKS[name];
    if (!defined) return;
    const command = from(projectOptions(defined.command), { renderer: TASKS_SOURCE });
    // The policy asks explain for each finding's reason through the same runner as synthesis.
    because(task, fixed(defined.why, TASKS_SOURCE), name === "policy" ? { env: from(projectOptions("synthCommand"), { renderer: TASKS_SOURCE }) } : {});
    const step = (task.steps as Record<string, unknown>[] | undefined)?.[0];
    if (Array.isArray(step?.execArgs)) {
      // The runner's argv, then the task's own argument (--check, --explain).
      const own = fixed(`the ${name} task's own argument to the runner`, TASKS_SOURCE);
      because(step.execArgs, undefined, Object.fromEntries(step.execArgs.map((_, i) => [i, i < this.options.synthCommand.length ? command : own])));
    } else if (step) {
      because(step, undefined, { exec: command });
    }
  }
}
