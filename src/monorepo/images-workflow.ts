import * as path from "node:path";
import { Component } from "projen/lib/component";
import type { Project } from "projen/lib/project";
import { BASE_IMAGE_LOCK } from "../dockerfile/base-image-lock";
import { GeneratedJsonFile } from "../files/json-file";
import { YamlDocumentsFile } from "../files/yaml-file";
import { versionComments } from "../github/actions";
import { renderDependabot } from "../github/dependabot";
import { renderImagesWorkflow } from "../github/render";
import { EXCEPTIONS_FILE, renderPolicyExceptions } from "../policy/exceptions";
import type { MonorepoContext } from "./context";

export interface ImagesWorkflowOptions {
  /** Why base images may go unpinned, when the project allows it; the policy's exceptions file records it. */
  readonly allowUnpinnedBaseImages?: string;
  /** Whether the repository has a base-image lock (Dependabot then keeps its digests current). */
  readonly hasBaseImageLock: boolean;
}

/**
 * What builds and ships the images: the images workflow, Dependabot's configuration for every
 * ecosystem the tree uses, and the policy's exceptions file the workflow's policy job reads.
 */
export class ImagesWorkflow extends Component {
  constructor(project: Project, ctx: MonorepoContext, options: ImagesWorkflowOptions) {
    super(project);
    new YamlDocumentsFile(project, ".github/workflows/images.yml", {
      documents: () => [renderImagesWorkflow(ctx.model, ctx.componentModels())],
      valueComments: versionComments(),
    });
    new GeneratedJsonFile(project, EXCEPTIONS_FILE, { document: () => renderPolicyExceptions(options.allowUnpinnedBaseImages) });
    new YamlDocumentsFile(project, ".github/dependabot.yml", {
      documents: () => [renderDependabot({
        goModuleDir: ctx.componentModels().some((c) => c.build.kind === "go") ? ctx.model.goModuleDir : undefined,
        cargo: ctx.componentModels().some((c) => c.build.kind === "rust"),
        baseImageLockDir: options.hasBaseImageLock ? path.posix.dirname(BASE_IMAGE_LOCK) : undefined,
      })],
    });
  }
}
