//! `yanglao-server reconcile --date YYYY-MM-DD --gateway URL`: the daily reconciliation
//! (对账, `payments::reconciliation`) of one day, from the command line. Prints the
//! mismatches as a table and records the refund cases it finds (audited as `cli:<user>`);
//! exits non-zero only when the bank or the database cannot be reached, never because there
//! are mismatches.

use std::sync::Arc;

use yanglao_shared::window::parse_day;
use yanglao_shared::PolicyTable;

use crate::app::{AppState, Parts};
use crate::cli::connect;
use crate::clock::Clock;
use crate::gateway::remote::HttpGateway;
use crate::payments::reconciliation::{self, Mismatch};
use crate::service::with_causes;
use crate::storage::settings;

pub async fn reconcile(url: &str, gateway: &str, date: &str) -> Result<(), String> {
    let day = parse_day(date).ok_or_else(|| format!("--date must be YYYY-MM-DD, got {date}"))?;
    if !gateway.starts_with("http://") && !gateway.starts_with("https://") {
        return Err(format!(
            "--gateway must be the URL of the bank (a sandbox-bank process), got {gateway}: \
             the in-process sandbox of another process's `serve` cannot be asked"
        ));
    }
    let db = connect(url).await?;
    let secret = settings::notify_secret(&db)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let state = AppState::build(Parts {
        db,
        clock: Clock::system(),
        policies: PolicyTable::builtin(),
        region: yanglao_shared::policy::DEFAULT_REGION.into(),
        gateway: Arc::new(HttpGateway::new(gateway)),
        gateway_secret: secret,
    })
    .map_err(|e| e.to_string())?;
    let days = reconciliation::days(&state, day, day).map_err(|e| with_causes(&e))?;
    let actor = format!("cli:{}", std::env::var("USER").unwrap_or_default());
    let report = reconciliation::run(&state, &actor, &days)
        .await
        .map_err(|e| format!("reconciliation: {}", with_causes(&e)))?;
    print!("{}", table(&report.mismatches));
    println!(
        "{}: {} mismatch(es), {} new refund case(s)",
        report.from,
        report.mismatches.len(),
        report.opened
    );
    Ok(())
}

/// The mismatches as a plain table, one per line.
pub fn table(mismatches: &[Mismatch]) -> String {
    let mut out = String::from(
        "day         kind                  order_id                              bank       \
         bank_amt   ledger       ledger_amt town/village (year)  refund_case\n",
    );
    for m in mismatches {
        let kind = m.kind.code();
        let bank = m
            .bank_status
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "-".into());
        let amount = |a: Option<yanglao_shared::money::Money>| {
            a.map(|a| a.to_string()).unwrap_or_else(|| "-".into())
        };
        let place = match (&m.town, &m.village) {
            (Some(t), Some(v)) => format!("{t}/{v}"),
            _ => "-".into(),
        };
        let year = m.year.map(|y| format!(" ({y})")).unwrap_or_default();
        out.push_str(&format!(
            "{:<11} {:<21} {} {:<10} {:<10} {:<12} {:<10} {}{} {}\n",
            m.day,
            kind,
            m.order_id,
            bank,
            amount(m.bank_amount),
            m.ledger_state.as_deref().unwrap_or("none"),
            amount(m.ledger_amount),
            place,
            year,
            m.refund_case
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
        ));
    }
    out
}
