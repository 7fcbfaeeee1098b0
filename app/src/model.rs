//! The records kept on the phone. Wire types from the shared crate are reused where they fit;
//! these add what only the phone knows (what is still to be sent, what was learnt when).

use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;
use yanglao_shared::json::FromJson;
use yanglao_shared::policy::Policy;
use yanglao_shared::tiers::TierRule;
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::{
    Account, IntentState, LabelChange, NewPayee, PayeeCheck, PayeeView, PaymentIntent,
    PaymentMethod, Session,
};
use yanglao_shared::PayeeLabel;

use crate::clock::ServerClock;

/// A person this account pays for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct LocalPayee {
    pub id: Uuid,
    pub name_masked: String,
    pub id_masked: String,
    pub check: PayeeCheck,
    /// The full name and ID number, kept only until the server has the person: after that the
    /// phone keeps the masked forms alone. What an `AddPayee` log entry sends.
    pub pending: Option<NewPayee>,
    /// Read from the ID number on this phone, for the offline eligibility hint (age).
    #[serde(default, with = "yanglao_shared::timetext::day::option")]
    pub birth_date: Option<Date>,
    /// The payer's own label for the person (妈妈), as set on this phone or pulled from the
    /// server (set on the payer's other phone). Never another payer's.
    #[serde(default)]
    pub label: Option<PayeeLabel>,
    /// A label change made on this phone that the server has not acknowledged, with its own id
    /// (the idempotency key): what a `SetLabel` log entry sends. While it waits, a pull does
    /// not overwrite `label`.
    #[serde(default)]
    pub label_change: Option<LabelChange>,
}

impl LocalPayee {
    pub fn from_view(view: &PayeeView, previous: Option<&LocalPayee>) -> Self {
        Self {
            id: view.id,
            name_masked: view.name_masked.clone(),
            id_masked: view.id_masked.clone(),
            check: view.check.clone(),
            pending: None,
            birth_date: previous.and_then(|p| p.birth_date),
            // A change still to send wins over what the server knew before it.
            label: match previous {
                Some(p) if p.label_change.is_some() => p.label.clone(),
                _ => view.label.clone(),
            },
            label_change: previous.and_then(|p| p.label_change.clone()),
        }
    }

    /// The label as text, for the screens.
    pub fn label_text(&self) -> Option<&str> {
        self.label.as_ref().map(PayeeLabel::as_str)
    }

    /// The tiers the server says this person may choose, if verified.
    pub fn tiers(&self) -> &[TierRule] {
        match &self.check {
            PayeeCheck::Verified { tiers, .. } => tiers,
            _ => &[],
        }
    }
}

/// A payment prepared on this phone (or learnt from the server), with its honest state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct LocalIntent {
    pub intent: PaymentIntent,
    pub state: IntentState,
    /// False for intents learnt from the server (prepared on another phone): never sent again
    /// from here, since this phone does not know how they were prepared.
    pub mine: bool,
    /// Kept so history still names the person after they are removed from the list.
    pub name_masked: String,
    pub id_masked: String,
}

impl LocalIntent {
    /// True while the intent belongs in the next sync: never sent, or sent and not yet
    /// answered for good. `AwaitingPayment` waits for the person to choose a card instead.
    pub fn to_send(&self) -> bool {
        self.mine && matches!(self.state, IntentState::Queued | IntentState::Submitted)
    }

    /// True while nobody has sent it yet (待提交): what the deadline warning counts.
    pub fn unsent(&self) -> bool {
        matches!(
            self.state,
            IntentState::Queued | IntentState::AwaitingPayment { .. }
        )
    }
}

/// The window as the server last told it, and the server's clock at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
pub struct CachedWindow {
    pub window: WindowState,
    pub clock: ServerClock,
}

/// Everything the UI shows, loaded from IndexedDB in one go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub session: Option<Session>,
    /// The account the local data belongs to (kept after logout, to keep its outbox).
    pub owner: Option<Uuid>,
    pub cursor: Option<i64>,
    pub window: Option<CachedWindow>,
    pub policy: Option<Policy>,
    /// Which version of the server's policy `policy` is (`None`: never told; the built-in one).
    pub policy_version: Option<yanglao_shared::policy::PolicyVersion>,
    pub account: Option<Account>,
    /// The towns and villages the server knows (`GET /places`), for the enrolment form.
    pub places: Vec<yanglao_shared::wire::Place>,
    pub last_sync: Option<SyncMark>,
    pub payees: Vec<LocalPayee>,
    pub intents: Vec<LocalIntent>,
    pub methods: Vec<PaymentMethod>,
    /// The forms, read by the full build only ([`crate::bundle`]).
    pub applications: Vec<crate::applications::LocalApplication>,
    /// Whether the phone keeps any form (the resident build counts them to move to the full).
    pub holds_forms: bool,
    /// What the server has not acknowledged yet ([`crate::mutations`]), in any order.
    pub log: Vec<crate::mutations::Logged>,
}

/// When the last sync succeeded, by the server's clock (its answer's `server_time`), for
/// "上次同步" text: the server decides when a sync happened, as it decides the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
pub struct SyncMark {
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub at: OffsetDateTime,
}
