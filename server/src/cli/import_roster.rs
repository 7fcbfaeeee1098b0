//! `yanglao-server import-roster FILE`: the roster CSV, all rows or none, read as it streams
//! in (`COPY` on PostgreSQL, batched inserts on SQLite; `roster::import`), and how fast.

use std::time::Instant;

use time::OffsetDateTime;

use crate::cli::connect;
use crate::roster::import;

/// `copy`: whether PostgreSQL gets `COPY` (the default) or the batched inserts SQLite gets.
pub async fn import(url: &str, file: &std::path::Path, copy: bool) -> Result<(), String> {
    let reader = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let today = yanglao_shared::window::cst_date(OffsetDateTime::now_utc());
    let db = connect(url).await?;
    let region = yanglao_shared::policy::DEFAULT_REGION;
    let now = crate::clock::to_ms(OffsetDateTime::now_utc());
    let started = Instant::now();
    let url = copy.then_some(url);
    let done = import::import_csv(&db, url, reader, today, region, now)
        .await
        .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    let n = done.residents;
    println!("导入 {n} 人 / imported {n} residents");
    println!(
        "{n} residents, {} paid years and {} mobile numbers in {secs:.1} s: {:.0} residents/s, \
         {:.0} rows/s",
        done.paid_years,
        done.mobiles,
        n as f64 / secs,
        (n + done.paid_years + done.mobiles) as f64 / secs
    );
    Ok(())
}
