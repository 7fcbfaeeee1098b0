//! A refund case's (退费) state machine, as a type: [`CaseStatus`] and one pure
//! [`CaseStatus::transition`], asked before every write of `storage::refund_cases` and tested
//! here over every pair. Its text form (`as_str`/`parse`) is the only place a state is
//! spelled: SQL binds it (migration 0009 keeps resolved cases final as well).
//!
//! ```text
//! open ──refund asked──► refunding ──bank refunded──► refunded
//!   │                      │  └──refund asked again (a retry: the bank answers the same refund)
//!   │                      └──bank refused──► open
//!   └──booked (the person-year was free)──► booked
//! ```
//! `refunded` and `booked` are final: a case never silently disappears.

use crate::payments::states::IllegalTransition;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatus {
    /// Found: the bank holds money the ledger did not record.
    Open,
    /// A refund was asked of the bank and its answer is not recorded yet (a crash or an
    /// unreachable bank leaves it here; asking again is safe, the bank refunds once).
    Refunding,
    /// The bank gave the money back.
    Refunded,
    /// The money became the person-year's paid contribution, with a receipt.
    Booked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEvent {
    /// Staff asked for a refund through the bank.
    RefundAsked,
    BankRefunded,
    /// The bank refused the refund (say, the order is not paid after all).
    BankRefused,
    /// Staff booked the money to the free person-year.
    Booked,
}

impl CaseEvent {
    fn name(self) -> &'static str {
        match self {
            Self::RefundAsked => "refund asked",
            Self::BankRefunded => "bank refunded",
            Self::BankRefused => "bank refused",
            Self::Booked => "booked",
        }
    }
}

impl CaseStatus {
    pub const ALL: [Self; 4] = [Self::Open, Self::Refunding, Self::Refunded, Self::Booked];

    pub fn transition(self, event: CaseEvent) -> Result<Self, IllegalTransition> {
        use CaseEvent as E;
        use CaseStatus as S;
        match (self, event) {
            (S::Open | S::Refunding, E::RefundAsked) => Ok(S::Refunding),
            (S::Refunding, E::BankRefunded) => Ok(S::Refunded),
            (S::Refunding, E::BankRefused) => Ok(S::Open),
            (S::Open, E::Booked) => Ok(S::Booked),
            (from, event) => Err(IllegalTransition {
                machine: "refund case",
                from: from.as_str(),
                event: event.name(),
            }),
        }
    }

    /// Resolved: nothing moves the case on.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Refunded | Self::Booked)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Refunding => "refunding",
            Self::Refunded => "refunded",
            Self::Booked => "booked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// How staff read it.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Open => "待处理",
            Self::Refunding => "退款处理中",
            Self::Refunded => "已退款",
            Self::Booked => "已入账",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [CaseEvent; 4] = [
        CaseEvent::RefundAsked,
        CaseEvent::BankRefunded,
        CaseEvent::BankRefused,
        CaseEvent::Booked,
    ];

    /// The allowed pairs, spelled out independently of `transition`.
    fn expected(from: CaseStatus, event: CaseEvent) -> Option<CaseStatus> {
        use CaseEvent as E;
        use CaseStatus as S;
        match (from, event) {
            (S::Open, E::RefundAsked) => Some(S::Refunding),
            (S::Refunding, E::RefundAsked) => Some(S::Refunding),
            (S::Refunding, E::BankRefunded) => Some(S::Refunded),
            (S::Refunding, E::BankRefused) => Some(S::Open),
            (S::Open, E::Booked) => Some(S::Booked),
            _ => None,
        }
    }

    #[test]
    fn every_case_pair_is_allowed_exactly_as_the_table_says() {
        let mut allowed = 0;
        for from in CaseStatus::ALL {
            for event in EVENTS {
                let got = from.transition(event).ok();
                assert_eq!(got, expected(from, event), "{from:?} + {event:?}");
                allowed += usize::from(got.is_some());
            }
        }
        assert_eq!(allowed, 5);
    }

    #[test]
    fn a_resolved_case_never_moves_and_a_refunding_one_cannot_be_booked() {
        for from in CaseStatus::ALL.into_iter().filter(|s| s.is_final()) {
            for event in EVENTS {
                assert!(from.transition(event).is_err(), "{from:?} + {event:?}");
            }
        }
        assert!(CaseStatus::Refunding.transition(CaseEvent::Booked).is_err());
    }

    #[test]
    fn text_forms_round_trip() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::parse("Open"), None);
    }
}
