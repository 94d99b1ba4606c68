import { textLines } from "../drift/diff";
import { markerLine, yamlLineReasons, type LineReasons } from "./lines";
import { because, fixed, from, withTracing, type Because, type OptionRef } from "./trace";

/**
 * Why each line of projen's own files is there. projen's classes write them (`.gitignore`,
 * `.dockerignore`, `.gitattributes`, `.projen/tasks.json`, `.projen/files.json`, `.projen/deps.json`),
 * so no prism-projen renderer can attach a reason while they render. What prism-projen knows instead:
 * the patterns it asked projen for (with their reasons), the generated file each path line names (and
 * the options of that file's folder), and the tasks it defined. A line none of these accounts for is
 * one projen writes in every project, and is said to be.
 */

/** What the project tells explain about projen's files. */
export interface ProjenFilesContext {
  /** The patterns prism-projen adds to an ignore file, each with why: by the ignore file's path. */
  readonly ignorePatterns: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The source file that holds those patterns and their reasons (explain names it as their renderer). */
  readonly ignorePatternsSource: string;
  /** The options a generated file's path is made from (its component's folder), or none for a file of the project. */
  readonly pathOptions: (path: string) => readonly OptionRef[] | undefined;
  /** Reasons for the tasks prism-projen defines, attached to their JSON objects (as `.projen/tasks.json` has them). */
  readonly annotateTask: (name: string, task: Record<string, unknown>) => void;
}

const PROJEN = "projen";
const everyProject = (what: string) => fixed(`${what}: projen writes it in every project; not configurable`, PROJEN);

/** The reason of each line of one of projen's own files; undefined for a file prism-projen knows nothing of. */
export function projenFileReasons(file: string, text: string, ctx: ProjenFilesContext): LineReasons | undefined {
  return withTracing(() => {
    const pathReason = (path: string, rule: string): Because => {
      const options = ctx.pathOptions(path);
      if (options === undefined) return everyProject(rule);
      return options.length > 0 ? from(options, { rule, renderer: PROJEN }) : fixed(rule, PROJEN);
    };
    if (file === ".gitignore" || file === ".dockerignore") {
      const own = ctx.ignorePatterns[file] ?? {};
      return textLines(text).map((line, i) => {
        if (i === 0) return markerLine();
        if (line.startsWith("!/")) {
          const kept = line.slice(2);
          // A path that is no generated file: the projenrc, which projen keeps too.
          if (ctx.pathOptions(kept) === undefined) return fixed(`${kept} is committed: projen keeps it out of the ignored files`, PROJEN);
          return pathReason(kept, `${kept} is generated and committed: projen keeps it out of the ignored files`);
        }
        return own[line] !== undefined ? fixed(own[line], ctx.ignorePatternsSource) : everyProject("an ignore pattern");
      });
    }
    if (file === ".gitattributes") {
      return textLines(text).map((line, i) => {
        if (i === 0) return markerLine();
        if (line === "") return everyProject("a blank line of the layout");
        const generated = /^\/(.+) linguist-generated$/.exec(line);
        if (generated && !generated[1].includes("*")) {
          return pathReason(generated[1], `${generated[1]} is generated: GitHub collapses it in diffs and leaves it out of language statistics`);
        }
        return everyProject(line.startsWith("* ") ? "line endings normalized to LF" : "generated files marked linguist-generated");
      });
    }
    if (!file.startsWith(".projen/") || !file.endsWith(".json")) return undefined;
    const data = JSON.parse(text) as Record<string, unknown>;
    if (file === ".projen/tasks.json") {
      const tasks = data.tasks as Record<string, Record<string, unknown>>;
      for (const [name, task] of Object.entries(tasks)) {
        because(task, everyProject(`the task ${name}`));
        ctx.annotateTask(name, task);
      }
      // The task names' lines take the list's reason: projen's own tasks and prism-projen's (default, drift, explain, policy, new-component).
      because(data, fixed("the tasks `npx projen TASK` runs: projen's own, and those prism-projen defines (default, drift, explain, policy, new-component)", PROJEN),
        { "//": markerLine() });
    } else if (file === ".projen/files.json") {
      const files = data.files as string[];
      because(files, undefined, Object.fromEntries(files.map((f, i) => [i, pathReason(f, `${f} is a file synthesis writes`)])));
      because(data, everyProject("the files the last synthesis wrote: the next one deletes those it no longer writes"), { "//": markerLine() });
    } else {
      because(data, everyProject(`projen's ${file}`), { "//": markerLine() });
    }
    return yamlLineReasons(text, [data], markerLine());
  });
}
