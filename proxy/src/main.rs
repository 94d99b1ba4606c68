//! Prism proxy core: takes the plugins' registrations on its gRPC port, serves its health endpoints, and
//! announces each registration over HTTPS when `PRISM_ANNOUNCE_URL` is set (declare that egress in
//! .projenrc.ts first: the proxy's NetworkPolicy denies what is not declared).

use prism_common::{serve_health, Registration, PROXY_GRPC_PORT};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy announces: the registration, and the proxy that took it.
#[derive(Serialize)]
struct Announcement<'a> {
    proxy: &'static str,
    registered: &'a Registration,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--version") {
        println!("{} {}", env!("CARGO_BIN_NAME"), env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    // rustls only: the workspace's reqwest has no OpenSSL to fall back to.
    let client = reqwest::Client::builder().use_rustls_tls().build().expect("a rustls HTTP client");
    let announce = std::env::var("PRISM_ANNOUNCE_URL").ok();
    tokio::spawn(async {
        if let Err(e) = serve_health("proxy").await {
            eprintln!("proxy: health endpoints failed: {e}");
            std::process::exit(1);
        }
    });
    let listener = TcpListener::bind(("0.0.0.0", PROXY_GRPC_PORT)).await?;
    eprintln!("proxy: plugins register on :{PROXY_GRPC_PORT}");
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(take_registrations(stream, client.clone(), announce.clone()));
    }
}

async fn take_registrations(stream: TcpStream, client: reqwest::Client, announce: Option<String>) {
    let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_else(|_| "?".into());
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let registration = match Registration::from_line(&line) {
            Ok(registration) => registration,
            Err(e) => {
                eprintln!("proxy: not a registration from {peer}: {e}");
                continue;
            }
        };
        eprintln!("proxy: {} {} registered from {peer}", registration.plugin, registration.version);
        if let Some(url) = &announce {
            let announcement = Announcement { proxy: env!("CARGO_PKG_VERSION"), registered: &registration };
            if let Err(e) = client.post(url).json(&announcement).send().await {
                eprintln!("proxy: announcing {} to {url} failed: {e}", registration.plugin);
            }
        }
    }
}
