//! The charge workers: what asks the bank, apart from the phone's request. A sync takes the
//! person-year and queues the charge in its own transaction (`storage::charges`), then asks
//! the bank for its own charges at once and waits a short bounded time for the answers, so a
//! fast bank still answers in one round trip. Whatever is not answered by then — a slow bank,
//! a bank that cannot be reached, a process killed mid-charge — is taken up by the workers
//! that every server process runs: they claim due charges for a lease, call the bank with
//! bounded concurrency, and give a charge back with exponential backoff when there is no
//! answer. The same loop stamps rows other accounts' writes changed (`storage::stamp`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{watch, Notify, Semaphore};
use uuid::Uuid;

use crate::app::AppState;
use crate::clock::to_ms;
use crate::gateway::OrderStatus;
use crate::payments::ledger;
use crate::service::ServiceResult;
use crate::storage::{charges, stamp};

/// How long a claim holds a charge. Longer than any bank call should take; a charge whose
/// worker died is charged again by another once it runs out.
pub const LEASE_MS: i64 = 10_000;
/// Bank calls at once per process, so a rush does not open thousands of connections to it.
pub const BANK_CONCURRENCY: usize = 32;
/// How long a sync waits for the bank's answers to its own charges.
pub const SYNC_WAIT: Duration = Duration::from_secs(2);
/// How often an idle worker looks for due charges and unstamped rows.
const POLL: Duration = Duration::from_millis(500);
const FIRST_RETRY_MS: i64 = 1_000;
const MAX_RETRY_MS: i64 = 300_000;

/// The queue's wall clock. Leases and retries are about real time, not the payment window,
/// so they read the system clock even when a demo or a test sets the business clock.
pub fn queue_now_ms() -> i64 {
    to_ms(OffsetDateTime::now_utc())
}

/// When a charge tried `attempts` times without an answer is due again: 1 s, 2 s, 4 s, …
/// up to 5 minutes.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 20) - 1;
    (FIRST_RETRY_MS << doublings).min(MAX_RETRY_MS)
}

/// This process's part of the queue: its bound on bank calls, a bell that wakes its worker
/// when there is work now (a decline let a waiting payer take the year), and the orders it is
/// asking the bank about at this moment, with the amount asked. The last is only a shortcut for
/// the bank's notification of such an order (the worker applies the bank's own answer, so the
/// notification needs no read of the ledger); without it the notification reads the charge's
/// lease from the database, as it does in every other process.
pub struct ChargeQueue {
    permits: Arc<Semaphore>,
    bell: Notify,
    asking: Mutex<HashMap<Uuid, i64>>,
}

impl Default for ChargeQueue {
    fn default() -> Self {
        Self {
            permits: Arc::new(Semaphore::new(BANK_CONCURRENCY)),
            bell: Notify::new(),
            asking: Mutex::new(HashMap::new()),
        }
    }
}

impl ChargeQueue {
    pub fn wake(&self) {
        self.bell.notify_one();
    }

    /// The bound on this process's bank calls at once.
    pub fn permits(&self) -> &Arc<Semaphore> {
        &self.permits
    }

    /// The amount this process is asking the bank for in order `id` right now, if it is.
    pub fn asking_for(&self, id: Uuid) -> Option<i64> {
        self.asking().get(&id).copied()
    }

    fn asking(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, i64>> {
        self.asking.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The orders of one batch while its worker asks the bank and applies the answers: marked as
/// being asked about until this is dropped, whichever way the batch ends.
pub struct Asking<'a> {
    queue: &'a ChargeQueue,
    ids: Vec<Uuid>,
}

impl<'a> Asking<'a> {
    pub fn new(queue: &'a ChargeQueue) -> Self {
        Self {
            queue,
            ids: Vec::new(),
        }
    }

    /// Order `id`, for `amount_fen`, is about to be asked for.
    pub fn add(&mut self, id: Uuid, amount_fen: i64) {
        self.queue.asking().insert(id, amount_fen);
        self.ids.push(id);
    }
}

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        let mut asking = self.queue.asking();
        for id in &self.ids {
            asking.remove(id);
        }
    }
}

/// Asks the bank for the charges this request just queued for `account` (leased to it in the
/// same transaction), and waits at most `wait` for their answers to be in the ledger. The
/// work goes on in its own task after that, whatever happens to the request.
pub async fn charge_now(
    state: &AppState,
    account: &str,
    claims: Vec<charges::Claimed>,
    wait: Duration,
) {
    if claims.is_empty() {
        return;
    }
    let (state, account) = (state.clone(), account.to_owned());
    let work = tokio::spawn(async move { run(&state, claims, Some(account)).await });
    let _ = tokio::time::timeout(wait, work).await;
}

