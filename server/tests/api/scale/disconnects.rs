//! Phones that give up mid-request (issue 11): a sync whose client disconnects at a random
//! moment is never cancelled halfway. Every write the server acknowledged is there, a write
//! the client never heard about is there whole or not at all, and no pooled PostgreSQL
//! connection is left inside a transaction for the next request to run in.

use std::time::Duration;

use uuid::Uuid;
use yanglao_shared::wire::{NewPayee, SyncRequest, SyncResponse, WIRE_VERSION};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(syncs_cut_off_at_random_moments_lose_nothing_acknowledged);

const SYNCS: usize = 120;

async fn syncs_cut_off_at_random_moments_lose_nothing_acknowledged(app: &TestApp) {
    let people = bulk(SYNCS as u16);
    app.seed(&people).await;
    let token = app.account(&racer(3)).await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/sync", app.server.url());
    let sent = futures::future::join_all(people.iter().enumerate().map(|(i, person)| {
        let payee = NewPayee {
            id: Uuid::new_v4(),
            name: person.name.as_str().into(),
            id_number: person.id_number.as_str().into(),
        };
        let request = SyncRequest {
            version: WIRE_VERSION,
            cursor: None,
            payees: vec![payee.clone()],
            intents: vec![],
        };
        let (http, url, token) = (&http, &url, &token);
        async move {
            // Cut off anywhere from before the request is written to after the answer.
            let patience = Duration::from_micros((i as u64 * 7919) % 40_000);
            let call = async {
                let reply = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&request)
                    .send()
                    .await?;
                assert!(!reply.status().is_server_error(), "{}", reply.status());
                reply.json::<SyncResponse>().await
            };
            let acknowledged = matches!(tokio::time::timeout(patience, call).await, Ok(Ok(_)));
            (payee.id, acknowledged)
        }
    }))
    .await;
    let acknowledged: Vec<Uuid> = sent.iter().filter(|(_, a)| *a).map(|(id, _)| *id).collect();
    let cut = sent.len() - acknowledged.len();
    assert!(cut > 0, "some requests were cut off");

    // Whatever was cut off finishes on its own; then the account's list is the whole truth.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let now = app
        .api
        .sync(&token, &pull(None))
        .await
        .expect("the server still answers");
    let listed: std::collections::HashSet<Uuid> = now.payees.iter().map(|p| p.id).collect();
    for id in &acknowledged {
        assert!(listed.contains(id), "an acknowledged person is missing");
    }
    for view in &now.payees {
        assert!(!view.name_masked.is_empty(), "a person written halfway");
    }
    if app.db.backend == yanglao_server::storage::Backend::Postgres {
        // A sync still finishing its transaction on a loaded machine is idle in it between
        // two statements for a moment; one left inside a transaction stays there.
        let mut stale = 0;
        for _ in 0..50 {
            stale = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND state LIKE 'idle in transaction%'",
            )
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
            if stale == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(stale, 0, "a connection was left inside a transaction");
    }
}

/// The pool's own guard, tried directly: a connection handed back inside a transaction (what
/// a cancelled `BEGIN` leaves, transact-rs/sqlx#4393) is closed, never handed to the next
/// borrower, whose statements would otherwise run in that stale transaction and be lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_handed_back_inside_a_transaction_is_not_handed_out_again() {
    let Some(url) = fresh_database(Store::Postgres).await else {
        return;
    };
    let db = yanglao_server::storage::Db::connect(&url).await.unwrap();
    for _ in 0..4 {
        let mut conn = db.pool.acquire().await.unwrap();
        // Begun behind sqlx's back, as a BEGIN whose answer was never read.
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(db.pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        // One simple-protocol message: now() is its own start unless a block is open.
        let row = sqlx::Executor::fetch_one(&mut **conn, "SELECT now() = statement_timestamp()")
            .await
            .unwrap();
        let outside: bool = sqlx::Row::get(&row, 0);
        assert!(
            outside,
            "a borrower was handed a connection inside a transaction"
        );
    }
}
