import { DockerfileParser, type Instruction as AstInstruction } from "dockerfile-ast";
import type { Rule } from "./finding";

/**
 * Dockerfile rules, after hadolint (DL…) and trivy's Dockerfile checks (DS-…),
 * over a small parsed form so each rule is a few lines.
 *
 * @see https://github.com/hadolint/hadolint#rules
 * @see https://avd.aquasec.com/misconfig/dockerfile/
 */

export interface ParsedInstruction {
  readonly keyword: string;
  readonly line: number;
  /** Arguments without flags. */
  readonly args: readonly string[];
  readonly flags: Readonly<Record<string, string>>;
  /** Everything after the keyword, as written (continuations joined). */
  readonly text: string;
}

export interface ParsedStage {
  /** `AS` name, or the stage index as a string when unnamed. */
  readonly name: string;
  readonly line: number;
  /** The image after substituting ARGs declared before the first FROM. */
  readonly image: string;
  readonly instructions: readonly ParsedInstruction[];
}

export interface ParsedDockerfile {
  readonly stages: readonly ParsedStage[];
  readonly globalArgs: readonly ParsedInstruction[];
}

/** Parses a Dockerfile with dockerfile-ast into the form the rules read. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  const toParsed = (i: AstInstruction): ParsedInstruction => {
    const flags: Record<string, string> = {};
    const withFlags = i as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] };
    for (const f of withFlags.getFlags?.() ?? []) flags[f.getName()] = f.getValue() ?? "";
    const raw = i.getRawArgumentsContent() ?? "";
    return {
      keyword: i.getKeyword().toUpperCase(),
      line: i.getRange().start.line + 1,
      args: i.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith("--")),
      flags,
      text: raw.replace(/\\\r?\n/g, " "),
    };
  };
  const all = ast.getInstructions().map(toParsed);
  const firstFrom = all.findIndex((i) => i.keyword === "FROM");
  const globalArgs = all.slice(0, firstFrom < 0 ? all.length : firstFrom).filter((i) => i.keyword === "ARG");
  const argDefaults = new Map<string, string>();
  for (const arg of globalArgs) {
    const [name, value] = (arg.args[0] ?? "").split("=", 2);
    if (value !== undefined) argDefaults.set(name, value);
  }
  const substitute = (s: string) =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => argDefaults.get(a ?? b) ?? m);
  const stages: ParsedStage[] = [];
  all.forEach((ins, index) => {
    if (ins.keyword !== "FROM") return;
    const next = all.findIndex((i, j) => j > index && i.keyword === "FROM");
    const asIndex = ins.args.findIndex((a) => a.toUpperCase() === "AS");
    stages.push({
      name: asIndex >= 0 ? ins.args[asIndex + 1] : String(stages.length),
      line: ins.line,
      image: substitute(ins.args[0] ?? ""),
      instructions: all.slice(index + 1, next < 0 ? all.length : next),
    });
  });
  return { stages, globalArgs };
}

/** Stages nothing else builds on or copies from: the images `--target` produces. */
export function targetStages(df: ParsedDockerfile): ParsedStage[] {
  const used = new Set<string>();
  for (const s of df.stages) {
    used.add(s.image);
    for (const i of s.instructions) {
      // A stage copying from itself (DL3023) does not make itself a dependency.
      if (i.keyword === "COPY" && i.flags.from !== undefined && i.flags.from !== s.name) used.add(i.flags.from);
    }
  }
  return df.stages.filter((s) => !used.has(s.name));
}

function isStageRef(df: ParsedDockerfile, stage: ParsedStage): boolean {
  const index = df.stages.indexOf(stage);
  return df.stages.slice(0, index).some((s) => s.name === stage.image) || stage.image === "scratch";
}

/** Splits `registry/repo:tag@digest` into its tag and digest. */
function imageRef(image: string): { tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split("@", 2);
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  return { tag: colon >= 0 ? withoutDigest.slice(colon + 1) : undefined, digest };
}

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)/i;

