//! The ledger: payment intents and the contributions they pay for. This is the only code that
//! moves a payment from one state to the next, and it does so in one transaction per step,
//! asking the typed machines of [`states`](crate::payments::states) before every write:
//!
//! ```text
//! arrive ─► failed / not_needed / awaiting_payment      (the rules say no, or no card yet)
//!        └► charging (holds the person-year) ─► paid      (bank says paid: receipt)
//!        └► waiting  (someone else holds it)  └► failed   (bank declines: year released,
//!                                                          the next waiting intent goes on)
//! ```
//!
//! A person-year is charged at most once: the contributions table's primary key (resident, year)
//! is taken by the intent that charges it *before* the bank is asked. Taking the year and asking
//! the bank are separate steps: the sync's transaction takes the year and queues the charge
//! (`storage::charges`); a worker (`payments::charges`) asks the bank and [`settle`] applies
//! its answer. The SQL lives in
//! `storage::intents` and `storage::contributions`; this module holds the rules of arrival,
//! [`settle`] the bank's word (a charge's answer, a notification, a query), [`reads`] what a
//! sync's push reads once for all its payments.

use uuid::Uuid;
use yanglao_shared::wire::{is_client_made, IntentResult, IntentState, PaymentIntent};
use yanglao_shared::{decide, Reason, Refusal, TierAmount};

use crate::app::AppState;
use crate::clock::from_ms;
use crate::payments::states::{
    ContributionEvent, ContributionStatus, IntentEvent, IntentStatus, Verdict,
};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::intents::{self, Intent, NewIntent, Redecided};
use crate::storage::{contributions, WriteTx};

mod reads;
mod settle;

pub use crate::storage::contributions::{year_summary, YearSummary};
pub use reads::Reads;
pub use settle::{apply, apply_all, ask_bank, new_receipt_no, notified, sweep_waiting};

pub async fn load(state: &AppState, id: Uuid) -> ServiceResult<Option<Intent>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(intents::load(&mut conn, id).await?)
}

/// The phone's view of an intent.
pub fn to_wire(intent: &Intent) -> IntentResult {
    let reason = || {
        intent
            .reason
            .clone()
            .unwrap_or_else(|| Reason::new("unknown", "", ""))
    };
    let state = match intent.status {
        IntentStatus::AwaitingPayment => IntentState::AwaitingPayment { reason: reason() },
        IntentStatus::Waiting | IntentStatus::Charging => IntentState::Submitted,
        IntentStatus::Paid => IntentState::Paid {
            receipt_no: intent.receipt_no.clone().unwrap_or_default(),
            amount: intent.tier.money(),
            paid_at: from_ms(intent.paid_at.unwrap_or_default()),
        },
        IntentStatus::Failed => IntentState::Failed { reason: reason() },
        IntentStatus::NotNeeded => IntentState::NotNeeded { reason: reason() },
    };
    IntentResult {
        id: intent.id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        state,
    }
}

/// What an intent asks for, whether it just arrived or waited for its turn.
pub(super) struct Candidate<'a> {
    pub(super) id: Uuid,
    pub(super) account_id: &'a str,
    pub(super) payee_id: Uuid,
    pub(super) year: i32,
    pub(super) tier: TierAmount,
    pub(super) method_id: Option<&'a str>,
    /// The policy version it was decided by before (`None`: it just arrived, the version in
    /// force today decides it and is recorded).
    pub(super) policy_version: Option<u32>,
}

/// Where the rules, the card and the ledger put an intent.
pub(super) struct Outcome {
    pub(super) verdict: Verdict,
    pub(super) reason: Option<Reason>,
    pub(super) resident_id: Option<String>,
    /// The policy version that decided it (0 when no policy was asked: an unknown person).
    pub(super) policy_version: u32,
}

impl Outcome {
    fn new(verdict: Verdict, reason: Option<Reason>, resident_id: Option<String>) -> Self {
        Self {
            verdict,
            reason,
            resident_id,
            policy_version: 0,
        }
    }

    fn priced(mut self, version: u32) -> Self {
        self.policy_version = version;
        self
    }
}

