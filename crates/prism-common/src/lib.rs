//! Prism's shared types and health endpoints: what the proxy and its plugins have in common.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The port of every component's health endpoints (`/healthz`, `/readyz`) and metrics.
pub const HEALTH_PORT: u16 = 9090;

/// The proxy's port for its plugins and clients.
pub const PROXY_GRPC_PORT: u16 = 8980;

/// What a plugin tells the proxy when it starts: one JSON line on the proxy's port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub plugin: String,
    pub version: String,
}

impl Registration {
    /// The registration as the one line a plugin writes.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("a registration is plain strings");
        line.push('\n');
        line
    }

    /// A registration from the line a plugin wrote.
    pub fn from_line(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line.trim_end())
    }
}

/// Serves `/healthz` and `/readyz` on [`HEALTH_PORT`] until the process ends.
pub async fn serve_health(component: &'static str) -> std::io::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", HEALTH_PORT)).await?;
    eprintln!("{component}: health endpoints on :{HEALTH_PORT}");
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = answer(stream).await;
        });
    }
}

async fn answer(mut stream: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = stream.split();
    let mut request_line = String::new();
    BufReader::new(read).read_line(&mut request_line).await?;
    let (status, body) = match request_line.split_whitespace().nth(1) {
        Some("/healthz") | Some("/readyz") => ("200 OK", "ok\n"),
        _ => ("404 Not Found", "not found\n"),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    write.write_all(response.as_bytes()).await
}

/// Registers `registration` with the proxy at `proxy` (host:port), trying again every five seconds until the
/// proxy takes it: a plugin may start before the proxy does.
pub async fn register_with_proxy(proxy: &str, registration: &Registration) {
    loop {
        match TcpStream::connect(proxy).await {
            Ok(mut stream) => match stream.write_all(registration.to_line().as_bytes()).await {
                Ok(()) => return,
                Err(e) => eprintln!("{}: registration with {proxy} failed: {e}", registration.plugin),
            },
            Err(e) => eprintln!("{}: the proxy at {proxy} is not reachable yet: {e}", registration.plugin),
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// A plugin's life: its health endpoints served, and its registration with the proxy at `PRISM_PROXY` (host:port,
/// `proxy:8980` by default, the proxy's Service).
pub async fn run_plugin(plugin: &'static str, version: &'static str) -> std::io::Result<()> {
    let health = tokio::spawn(serve_health(plugin));
    let proxy = std::env::var("PRISM_PROXY").unwrap_or_else(|_| format!("proxy:{PROXY_GRPC_PORT}"));
    register_with_proxy(&proxy, &Registration { plugin: plugin.into(), version: version.into() }).await;
    health.await.expect("the health endpoints run until the process ends")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_survives_its_line() {
        let registration = Registration { plugin: "kafka-publisher".into(), version: "0.1.0".into() };
        let line = registration.to_line();
        assert!(line.ends_with('\n'));
        assert_eq!(Registration::from_line(&line).unwrap(), registration);
    }
}