/// Asks the bank about a batch of claimed charges at once (at most [`BANK_CONCURRENCY`]
/// calls in flight per process), applies every decided answer in one transaction, gives the
/// undecided back with backoff, and goes on with the intents that declines promoted. `own` is
/// the account whose sync queued the first batch (its answers carry its version at once);
/// promoted intents belong to other payers.
async fn run(state: &AppState, claims: Vec<charges::Claimed>, own: Option<String>) {
    let mut claims = claims;
    let mut own = own;
    while !claims.is_empty() {
        let ids: Vec<Uuid> = claims.iter().map(|c| c.intent_id).collect();
        // Marked as asked about until the answers are applied or given back (the end of this
        // turn of the loop).
        let mut asking = Asking::new(&state.charges);
        let asked = match ledger::ask_bank(state, &ids, &mut asking).await {
            Ok(asked) => asked,
            Err(e) => {
                for claim in claims {
                    give_back(state, claim, &format!("could not read the orders: {e}")).await;
                }
                return;
            }
        };
        let mut decided = Vec::new();
        for (id, answer) in asked {
            let Some(claim) = claims.iter().find(|c| c.intent_id == id).copied() else {
                continue;
            };
            match answer {
                Ok(status @ (OrderStatus::Paid { .. } | OrderStatus::Declined { .. })) => {
                    decided.push((claim, status));
                }
                Ok(_) => give_back(state, claim, "the bank has not decided yet").await,
                Err(e) => give_back(state, claim, &format!("no answer from the bank: {e}")).await,
            }
        }
        let answers: Vec<_> = decided
            .iter()
            .map(|(c, s)| (c.intent_id, s.clone()))
            .collect();
        let promoted = match ledger::apply_all(state, &answers, own.take().as_deref()).await {
            Ok(promoted) => promoted,
            Err(e) => {
                // Nothing of the batch was written: ask again (the bank answers the same).
                for (claim, _) in decided {
                    give_back(state, claim, &format!("answer not applied: {e}")).await;
                }
                return;
            }
        };
        drop(asking);
        claims = charges::claim(&state.db, &promoted, queue_now_ms(), LEASE_MS)
            .await
            .unwrap_or_default();
    }
}

async fn give_back(state: &AppState, claim: charges::Claimed, why: &str) {
    let due = queue_now_ms() + retry_delay_ms(claim.attempts);
    tracing::info!(intent = %claim.intent_id, attempts = claim.attempts, why, "charge retried later");
    if let Err(e) = charges::retry_at(&state.db, claim.intent_id, due).await {
        // The lease runs out and another worker takes it: nothing is lost.
        tracing::warn!(intent = %claim.intent_id, error = %e, "could not give the charge back");
    }
}

/// One round of the worker: claims the due charges it has room for and starts them; stamps
/// rows other accounts changed. Returns how many charges it started.
pub async fn work_once(state: &AppState) -> ServiceResult<usize> {
    let room = state.charges.permits.available_permits() as i64;
    let mut started = 0;
    if room > 0 {
        let claimed = charges::claim_due(&state.db, queue_now_ms(), LEASE_MS, room).await?;
        started = claimed.len();
        if !claimed.is_empty() {
            let state = state.clone();
            tokio::spawn(async move { run(&state, claimed, None).await });
        }
    }
    let mut conn = state.db.pool.acquire().await?;
    let accounts = stamp::pending(&mut conn, 100).await?;
    drop(conn);
    for account in accounts {
        stamp::stamp(&state.db, &account).await?;
    }
    Ok(started)
}

/// The worker of this process, until `stop`.
pub fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = work_once(&state).await {
                tracing::warn!(error = %e, "charge worker round failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = state.charges.bell.notified() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_a_second_to_five_minutes() {
        let delays: Vec<i64> = (1..=12).map(retry_delay_ms).collect();
        assert_eq!(&delays[..4], &[1_000, 2_000, 4_000, 8_000]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(retry_delay_ms(12), MAX_RETRY_MS);
        assert_eq!(retry_delay_ms(1_000_000), MAX_RETRY_MS);
        assert_eq!(retry_delay_ms(0), 1_000);
    }
}
