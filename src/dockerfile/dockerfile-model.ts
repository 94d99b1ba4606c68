/**
 * A typed model of the Dockerfile subset prism-projen writes. Types only.
 *
 * @see https://docs.docker.com/reference/dockerfile/
 */

/** A BuildKit cache mount on a RUN instruction. */
export interface CacheMount {
  readonly id: string;
  readonly target: string;
}

export type Instruction =
  | { readonly op: "ARG"; readonly name: string; readonly defaultValue?: string }
  | { readonly op: "WORKDIR"; readonly path: string }
  | { readonly op: "ENV"; readonly vars: readonly (readonly [string, string])[] }
  | {
    readonly op: "COPY";
    readonly from?: string;
    readonly chown?: string;
    readonly chmod?: string;
    readonly sources: readonly string[];
    readonly dest: string;
  }
  | { readonly op: "RUN"; readonly mounts: readonly CacheMount[]; readonly commands: readonly string[] }
  | { readonly op: "USER"; readonly user: string }
  | { readonly op: "EXPOSE"; readonly ports: readonly string[] }
  | { readonly op: "LABEL"; readonly labels: readonly (readonly [string, string])[] }
  | { readonly op: "ENTRYPOINT"; readonly argv: readonly string[] };

/** One build stage. */
export interface Stage {
  /** Stage name (`AS <name>`), the `--target` of `docker build`. */
  readonly name: string;
  readonly from: string;
  /** `FROM --platform=`: `$BUILDPLATFORM` for a stage that cross-compiles on the build machine. */
  readonly platform?: string;
  /** A comment line written above the FROM, saying why the stage exists. */
  readonly comment?: string;
  readonly instructions: readonly Instruction[];
}

/** A whole multi-stage Dockerfile. */
export interface DockerfileModel {
  /** The `# syntax=` parser directive (BuildKit frontend). */
  readonly syntax: string;
  /** Comment lines written after the directive (the projen marker goes here). */
  readonly header: readonly string[];
  /** ARGs declared before the first FROM (usable in FROM lines). */
  readonly globalArgs: readonly { readonly name: string; readonly defaultValue: string }[];
  readonly stages: readonly Stage[];
}
