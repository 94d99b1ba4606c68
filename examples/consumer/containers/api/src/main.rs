//! HTTP API.
//!
//! Starter written once by prism-projen; it is yours to edit.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

const HEALTH_PORT: u16 = 9090;

fn main() {
    if std::env::args().any(|a| a == "--version") {
        println!("{} {}", env!("CARGO_BIN_NAME"), env!("CARGO_PKG_VERSION"));
        return;
    }
    let listener = TcpListener::bind(("0.0.0.0", HEALTH_PORT)).expect("bind the health port");
    eprintln!("api: health endpoints on :{HEALTH_PORT}");
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut request_line = String::new();
        if BufReader::new(&stream).read_line(&mut request_line).is_err() {
            continue;
        }
        let (status, body) = match request_line.split_whitespace().nth(1) {
            Some("/healthz") | Some("/readyz") => ("200 OK", "ok\n"),
            _ => ("404 Not Found", "not found\n"),
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    }
}
