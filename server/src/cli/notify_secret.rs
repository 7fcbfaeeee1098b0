//! `yanglao-server notify-secret`: prints this installation's notification secret (made at
//! first start, kept in the database), to hand to a separate sandbox-bank process.

use crate::cli::connect;
use crate::storage::settings;

pub async fn print(url: &str) -> Result<(), String> {
    let db = connect(url).await?;
    let secret = settings::notify_secret(&db)
        .await
        .map_err(|e| format!("database: {e}"))?;
    println!("{secret}");
    Ok(())
}
