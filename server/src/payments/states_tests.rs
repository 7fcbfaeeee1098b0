//! Every (state, event) pair of both machines against a table written out by hand, and random
//! races for one person-year played through both machines the way the ledger plays them.

use proptest::prelude::*;

use super::*;

const VERDICTS: [Verdict; 5] = [
    Verdict::Refused,
    Verdict::AlreadyPaid,
    Verdict::NoCard,
    Verdict::TookYear,
    Verdict::YearHeld,
];

fn events() -> Vec<IntentEvent> {
    let mut all = vec![
        IntentEvent::BankPaid,
        IntentEvent::BankDeclined,
        IntentEvent::PaidBySomeoneElse,
        IntentEvent::Booked,
    ];
    for v in VERDICTS {
        all.push(IntentEvent::CardGiven(v));
        all.push(IntentEvent::YearFreed(v));
    }
    all
}

/// The allowed pairs, spelled out independently of `transition`.
fn expected(from: IntentStatus, event: IntentEvent) -> Option<IntentStatus> {
    use IntentEvent as E;
    use IntentStatus as S;
    let decided = |v: Verdict| match v {
        Verdict::Refused => S::Failed,
        Verdict::AlreadyPaid => S::NotNeeded,
        Verdict::NoCard => S::AwaitingPayment,
        Verdict::TookYear => S::Charging,
        Verdict::YearHeld => S::Waiting,
    };
    match (from, event) {
        (S::AwaitingPayment, E::CardGiven(v)) => Some(decided(v)),
        (S::Waiting, E::YearFreed(v)) => Some(decided(v)),
        (S::Charging, E::BankPaid) => Some(S::Paid),
        (S::Charging, E::BankDeclined) => Some(S::Failed),
        (S::AwaitingPayment, E::PaidBySomeoneElse) => Some(S::NotNeeded),
        (S::Waiting, E::PaidBySomeoneElse) => Some(S::NotNeeded),
        (S::AwaitingPayment | S::Waiting | S::Failed | S::NotNeeded, E::Booked) => Some(S::Paid),
        _ => None,
    }
}

#[test]
fn every_intent_pair_is_allowed_exactly_as_the_table_says() {
    let mut allowed = 0;
    for from in IntentStatus::ALL {
        for event in events() {
            let got = from.transition(event).ok();
            assert_eq!(got, expected(from, event), "{from:?} + {event:?}");
            allowed += usize::from(got.is_some());
        }
    }
    // 5 verdicts from each of the two "decide again" states, four fixed moves, and booking
    // from the four states that hold no person-year.
    assert_eq!(allowed, 18);
}

#[test]
fn no_event_but_booking_leaves_a_final_intent_state() {
    for from in IntentStatus::ALL.into_iter().filter(|s| s.is_final()) {
        for event in events().into_iter().filter(|e| *e != IntentEvent::Booked) {
            assert!(from.transition(event).is_err(), "{from:?} + {event:?}");
        }
    }
    // Paid stays paid whatever happens.
    assert!(IntentStatus::Paid.transition(IntentEvent::Booked).is_err());
}

#[test]
fn an_arriving_intent_takes_the_state_its_verdict_names() {
    assert_eq!(
        IntentStatus::arrive(Verdict::TookYear),
        IntentStatus::Charging
    );
    assert_eq!(
        IntentStatus::arrive(Verdict::YearHeld),
        IntentStatus::Waiting
    );
    assert_eq!(
        IntentStatus::arrive(Verdict::NoCard),
        IntentStatus::AwaitingPayment
    );
    assert_eq!(
        IntentStatus::arrive(Verdict::AlreadyPaid),
        IntentStatus::NotNeeded
    );
    assert_eq!(IntentStatus::arrive(Verdict::Refused), IntentStatus::Failed);
}

#[test]
fn every_contribution_pair_is_allowed_exactly_as_the_table_says() {
    use ContributionEvent as E;
    use ContributionStatus as S;
    let states = [None, Some(S::Charging), Some(S::Paid)];
    let events = [E::Take, E::BankPaid, E::BankDeclined, E::Booked];
    for from in states {
        for event in events {
            let want = match (from, event) {
                (None, E::Take) => Some(Some(S::Charging)),
                (None, E::Booked) => Some(Some(S::Paid)),
                (Some(S::Charging), E::BankPaid) => Some(Some(S::Paid)),
                (Some(S::Charging), E::BankDeclined) => Some(None),
                _ => None,
            };
            assert_eq!(
                ContributionStatus::transition(from, event).ok(),
                want,
                "{from:?} + {event:?}"
            );
        }
    }
}

