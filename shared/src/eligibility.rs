//! The one decision: may this person pay this tier for this year, now? Called by the app while a
//! payment is prepared (offline, with the phone's clock, as a hint) and by the server when it
//! arrives (with the server's clock, as the authority).

use std::collections::BTreeSet;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::money::Money;
use crate::policy::Policy;
use crate::refusal::Refusal;
use crate::tiers::{TierAmount, TierRule};
use crate::window::{cst_date, WindowState};

/// A person's state on the roster (参保人员名册).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RosterStatus {
    /// No roster record: enrolment (参保登记) comes first.
    NotEnrolled,
    Enrolled,
    DrawingPension,
    Stopped,
}

impl RosterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotEnrolled => "not_enrolled",
            Self::Enrolled => "enrolled",
            Self::DrawingPension => "drawing_pension",
            Self::Stopped => "stopped",
        }
    }

    /// The status of a roster record (a CSV cell, a database column): never `not_enrolled`,
    /// which means "no record at all".
    pub fn parse_recorded(text: &str) -> Option<Self> {
        [Self::Enrolled, Self::DrawingPension, Self::Stopped]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// What the decision needs to know about a person; the server fills it from the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub status: RosterStatus,
    pub birth_date: Date,
    /// From the enrolment record (disability grade 1 or 2), never from the payer's say-so.
    pub severely_disabled: bool,
    pub paid_years: BTreeSet<i32>,
}

/// A yes: the tier rule that applies and the amount to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub year: i32,
    pub tier: TierRule,
    pub amount: Money,
}

/// Returns every reason at once, so a person can fix all of them in one go. Age is taken on
/// today's date in China: someone who turns 60 before paying has reached benefit age.
pub fn decide(
    policy: &Policy,
    facts: &PersonFacts,
    year: i32,
    amount: TierAmount,
    now: OffsetDateTime,
) -> Result<Approval, Vec<Refusal>> {
    let today = cst_date(now);
    let mut refusals = Vec::new();

    match facts.status {
        RosterStatus::Enrolled => {}
        RosterStatus::NotEnrolled => refusals.push(Refusal::NotEnrolled),
        RosterStatus::Stopped => refusals.push(Refusal::EnrolmentStopped),
        RosterStatus::DrawingPension => refusals.push(Refusal::DrawingPension),
    }

    let age = crate::id_number::age_on(facts.birth_date, today);
    if age < i32::from(policy.min_age) {
        refusals.push(Refusal::TooYoung {
            min_age: policy.min_age,
        });
    } else if age >= i32::from(policy.benefit_age) && facts.status != RosterStatus::DrawingPension {
        refusals.push(Refusal::AtBenefitAge {
            benefit_age: policy.benefit_age,
        });
    }

    let tier = policy.tier(amount);
    match tier {
        None => refusals.push(Refusal::NotATier {
            amount: amount.money(),
        }),
        Some(rule) if !rule.allows(facts.severely_disabled) => {
            refusals.push(Refusal::TierRestricted {
                amount: amount.money(),
            })
        }
        Some(_) => {}
    }

    if year < today.year() {
        refusals.push(Refusal::PastYear { year });
    } else if year > today.year() {
        refusals.push(Refusal::FutureYear { year });
    } else {
        match policy.window.state_at(now) {
            WindowState::Open { .. } => {}
            WindowState::NotYetOpen { opens, .. } => {
                refusals.push(Refusal::WindowNotOpen { opens })
            }
            WindowState::Closed { closes, .. } => {
                refusals.push(Refusal::WindowClosed { closed: closes })
            }
        }
    }

    if facts.paid_years.contains(&year) {
        refusals.push(Refusal::AlreadyPaid { year });
    }

    match (refusals.is_empty(), tier) {
        (true, Some(rule)) => Ok(Approval {
            year,
            tier: rule.clone(),
            amount: amount.money(),
        }),
        _ => Err(refusals),
    }
}

