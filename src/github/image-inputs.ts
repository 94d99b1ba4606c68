import type { ComponentModel } from "../model/component";
import { BASE_IMAGE_LOCK } from "../dockerfile/base-image-lock";
import type { ProjectModel } from "../model/project";
import { goModulePrefix } from "../model/go-module";
import { TracedText, type Because } from "../explain/trace";

/**
 * Which files feed which image, from the model: the one place that decides what a pull request
 * rebuilds. A component's image depends on its own folder (sources, manifest, Dockerfile), on the
 * shared files of its language (for Rust, the shared crates it takes by path too), and on what
 * generates or pins everything (the projenrc, the package lock, the base-image lock), which rebuilds every image.
 */

/** Paths whose change rebuilds every image: what synthesizes the files, and what pins the base images. */
export const REBUILDS_ALL = [".projenrc.ts", "package.json", "package-lock.json", BASE_IMAGE_LOCK, ".dockerignore"] as const;

/** The inputs of one component's images, as paths relative to the repository root. */
export interface ImageInputs {
  readonly component: string;
  /** Files whose change rebuilds the images. */
  readonly files: readonly string[];
  /** Folders (ending in `/`; "" for the whole repository) whose change anywhere below rebuilds the images... */
  readonly folders: readonly string[];
  /** ...except below these folders (other components' own folders inside a shared one). */
  readonly except: readonly string[];
}

export function imageInputs(project: ProjectModel, components: readonly ComponentModel[]): ImageInputs[] {
  const module = goModulePrefix(project.goModuleDir);
  // The other components' own folders inside the module, listed once (each excludes the others'): the Go commands'; and,
  // when the module is the whole repository, the Rust components' too (their changes do not touch a Go build).
  const goFolders = components.filter((c) => c.build.kind === "go" || module === "").map((c) => `${c.path}/`).filter((f) => f.startsWith(module));
  return components.map((c) => {
    const own = `${c.path}/`;
    if (c.build.kind === "rust") {
      // The workspace manifest and lock decide every member's dependencies; .cargo/ holds cargo's configuration; the
      // shared crates it takes by path are built into it (and no other member's sources are: the image copies none).
      return { component: c.name, files: [...REBUILDS_ALL, "Cargo.toml", "Cargo.lock"], folders: [own, ".cargo/", ...c.build.libraries.map((f) => `${f}/`)], except: [] };
    }
    // The Go module: go.mod, go.sum and any shared package below it; not the other commands' folders
    // (nor a folder that holds this command's, or lies inside it).
    const except = goFolders.filter((f) => f !== own && !own.startsWith(f) && !f.startsWith(own));
    return { component: c.name, files: [...REBUILDS_ALL], folders: [own, module], except };
  });
}

/** Whether a change of `file` rebuilds the images these inputs describe (the workflow's script decides the same way). */
export function rebuilds(inputs: ImageInputs, file: string): boolean {
  if (inputs.files.includes(file)) return true;
  if (!inputs.folders.some((f) => file.startsWith(f))) return false;
  // The component's own folder always counts; a shared one, unless the file is another component's.
  return file.startsWith(inputs.folders[0]) || !inputs.except.some((e) => file.startsWith(e));
}

/** A `case` pattern for a literal path (quoted), a folder (quoted, then anything below it), or the whole repository (""). */
function pattern(path: string): string {
  if (path === "") return "*";
  return path.endsWith("/") ? `"${path}"*` : `"${path}"`;
}

/**
 * The bash that decides, in the workflow, which components a pull request rebuilds: `rebuilds NAME PATH`
 * as `rebuilds()` above, generated from the same inputs. Reads the changed paths from `$CHANGED`;
 * `ALL=true` selects every component. Writes `matrix` (the image job's matrix) and `any` to `$GITHUB_OUTPUT`.
 * Each line carries its reason: the options of the folders and matrix entries it writes, or the rule.
 */
export function changedComponentsScript(
  inputs: readonly ImageInputs[],
  entries: ReadonlyMap<string, Readonly<Record<string, string>>>,
  reasons: ScriptReasons,
): TracedText {
  const script = new TracedText().add(() => reasons.rule("rebuilds NAME PATH: whether a change of PATH rebuilds component NAME's images"),
    "set -euo pipefail",
    "rebuilds() {",
    "  case \"$1\" in",
  );
  for (const i of inputs) {
    const own = () => reasons.rule(`the inputs of ${i.component}'s images`);
    script.add(own, `    ${i.component})`, "      case \"$2\" in");
    script.add(() => reasons.rule("what synthesizes every file or pins every image, and the component's language's shared files, rebuild it"),
      `        ${[...i.files.map(pattern)].join("|")}) return 0 ;;`);
    script.add(() => reasons.folder(i.component, "the component's own folder rebuilds it"), `        ${pattern(i.folders[0])}) return 0 ;;`);
    if (i.except.length > 0) {
      script.add(() => reasons.folders(i.except, "the other components' folders inside the module do not"), `        ${i.except.map(pattern).join("|")}) return 1 ;;`);
    }
    if (i.folders.length > 1) script.add(() => reasons.shared(i.component, "the shared folders of its language rebuild it"), `        ${i.folders.slice(1).map(pattern).join("|")}) return 0 ;;`);
    script.add(own, "      esac ;;");
  }
  script.add(() => reasons.rule("selected NAME: every component on a run by hand, else the components a changed path rebuilds"),
    "  esac",
    "  return 1",
    "}",
    "selected() {",
    "  [ \"${ALL}\" = true ] && return 0",
    "  while IFS= read -r path; do",
    "    if rebuilds \"$1\" \"${path}\"; then return 0; fi",
    "  done < \"${CHANGED}\"",
    "  return 1",
    "}",
    "include=()",
  );
  for (const i of inputs) {
    script.add(() => reasons.entry(i.component, "the component's matrix entry: its Dockerfile and image repository"),
      `if selected ${i.component}; then include+=('${JSON.stringify(entries.get(i.component))}'); fi`);
  }
  script.add(() => reasons.rule("the image job's matrix, and whether it has anything to build"),
    "joined=\"$(IFS=,; echo \"${include[*]}\")\"",
    "{",
    "  echo \"matrix={\\\"include\\\":[${joined}]}\"",
    "  if [ \"${#include[@]}\" -gt 0 ]; then echo \"any=true\"; else echo \"any=false\"; fi",
    "} >> \"${GITHUB_OUTPUT}\"",
  );
  return script;
}

/** Where the lines of the script come from: the workflow renderer knows the options behind folders and entries (asked only when tracing). */
export interface ScriptReasons {
  rule(why: string): Because;
  /** A component's own folder. */
  folder(component: string, why: string): Because;
  /** Other components' folders. */
  folders(folders: readonly string[], why: string): Because;
  /** The shared folders of a component's language (the Go module's; .cargo/ for Rust). */
  shared(component: string, why: string): Because;
  /** A component's matrix entry. */
  entry(component: string, why: string): Because;
}
