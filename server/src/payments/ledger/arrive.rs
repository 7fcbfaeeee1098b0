//! A sync's payments arriving, all of them in a constant number of statements: each is judged
//! first (its id, what is stored under it, the person, the rules, the card), then every
//! allowed one takes its person-year in one multi-row insert, and the new ones are stored in
//! another. Only what that one statement could not settle goes one payment at a time: a year
//! someone else holds (its holder is read with the row locked), a card given to a payment
//! that was waiting for one.
//!
//! Years are taken in the order the push gives (resident, year), the order every writer takes
//! them in, and a later payment of the same push for the same year finds the earlier one
//! holding it, as it would one at a time.

use std::collections::HashMap;

use uuid::Uuid;
use yanglao_shared::wire::{is_client_made, IntentResult, IntentState, PaymentIntent};
use yanglao_shared::{timetext, Reason};

use super::{judge, take_year, Candidate, Judged, Outcome, Reads, Verdict};
use crate::app::AppState;
use crate::payments::states::{IntentEvent, IntentStatus};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::contributions::{self, Take};
use crate::storage::intents::{self, Arriving, NewIntent, Redecided};
use crate::storage::WriteTx;

/// What arriving did with one intent of a sync.
pub enum Arrived {
    /// Refused before anything was written: the answer is final.
    Answered(IntentResult),
    /// Stored (now, or by an earlier send of the same id); `charge` when this arrival took
    /// the person-year: the caller queues its charge, leased to itself, in the same
    /// transaction (a sync's push queues all of them in one statement).
    Stored { id: Uuid, charge: bool },
}

/// Where one payment of a push stands after it was judged.
enum Step {
    /// Answered, or stored by an earlier sync: nothing more to do.
    Done(Arrived),
    /// The same id and content as the payment at this index of the push: answered as it is.
    SameAs(usize),
    /// Not stored yet: stored by the push's one insert once its year is decided.
    New(Judged),
    /// Stored waiting for a card, and one is given now: decided again on its own.
    CardGiven {
        from: IntentStatus,
        policy_version: u32,
        judged: Judged,
    },
}

