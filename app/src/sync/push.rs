//! One push: the mutation log ([`crate::mutations`]) sent in its order, each entry to the
//! endpoint that takes it, and settled as the server answers.
//!
//! - People and payments ride `POST /sync` ([`sync_round`]), a stretch of the log in as many
//!   rounds as the server's limits ask ([`sync_run`]): the limits it last stated (in
//!   `GET /policy` or a sync answer, kept on the phone), [`SyncLimits::ASSUMED`] before it
//!   ever did. Each round's answer is written before the next goes out, so a drop half-way
//!   loses nothing; a `batch_too_large` (a stricter server) halves the round and sends again.
//!   That round trip also pulls everything that changed since the cursor, so a run with
//!   nothing to send still makes one, with an empty push.
//! - Removals are `DELETE /payees/{id}` and `DELETE /methods/{id}`; a 404 (already gone, or
//!   never reached the server) counts as done.
//! - Forms are `PUT` under their own id ([`super::applications::send`]).
//! - A person's label change is `PUT /payees/{id}/label` with the change's own id ([`label`]).
//!
//! A network trouble stops the push where it is: what was settled stays settled, the rest
//! is sent again, with the same ids, on the next run. The next kind of offline write is a
//! [`Mutation`] variant and its arm in [`send_one`].

use std::collections::BTreeSet;

use yanglao_shared::short_sort::set_of;
use yanglao_shared::wire::SyncLimits;

use crate::api::{self, ApiError};
use crate::clock;
use crate::model::SyncMark;
use crate::mutations::{self, Logged, Mutation, Segment};
use crate::outbox;
use crate::store::{keys, Store};

/// Why a run stopped: the network (retried with backoff) or the phone's storage.
#[derive(Debug)]
pub enum Trouble {
    Api(ApiError),
    Store(String),
}

impl From<ApiError> for Trouble {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<crate::store::StoreError> for Trouble {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Store(e.to_string())
    }
}

/// Sends the whole log, oldest first, then makes sure the run pulled at least once. Answers
/// whether a form went out (its steps are then worth fetching).
pub async fn push(store: &Store, token: &str) -> Result<bool, Trouble> {
    let log = store.log().await?;
    let forms = log
        .iter()
        .any(|l| matches!(l.mutation, Mutation::FileApplication { .. }));
    let mut limits = store
        .get(keys::SYNC_LIMITS)
        .await?
        .unwrap_or(SyncLimits::ASSUMED);
    let mut pulled = false;
    for segment in mutations::segments(&log) {
        match segment {
            Segment::Sync(entries) => {
                sync_run(store, token, &entries, &mut limits).await?;
                pulled = true;
            }
            Segment::One(entry) => send_one(store, token, entry).await?,
        }
    }
    if !pulled {
        sync_round(store, token, &[]).await?;
    }
    Ok(forms)
}

