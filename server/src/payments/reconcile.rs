//! Reconciliation: payments the bank has not settled by notification are asked about by query,
//! so a lost notification (or a crash between "charging" and the bank's answer) never leaves a
//! payment stuck in 已提交待确认. The same task runs the daily reconciliation of yesterday
//! against the bank's statement, once a day per installation (`reconciliation::daily`).

use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppState;
use crate::gateway::OrderStatus;
use crate::payments::ledger;
use crate::service::ServiceResult;
use crate::storage::intents;

/// Intents younger than this are left alone: their charge may still be in flight.
const SETTLE_GRACE_MS: i64 = 3_000;

pub fn spawn(
    state: AppState,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // The first pass runs at once: a restart is exactly when charges were left open.
        loop {
            match reconcile_once(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(settled = n, "reconciliation settled payments"),
                Err(e) => tracing::warn!(error = %e, "reconciliation pass failed"),
            }
            // Yesterday against the bank's statement, once a day for the whole installation.
            if let Err(e) = crate::payments::reconciliation::daily::yesterday_once(&state).await {
                tracing::warn!(error = %crate::service::with_causes(&e), "daily reconciliation failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

/// One pass over unsettled intents; returns how many it settled.
pub async fn reconcile_once(state: &AppState) -> ServiceResult<usize> {
    let cutoff = state.clock.now_ms() - SETTLE_GRACE_MS;
    let mut conn = state.db.pool.acquire().await?;
    let ids = intents::charging_before(&mut conn, cutoff, 500).await?;
    drop(conn);
    let mut settled = 0;
    for id in ids {
        let status = match state.gateway.query(id).await {
            Ok(status) => status,
            Err(e) => {
                tracing::warn!(intent = %id, error = %e, "gateway query failed");
                continue;
            }
        };
        match status {
            // Still open at the bank, or never seen by it (a process stopped between taking
            // the year and charging): the charge queue holds it and charges again.
            OrderStatus::Pending | OrderStatus::Unknown => {}
            status => {
                if ledger::apply(state, id, &status).await?.is_some() {
                    state.charges.wake();
                }
                settled += 1;
            }
        }
    }
    // A payer waiting for a person-year that nobody is charging any more gets it handed on.
    if !ledger::sweep_waiting(state, cutoff).await?.is_empty() {
        state.charges.wake();
    }
    Ok(settled)
}
