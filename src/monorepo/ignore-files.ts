import { Component } from "projen/lib/component";
import { IgnoreFile } from "projen/lib/ignore-file";
import type { Project } from "projen/lib/project";
import { TEMP_INFIX } from "../files/atomic-write";

/** Where the ignore patterns and their reasons live (explain names it). */
export const IGNORE_PATTERNS_SOURCE = "src/monorepo/ignore-files.ts";

/** The patterns prism-projen adds to the ignore files, each with why (explain prints it). */
export const IGNORED: Readonly<Record<".gitignore" | ".dockerignore", Readonly<Record<string, string>>>> = {
  ".gitignore": {
    "/target/": "Cargo's build output is not committed",
    "node_modules/": "installed npm packages are not committed",
    "/lib/": "the compiled library (npm run build) is not committed",
    "*.tsbuildinfo": "TypeScript's incremental build state is not committed",
    "/coverage/": "test coverage reports are not committed",
    [`*${TEMP_INFIX}*`]: "the temporary files a killed synthesis can leave are not committed",
  },
  // The build context is the repository root: keep build output, VCS data and node_modules out of it.
  ".dockerignore": {
    "**/target/": "Cargo's build output stays out of the image build context (the repository root)",
    "**/node_modules/": "installed npm packages stay out of the image build context",
    ".git/": "the repository's history stays out of the image build context",
    "lib/": "the compiled library stays out of the image build context",
    "coverage/": "test coverage reports stay out of the image build context",
    [`**/*${TEMP_INFIX}*`]: "a synthesis's temporary files stay out of the image build context",
  },
};

/** `.gitignore` (projen's) with prism-projen's patterns, and `.dockerignore` for the image build context. */
export class IgnoreFiles extends Component {
  constructor(project: Project) {
    super(project);
    project.gitignore.exclude(...Object.keys(IGNORED[".gitignore"]));
    new IgnoreFile(project, ".dockerignore").exclude(...Object.keys(IGNORED[".dockerignore"]));
  }
}
