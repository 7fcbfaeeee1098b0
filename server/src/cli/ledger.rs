//! `yanglao-server ledger --year Y`: a year's totals as JSON.

use crate::cli::connect;

pub async fn ledger(url: &str, year: i32) -> Result<(), String> {
    let db = connect(url).await?;
    let summary = crate::payments::ledger::year_summary(&db, year)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string(&summary).map_err(|e| e.to_string())?
    );
    Ok(())
}
