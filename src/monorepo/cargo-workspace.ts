import { Component } from "projen/lib/component";
import type { Project } from "projen/lib/project";
import { renderDenyConfig } from "../cargo/deny";
import { declaredWorkspaceDependencies, renderWorkspaceManifest } from "../cargo/render";
import { CargoManifestFile } from "../files/cargo-manifest-file";
import { entryKey } from "../model/cargo-dependencies";
import { TomlFile } from "../files/toml-file";
import type { MonorepoContext } from "./context";

/** The Cargo workspace of the Rust components: the root `Cargo.toml` and cargo-deny's `deny.toml`; neither without a Rust component. */
export class CargoWorkspace extends Component {
  constructor(project: Project, ctx: MonorepoContext) {
    super(project);
    const rust = () => ctx.componentModels().filter((c) => c.build.kind === "rust");
    new CargoManifestFile(project, "Cargo.toml", {
      document: () => {
        const members = rust();
        return members.length > 0 ? renderWorkspaceManifest(ctx.model, members, ctx.libraryModels()) : undefined;
      },
      declared: () => declaredWorkspaceDependencies(ctx.model, ctx.libraryModels()).map(entryKey),
    });
    new TomlFile(project, "deny.toml", {
      document: () => (rust().length > 0 ? renderDenyConfig(ctx.model) : undefined),
    });
  }
}
