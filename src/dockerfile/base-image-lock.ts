/**
 * The base-image lock: a Dockerfile holding only `FROM <image>:<tag>@sha256:…`
 * lines. It is a Dockerfile so Dependabot's docker updater keeps its digests
 * current; synthesis reads it and pins every generated FROM it lists.
 */

/** Where the lock lives, relative to the repository root. */
export const BASE_IMAGE_LOCK = "base-images/Dockerfile";

export interface BaseImageLock {
  /** `image:tag` to `sha256:…`. */
  readonly digests: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

/** Parses the lock's text; lines that are not a pinned FROM are problems, comments and blanks are skipped. */
export function parseBaseImageLock(text: string): BaseImageLock {
  const digests: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^FROM\s+([^\s@]+:[^\s@]+)@(sha256:[0-9a-f]{64})(\s+AS\s+\S+)?$/i.exec(line);
    if (!match) {
      problems.push(`${BASE_IMAGE_LOCK} line ${index + 1}: "${line}" is not "FROM <image>:<tag>@sha256:<64 hex>"; fix or remove the line`);
      return;
    }
    digests[match[1]] = match[2];
  });
  return { digests, problems };
}
