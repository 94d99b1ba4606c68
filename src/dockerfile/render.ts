import type { DockerfileModel, Instruction, Stage } from "./dockerfile-model";

/**
 * Writes a `DockerfileModel` as Dockerfile text. Pure: the same model gives the
 * same bytes. Knows the syntax only (quoting, continuation lines, exec form);
 * what goes in each stage is decided by `planImage`.
 */
export function renderDockerfile(model: DockerfileModel): string {
  const lines: string[] = [`# syntax=${model.syntax}`];
  for (const header of model.header) {
    lines.push(`# ${header}`);
  }
  lines.push("");
  for (const arg of model.globalArgs) {
    lines.push(`ARG ${arg.name}=${arg.defaultValue}`);
  }
  for (const stage of model.stages) {
    lines.push("", ...renderStage(stage));
  }
  return lines.join("\n") + "\n";
}

function renderStage(stage: Stage): string[] {
  const lines: string[] = [];
  if (stage.comment) {
    lines.push(...stage.comment.split("\n").map((line) => `# ${line}`));
  }
  lines.push(`FROM ${stage.platform ? `--platform=${stage.platform} ` : ""}${stage.from} AS ${stage.name}`);
  for (const instruction of stage.instructions) {
    lines.push(renderInstruction(instruction));
  }
  return lines;
}

const CONTINUATION = " \\\n    ";

function renderInstruction(i: Instruction): string {
  switch (i.op) {
    case "ARG":
      return i.defaultValue === undefined ? `ARG ${i.name}` : `ARG ${i.name}=${i.defaultValue}`;
    case "WORKDIR":
      return `WORKDIR ${i.path}`;
    case "ENV":
      return `ENV ${i.vars.map(([k, v]) => `${k}=${quote(v)}`).join(CONTINUATION)}`;
    case "COPY": {
      const flags = [
        i.from !== undefined ? `--from=${i.from}` : undefined,
        i.chown !== undefined ? `--chown=${i.chown}` : undefined,
        i.chmod !== undefined ? `--chmod=${i.chmod}` : undefined,
      ].filter((f): f is string => f !== undefined);
      return ["COPY", ...flags, ...i.sources, i.dest].join(" ");
    }
    case "RUN": {
      // Shared (BuildKit's default): cargo and go lock their own caches, and a locked mount held by one RUN
      // would stall a second RUN of the same build that mounts it (buildah keeps the lock for the whole build).
      const mounts = i.mounts.map((m) => `--mount=type=cache,id=${m.id},target=${m.target},sharing=shared`);
      return ["RUN " + [...mounts, i.commands.join(" &&" + CONTINUATION)].join(CONTINUATION)].join("");
    }
    case "USER":
      return `USER ${i.user}`;
    case "EXPOSE":
      return `EXPOSE ${i.ports.join(" ")}`;
    case "LABEL":
      return `LABEL ${i.labels.map(([k, v]) => `${k}=${doubleQuoted(v)}`).join(CONTINUATION)}`;
    case "ENTRYPOINT":
      // Exec form: JSON array, so no shell is needed (distroless has none) and signals reach the binary.
      return `ENTRYPOINT ${JSON.stringify(i.argv)}`;
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
