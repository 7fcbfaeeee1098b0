//! The town center's check of a back-payment application, year by year: which of the years
//! asked for may be paid and why each other one may not (already paid, not a past year, not
//! covered, outside the contribution ages), beside the reasons that refuse the whole form (not
//! enrolled, the tier). One application with one paid year still gets a slip for the others;
//! the phone offers the years with the same age and coverage rules.

use std::collections::BTreeSet;

use time::Date;

use super::{BackRefusal, MAX_BACK_YEARS};
use crate::eligibility::{PersonFacts, RosterStatus};
use crate::money::Money;
use crate::policy::Policy;
use crate::tiers::TierAmount;

/// Whether a person born on `birth` was of contribution age (16 to 59 under Wendeng's policy)
/// in `year`, counting the age reached in that year.
fn in_contribution_ages(policy: &Policy, birth: Date, year: i32) -> bool {
    let age = year - birth.year();
    age >= i32::from(policy.min_age) && age < i32::from(policy.benefit_age)
}

/// The past years a person born on `birth` could ask to back-pay: before `this_year`, covered
/// by a policy, at contribution age. Which of them are already paid only the server knows;
/// the form offers these, and the town center's check refuses a paid one.
pub fn back_payable_years<'p>(
    policy_of: impl Fn(i32) -> Option<&'p Policy>,
    birth: Date,
    this_year: i32,
) -> Vec<i32> {
    (birth.year()..this_year)
        .filter(|&year| policy_of(year).is_some_and(|p| in_contribution_ages(p, birth, year)))
        .collect()
}

/// A slip's worth: the payable years (ascending) and the amount, tier × those years. No
/// subsidy unless the policy says back payment earns one (Wendeng's does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackQuote {
    pub years: Vec<i32>,
    pub amount: Money,
    pub earns_subsidy: bool,
}

/// What the check found: the reasons against the whole form, and each year asked for (once,
/// ascending) with the reasons against it (none: payable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackCheck {
    pub general: Vec<BackRefusal>,
    pub years: Vec<(i32, Vec<BackRefusal>)>,
    tier: TierAmount,
    earns_subsidy: bool,
}

impl BackCheck {
    /// The years a slip may cover: none while the form itself is refused.
    pub fn payable_years(&self) -> Vec<i32> {
        if !self.general.is_empty() {
            return Vec::new();
        }
        self.years
            .iter()
            .filter(|(_, why)| why.is_empty())
            .map(|(year, _)| *year)
            .collect()
    }

    /// Why the years left off a slip are left off (or, with `general`, why a form is returned).
    pub fn year_refusals(&self) -> Vec<BackRefusal> {
        self.years
            .iter()
            .flat_map(|(_, why)| why.iter().cloned())
            .collect()
    }

    /// Every reason found, the form's first.
    pub fn refusals(&self) -> Vec<BackRefusal> {
        let mut all = self.general.clone();
        all.extend(self.year_refusals());
        all
    }

    /// The slip for the payable years, if there is any payable year.
    pub fn quote(&self) -> Option<BackQuote> {
        let years = self.payable_years();
        let amount = self.tier.money().checked_mul(years.len() as u32).ok()?;
        (!years.is_empty()).then_some(BackQuote {
            years,
            amount,
            earns_subsidy: self.earns_subsidy,
        })
    }
}

/// The town center's check. `current` is the policy in force today (its tiers price the slip);
/// `policy_of(year)` is the policy that covered a past year, if any (its ages apply to it).
/// Every reason is found at once, each against the year it is about.
pub fn check_back_years<'p>(
    current: &Policy,
    policy_of: impl Fn(i32) -> Option<&'p Policy>,
    facts: &PersonFacts,
    years: &[i32],
    tier: TierAmount,
    this_year: i32,
) -> BackCheck {
    let mut general = Vec::new();
    if facts.status != RosterStatus::Enrolled {
        general.push(BackRefusal::NotEnrolled);
    }
    let set: BTreeSet<i32> = crate::short_sort::set_of(years.iter().copied());
    if set.is_empty() {
        general.push(BackRefusal::NoYears);
    } else if set.len() > MAX_BACK_YEARS {
        general.push(BackRefusal::TooManyYears {
            max: MAX_BACK_YEARS,
        });
    }
    match current.tier(tier) {
        None => general.push(BackRefusal::NotATier {
            amount: tier.money(),
        }),
        Some(rule) if !rule.allows(facts.severely_disabled) => {
            general.push(BackRefusal::TierRestricted {
                amount: tier.money(),
            })
        }
        Some(_) => {}
    }
    let per_year = set
        .iter()
        .take(MAX_BACK_YEARS + 1)
        .map(|&year| (year, year_refusals(&policy_of, facts, year, this_year)))
        .collect();
    BackCheck {
        general,
        years: per_year,
        tier,
        earns_subsidy: current.back_payment_subsidy,
    }
}

fn year_refusals<'p>(
    policy_of: &impl Fn(i32) -> Option<&'p Policy>,
    facts: &PersonFacts,
    year: i32,
    this_year: i32,
) -> Vec<BackRefusal> {
    if year >= this_year {
        return vec![BackRefusal::NotPastYear { year }];
    }
    let Some(policy) = policy_of(year) else {
        return vec![BackRefusal::YearNotCovered { year }];
    };
    let mut why = Vec::new();
    if !in_contribution_ages(policy, facts.birth_date, year) {
        let age = year - facts.birth_date.year();
        why.push(BackRefusal::AgeOutside { year, age });
    }
    if facts.paid_years.contains(&year) {
        why.push(BackRefusal::AlreadyPaid { year });
    }
    why
}