/// Takes a sync's intents inside its write transaction, `order` being the push's order of
/// them (by resident and year); answers in the request's order. Idempotent: the same id
/// answers the same and is never charged twice; the same id with other content is refused and
/// changes nothing. A charge is queued, not made: the caller asks the bank after commit.
/// `reads` holds what the sync read once for all its payments.
pub async fn arrive_all(
    tx: &mut WriteTx,
    state: &AppState,
    account_id: &str,
    payments: &[PaymentIntent],
    order: &[usize],
    reads: &mut Reads,
) -> ServiceResult<Vec<Arrived>> {
    let ids: Vec<String> = payments.iter().map(|p| p.id.to_string()).collect();
    let cards: Vec<Option<String>> = payments
        .iter()
        .map(|p| p.method_id.map(|m| m.to_string()))
        .collect();
    let candidate = |at: usize, policy_version: Option<u32>| Candidate {
        id: payments[at].id,
        account_id,
        payee_id: payments[at].payee_id,
        year: payments[at].year,
        tier: payments[at].tier,
        method_id: cards[at].as_deref(),
        policy_version,
    };

    // 1. Judge each, in the push's order; nothing is written yet.
    let mut steps: Vec<Option<Step>> = payments.iter().map(|_| None).collect();
    let mut first_of: HashMap<Uuid, usize> = HashMap::new();
    for &at in order {
        let p = &payments[at];
        let step = if !is_client_made(p.id) {
            Step::Done(answer(p, "invalid_id", INVALID_ID))
        } else if let Some(&first) = first_of.get(&p.id) {
            match same_content(&payments[first], p) {
                true => Step::SameAs(first),
                false => Step::Done(answer(p, "idempotency_conflict", OTHER_CONTENT)),
            }
        } else {
            first_of.insert(p.id, at);
            match reads.stored(tx, p.id).await? {
                Some(row) if row.account_id != account_id => {
                    Step::Done(answer(p, "id_conflict", ID_CONFLICT))
                }
                Some(row)
                    if row.payee_id != p.payee_id || row.year != p.year || row.tier != p.tier =>
                {
                    Step::Done(answer(p, "idempotency_conflict", OTHER_CONTENT))
                }
                Some(row) if row.status == IntentStatus::AwaitingPayment && cards[at].is_some() => {
                    let c = candidate(at, Some(row.policy_version));
                    Step::CardGiven {
                        from: row.status,
                        policy_version: row.policy_version,
                        judged: judge(tx, state, &c, reads).await?,
                    }
                }
                Some(_) => Step::Done(Arrived::Stored {
                    id: p.id,
                    charge: false,
                }),
                None => Step::New(judge(tx, state, &candidate(at, None), reads).await?),
            }
        };
        steps[at] = Some(step);
    }

    // 2. Every allowed payment takes its year, in one statement; a year it could not take is
    //    looked at on its own (held by someone, or taken by an earlier payment of this push).
    let now = state.clock.now_ms();
    let took = {
        let takes: Vec<Take> = order
            .iter()
            .filter_map(|&at| {
                let w = match steps[at].as_ref()? {
                    Step::New(Judged::Wants(w)) => w,
                    Step::CardGiven {
                        judged: Judged::Wants(w),
                        ..
                    } => w,
                    _ => return None,
                };
                Some(Take {
                    resident_id: &w.resident_id,
                    year: payments[at].year,
                    amount_fen: w.amount_fen,
                    intent_id: &ids[at],
                })
            })
            .collect();
        contributions::take_many(tx, &takes, now).await?
    };
    let mut arrived: Vec<Option<Arrived>> = payments.iter().map(|_| None).collect();
    // (index, outcome) of the new ones; (index, state it was in, outcome) of a card given.
    let mut new: Vec<(usize, Outcome)> = Vec::new();
    let mut card_given: Vec<(usize, IntentStatus, Outcome)> = Vec::new();
    let mut same_as: Vec<(usize, usize)> = Vec::new();
    for &at in order {
        let (judged, was) = match steps[at].take() {
            Some(Step::Done(done)) => {
                arrived[at] = Some(done);
                continue;
            }
            Some(Step::SameAs(first)) => {
                same_as.push((at, first));
                continue;
            }
            Some(Step::New(judged)) => (judged, None),
            Some(Step::CardGiven {
                from,
                policy_version,
                judged,
            }) => (judged, Some((from, policy_version))),
            None => continue,
        };
        let outcome = match judged {
            Judged::Done(outcome) => outcome,
            Judged::Wants(w) if took.contains(&ids[at]) => {
                let v = w.policy_version;
                Outcome::new(Verdict::TookYear, None, Some(w.resident_id)).priced(v)
            }
            Judged::Wants(w) => {
                let c = candidate(at, was.map(|(_, v)| v));
                take_year(tx, state, &c, &w, true).await?
            }
        };
        match was {
            None => new.push((at, outcome)),
            Some((from, _)) => card_given.push((at, from, outcome)),
        }
    }

    // 3. The new ones stored in one statement, at the account's version.
    let version = match new.is_empty() && card_given.is_empty() {
        true => 0,
        false => tx.version(account_id).await?,
    };
    let rows: Vec<Arriving> = new
        .iter()
        .map(|(at, outcome)| {
            let p = &payments[*at];
            Arriving {
                new: NewIntent {
                    id: p.id,
                    account_id,
                    payee_id: p.payee_id,
                    resident_id: outcome.resident_id.as_deref(),
                    year: p.year,
                    tier: p.tier,
                    method_id: cards[*at].as_deref(),
                    prepared_at: timetext::format(p.prepared_at).unwrap_or_default(),
                    policy_version: outcome.policy_version.max(1),
                },
                status: IntentStatus::arrive(outcome.verdict),
                reason: outcome.reason.as_ref(),
            }
        })
        .collect();
    let stored = intents::insert_many(tx, account_id, &rows, version, now).await?;
    for ((at, _), row) in new.iter().zip(&rows) {
        let p = &payments[*at];
        let charge = row.status == IntentStatus::Charging;
        arrived[*at] = Some(if stored.contains(&p.id) {
            Arrived::Stored { id: p.id, charge }
        } else {
            // Another account stored this id since it was looked up (this account's own syncs
            // take turns on its lock, so it is not one of them): the year it took is let go.
            if let Some(resident) = row.new.resident_id.filter(|_| charge) {
                contributions::release(tx, resident, p.year, &ids[*at]).await?;
            }
            answer(p, "id_conflict", ID_CONFLICT)
        });
    }

    // 4. A card given to one that waited for it: decided again, on its own (rare).
    for (at, from, outcome) in &card_given {
        let next = from.transition(IntentEvent::CardGiven(outcome.verdict))?;
        let to = Redecided {
            status: next,
            reason: outcome.reason.as_ref(),
            method_id: cards[*at].as_deref(),
            resident_id: outcome.resident_id.as_deref(),
        };
        intents::redecide(tx, payments[*at].id, &to, version, now).await?;
        arrived[*at] = Some(Arrived::Stored {
            id: payments[*at].id,
            charge: next == IntentStatus::Charging,
        });
    }

    // 5. A repeat of an id within the push is answered as its first.
    for (at, first) in same_as {
        arrived[at] = Some(match &arrived[first] {
            Some(Arrived::Answered(result)) => Arrived::Answered(result.clone()),
            Some(Arrived::Stored { id, .. }) => Arrived::Stored {
                id: *id,
                charge: false,
            },
            None => return Err(ServiceError::Internal("a repeat before its first".into())),
        });
    }
    arrived
        .into_iter()
        .map(|a| a.ok_or_else(|| ServiceError::Internal("a payment not arrived".into())))
        .collect()
}

fn same_content(a: &PaymentIntent, b: &PaymentIntent) -> bool {
    a.payee_id == b.payee_id && a.year == b.year && a.tier == b.tier
}

const INVALID_ID: &str = "这笔缴费的编号无效，本次未处理，也没有扣款。请重新发起缴费。";
const OTHER_CONTENT: &str = "这笔缴费的编号已用于另一笔内容不同的缴费，本次未处理，也没有扣款。";
const ID_CONFLICT: &str = "编号冲突，请重新发起缴费";

/// An answer for an intent that cannot be taken; nothing is written for it.
fn answer(intent: &PaymentIntent, code: &str, zh: &str) -> Arrived {
    Arrived::Answered(IntentResult {
        id: intent.id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        state: IntentState::Failed {
            reason: Reason::new(code, zh, code),
        },
    })
}