#[test]
fn text_forms_round_trip_and_unknown_text_is_refused() {
    for s in IntentStatus::ALL {
        assert_eq!(IntentStatus::parse(s.as_str()), Some(s));
    }
    for s in ContributionStatus::ALL {
        assert_eq!(ContributionStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(IntentStatus::parse("Paid"), None);
    assert_eq!(ContributionStatus::parse("failed"), None);
}

/// One person-year and the intents racing for it, moved only through the two machines.
#[derive(Default)]
struct Race {
    year: Option<ContributionStatus>,
    /// Each intent's state and whether it has a card.
    intents: Vec<(IntentStatus, bool)>,
    holder: Option<usize>,
}

#[derive(Debug, Clone)]
enum Step {
    Arrive { card: bool },
    GiveCard(usize),
    Bank { paid: bool },
}

impl Race {
    fn decide(&mut self, i: usize) -> Verdict {
        match self.year {
            Some(ContributionStatus::Paid) => Verdict::AlreadyPaid,
            _ if !self.intents[i].1 => Verdict::NoCard,
            None => {
                self.year = ContributionStatus::transition(self.year, ContributionEvent::Take)
                    .expect("a free year can be taken");
                self.holder = Some(i);
                Verdict::TookYear
            }
            Some(ContributionStatus::Charging) => Verdict::YearHeld,
        }
    }

    fn play(&mut self, step: &Step) {
        match *step {
            Step::Arrive { card } => {
                self.intents.push((IntentStatus::Failed, card));
                let i = self.intents.len() - 1;
                let verdict = self.decide(i);
                self.intents[i].0 = IntentStatus::arrive(verdict);
            }
            Step::GiveCard(i) => {
                let Some(i) = (!self.intents.is_empty()).then(|| i % self.intents.len()) else {
                    return;
                };
                if self.intents[i].0 != IntentStatus::AwaitingPayment {
                    return;
                }
                self.intents[i].1 = true;
                let verdict = self.decide(i);
                self.intents[i].0 = self.intents[i]
                    .0
                    .transition(IntentEvent::CardGiven(verdict))
                    .unwrap();
            }
            Step::Bank { paid } => {
                let Some(h) = self.holder.take() else { return };
                if paid {
                    self.intents[h].0 =
                        self.intents[h].0.transition(IntentEvent::BankPaid).unwrap();
                    self.year =
                        ContributionStatus::transition(self.year, ContributionEvent::BankPaid)
                            .unwrap();
                    for (state, _) in &mut self.intents {
                        if let Ok(next) = state.transition(IntentEvent::PaidBySomeoneElse) {
                            *state = next;
                        }
                    }
                } else {
                    self.intents[h].0 = self.intents[h]
                        .0
                        .transition(IntentEvent::BankDeclined)
                        .unwrap();
                    self.year =
                        ContributionStatus::transition(self.year, ContributionEvent::BankDeclined)
                            .unwrap();
                    let next = self
                        .intents
                        .iter()
                        .position(|(s, _)| *s == IntentStatus::Waiting);
                    if let Some(n) = next {
                        let verdict = self.decide(n);
                        self.intents[n].0 = self.intents[n]
                            .0
                            .transition(IntentEvent::YearFreed(verdict))
                            .unwrap();
                    }
                }
            }
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        any::<bool>().prop_map(|card| Step::Arrive { card }),
        (0usize..16).prop_map(Step::GiveCard),
        any::<bool>().prop_map(|paid| Step::Bank { paid }),
    ]
}

proptest! {
    #[test]
    fn racing_intents_never_charge_a_person_year_twice_nor_leave_a_final_state(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let mut race = Race::default();
        let mut finals: Vec<Option<IntentStatus>> = Vec::new();
        for step in &steps {
            race.play(step);
            finals.resize(race.intents.len(), None);
            for (i, (state, _)) in race.intents.iter().enumerate() {
                if let Some(was) = finals[i] {
                    prop_assert_eq!(*state, was, "intent {} left its final state", i);
                }
                if state.is_final() {
                    finals[i] = Some(*state);
                }
            }
            let count = |s: IntentStatus| race.intents.iter().filter(|(x, _)| *x == s).count();
            prop_assert!(count(IntentStatus::Paid) <= 1, "paid twice");
            prop_assert!(count(IntentStatus::Charging) <= 1, "charged twice at once");
            prop_assert_eq!(count(IntentStatus::Charging) == 1, race.year == Some(ContributionStatus::Charging));
            prop_assert_eq!(count(IntentStatus::Paid) == 1, race.year == Some(ContributionStatus::Paid));
        }
    }
}
