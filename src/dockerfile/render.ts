import type { DockerfileModel, Instruction } from "./dockerfile-model";

/**
 * Writes a `DockerfileModel` as Dockerfile text. Pure: the same model gives the
 * same bytes. Knows the syntax only (quoting, continuation lines, exec form);
 * what goes in each stage is decided by `planImage`.
 */
export function renderDockerfile(model: DockerfileModel): string {
  return dockerfileLines(model, false).map((l) => l.text).join("\n") + "\n";
}

/** One line of a Dockerfile, and the path in the model of what wrote it (for `npx projen explain`). */
export interface DockerfileLine {
  readonly text: string;
  readonly path: readonly (string | number)[];
}

/** The Dockerfile's lines, each with the model path it comes from (`withPaths`; else every path is empty). */
export function dockerfileLines(model: DockerfileModel, withPaths = true): DockerfileLine[] {
  const lines: DockerfileLine[] = [];
  const push = (text: string, path: () => readonly (string | number)[]) => lines.push({ text, path: withPaths ? path() : NO_PATH });
  push(`# syntax=${model.syntax}`, () => ["syntax"]);
  model.header.forEach((header, i) => push(`# ${header}`, () => ["header", i]));
  push("", () => []);
  model.globalArgs.forEach((arg, i) => push(`ARG ${arg.name}=${arg.defaultValue}`, () => ["globalArgs", i]));
  model.stages.forEach((stage, i) => {
    push("", () => []);
    if (stage.comment) {
      for (const line of stage.comment.split("\n")) push(`# ${line}`, () => ["stages", i, "comment"]);
    }
    push(`FROM ${stage.platform ? `--platform=${stage.platform} ` : ""}${stage.from} AS ${stage.name}`, () => ["stages", i, "from"]);
    stage.instructions.forEach((instruction, j) => {
      const pieces = instructionPieces(instruction);
      pieces.forEach((piece, k) => push(
        `${k === 0 ? "" : CONTINUATION_INDENT}${piece.text}${k < pieces.length - 1 ? " \\" : ""}`,
        () => ["stages", i, "instructions", j, ...piece.path],
      ));
    });
  });
  return lines;
}

const NO_PATH: readonly (string | number)[] = [];

/** A continuation line's indent. */
const CONTINUATION_INDENT = "    ";

/** An instruction as its lines (one unless it continues), each with the path in the instruction it comes from. */
function instructionPieces(i: Instruction): { text: string; path: (string | number)[] }[] {
  switch (i.op) {
    case "ARG":
      return [{ text: i.defaultValue === undefined ? `ARG ${i.name}` : `ARG ${i.name}=${i.defaultValue}`, path: [] }];
    case "WORKDIR":
      return [{ text: `WORKDIR ${i.path}`, path: [] }];
    case "ENV":
      return i.vars.map(([k, v], n) => ({ text: `${n === 0 ? "ENV " : ""}${k}=${quote(v)}`, path: ["vars", n] }));
    case "COPY": {
      const flags = [
        i.from !== undefined ? `--from=${i.from}` : undefined,
        i.chown !== undefined ? `--chown=${i.chown}` : undefined,
        i.chmod !== undefined ? `--chmod=${i.chmod}` : undefined,
      ].filter((f): f is string => f !== undefined);
      return [{ text: ["COPY", ...flags, ...i.sources, i.dest].join(" "), path: [] }];
    }
    case "RUN": {
      // Shared (BuildKit's default): cargo and go lock their own caches, and a locked mount held by one RUN
      // would stall a second RUN of the same build that mounts it (buildah keeps the lock for the whole build).
      const mounts = i.mounts.map((m, n) => ({ text: `--mount=type=cache,id=${m.id},target=${m.target},sharing=shared`, path: ["mounts", n] }));
      const commands = i.commands.map((c, n) => ({ text: `${c}${n < i.commands.length - 1 ? " &&" : ""}`, path: ["commands", n] }));
      const pieces = [...mounts, ...commands];
      return pieces.map((p, n) => (n === 0 ? { ...p, text: `RUN ${p.text}` } : p));
    }
    case "USER":
      return [{ text: `USER ${i.user}`, path: [] }];
    case "EXPOSE":
      return [{ text: `EXPOSE ${i.ports.join(" ")}`, path: [] }];
    case "LABEL":
      return i.labels.map(([k, v], n) => ({ text: `${n === 0 ? "LABEL " : ""}${k}=${doubleQuoted(v)}`, path: ["labels", n] }));
    case "ENTRYPOINT":
      // Exec form: JSON array, so no shell is needed (distroless has none) and signals reach the binary.
      return [{ text: `ENTRYPOINT ${JSON.stringify(i.argv)}`, path: [] }];
  }
}

/** Double-quotes a value when it holds characters the Dockerfile parser would split on. */
function quote(value: string): string {
  return /^[A-Za-z0-9_./:+=,-]*$/.test(value) ? value : doubleQuoted(value);
}

/**
 * A Dockerfile double-quoted word that reads back as exactly `value`: `\`, `"` and `$` escaped (LABEL
 * and ENV substitute variables, so an unescaped `$HOME` would not stay text). Line breaks and control
 * characters never get here: the option schemas refuse them.
 */
function doubleQuoted(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