export const DOCKERFILE_RULES: readonly Rule<ParsedDockerfile>[] = [
  {
    ids: ["DL3002", "DS-0002"],
    summary: "The last USER of every target stage is a non-root user; a stage without USER runs as root",
    source: "hadolint DL3002, trivy DS002",
    check: (df) => targetStages(df).flatMap((s) => {
      const users = s.instructions.filter((i) => i.keyword === "USER");
      const last = users.at(-1);
      if (!last) return [{ line: s.line, message: `stage "${s.name}" has no USER, so it runs as root` }];
      const user = (last.args[0] ?? "").split(":")[0];
      return user === "root" || user === "0" ? [{ line: last.line, message: `stage "${s.name}" ends as root (USER ${last.args[0]})` }] : [];
    }),
  },
  {
    ids: ["DL3006", "DS-0001"],
    summary: "Every base image has an explicit tag or digest",
    source: "hadolint DL3006, trivy DS001",
    check: (df) => df.stages.filter((s) => !isStageRef(df, s)).flatMap((s) => {
      const { tag, digest } = imageRef(s.image);
      return tag === undefined && digest === undefined ? [{ line: s.line, message: `${s.image} has no tag` }] : [];
    }),
  },
  {
    ids: ["DL3007", "DS-0001"],
    summary: "No base image uses the latest tag",
    source: "hadolint DL3007, trivy DS001",
    check: (df) => df.stages.filter((s) => !isStageRef(df, s) && imageRef(s.image).tag === "latest")
      .map((s) => ({ line: s.line, message: `${s.image} uses :latest` })),
  },
  {
    ids: ["DL3025"],
    summary: "ENTRYPOINT and CMD use the JSON (exec) form",
    source: "hadolint DL3025",
    check: (df) => df.stages.flatMap((s) => s.instructions)
      .filter((i) => (i.keyword === "ENTRYPOINT" || i.keyword === "CMD") && !isJsonArray(i.text))
      .map((i) => ({ line: i.line, message: `${i.keyword} uses the shell form: ${i.text.trim()}` })),
  },
  {
    ids: ["DL3022"],
    summary: "COPY --from names a stage defined earlier in the file",
    source: "hadolint DL3022",
    check: (df) => df.stages.flatMap((s, index) => s.instructions
      .filter((i) => i.keyword === "COPY" && i.flags.from !== undefined && i.flags.from !== s.name)
      .filter((i) => !df.stages.slice(0, index).some((p) => p.name === i.flags.from))
      .map((i) => ({ line: i.line, message: `COPY --from=${i.flags.from} does not name an earlier stage` }))),
  },
  {
    ids: ["DL3023", "DS-0006"],
    summary: "COPY --from does not name its own stage",
    source: "hadolint DL3023, trivy DS006",
    check: (df) => df.stages.flatMap((s) => s.instructions
      .filter((i) => i.keyword === "COPY" && i.flags.from === s.name)
      .map((i) => ({ line: i.line, message: `COPY --from=${s.name} copies from the stage it is in` }))),
  },
  {
    ids: ["DL3024", "DS-0012"],
    summary: "Stage names are unique",
    source: "hadolint DL3024, trivy DS012",
    check: (df) => df.stages.filter((s, i) => df.stages.findIndex((o) => o.name === s.name) !== i)
      .map((s) => ({ line: s.line, message: `stage name "${s.name}" is used twice` })),
  },
  {
    ids: ["DL3020", "DS-0005"],
    summary: "COPY, not ADD",
    source: "hadolint DL3020, trivy DS005",
    check: (df) => df.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === "ADD")
      .map((i) => ({ line: i.line, message: `ADD ${i.text.trim()}: use COPY` })),
  },
  {
    ids: ["DL4006"],
    summary: "A RUN with a pipe is preceded by SHELL with -o pipefail",
    source: "hadolint DL4006",
    check: (df) => df.stages.flatMap((s) => {
      let pipefail = false;
      const out: { line: number; message: string }[] = [];
      for (const i of s.instructions) {
        if (i.keyword === "SHELL") pipefail = i.text.includes("pipefail");
        if (i.keyword === "RUN" && /(^|[^|])\|([^|]|$)/.test(i.text) && !pipefail && !/set -[a-z]*o pipefail|set -o pipefail/.test(i.text)) {
          out.push({ line: i.line, message: "RUN pipes without pipefail: a failing command before | goes unnoticed" });
        }
      }
      return out;
    }),
  },
  {
    ids: ["DS-0004"],
    summary: "Port 22 (SSH) is not exposed",
    source: "trivy DS004",
    check: (df) => df.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === "EXPOSE")
      .filter((i) => i.args.some((p) => p.split("/")[0] === "22"))
      .map((i) => ({ line: i.line, message: "EXPOSE 22: containers are not reached over SSH" })),
  },
  {
    ids: ["DS-0031"],
    summary: "No secrets in ARG or ENV (they stay in the image history)",
    source: "trivy DS031",
    check: (df) => [...df.globalArgs, ...df.stages.flatMap((s) => s.instructions)]
      .filter((i) => i.keyword === "ARG" || i.keyword === "ENV")
      .flatMap((i) => i.args.map((a) => a.split("=")[0]).filter((name) => SECRET_NAME.test(name))
        .map((name) => ({ line: i.line, message: `${i.keyword} ${name} looks like a secret; mount it with RUN --mount=type=secret` }))),
  },
  {
    ids: ["DS-0026"],
    summary: "Target stages declare a HEALTHCHECK",
    source: "trivy DS026",
    check: (df) => targetStages(df).filter((s) => !s.instructions.some((i) => i.keyword === "HEALTHCHECK"))
      .map((s) => ({ line: s.line, message: `stage "${s.name}" has no HEALTHCHECK` })),
  },
  {
    ids: ["PRISM-D001"],
    summary: "Every base image is pinned by digest",
    source: "prism-projen (supply chain: a tag can be moved)",
    check: (df) => df.stages.filter((s) => !isStageRef(df, s) && !imageRef(s.image).digest)
      .map((s) => ({ line: s.line, message: `${s.image} is not pinned by digest (@sha256:…)` })),
  },
];

function isJsonArray(text: string): boolean {
  try {
    const value = JSON.parse(text.trim());
    return Array.isArray(value) && value.every((v) => typeof v === "string");
  } catch {
    return false;
  }
}
