import * as ts from "typescript";
import { byCodeUnits } from "../model/order";

/**
 * Edits a `.projenrc.ts` through its syntax tree: finds the ContainerMonorepo,
 * the components declared on it, and adds one more after the last of them,
 * printed by the TypeScript printer and indented like its neighbours.
 */

export type ComponentLanguage = "rust" | "go";
export type ComponentKind = "plugin" | "service" | "tool" | "job";

export interface NewComponentSpec {
  readonly name: string;
  readonly lang: ComponentLanguage;
  readonly kind: ComponentKind;
  readonly ports: readonly { readonly name: string; readonly port: number }[];
  /** Rust only. @default - static for plugins, glibc otherwise */
  readonly linkage?: "static" | "glibc";
}

const COMPONENT_CLASSES = ["RustComponent", "GoComponent"];

/** The names of the components the source declares, literal or through a `for (… of [ "a", "b" ])` loop. */
export function declaredComponents(sourceFile: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && COMPONENT_CLASSES.includes(node.expression.text)) {
      const arg = node.arguments?.[1];
      if (arg && ts.isStringLiteralLike(arg)) names.push(arg.text);
      if (arg && ts.isIdentifier(arg)) names.push(...loopValues(arg));
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return names;
}

/** String values a loop variable takes, when it iterates over an array literal of strings. */
function loopValues(id: ts.Identifier): string[] {
  for (let node: ts.Node | undefined = id.parent; node; node = node.parent) {
    if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer)) {
      const declared = node.initializer.declarations[0]?.name;
      if (declared && ts.isIdentifier(declared) && declared.text === id.text && ts.isArrayLiteralExpression(node.expression)) {
        return node.expression.elements.filter(ts.isStringLiteralLike).map((e) => e.text);
      }
    }
  }
  return [];
}

interface Anchor {
  /** The variable holding the ContainerMonorepo. */
  readonly projectVar: string;
  /** The statement to insert after. */
  readonly after: ts.Statement;
  /** The import declaration that brings in ContainerMonorepo. */
  readonly importDecl?: ts.ImportDeclaration;
}

function findAnchor(sf: ts.SourceFile): Anchor {
  let decl: ts.VariableDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if (!decl && ts.isVariableDeclaration(node) && node.initializer && ts.isNewExpression(node.initializer) &&
      ts.isIdentifier(node.initializer.expression) && node.initializer.expression.text === "ContainerMonorepo" && ts.isIdentifier(node.name)) {
      decl = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!decl) throw new Error("no `const <name> = new ContainerMonorepo(...)` found in .projenrc.ts; add the component by hand");
  const declStatement = decl.parent.parent as ts.VariableStatement;
  const block = declStatement.parent as ts.Block | ts.SourceFile;
  const statements = [...block.statements];
  const start = statements.indexOf(declStatement);
  const declaresComponent = (s: ts.Node): boolean => {
    let found = false;
    const walk = (n: ts.Node) => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && COMPONENT_CLASSES.includes(n.expression.text)) found = true;
      else ts.forEachChild(n, walk);
    };
    walk(s);
    return found;
  };
  const last = statements.slice(start + 1).filter(declaresComponent).at(-1) ?? declStatement;
  const importDecl = sf.statements.filter(ts.isImportDeclaration).find((i) => {
    const bindings = i.importClause?.namedBindings;
    return bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === "ContainerMonorepo");
  });
  return { projectVar: (decl.name as ts.Identifier).text, after: last, importDecl };
}

const f = ts.factory;

function prop(name: string, value: ts.Expression): ts.PropertyAssignment {
  return f.createPropertyAssignment(name, value);
}

function member(object: string, name: string): ts.Expression {
  return f.createPropertyAccessExpression(f.createIdentifier(object), name);
}

