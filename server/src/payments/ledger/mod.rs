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
use yanglao_shared::wire::{IntentResult, IntentState};
use yanglao_shared::{decide, Reason, Refusal, TierAmount};

use crate::app::AppState;
use crate::clock::from_ms;
use crate::payments::states::{ContributionEvent, ContributionStatus, IntentStatus, Verdict};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::intents::Intent;
use crate::storage::{contributions, WriteTx};

mod arrive;
mod reads;
mod settle;

pub use crate::storage::contributions::{year_summary, YearSummary};
pub use arrive::{arrive_all, Arrived};
pub use reads::Reads;
pub use settle::{apply, apply_all, ask_bank, new_receipt_no, notified, sweep_waiting};

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

/// What the rules and the card say about an intent, before any person-year is taken.
pub(super) enum Judged {
    /// Decided without the ledger: refused, already paid, or no card yet.
    Done(Outcome),
    /// Allowed: it takes the person-year if nobody holds it.
    Wants(Wanted),
}

/// An allowed intent's claim on a person-year.
pub(super) struct Wanted {
    pub(super) resident_id: String,
    pub(super) amount_fen: i64,
    pub(super) policy_version: u32,
}

/// Decides an intent and, when it may be charged, takes the person-year for it. Runs inside
/// the caller's write transaction.
pub(super) async fn evaluate(
    tx: &mut WriteTx,
    state: &AppState,
    c: &Candidate<'_>,
    reads: &mut Reads,
) -> ServiceResult<Outcome> {
    match judge(tx, state, c, reads).await? {
        Judged::Done(outcome) => Ok(outcome),
        Judged::Wants(wanted) => take_year(tx, state, c, &wanted, false).await,
    }
}

/// Everything that decides an intent short of the ledger: the person, the rules in force for
/// the year, the card.
pub(super) async fn judge(
    tx: &mut WriteTx,
    state: &AppState,
    c: &Candidate<'_>,
    reads: &mut Reads,
) -> ServiceResult<Judged> {
    let done = |outcome| Ok(Judged::Done(outcome));
    let payee = reads.payee(tx, c.account_id, c.payee_id).await?;
    let Some(matched) = payee else {
        let reason = Reason::new(
            "unknown_payee",
            "找不到这位缴费人员（可能已从列表中删除），本次没有扣款。请重新添加后再缴费。",
            "This person is not on your list (removed?); nothing was charged.",
        );
        return done(Outcome::new(Verdict::Refused, Some(reason), None));
    };
    let Some(resident) = matched else {
        let reason = crate::payments::payees::no_match();
        return done(Outcome::new(Verdict::Refused, Some(reason), None));
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
            return done(Outcome::new(Verdict::AlreadyPaid, reason, rid).priced(v));
        }
        return done(Outcome::new(Verdict::Refused, Some(combined(&refusals)), rid).priced(v));
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
        return done(Outcome::new(Verdict::NoCard, Some(reason), rid).priced(v));
    }
    ContributionStatus::transition(None, ContributionEvent::Take)?;
    Ok(Judged::Wants(Wanted {
        resident_id: resident.id,
        amount_fen: c.tier.money().to_fen(),
        policy_version: v,
    }))
}

/// Takes the person-year an allowed intent wants, or says who has it. `tried`: a take of it
/// was just refused (a push's one statement for all its years), so look at its holder first.
pub(super) async fn take_year(
    tx: &mut WriteTx,
    state: &AppState,
    c: &Candidate<'_>,
    wanted: &Wanted,
    tried: bool,
) -> ServiceResult<Outcome> {
    let (rid, v) = (Some(wanted.resident_id.clone()), wanted.policy_version);
    let id = c.id.to_string();
    let now = state.clock.now_ms();
    // Someone holds the year: its state is read with the row locked until this transaction
    // ends, so the holder cannot settle in between and miss this intent among the waiting
    // (it would never be told "not needed", or never get its turn). A holder released since
    // the attempt leaves the year free: take it again.
    let backend = state.db.backend;
    let mut tried = tried;
    for _ in 0..3 {
        if !tried
            && contributions::take(tx, &wanted.resident_id, c.year, wanted.amount_fen, &id, now)
                .await?
        {
            return Ok(Outcome::new(Verdict::TookYear, None, rid).priced(v));
        }
        tried = false;
        match contributions::status_locked(tx, backend, &wanted.resident_id, c.year).await? {
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
