//! `yanglao-server sandbox-bank`: the sandbox bank (沙箱银行) as its own process, keeping its
//! orders in its own SQLite file (`--data`), so that a restart forgets none and finishes what
//! the previous process left pending.

use std::path::Path;

use crate::gateway::remote::sandbox_router;
use crate::gateway::sandbox::SandboxBank;

pub async fn sandbox(
    bind: std::net::SocketAddr,
    secret: &str,
    notify_url: String,
    data: &Path,
) -> Result<(), String> {
    if secret.len() < crate::app::MIN_SECRET_BYTES {
        return Err(format!(
            "--secret has {} bytes, fewer than {}: give it the server's own \
             (yanglao-server notify-secret)",
            secret.len(),
            crate::app::MIN_SECRET_BYTES
        ));
    }
    let bank = SandboxBank::open(data, secret)
        .await
        .map_err(|e| format!("{}: {e}", data.display()))?;
    bank.set_notify_url(notify_url);
    let resumed = bank.resume().await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("{bind}: {e}"))?;
    println!(
        "沙箱银行 (sandbox bank) listening on http://{bind}, orders in {} ({} kept, {resumed} to finish)",
        data.display(),
        bank.order_count()
    );
    axum::serve(listener, sandbox_router(bank))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
