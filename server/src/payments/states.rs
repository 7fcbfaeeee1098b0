//! The ledger's two state machines, as types: a payment intent's [`IntentStatus`] and a
//! person-year's [`ContributionStatus`]. Each has one pure `transition(state, event)`; the
//! ledger asks it before every write, and the database guards the same pairs with triggers
//! (migration 0005). Their text form (`as_str`/`parse`) is the only place a state is spelled:
//! SQL binds it.
//!
//! ```text
//! intent:        arrive ─► failed / not_needed / awaiting_payment / waiting / charging
//!   awaiting_payment ──card given──► (decided again)
//!   waiting ──year freed──► (decided again)      waiting, awaiting_payment ──paid by someone──► not_needed
//!   charging ──bank paid──► paid                 charging ──bank declined──► failed
//!   awaiting_payment, waiting, failed, not_needed ──booked (a refund case, by staff)──► paid
//! person-year:   free ──take──► charging ──bank paid──► paid
//!                            charging ──bank declined──► free        free ──back payment──► paid
//! ```
//! `paid`, `failed` and `not_needed` are final; a paid person-year never changes.

/// Where an intent stands in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntentStatus {
    /// The rules allow it, but no usable card was given yet.
    AwaitingPayment,
    /// Someone else holds the person-year while the bank answers them.
    Waiting,
    /// Holds the person-year; the bank is being asked.
    Charging,
    Paid,
    /// The rules refused it, or the bank declined it.
    Failed,
    /// The person-year was paid by someone else.
    NotNeeded,
}

/// What deciding an intent (the rules, the card, the ledger) came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A rule says no (outside the window, unknown person, tier not allowed, …).
    Refused,
    /// The person-year is already paid.
    AlreadyPaid,
    /// Allowed, but there is no usable card yet.
    NoCard,
    /// Allowed, and the person-year was free: this intent now holds it.
    TookYear,
    /// Allowed, but another intent holds the person-year.
    YearHeld,
}

impl Verdict {
    /// The state an intent takes when it is decided this way.
    pub fn status(self) -> IntentStatus {
        match self {
            Self::Refused => IntentStatus::Failed,
            Self::AlreadyPaid => IntentStatus::NotNeeded,
            Self::NoCard => IntentStatus::AwaitingPayment,
            Self::TookYear => IntentStatus::Charging,
            Self::YearHeld => IntentStatus::Waiting,
        }
    }
}

/// What can happen to an intent after it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentEvent {
    /// The payer gave a card to an intent that waited for one; it is decided again.
    CardGiven(Verdict),
    /// The intent holding the person-year was declined; the longest waiting is decided again.
    YearFreed(Verdict),
    BankPaid,
    BankDeclined,
    /// Another intent paid the person-year.
    PaidBySomeoneElse,
    /// The bank paid this intent's order although the ledger had not charged it (a refund
    /// case of the daily reconciliation, `payments::reconciliation`), and staff booked the
    /// money to the person-year, which was still free.
    Booked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{machine}: {event} is not allowed from {from}")]
pub struct IllegalTransition {
    pub machine: &'static str,
    pub from: &'static str,
    pub event: &'static str,
}

impl IntentStatus {
    pub const ALL: [Self; 6] = [
        Self::AwaitingPayment,
        Self::Waiting,
        Self::Charging,
        Self::Paid,
        Self::Failed,
        Self::NotNeeded,
    ];

    /// The state of an intent that just arrived and was decided.
    pub fn arrive(verdict: Verdict) -> Self {
        verdict.status()
    }

    pub fn transition(self, event: IntentEvent) -> Result<Self, IllegalTransition> {
        use IntentEvent as E;
        use IntentStatus as S;
        match (self, event) {
            (S::AwaitingPayment, E::CardGiven(v)) | (S::Waiting, E::YearFreed(v)) => Ok(v.status()),
            (S::Charging, E::BankPaid) => Ok(S::Paid),
            (S::Charging, E::BankDeclined) => Ok(S::Failed),
            (S::Waiting | S::AwaitingPayment, E::PaidBySomeoneElse) => Ok(S::NotNeeded),
            (S::AwaitingPayment | S::Waiting | S::Failed | S::NotNeeded, E::Booked) => Ok(S::Paid),
            (from, event) => Err(IllegalTransition {
                machine: "intent",
                from: from.as_str(),
                event: event.name(),
            }),
        }
    }

    /// Nothing the ledger does on its own moves an intent on from here (only staff booking
    /// a refund case the bank paid, [`IntentEvent::Booked`], makes a failed or not-needed
    /// intent paid).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Paid | Self::Failed | Self::NotNeeded)
    }

    /// The one text form, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "awaiting_payment",
            Self::Waiting => "waiting",
            Self::Charging => "charging",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::NotNeeded => "not_needed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The word staff read (the reconciliation's CSV).
    pub fn zh(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "待绑卡",
            Self::Waiting => "等候中（他人扣款中）",
            Self::Charging => "扣款中",
            Self::Paid => "已缴费",
            Self::Failed => "未成功",
            Self::NotNeeded => "无需缴费（他人已缴）",
        }
    }
}

impl IntentEvent {
    fn name(self) -> &'static str {
        match self {
            Self::CardGiven(_) => "card given",
            Self::YearFreed(_) => "year freed",
            Self::BankPaid => "bank paid",
            Self::BankDeclined => "bank declined",
            Self::PaidBySomeoneElse => "paid by someone else",
            Self::Booked => "booked",
        }
    }
}

/// Where a person-year stands in the ledger; a free year has no row (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContributionStatus {
    /// Held by one intent while the bank answers.
    Charging,
    /// Paid (in the app, by back payment, or before the app, from the roster).
    Paid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributionEvent {
    /// An intent takes the free person-year before the bank is asked.
    Take,
    BankPaid,
    /// The bank declined: the year is free again.
    BankDeclined,
    /// The town center recorded a back-payment (补缴) receipt, or the roster says paid.
    Booked,
}

impl ContributionStatus {
    pub const ALL: [Self; 2] = [Self::Charging, Self::Paid];

    /// `None` is a free person-year, before and after.
    pub fn transition(
        state: Option<Self>,
        event: ContributionEvent,
    ) -> Result<Option<Self>, IllegalTransition> {
        use ContributionEvent as E;
        use ContributionStatus as S;
        match (state, event) {
            (None, E::Take) => Ok(Some(S::Charging)),
            (None, E::Booked) | (Some(S::Charging), E::BankPaid) => Ok(Some(S::Paid)),
            (Some(S::Charging), E::BankDeclined) => Ok(None),
            (from, event) => Err(IllegalTransition {
                machine: "contribution",
                from: from.map_or("free", Self::as_str),
                event: match event {
                    E::Take => "take",
                    E::BankPaid => "bank paid",
                    E::BankDeclined => "bank declined",
                    E::Booked => "booked",
                },
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Charging => "charging",
            Self::Paid => "paid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
#[path = "states_tests.rs"]
mod tests;