/** The new statement and the identifiers it needs imported. */
function newStatement(spec: NewComponentSpec, projectVar: string): { statement: ts.Statement; needs: string[] } {
  const cls = spec.lang === "rust" ? "RustComponent" : "GoComponent";
  const needs = [cls];
  const props: ts.ObjectLiteralElementLike[] = [prop("description", f.createStringLiteral(`${spec.name} ${spec.kind}`))];
  if (spec.lang === "rust" && spec.kind === "service") props.push(prop("path", f.createStringLiteral(spec.name)));
  if (spec.lang === "rust") {
    const linkage = spec.linkage ?? (spec.kind === "plugin" ? "static" : "glibc");
    props.push(prop("linkage", member("Linkage", linkage === "static" ? "STATIC" : "GLIBC")));
    needs.push("Linkage");
  }
  const workload = { plugin: "DEPLOYMENT", service: "DEPLOYMENT", job: "JOB", tool: "NONE" }[spec.kind];
  const defaultWorkload = spec.lang === "go" ? "NONE" : "DEPLOYMENT";
  if (workload !== defaultWorkload) {
    props.push(prop("workload", member("WorkloadKind", workload)));
    needs.push("WorkloadKind");
  }
  if (spec.ports.length > 0) {
    props.push(prop("ports", f.createArrayLiteralExpression(spec.ports.map((p) => f.createObjectLiteralExpression([
      prop("name", f.createStringLiteral(p.name)),
      prop("port", f.createNumericLiteral(p.port)),
    ], false)))));
  }
  if (spec.lang === "rust") {
    props.push(prop("env", f.createObjectLiteralExpression([prop("RUST_LOG", f.createStringLiteral("info"))], false)));
  }
  const statement = f.createExpressionStatement(f.createNewExpression(f.createIdentifier(cls), undefined, [
    f.createIdentifier(projectVar),
    f.createStringLiteral(spec.name),
    f.createObjectLiteralExpression(f.createNodeArray(props, true), true),
  ]));
  return { statement, needs };
}

/** The printer indents by 4; re-indent to the file's unit and the anchor's depth. */
function reindent(text: string, base: string, unit: string): string {
  return text.split("\n").map((line) => {
    const depth = (/^( *)/.exec(line)![1].length) / 4;
    return base + unit.repeat(depth) + line.trimStart();
  }).join("\n");
}

/** Whether `.projenrc.ts` (its source) already declares a component of this name, literally or in a loop. */
export function isDeclared(source: string, name: string): boolean {
  return declaredComponents(ts.createSourceFile(".projenrc.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)).includes(name);
}

/**
 * Adds the component to the source. Throws when the name is already declared;
 * the source is then left as it was.
 */
export function addComponent(source: string, spec: NewComponentSpec): string {
  const sf = ts.createSourceFile(".projenrc.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  if (declaredComponents(sf).includes(spec.name)) {
    throw new Error(`a component named "${spec.name}" is already declared in .projenrc.ts; nothing was changed`);
  }
  const anchor = findAnchor(sf);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const { statement, needs } = newStatement(spec, anchor.projectVar);
  const lineStart = source.lastIndexOf("\n", anchor.after.getStart(sf)) + 1;
  const base = source.slice(lineStart, anchor.after.getStart(sf));
  const unit = /\n( +)\S/.exec(source)?.[1].length === 4 ? "    " : "  ";
  const printed = reindent(printer.printNode(ts.EmitHint.Unspecified, statement, sf), base, unit);

  const edits: { start: number; end: number; text: string }[] = [
    { start: anchor.after.getEnd(), end: anchor.after.getEnd(), text: `\n\n${printed}` },
  ];
  const bindings = anchor.importDecl?.importClause?.namedBindings;
  if (anchor.importDecl && bindings && ts.isNamedImports(bindings)) {
    const present = bindings.elements.map((e) => e.name.text);
    const missing = needs.filter((n) => !present.includes(n));
    if (missing.length > 0) {
      const names = [...present, ...missing].sort(byCodeUnits);
      const updated = f.updateNamedImports(bindings, names.map((n) => f.createImportSpecifier(false, undefined, f.createIdentifier(n))));
      edits.push({ start: bindings.getStart(sf), end: bindings.getEnd(), text: printer.printNode(ts.EmitHint.Unspecified, updated, sf) });
    }
  }
  return edits.sort((a, b) => b.start - a.start)
    .reduce((text, e) => text.slice(0, e.start) + e.text + text.slice(e.end), source);
}
