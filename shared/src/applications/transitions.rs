//! The two application machines' moves, one pure `transition` each; the server asks it before
//! every write and binds the state it answers.
//!
//! ```text
//! enrolment:    submitted ─village approves─► village_approved ─town enters─► enrolled
//!               submitted ─village returns─► returned ◄─town returns─ village_approved
//!               returned ─applicant fixes─► submitted
//! back payment: submitted ─slip issued─► slip_issued ─receipt recorded─► paid
//!               submitted ─town returns─► returned ─applicant fixes─► submitted
//! ```

use super::{BackPaymentState, EnrolmentState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolmentEvent {
    VillageApproves,
    VillageReturns,
    TownReturns,
    TownEnters,
    /// The applicant sends a fixed form after a return.
    ApplicantFixes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackPaymentEvent {
    /// For the years that passed the check (the others are named on the slip).
    SlipIssued,
    TownReturns,
    /// The applicant sends a fixed form after a return.
    ApplicantFixes,
    ReceiptRecorded,
}

/// A move the machine has no edge for; the caller answers "not at this step".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAtThisStep;

impl EnrolmentState {
    pub const ALL: [Self; 4] = [
        Self::Submitted,
        Self::Returned,
        Self::VillageApproved,
        Self::Enrolled,
    ];

    pub fn transition(self, event: EnrolmentEvent) -> Result<Self, NotAtThisStep> {
        use EnrolmentEvent as E;
        use EnrolmentState as S;
        match (self, event) {
            (S::Submitted, E::VillageApproves) => Ok(S::VillageApproved),
            (S::Submitted, E::VillageReturns) | (S::VillageApproved, E::TownReturns) => {
                Ok(S::Returned)
            }
            (S::VillageApproved, E::TownEnters) => Ok(S::Enrolled),
            (S::Returned, E::ApplicantFixes) => Ok(S::Submitted),
            _ => Err(NotAtThisStep),
        }
    }

    /// Still with the village or the town: a second form for the same person is refused.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::VillageApproved)
    }
}

impl BackPaymentState {
    pub const ALL: [Self; 4] = [
        Self::Submitted,
        Self::Returned,
        Self::SlipIssued,
        Self::Paid,
    ];

    pub fn transition(self, event: BackPaymentEvent) -> Result<Self, NotAtThisStep> {
        use BackPaymentEvent as E;
        use BackPaymentState as S;
        match (self, event) {
            (S::Submitted, E::SlipIssued) => Ok(S::SlipIssued),
            (S::Submitted, E::TownReturns) => Ok(S::Returned),
            (S::Returned, E::ApplicantFixes) => Ok(S::Submitted),
            (S::SlipIssued, E::ReceiptRecorded) => Ok(S::Paid),
            _ => Err(NotAtThisStep),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enrolment_pair_is_allowed_exactly_as_the_table_says() {
        use EnrolmentEvent as E;
        use EnrolmentState as S;
        let events = [
            E::VillageApproves,
            E::VillageReturns,
            E::TownReturns,
            E::TownEnters,
            E::ApplicantFixes,
        ];
        for from in S::ALL {
            for event in events {
                let want = match (from, event) {
                    (S::Submitted, E::VillageApproves) => Some(S::VillageApproved),
                    (S::Submitted, E::VillageReturns) => Some(S::Returned),
                    (S::VillageApproved, E::TownReturns) => Some(S::Returned),
                    (S::VillageApproved, E::TownEnters) => Some(S::Enrolled),
                    (S::Returned, E::ApplicantFixes) => Some(S::Submitted),
                    _ => None,
                };
                assert_eq!(from.transition(event).ok(), want, "{from:?} + {event:?}");
            }
        }
        assert!(events.iter().all(|e| S::Enrolled.transition(*e).is_err()));
    }

    #[test]
    fn every_back_payment_pair_is_allowed_exactly_as_the_table_says() {
        use BackPaymentEvent as E;
        use BackPaymentState as S;
        let events = [
            E::SlipIssued,
            E::TownReturns,
            E::ApplicantFixes,
            E::ReceiptRecorded,
        ];
        for from in S::ALL {
            for event in events {
                let want = match (from, event) {
                    (S::Submitted, E::SlipIssued) => Some(S::SlipIssued),
                    (S::Submitted, E::TownReturns) => Some(S::Returned),
                    (S::Returned, E::ApplicantFixes) => Some(S::Submitted),
                    (S::SlipIssued, E::ReceiptRecorded) => Some(S::Paid),
                    _ => None,
                };
                assert_eq!(from.transition(event).ok(), want, "{from:?} + {event:?}");
            }
        }
    }

    #[test]
    fn only_forms_with_the_village_or_town_are_open() {
        let open: Vec<_> = EnrolmentState::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(
            open,
            [EnrolmentState::Submitted, EnrolmentState::VillageApproved]
        );
    }
}
