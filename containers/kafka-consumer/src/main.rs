//! Prism kafka-consumer plugin: registers with the proxy, then serves its health endpoints.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--version") {
        println!("{} {}", env!("CARGO_BIN_NAME"), env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    prism_common::run_plugin(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")).await
}