/// Decides an intent and, when it may be charged, takes the person-year for it. Runs inside
/// the caller's write transaction.
pub(super) async fn evaluate(
    tx: &mut WriteTx,
    state: &AppState,
    c: &Candidate<'_>,
    reads: &mut Reads,
) -> ServiceResult<Outcome> {
    let payee = reads.payee(tx, c.account_id, c.payee_id).await?;
    let Some(matched) = payee else {
        let reason = Reason::new(
            "unknown_payee",
            "找不到这位缴费人员（可能已从列表中删除），本次没有扣款。请重新添加后再缴费。",
            "This person is not on your list (removed?); nothing was charged.",
        );
        return Ok(Outcome::new(Verdict::Refused, Some(reason), None));
    };
    let Some(resident) = matched else {
        let reason = crate::payments::payees::no_match();
        return Ok(Outcome::new(Verdict::Refused, Some(reason), None));
    };
    let facts = reads.facts(tx, &resident).await?;
    if c.policy_version
        .is_some_and(|v| i64::from(v) > state.policies.latest())
    {
        // Published by another process since this one last looked; read on this transaction's
        // connection, never a second one from the pool.
        state.policies.refresh_on(tx).await?;
    }
    let (version, policy) = state.policy_priced(c.policy_version, c.year)?;
    let v = version.number;
    let rid = Some(resident.id.clone());
    if let Err(refusals) = decide(policy, &facts, c.year, c.tier, state.now()) {
        if refusals
            .iter()
            .any(|r| matches!(r, Refusal::AlreadyPaid { .. }))
        {
            let reason = Some(paid_by_someone(c.year));
            return Ok(Outcome::new(Verdict::AlreadyPaid, reason, rid).priced(v));
        }
        return Ok(Outcome::new(Verdict::Refused, Some(combined(&refusals)), rid).priced(v));
    }
    let token = match c.method_id {
        Some(m) => reads.token(tx, c.account_id, m).await?,
        None => None,
    };
    if token.is_none() {
        let reason = Reason::new(
            "no_payment_method",
            "还没有选择可用的银联卡。请绑定或选择一张银行卡，再点“缴费”。",
            "No usable UnionPay card yet: bind or choose one, then pay.",
        );
        return Ok(Outcome::new(Verdict::NoCard, Some(reason), rid).priced(v));
    }
    ContributionStatus::transition(None, ContributionEvent::Take)?;
    let id = c.id.to_string();
    let now = state.clock.now_ms();
    let amount = c.tier.money().to_fen();
    // Someone holds the year: its state is read with the row locked until this transaction
    // ends, so the holder cannot settle in between and miss this intent among the waiting
    // (it would never be told "not needed", or never get its turn). A holder released since
    // the attempt leaves the year free: take it again.
    let backend = state.db.backend;
    for _ in 0..3 {
        if contributions::take(tx, &resident.id, c.year, amount, &id, now).await? {
            return Ok(Outcome::new(Verdict::TookYear, None, rid).priced(v));
        }
        match contributions::status_locked(tx, backend, &resident.id, c.year).await? {
            Some(ContributionStatus::Paid) => {
                let reason = Some(paid_by_someone(c.year));
                return Ok(Outcome::new(Verdict::AlreadyPaid, reason, rid).priced(v));
            }
            Some(ContributionStatus::Charging) => {
                return Ok(Outcome::new(Verdict::YearHeld, None, rid).priced(v))
            }
            None => continue,
        }
    }
    Err(ServiceError::Internal(
        "a person-year was taken and released three times in one decision".into(),
    ))
}

pub fn paid_by_someone(year: i32) -> Reason {
    Reason::new(
        "paid_by_someone_else",
        format!("此人{year}年的保险费已经有人缴过了（可能是家人代缴），这次不会扣款。"),
        format!(
            "{year} is already paid for this person (perhaps by a relative); nothing was charged."
        ),
    )
}

fn combined(refusals: &[Refusal]) -> Reason {
    let code = refusals.first().map(Refusal::code).unwrap_or("refused");
    let zh = refusals
        .iter()
        .map(Refusal::zh)
        .collect::<Vec<_>>()
        .join("\n");
    let en = refusals
        .iter()
        .map(Refusal::en)
        .collect::<Vec<_>>()
        .join("\n");
    Reason::new(code, zh, en)
}

