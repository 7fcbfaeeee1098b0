//! `yanglao-server import-roster FILE`: the roster CSV, all rows or none.

use time::OffsetDateTime;

use crate::cli::connect;
use crate::roster::seed;

pub async fn import(url: &str, file: &std::path::Path) -> Result<(), String> {
    let reader = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let today = yanglao_shared::window::cst_date(OffsetDateTime::now_utc());
    let rows = seed::parse_csv(reader, today)
        .map_err(|errors| seed::ImportError::Rows(errors).to_string())?;
    let db = connect(url).await?;
    let region = yanglao_shared::policy::DEFAULT_REGION;
    let now = crate::clock::to_ms(OffsetDateTime::now_utc());
    let n = seed::insert_all(&db, region, &rows, now)
        .await
        .map_err(|e| e.to_string())?;
    println!("导入 {n} 人 / imported {n} residents");
    Ok(())
}
