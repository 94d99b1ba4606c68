import type { IConstruct } from "constructs";
import type { RustLibraryModel } from "../model/component";

/** What the project reads of a `RustLibrary`, without importing it (the library imports the project). */
export interface IRustLibrary extends IConstruct {
  /** @internal */ _toModel(): RustLibraryModel;
  /** @internal */ _optionProblems(): readonly string[];
  /** @internal */ _givenOptions(): Readonly<Record<string, unknown>>;
  /** @internal */ _addFiles(): void;
  /** @internal */ _className(): string;
}

const LIBRARY_BRAND = Symbol.for("prism-projen.RustLibrary");

/** Marks a construct as a Rust library crate. */
export function brandRustLibrary(library: IRustLibrary): void {
  Object.defineProperty(library, LIBRARY_BRAND, { value: true });
}

/** Whether `x` is a Rust library crate of the project. */
export function isRustLibrary(x: unknown): x is IRustLibrary {
  return x !== null && typeof x === "object" && LIBRARY_BRAND in x;
}
