//! Test data shared by the unit tests: made-up people (synthetic IDs that pass every check),
//! intents and server answers.

use time::macros::{date, datetime};
use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_shared::eligibility::RosterStatus;
use yanglao_shared::policy::{PolicyTable, DEFAULT_REGION};
use yanglao_shared::refusal::Reason;
use yanglao_shared::tiers::{TierAmount, TierRule};
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::{
    IntentResult, IntentState, NewPayee, PayeeCheck, PayeeView, PaymentIntent, SyncResponse,
    WIRE_VERSION,
};

use crate::model::{LocalIntent, LocalPayee};

pub const NOW: OffsetDateTime = datetime!(2026-03-01 10:00 +8);

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn tier(s: &str) -> TierAmount {
    TierAmount::parse(s).unwrap()
}

pub fn open_window(days_left: u32) -> WindowState {
    WindowState::Open {
        year: 2026,
        opens: date!(2026 - 01 - 01),
        closes: date!(2026 - 04 - 30),
        days_left,
    }
}

pub fn verified(paid_this_year: bool) -> PayeeCheck {
    let policy = PolicyTable::builtin()
        .lookup(DEFAULT_REGION, 2026)
        .unwrap()
        .clone();
    PayeeCheck::Verified {
        status: RosterStatus::Enrolled,
        year: 2026,
        paid_this_year,
        tiers: policy
            .tiers
            .into_iter()
            .filter(|t: &TierRule| t.restriction.is_none())
            .collect(),
        blocked: None,
        // Born 1970, ten years on record, two that 补缴 could cover.
        contributor: Some(yanglao_shared::pension::Contributor {
            birth_year: 1970,
            years_paid: 10,
            missed_years: 2,
        }),
    }
}

/// A person added on this phone, not yet sent.
pub fn pending_payee(n: u128) -> LocalPayee {
    let synthetic = yanglao_shared::synthetic::id_number("371003", date!(1970 - 05 - 01), n as u16);
    LocalPayee {
        id: id(n),
        name_masked: "王**".into(),
        id_masked: synthetic.masked(),
        check: PayeeCheck::Unverified,
        pending: Some(NewPayee {
            id: id(n),
            name: "王秀英".into(),
            id_number: synthetic.as_str().into(),
        }),
        birth_date: Some(synthetic.birth_date()),
        label: None,
        label_change: None,
    }
}

pub fn verified_payee(n: u128) -> LocalPayee {
    LocalPayee {
        check: verified(false),
        pending: None,
        ..pending_payee(n)
    }
}

pub fn view_of(payee: &LocalPayee, check: PayeeCheck, removed: bool) -> PayeeView {
    PayeeView {
        id: payee.id,
        name_masked: payee.name_masked.clone(),
        id_masked: payee.id_masked.clone(),
        check,
        removed,
        label: payee.label.clone(),
    }
}

pub fn intent(n: u128, payee: Uuid, state: IntentState) -> LocalIntent {
    LocalIntent {
        intent: PaymentIntent {
            id: id(n),
            payee_id: payee,
            year: 2026,
            tier: tier("1500"),
            method_id: Some(id(900)),
            prepared_at: NOW,
        },
        state,
        mine: true,
        name_masked: "王**".into(),
        id_masked: "371***********0012".into(),
    }
}

pub fn result_of(local: &LocalIntent, state: IntentState) -> IntentResult {
    IntentResult {
        id: local.intent.id,
        payee_id: local.intent.payee_id,
        year: local.intent.year,
        tier: local.intent.tier,
        state,
    }
}

pub fn paid(receipt: &str) -> IntentState {
    IntentState::Paid {
        receipt_no: receipt.into(),
        amount: tier("1500").money(),
        paid_at: datetime!(2026-03-01 10:05 +8),
    }
}

pub fn not_needed() -> IntentState {
    IntentState::NotNeeded {
        reason: Reason::new(
            "paid_by_other",
            "已由他人缴费",
            "Already paid by someone else",
        ),
    }
}

pub fn response(cursor: i64, payees: Vec<PayeeView>, intents: Vec<IntentResult>) -> SyncResponse {
    SyncResponse {
        version: WIRE_VERSION,
        cursor,
        server_time: NOW,
        window: open_window(61),
        payees,
        intents,
        methods: Vec::new(),
        sync_limits: None,
        policy_version: None,
    }
}
