//! The mutation log, without a browser: every write made on the phone that the server must
//! hear of, in the order it was made. One log for every kind of offline write (people,
//! payments, forms, removals), drained by one push ([`crate::sync::push`]), so the next kind
//! of offline write is one more [`Mutation`] variant and its send arm there.
//!
//! An entry names what changed by its client-made id, which is also the idempotency key the
//! server recognises a retry by. The record it names (the person, the payment, the form) is
//! the payload and lives in its own object store: what goes out is the record as it is when
//! the push reads it, so a card attached or a form fixed after queuing is sent as it is now,
//! and a full name and ID number are kept once, only until the server has them.
//!
//! An entry leaves the log when its record has nothing more to send (the server answered for
//! good), or, for a removal, when the server removed it or never had it (404). The store
//! writes a record and its entry in one transaction ([`crate::store`]), and removes settled
//! entries in the transaction that writes the server's answer.

use serde::Serialize;
use uuid::Uuid;
use yanglao_shared::json::FromJson;
use yanglao_shared::wire::SyncLimits;

use crate::model::{LocalIntent, LocalPayee};
use crate::outbox::Changes;

/// One write the server has not acknowledged yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
pub enum Mutation {
    /// A person to pay for (`payees` record, whose `pending` holds name and ID number).
    AddPayee { id: Uuid },
    /// A person taken off the list on this phone (`DELETE /payees/{id}`).
    RemovePayee { id: Uuid },
    /// A card taken off the list on this phone (`DELETE /methods/{id}`).
    RemoveCard { id: Uuid },
    /// A payment prepared, or given a card later (`intents` record).
    PreparePayment { id: Uuid },
    /// A 参保登记 or 补缴 form, new or fixed (`applications` record, `PUT` under its id).
    FileApplication { id: Uuid },
    /// The payer's own label for a person set or taken away (`payees` record, whose
    /// `label_change` holds the change and its own id; `PUT /payees/{id}/label`). `id` is the
    /// person's: a second change before the first went out rides the same entry.
    SetLabel { id: Uuid },
}

impl Mutation {
    /// The id of the record the mutation carries: the idempotency key, except for a label,
    /// whose change carries its own id in the record (one person has many changes).
    pub fn key(&self) -> Uuid {
        match *self {
            Self::AddPayee { id }
            | Self::RemovePayee { id }
            | Self::RemoveCard { id }
            | Self::PreparePayment { id }
            | Self::FileApplication { id }
            | Self::SetLabel { id } => id,
        }
    }

    /// Sent inside the one `POST /sync` round trip (with the pull) rather than on its own.
    pub fn rides_sync(&self) -> bool {
        matches!(self, Self::AddPayee { .. } | Self::PreparePayment { .. })
    }
}

/// A mutation with its place in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
pub struct Logged {
    /// Increases with every entry written on this phone: the order the push keeps.
    pub seq: u64,
    pub mutation: Mutation,
}

impl Logged {
    /// The object-store key: zero-padded so that the store's own key order is the log order.
    pub fn store_key(seq: u64) -> String {
        format!("{seq:020}")
    }
}

/// A stretch of the log the push sends in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Consecutive entries that ride `POST /sync`, in as many rounds as the server's limits
    /// ask ([`round_len`]).
    Sync(Vec<Logged>),
    /// One entry with a request of its own.
    One(Logged),
}

/// Cuts the log (in `seq` order) into what the push sends, keeping the order: neighbours that
/// ride the sync go together, everything else on its own.
pub fn segments(log: &[Logged]) -> Vec<Segment> {
    let mut sorted = log.to_vec();
    yanglao_shared::short_sort::sort_by_key(&mut sorted, |l| l.seq);
    let mut out: Vec<Segment> = Vec::new();
    for entry in sorted {
        match (out.last_mut(), entry.mutation.rides_sync()) {
            (Some(Segment::Sync(run)), true) => run.push(entry),
            (_, true) => out.push(Segment::Sync(vec![entry])),
            (_, false) => out.push(Segment::One(entry)),
        }
    }
    out
}

/// How many people and payments `entries` carry.
fn counts(entries: &[Logged]) -> (u32, u32) {
    entries.iter().fold((0, 0), |(p, i), e| match e.mutation {
        Mutation::AddPayee { .. } => (p + 1, i),
        Mutation::PreparePayment { .. } => (p, i + 1),
        _ => (p, i),
    })
}

/// How many entries at the head of `run` one `POST /sync` may carry: as many as fit in both
/// of the server's limits, and never none.
pub fn round_len(run: &[Logged], limits: SyncLimits) -> usize {
    let (mut payees, mut intents) = (0, 0);
    for (n, entry) in run.iter().enumerate() {
        let (p, i) = counts(std::slice::from_ref(entry));
        (payees, intents) = (payees + p, intents + i);
        if payees > limits.max_payees || intents > limits.max_intents {
            return n.max(1);
        }
    }
    run.len()
}

/// The limits to try after the server refused `sent` as too large (`batch_too_large`: an
/// older or stricter server than the phone heard of): half of what was sent of each kind
/// that had more than one, so the next round is strictly smaller. `None` when `sent` cannot
/// be halved (one of each at most): that is a refusal to report, not to retry.
pub fn halved(limits: SyncLimits, sent: &[Logged]) -> Option<SyncLimits> {
    let (payees, intents) = counts(sent);
    if payees <= 1 && intents <= 1 {
        return None;
    }
    let half = |n: u32, limit: u32| if n > 1 { n / 2 } else { limit };
    Some(SyncLimits {
        max_payees: half(payees, limits.max_payees),
        max_intents: half(intents, limits.max_intents),
    })
}

/// Whether the log holds a removal of `id` still to be sent (the person or card is gone on
/// the phone, whatever a pull says meanwhile).
pub fn removing(log: &[Logged], id: Uuid) -> bool {
    log.iter().any(|l| {
        matches!(l.mutation, Mutation::RemovePayee { id: i } | Mutation::RemoveCard { id: i } if i == id)
    })
}

/// The entries of a `POST /sync` whose records have nothing more to send once `changes` are
/// written over `payees` and `intents` (the records as they were re-read after the answer).
/// A payment the bank has not answered yet (已提交待确认) stays, and is asked about again.
pub fn settled(
    sent: &[Logged],
    changes: &Changes,
    payees: &[LocalPayee],
    intents: &[LocalIntent],
) -> Vec<u64> {
    sent.iter()
        .filter(|entry| match entry.mutation {
            Mutation::AddPayee { id } => {
                changes.payees_deleted.contains(&id)
                    || changes
                        .payees_put
                        .iter()
                        .chain(payees)
                        .find(|p| p.id == id)
                        .is_none_or(|p| p.pending.is_none())
            }
            Mutation::PreparePayment { id } => changes
                .intents_put
                .iter()
                .chain(intents)
                .find(|i| i.id() == id)
                .is_none_or(|i| !i.to_send()),
            _ => false,
        })
        .map(|entry| entry.seq)
        .collect()
}

#[cfg(test)]
mod tests;
