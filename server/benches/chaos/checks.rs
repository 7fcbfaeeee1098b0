//! What the chaos run checks once the load is over, from the database and the bank's own
//! statement, never from what the servers said, and the table it prints.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::Row as _;
use uuid::Uuid;
use yanglao_server::gateway::remote::HttpGateway;
use yanglao_server::gateway::{LineStatus, PaymentGateway};
use yanglao_server::payments::states::IntentStatus;
use yanglao_server::storage::Db;
use yanglao_shared::wire::IntentState;

use crate::phones::Seen;
use crate::proxy::Counts;

pub struct Run<'a> {
    pub backend: &'static str,
    pub processes: usize,
    pub db: &'a Db,
    /// The bank itself, not its proxy.
    pub bank_url: &'a str,
    pub seen: &'a [Seen],
    pub kills: usize,
    pub phone_faults: &'a Counts,
    pub bank_faults: &'a Counts,
    pub logs: &'a [PathBuf],
    pub wall: Duration,
}

pub struct Row {
    backend: &'static str,
    processes: usize,
    payments: usize,
    syncs: u64,
    kills: usize,
    faults: u64,
    bank_faults: u64,
    server_errors: u64,
    refusals: usize,
    unfinished: usize,
    lost: usize,
    told_wrong: usize,
    paid_twice: usize,
    unmatched: usize,
    stale_transactions: i64,
    warnings: usize,
    wall: Duration,
    notes: Vec<String>,
}

impl Row {
    fn failed(&self) -> bool {
        self.server_errors
            + (self.refusals
                + self.unfinished
                + self.lost
                + self.told_wrong
                + self.paid_twice
                + self.unmatched
                + self.warnings) as u64
            + self.stale_transactions as u64
            > 0
    }
}

/// Lines of the logs that speak of a transaction state out of order: a connection handed on
/// inside a transaction, or a rollback of none.
fn transaction_warnings(logs: &[PathBuf]) -> Vec<String> {
    logs.iter()
        .filter_map(|log| std::fs::read_to_string(log).ok())
        .flat_map(|text| transaction_warnings_in(&text))
        .collect()
}

fn transaction_warnings_in(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains("transaction in progress") || l.contains("in a transaction"))
        .map(str::to_owned)
        .collect()
}

fn same_outcome(phone: &IntentState, ledger: IntentStatus) -> bool {
    matches!(
        (phone, ledger),
        (IntentState::Paid { .. }, IntentStatus::Paid)
            | (IntentState::Failed { .. }, IntentStatus::Failed)
            | (IntentState::NotNeeded { .. }, IntentStatus::NotNeeded)
    )
}

pub async fn check(run: Run<'_>) -> Row {
    let pool = &run.db.pool;
    let mut notes = Vec::new();
    // The charge queue drains once the last kill's leases run out.
    for _ in 0..600 {
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM charges")
            .fetch_one(pool)
            .await
            .unwrap();
        if queued == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One last pull per payer: the ledger's word about intents whose answer was lost.
    let ledger: HashMap<Uuid, (IntentStatus, String, i64, i64)> =
        sqlx::query("SELECT id, state, resident_id, year, tier_fen FROM intents")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                let id: String = r.get(0);
                let state: String = r.get(1);
                let resident: Option<String> = r.get(2);
                let status = IntentStatus::parse(&state).expect("a known state");
                let entry = (status, resident.unwrap_or_default(), r.get(3), r.get(4));
                (id.parse().unwrap(), entry)
            })
            .collect();
    let (mut lost, mut told_wrong) = (0, 0);
    for (id, state) in run.seen.iter().flat_map(|s| &s.states) {
        match ledger.get(id) {
            None => lost += 1,
            Some((status, ..)) if state.is_final() && !same_outcome(state, *status) => {
                told_wrong += 1;
                notes.push(format!("{id}: phone {state:?}, ledger {status:?}"));
            }
            Some(_) => {}
        }
    }
    let paid: HashSet<Uuid> = ledger
        .iter()
        .filter(|(_, (s, ..))| *s == IntentStatus::Paid)
        .map(|(id, _)| *id)
        .collect();
    let mut per_year: HashMap<(&str, i64), usize> = HashMap::new();
    for id in &paid {
        let (_, resident, year, _) = &ledger[id];
        *per_year.entry((resident.as_str(), *year)).or_default() += 1;
    }
    let mut paid_twice = per_year.values().filter(|n| **n > 1).count();

    // The bank's statements of today and yesterday (a run across midnight in China).
    let bank = HttpGateway::new(run.bank_url);
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let mut charged: HashMap<Uuid, i64> = HashMap::new();
    for day in [today.previous_day().unwrap(), today] {
        for line in bank.statement(day).await.expect("the bank's statement") {
            if line.status == LineStatus::Paid && line.refunded_at.is_none() {
                charged.insert(line.order_id, line.amount_fen);
            }
        }
    }
    let mut bank_years: HashMap<(&str, i64), usize> = HashMap::new();
    let mut unmatched = 0;
    for (order, amount) in &charged {
        match ledger.get(order) {
            Some((IntentStatus::Paid, resident, year, tier)) if tier == amount => {
                *bank_years.entry((resident.as_str(), *year)).or_default() += 1;
            }
            other => {
                unmatched += 1;
                notes.push(format!(
                    "bank order {order} ({amount} fen): ledger {other:?}"
                ));
            }
        }
    }
    paid_twice += bank_years.values().filter(|n| **n > 1).count();
    for id in paid.iter().filter(|id| !charged.contains_key(id)) {
        unmatched += 1;
        notes.push(format!("ledger paid {id}: no paid order at the bank"));
    }
    let stale_transactions = if run.backend == "PostgreSQL" {
        stale_transactions(pool, &mut notes).await
    } else {
        0
    };
    let warnings = transaction_warnings(run.logs);
    notes.extend(warnings.iter().take(5).cloned());
    for seen in run.seen {
        notes.extend(seen.refusals.iter().take(3).cloned());
    }
    Row {
        backend: run.backend,
        processes: run.processes,
        payments: run.seen.iter().map(|s| s.payments).sum(),
        syncs: run.seen.iter().map(|s| s.syncs).sum(),
        kills: run.kills,
        faults: run.phone_faults.faults(),
        bank_faults: run.bank_faults.faults(),
        server_errors: run.seen.iter().map(|s| s.server_errors).sum(),
        refusals: run.seen.iter().map(|s| s.refusals.len()).sum::<usize>()
            - run
                .seen
                .iter()
                .map(|s| s.server_errors as usize)
                .sum::<usize>(),
        unfinished: run.seen.iter().map(Seen::unfinished).sum(),
        lost,
        told_wrong,
        paid_twice,
        unmatched,
        stale_transactions,
        warnings: warnings.len(),
        wall: run.wall,
        notes,
    }
}

