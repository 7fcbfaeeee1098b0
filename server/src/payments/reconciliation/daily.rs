//! The automatic reconciliation of yesterday (China Standard Time, by the server's clock),
//! run by the reconciliation task of every server process but at most once a day per
//! installation: the day is claimed in the database (`storage::settings`), not in memory, so
//! of several processes one runs it. Its refund cases are audited as [`ACTOR`]; a failed run
//! gives the day back to be tried again on a later pass.

use yanglao_shared::window::cst_date;

use super::run;
use crate::app::AppState;
use crate::service::ServiceResult;
use crate::storage::settings;

/// Who the audit log says opened the cases of the automatic run.
pub const ACTOR: &str = "system:daily-reconciliation";

/// Reconciles yesterday unless some process already did; answers how many mismatches it
/// found (`None`: not this process's turn).
pub async fn yesterday_once(state: &AppState) -> ServiceResult<Option<usize>> {
    let today = cst_date(state.now());
    let Some(yesterday) = today.previous_day() else {
        return Ok(None);
    };
    let day = yesterday.to_string();
    let Some(before) = settings::claim_daily_reconciliation(&state.db, &day).await? else {
        return Ok(None);
    };
    match run(state, ACTOR, &[yesterday]).await {
        Ok(report) => {
            if !report.mismatches.is_empty() {
                tracing::warn!(
                    day = %day,
                    mismatches = report.mismatches.len(),
                    refund_cases = report.opened,
                    "the daily reconciliation found mismatches with the bank"
                );
            }
            Ok(Some(report.mismatches.len()))
        }
        Err(e) => {
            settings::release_daily_reconciliation(&state.db, &day, &before).await?;
            Err(e)
        }
    }
}
