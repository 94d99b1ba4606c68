import type { ComponentModel } from "../model/component";

/**
 * Starter sources, written once (projen `SampleFile`) so that a new component
 * builds and answers its probes before anyone writes code. Standard library
 * only: they build offline.
 */

/** `src/main.rs` of a Rust component. */
export function rustStarter(c: ComponentModel): string {
  const version = [
    "    if std::env::args().any(|a| a == \"--version\") {",
    "        println!(\"{} {}\", env!(\"CARGO_BIN_NAME\"), env!(\"CARGO_PKG_VERSION\"));",
    "        return;",
    "    }",
  ];
  const header = [
    `//! ${c.description}.`,
    "//!",
    "//! Starter written once by prism-projen; it is yours to edit.",
    "",
  ];
  if (!c.health) {
    return [...header, "fn main() {", ...version, `    eprintln!("${c.name}: started");`, "}", ""].join("\n");
  }
  const port = c.ports.find((p) => p.name === c.health!.port)!.port;
  return [
    ...header,
    "use std::io::{BufRead, BufReader, Write};",
    "use std::net::TcpListener;",
    "",
    `const HEALTH_PORT: u16 = ${port};`,
    "",
    "fn main() {",
    ...version,
    "    let listener = TcpListener::bind((\"0.0.0.0\", HEALTH_PORT)).expect(\"bind the health port\");",
    `    eprintln!("${c.name}: health endpoints on :{HEALTH_PORT}");`,
    "    for stream in listener.incoming() {",
    "        let Ok(mut stream) = stream else { continue };",
    "        let mut request_line = String::new();",
    "        if BufReader::new(&stream).read_line(&mut request_line).is_err() {",
    "            continue;",
    "        }",
    "        let (status, body) = match request_line.split_whitespace().nth(1) {",
    `            Some("${c.health.livenessPath}") | Some("${c.health.readinessPath}") => ("200 OK", "ok\\n"),`,
    "            _ => (\"404 Not Found\", \"not found\\n\"),",
    "        };",
    "        let _ = write!(",
    "            stream,",
    "            \"HTTP/1.1 {status}\\r\\ncontent-length: {}\\r\\nconnection: close\\r\\n\\r\\n{body}\",",
    "            body.len()",
    "        );",
    "    }",
    "}",
    "",
  ].join("\n");
}

/** `main.go` of a Go command. */
export function goStarter(c: ComponentModel, version: string): string {
  return [
    `// Command ${c.binary}: ${c.description}.`,
    "//",
    "// Starter written once by prism-projen; it is yours to edit.",
    "package main",
    "",
    "import (",
    "\t\"fmt\"",
    "\t\"os\"",
    ")",
    "",
    "func main() {",
    "\tif len(os.Args) > 1 && os.Args[1] == \"--version\" {",
    `\t\tfmt.Println("${c.binary} ${version}")`,
    "\t\treturn",
    "\t}",
    `\tfmt.Fprintln(os.Stderr, "${c.binary}: started")`,
    "}",
    "",
  ].join("\n");
}

/** `go.mod` of the Go module holding the commands. */
export function goModule(modulePath: string): string {
  return `module ${modulePath}\n\ngo 1.22\n`;
}
