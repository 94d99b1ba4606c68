import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The README's shell blocks, by the heading above them. The tests run these lines as they are
 * written (test/readme.test.ts checks that every block is run by a test), so the README cannot
 * quote a command that does not work.
 */

const README = path.resolve(__dirname, "../README.md");

/** Every ```sh block of the README: the nearest `##`/`###` heading above it, and its command lines. */
export function readmeShellBlocks(text = fs.readFileSync(README, "utf-8")): { heading: string; lines: string[] }[] {
  const blocks: { heading: string; lines: string[] }[] = [];
  let heading = "";
  let block: string[] | undefined;
  for (const line of text.split("\n")) {
    if (block) {
      if (line.startsWith("```")) {
        blocks.push({ heading, lines: block });
        block = undefined;
      } else if (line.trim() !== "" && !line.trim().startsWith("#")) {
        block.push(line.trim());
      }
    } else if (/^#{2,3} /.test(line)) {
      heading = line.replace(/^#+ /, "").trim();
    } else if (/^```(sh|bash|shell)\s*$/.test(line)) {
      block = [];
    }
  }
  return blocks;
}

/** The command lines of the README's shell blocks under `heading`; throws when there are none. */
export function readmeBlock(heading: string): string[] {
  const lines = readmeShellBlocks().filter((b) => b.heading === heading).flatMap((b) => b.lines);
  if (lines.length === 0) throw new Error(`README.md has no shell block under "${heading}"`);
  return lines;
}

/** The lines of the README's first ```text block under `heading` (output the README shows); throws when there is none. */
export function readmeTextBlock(heading: string): string[] {
  const text = fs.readFileSync(README, "utf-8");
  const section = text.split(/^#{2,3} /m).find((s) => s.startsWith(`${heading}\n`));
  const block = section && /^```text\n([\s\S]*?)^```$/m.exec(section)?.[1];
  if (!block) throw new Error(`README.md has no text block under "${heading}"`);
  return block.split("\n").filter((l) => l !== "");
}