/// A stretch of people and payments in rounds within `limits`, oldest first. The limits a
/// server states replace them; a `batch_too_large` halves them, and both are kept on the
/// phone for the next run.
async fn sync_run(
    store: &Store,
    token: &str,
    run: &[Logged],
    limits: &mut SyncLimits,
) -> Result<(), Trouble> {
    let mut rest = run;
    while !rest.is_empty() {
        let round = &rest[..mutations::round_len(rest, *limits)];
        match sync_round(store, token, round).await {
            Ok(heard) => {
                *limits = heard.unwrap_or(*limits);
                rest = &rest[round.len()..];
            }
            Err(Trouble::Api(e)) if e.code() == "batch_too_large" => {
                let Some(smaller) = mutations::halved(*limits, round) else {
                    return Err(e.into());
                };
                *limits = smaller;
                store.set(keys::SYNC_LIMITS, limits).await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// An entry with a request of its own.
async fn send_one(store: &Store, token: &str, entry: Logged) -> Result<(), Trouble> {
    match entry.mutation {
        Mutation::RemovePayee { id } => {
            removal(store, entry, api::delete_payee(token, id).await).await
        }
        Mutation::RemoveCard { id } => {
            removal(store, entry, api::delete_method(token, id).await).await
        }
        Mutation::FileApplication { id } => match crate::bundle::forms() {
            Some(forms) => (forms.send)(store, token, id, entry.seq).await,
            // The resident build cannot send a form: the entry stays for the full build,
            // which the phone moves to now (it holds a form; see crate::bundle).
            None => {
                crate::bundle::switch_to_full(None);
                Ok(())
            }
        },
        Mutation::SetLabel { id } => label(store, token, entry.seq, id).await,
        Mutation::AddPayee { .. } | Mutation::PreparePayment { .. } => {
            sync_round(store, token, &[entry]).await.map(|_| ())
        }
    }
}

/// Sends a person's label change as the record holds it now, and settles it by the answer:
/// the view's label is the server's; a 404 (the person is gone there) or another refusal for
/// good ends the change, the latter with a pull from the beginning to show the server's own.
async fn label(store: &Store, token: &str, seq: u64, payee_id: uuid::Uuid) -> Result<(), Trouble> {
    let snapshot = store.load().await?;
    let change = snapshot
        .payees
        .iter()
        .find(|p| p.id == payee_id)
        .and_then(|p| p.label_change.clone());
    let Some(change) = change else {
        // Removed on this phone, or sent by another tab meanwhile: nothing to send.
        store.settle(seq).await?;
        return Ok(());
    };
    match api::put_label(token, payee_id, &change).await {
        Ok(view) => {
            store
                .settle_label(seq, payee_id, change.id, Some(&view), false)
                .await?
        }
        Err(ApiError::Refused { status: 404, .. }) => {
            store
                .settle_label(seq, payee_id, change.id, None, false)
                .await?
        }
        Err(e) if e.is_transient() || matches!(e, ApiError::Unauthorized(_)) => {
            return Err(e.into())
        }
        Err(_) => {
            store
                .settle_label(seq, payee_id, change.id, None, true)
                .await?
        }
    }
    Ok(())
}

/// Settles a removal by the server's answer. A refusal for good (not 404) means the server
/// keeps the record: the entry goes, and the next pull brings the record back on the phone.
async fn removal(
    store: &Store,
    entry: Logged,
    answer: Result<(), ApiError>,
) -> Result<(), Trouble> {
    match answer {
        Ok(()) | Err(ApiError::Refused { status: 404, .. }) => store.settle(entry.seq).await?,
        Err(e) if e.is_transient() || matches!(e, ApiError::Unauthorized(_)) => {
            return Err(e.into())
        }
        Err(_) => store.settle_and_pull_all(entry.seq).await?,
    }
    Ok(())
}

/// One `POST /sync`: the people and payments `entries` name, as their records are now (what
/// another tab wrote counts too), and the pull. The answer, the new cursor and the settled
/// entries are written in one transaction. Answers the limits the server stated, kept.
async fn sync_round(
    store: &Store,
    token: &str,
    entries: &[Logged],
) -> Result<Option<SyncLimits>, Trouble> {
    let snapshot = store.load().await?;
    let named: BTreeSet<_> = set_of(entries.iter().map(|e| e.mutation.key()));
    let payees: Vec<_> = snapshot
        .payees
        .iter()
        .filter(|p| named.contains(&p.id))
        .cloned()
        .collect();
    let intents: Vec<_> = snapshot
        .intents
        .iter()
        .filter(|i| named.contains(&i.id()))
        .cloned()
        .collect();
    let request = outbox::build_request(snapshot.cursor, &payees, &intents);
    let sent: BTreeSet<_> = set_of(request.intents.iter().map(|i| i.id));
    let sent_payees: BTreeSet<_> = set_of(request.payees.iter().map(|p| p.id));
    let response = api::sync(token, &request).await?;
    // Re-read: the person may have changed something while the request was out.
    let latest = store.load().await.unwrap_or(snapshot);
    let seen_at = clock::now();
    let mut changes = outbox::merge(
        &latest.payees,
        &latest.intents,
        &sent,
        &sent_payees,
        &response,
        seen_at,
    );
    // Removed on this phone, not yet on the server: a pull in between must not bring it back.
    changes
        .payees_put
        .retain(|p| !mutations::removing(&latest.log, p.id));
    changes
        .methods_put
        .retain(|m| !mutations::removing(&latest.log, m.id));
    let settled = mutations::settled(entries, &changes, &latest.payees, &latest.intents);
    store
        .apply(
            &changes,
            SyncMark {
                at: response.server_time,
            },
            &settled,
        )
        .await?;
    if let Some(limits) = response.sync_limits {
        store.set(keys::SYNC_LIMITS, &limits).await?;
    }
    if let Some(version) = response.policy_version {
        store.set(keys::SERVER_POLICY_VERSION, &version).await?;
    }
    Ok(response.sync_limits)
}

#[cfg(test)]
mod drain_tests;
#[cfg(test)]
mod label_tests;
#[cfg(test)]
mod tests;