/// An answer for an intent whose id cannot be used; nothing is written.
fn refused_id(intent: &PaymentIntent, code: &str, zh: &str) -> IntentResult {
    IntentResult {
        id: intent.id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        state: IntentState::Failed {
            reason: Reason::new(code, zh, code),
        },
    }
}

/// What arriving did with one intent of a sync.
pub enum Arrived {
    /// Refused before anything was written: the answer is final.
    Answered(IntentResult),
    /// Stored (now, or by an earlier send of the same id); `charge` when this arrival took
    /// the person-year: the caller queues its charge, leased to itself, in the same
    /// transaction (a sync's push queues all of them in one statement).
    Stored { id: Uuid, charge: bool },
}

/// Takes an intent from a client inside the sync's write transaction. Idempotent: the same id
/// answers the same, and is never charged twice; the same id with other content is refused
/// and changes nothing. A charge is queued, not made: the caller asks the bank after commit.
/// `reads` holds what the sync read once for all its payments.
pub async fn arrive(
    tx: &mut WriteTx,
    state: &AppState,
    account_id: &str,
    intent: &PaymentIntent,
    reads: &mut Reads,
) -> ServiceResult<Arrived> {
    if !is_client_made(intent.id) {
        return Ok(Arrived::Answered(refused_id(
            intent,
            "invalid_id",
            "这笔缴费的编号无效，本次未处理，也没有扣款。请重新发起缴费。",
        )));
    }
    let method_id = intent.method_id.map(|m| m.to_string());
    let candidate = Candidate {
        id: intent.id,
        account_id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        method_id: method_id.as_deref(),
        policy_version: None,
    };
    let now = state.clock.now_ms();
    let id_conflict = || {
        Arrived::Answered(refused_id(
            intent,
            "id_conflict",
            "编号冲突，请重新发起缴费",
        ))
    };
    let existing = reads.stored(tx, intent.id).await?;
    let status = match &existing {
        Some(row) if row.account_id != account_id => return Ok(id_conflict()),
        Some(row)
            if row.payee_id != intent.payee_id
                || row.year != intent.year
                || row.tier != intent.tier =>
        {
            return Ok(Arrived::Answered(refused_id(
                intent,
                "idempotency_conflict",
                "这笔缴费的编号已用于另一笔内容不同的缴费，本次未处理，也没有扣款。",
            )));
        }
        // Waiting for a card, and now one is given: carry on as if it just arrived.
        Some(row) if row.status == IntentStatus::AwaitingPayment && method_id.is_some() => {
            let candidate = Candidate {
                policy_version: Some(row.policy_version),
                ..candidate
            };
            let outcome = evaluate(tx, state, &candidate, reads).await?;
            let next = row
                .status
                .transition(IntentEvent::CardGiven(outcome.verdict))?;
            let version = tx.version(account_id).await?;
            let to = Redecided {
                status: next,
                reason: outcome.reason.as_ref(),
                method_id: method_id.as_deref(),
                resident_id: outcome.resident_id.as_deref(),
            };
            intents::redecide(tx, intent.id, &to, version, now).await?;
            Some(next)
        }
        Some(_) => None,
        None => {
            let outcome = evaluate(tx, state, &candidate, reads).await?;
            let status = IntentStatus::arrive(outcome.verdict);
            let version = tx.version(account_id).await?;
            let new = NewIntent {
                id: intent.id,
                account_id,
                payee_id: intent.payee_id,
                resident_id: outcome.resident_id.as_deref(),
                year: intent.year,
                tier: intent.tier,
                method_id: method_id.as_deref(),
                prepared_at: intent
                    .prepared_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                policy_version: outcome.policy_version.max(1),
            };
            let reason = outcome.reason.as_ref();
            if !intents::insert(tx, &new, status, reason, version, now).await? {
                // Another account stored this id since it was looked up (this account's own
                // syncs take turns on its lock, so it is not one of them).
                return Ok(id_conflict());
            }
            Some(status)
        }
    };
    Ok(Arrived::Stored {
        id: intent.id,
        charge: status == Some(IntentStatus::Charging),
    })
}