/// Prints the table (and what went wrong); true when every check passed. `pg_log` is
/// PostgreSQL's log with how long it was before the run: only what the run added is read.
pub fn print(rows: &[Row], pg_log: Option<(&Path, u64)>) -> bool {
    println!(
        "| backend | servers | payments | syncs | kills | faults phone↔server | faults server↔bank \
         | 5xx | other refusals | unfinished | lost | told wrong | paid twice | bank≠ledger \
         | idle in tx | tx warnings | wall s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut ok = true;
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            r.backend,
            r.processes,
            r.payments,
            r.syncs,
            r.kills,
            r.faults,
            r.bank_faults,
            r.server_errors,
            r.refusals,
            r.unfinished,
            r.lost,
            r.told_wrong,
            r.paid_twice,
            r.unmatched,
            r.stale_transactions,
            r.warnings,
            r.wall.as_secs_f64()
        );
        ok &= !r.failed();
    }
    if let Some((log, before)) = pg_log {
        let text = std::fs::read(log).unwrap_or_default();
        let added = String::from_utf8_lossy(text.get(before as usize..).unwrap_or_default());
        let warnings = transaction_warnings_in(&added);
        println!(
            "PostgreSQL's log ({}): {} transaction-state warning(s)",
            log.display(),
            warnings.len()
        );
        for w in warnings.iter().take(5) {
            println!("  {w}");
        }
        ok &= warnings.is_empty();
    }
    for r in rows {
        for note in r.notes.iter().take(20) {
            println!("{}: {note}", r.backend);
        }
    }
    println!(
        "{}",
        if ok {
            "chaos: all checks passed"
        } else {
            "chaos: CHECKS FAILED"
        }
    );
    ok
}

/// Connections left inside a transaction (what a cancelled `BEGIN` would leave): idle in the
/// same transaction, unchanged, across a few seconds. The servers are still running, so a
/// transaction of theirs between two statements shows as idle in transaction for a moment; a
/// stale one stays so.
async fn stale_transactions(pool: &sqlx::AnyPool, notes: &mut Vec<String>) -> i64 {
    const IDLE: &str = "SELECT CAST(pid AS BIGINT), CAST(xact_start AS TEXT), \
        CAST(state_change AS TEXT), query FROM pg_stat_activity \
        WHERE datname = current_database() AND state LIKE 'idle in transaction%'";
    let sample = || async {
        sqlx::query(IDLE)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let key: (i64, String, String) = (r.get(0), r.get(1), r.get(2));
                (key, r.get::<String, _>(3))
            })
            .collect::<HashMap<_, _>>()
    };
    let first = sample().await;
    if first.is_empty() {
        return 0;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let second = sample().await;
    let mut stale = 0;
    for (key, query) in &first {
        if second.contains_key(key) {
            stale += 1;
            notes.push(format!("idle in transaction since {}: {query}", key.1));
        }
    }
    stale
}
