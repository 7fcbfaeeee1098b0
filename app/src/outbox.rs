//! One `POST /sync`, without a browser: the request for the people and payments the mutation
//! log ([`crate::mutations`]) names, and how the server's answer is merged into the records
//! on the phone. The store writes the result, with the log entries it settles, in one
//! transaction.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;
use yanglao_shared::short_sort::map_of;
use yanglao_shared::wire::{IntentState, PaymentIntent, SyncRequest, SyncResponse, WIRE_VERSION};

use crate::clock::ServerClock;
use crate::model::{CachedWindow, LocalIntent, LocalPayee};

/// Builds the one request that sends everything pending: people added on the phone and
/// payments not yet answered for good. Retries send the same ids (idempotency keys).
pub fn build_request(
    cursor: Option<i64>,
    payees: &[LocalPayee],
    intents: &[LocalIntent],
) -> SyncRequest {
    SyncRequest {
        version: WIRE_VERSION,
        cursor,
        payees: payees.iter().filter_map(|p| p.pending.clone()).collect(),
        intents: intents
            .iter()
            .filter(|i| i.to_send())
            .map(|i| i.intent.clone())
            .collect(),
    }
}

/// The records to write after a sync, and the new cursor and window.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    pub payees_put: Vec<LocalPayee>,
    pub payees_deleted: Vec<Uuid>,
    pub intents_put: Vec<LocalIntent>,
    pub methods_put: Vec<yanglao_shared::wire::PaymentMethod>,
    pub methods_deleted: Vec<Uuid>,
    pub cursor: i64,
    pub window: CachedWindow,
}

/// Merges the server's answer into the phone's records.
///
/// - The server is the authority on every state it sends, with two exceptions that protect
///   the person: a final state (已缴费 / 未成功 / 无需缴费) never goes back to a pending one,
///   and an intent changed on the phone after the request left (e.g. a card attached) keeps
///   its new local state until the next sync sends it.
/// - Intents this phone did not know (paid from another phone) are added as not ours.
/// - `sent` holds the ids of intents that were in the request.
pub fn merge(
    payees: &[LocalPayee],
    intents: &[LocalIntent],
    sent: &BTreeSet<Uuid>,
    sent_payees: &BTreeSet<Uuid>,
    response: &SyncResponse,
    seen_at: time::OffsetDateTime,
) -> Changes {
    let payees_by_id: BTreeMap<Uuid, &LocalPayee> = map_of(payees.iter().map(|p| (p.id, p)));
    let intents_by_id: BTreeMap<Uuid, &LocalIntent> = map_of(intents.iter().map(|i| (i.id(), i)));

    let mut payees_put = Vec::new();
    let mut payees_deleted = Vec::new();
    for view in &response.payees {
        let previous = payees_by_id.get(&view.id).copied();
        if view.removed {
            payees_deleted.push(view.id);
            continue;
        }
        let mut updated = LocalPayee::from_view(view, previous);
        // Added on the phone after the request left: keep it for the next sync.
        if let Some(prev) = previous {
            if prev.pending.is_some() && !sent_payees.contains(&view.id) {
                updated.pending = prev.pending.clone();
            }
        }
        payees_put.push(updated);
    }

    let names = |payee_id: Uuid| -> (String, String) {
        let from_response = response.payees.iter().find(|v| v.id == payee_id);
        match (from_response, payees_by_id.get(&payee_id)) {
            (Some(v), _) => (v.name_masked.clone(), v.id_masked.clone()),
            (None, Some(p)) => (p.name_masked.clone(), p.id_masked.clone()),
            (None, None) => (String::new(), String::new()),
        }
    };

    let mut intents_put = Vec::new();
    for result in &response.intents {
        if result.state == IntentState::Queued {
            continue; // client-only state: a server never means it
        }
        match intents_by_id.get(&result.id) {
            Some(local) => {
                let changed_since_sent =
                    local.state == IntentState::Queued && !sent.contains(&result.id);
                let would_regress = local.state.is_final() && !result.state.is_final();
                if changed_since_sent || would_regress || local.state == result.state {
                    continue;
                }
                let mut updated = (*local).clone();
                updated.state = result.state.clone();
                intents_put.push(updated);
            }
            None => {
                let (name_masked, id_masked) = names(result.payee_id);
                intents_put.push(LocalIntent {
                    intent: PaymentIntent {
                        id: result.id,
                        payee_id: result.payee_id,
                        year: result.year,
                        tier: result.tier,
                        method_id: None,
                        prepared_at: response.server_time,
                    },
                    state: result.state.clone(),
                    mine: false,
                    name_masked,
                    id_masked,
                });
            }
        }
    }

    let (methods_deleted, methods_put) = response
        .methods
        .iter()
        .cloned()
        .partition::<Vec<_>, _>(|m| m.removed);

    Changes {
        payees_put,
        payees_deleted,
        intents_put,
        methods_put,
        methods_deleted: methods_deleted.into_iter().map(|m| m.id).collect(),
        cursor: response.cursor,
        window: CachedWindow {
            window: response.window,
            clock: ServerClock {
                server_time: response.server_time,
                seen_at,
            },
        },
    }
}

impl LocalIntent {
    pub fn id(&self) -> Uuid {
        self.intent.id
    }
}

#[cfg(test)]
mod tests;
