import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { tmpdir } from "./helpers";

/** ELF facts from binutils' readelf, and an empty-root run: shared by the Rust and Go toolchain tests. */

export function readelf(flag: string, file: string): string {
  return execFileSync("readelf", ["-W", flag, file], { encoding: "utf-8" });
}

export const hasInterpreter = (file: string) => /Requesting program interpreter/.test(readelf("-l", file));
export const hasNeeded = (file: string) => /\(NEEDED\)/.test(readelf("-d", file));
export const hasSymtab = (file: string) => /\s\.symtab\s/.test(readelf("-S", file));

/**
 * The crate list `cargo auditable build` embeds: the `.dep-v0` section, zlib-compressed JSON,
 * read back with objcopy; undefined when the binary has no such section.
 */
export function embeddedDependencies(file: string): { packages: { name: string; version: string; source: string; root?: boolean; dependencies?: number[] }[] } | undefined {
  if (!/\s\.dep-v0\s/.test(readelf("-S", file))) return undefined;
  const out = path.join(tmpdir("prism-dep-v0-"), "dep-v0");
  execFileSync("objcopy", ["--dump-section", `.dep-v0=${out}`, file, path.join(path.dirname(out), "discarded")]);
  return JSON.parse(zlib.inflateSync(fs.readFileSync(out)).toString("utf-8"));
}

/** Runs `argv` in a root holding only `files` (path in root -> source), as 65532:65532. */
export function runInEmptyRoot(files: Record<string, string>, argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const root = tmpdir("prism-root-");
  fs.chmodSync(root, 0o755); // mkdtemp makes it 0700, which 65532 could not even enter
  for (const [dest, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, dest)), { recursive: true });
    fs.copyFileSync(source, path.join(root, dest));
    fs.chmodSync(path.join(root, dest), 0o555);
  }
  return spawnSync("chroot", ["--userspec=65532:65532", root, ...argv], { encoding: "utf-8" });
}