/// The tiers this person may choose (300 only for the severely disabled).
pub fn tiers_for(policy: &Policy, severely_disabled: bool) -> Vec<TierRule> {
    policy
        .tiers
        .iter()
        .filter(|t| t.allows(severely_disabled))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyTable, DEFAULT_REGION};
    use time::macros::{date, datetime};

    const IN_WINDOW: OffsetDateTime = datetime!(2026-03-01 10:00 +8);

    fn policy() -> Policy {
        PolicyTable::builtin()
            .lookup(DEFAULT_REGION, 2026)
            .unwrap()
            .clone()
    }

    fn enrolled() -> PersonFacts {
        PersonFacts {
            status: RosterStatus::Enrolled,
            birth_date: date!(1970 - 06 - 15),
            severely_disabled: false,
            paid_years: BTreeSet::from([2024, 2025]),
        }
    }

    fn tier(s: &str) -> TierAmount {
        TierAmount::parse(s).unwrap()
    }

    fn codes(result: Result<Approval, Vec<Refusal>>) -> Vec<&'static str> {
        result.unwrap_err().iter().map(Refusal::code).collect()
    }

    #[test]
    fn an_enrolled_adult_in_the_window_may_pay_any_open_tier() {
        let ok = decide(&policy(), &enrolled(), 2026, tier("1500"), IN_WINDOW).unwrap();
        assert_eq!(ok.amount.to_fen(), 150_000);
        assert_eq!(tiers_for(&policy(), false).len(), 9);
        assert_eq!(tiers_for(&policy(), true).len(), 10);
    }

    #[test]
    fn three_hundred_is_for_the_severely_disabled_only() {
        let p = policy();
        assert_eq!(
            codes(decide(&p, &enrolled(), 2026, tier("300"), IN_WINDOW)),
            ["tier_restricted"]
        );
        let disabled = PersonFacts {
            severely_disabled: true,
            ..enrolled()
        };
        assert!(decide(&p, &disabled, 2026, tier("300"), IN_WINDOW).is_ok());
    }

    #[test]
    fn every_reason_is_reported_at_once() {
        let facts = PersonFacts {
            status: RosterStatus::NotEnrolled,
            birth_date: date!(2015 - 01 - 01),
            ..enrolled()
        };
        let after = datetime!(2026-05-01 00:00 +8);
        assert_eq!(
            codes(decide(&policy(), &facts, 2026, tier("600"), after)),
            ["not_enrolled", "too_young", "not_a_tier", "window_closed"]
        );
    }

    #[test]
    fn ages_are_checked_on_todays_date_in_china() {
        let p = policy();
        let turns_16 = PersonFacts {
            birth_date: date!(2010 - 03 - 01),
            ..enrolled()
        };
        let day_before = datetime!(2026-02-28 23:59:59 +8);
        assert_eq!(
            codes(decide(&p, &turns_16, 2026, tier("500"), day_before)),
            ["too_young"]
        );
        assert!(decide(
            &p,
            &turns_16,
            2026,
            tier("500"),
            datetime!(2026-03-01 00:00 +8)
        )
        .is_ok());
        let turns_60 = PersonFacts {
            birth_date: date!(1966 - 03 - 01),
            ..enrolled()
        };
        assert!(decide(&p, &turns_60, 2026, tier("500"), day_before).is_ok());
        assert_eq!(
            codes(decide(
                &p,
                &turns_60,
                2026,
                tier("500"),
                datetime!(2026-03-01 00:00 +8)
            )),
            ["at_benefit_age"]
        );
    }

    #[test]
    fn years_other_than_this_one_are_refused_with_guidance() {
        let p = policy();
        let past = decide(&p, &enrolled(), 2023, tier("500"), IN_WINDOW).unwrap_err();
        assert_eq!(past, [Refusal::PastYear { year: 2023 }]);
        assert!(past[0].zh().contains("补缴居民基本养老保险申请表"));
        assert_eq!(
            codes(decide(&p, &enrolled(), 2027, tier("500"), IN_WINDOW)),
            ["future_year"]
        );
        assert_eq!(
            codes(decide(&p, &enrolled(), 2025, tier("500"), IN_WINDOW)),
            ["past_year", "already_paid"]
        );
    }

    #[test]
    fn an_intent_prepared_on_30_april_is_refused_when_it_arrives_on_1_may() {
        let p = policy();
        assert!(decide(
            &p,
            &enrolled(),
            2026,
            tier("500"),
            datetime!(2026-04-30 23:59:59 +8)
        )
        .is_ok());
        // 17:00 UTC on 30 April is 01:00 on 1 May in Wendeng.
        let arrival = datetime!(2026-04-30 17:00 UTC);
        assert_eq!(
            codes(decide(&p, &enrolled(), 2026, tier("500"), arrival)),
            ["window_closed"]
        );
    }

    #[test]
    fn paid_years_and_pension_drawers_are_not_charged() {
        let p = policy();
        let paid = PersonFacts {
            paid_years: BTreeSet::from([2026]),
            ..enrolled()
        };
        assert_eq!(
            codes(decide(&p, &paid, 2026, tier("500"), IN_WINDOW)),
            ["already_paid"]
        );
        let drawing = PersonFacts {
            status: RosterStatus::DrawingPension,
            birth_date: date!(1950 - 01 - 01),
            ..enrolled()
        };
        assert_eq!(
            codes(decide(&p, &drawing, 2026, tier("500"), IN_WINDOW)),
            ["drawing_pension"]
        );
    }
}
