//! 养老金测算: what a tier brings. One pure function, [`project`], estimates a person's
//! monthly pension at benefit age (60) from their birth year, the years already paid (the
//! roster knows them), the tier they choose and the policy, and says what 补缴 (back payment)
//! of the missing years would change. The phone runs it offline on the synced policy; it is an
//! estimate (估算), never a promise, and [`Projection::assumptions`] says what it assumes.
//!
//! The arithmetic (all `rust_decimal`, no floats):
//! - Years still to pay: from `start_year` on, every year the person is of contribution age
//!   (the age reached in the year, as in `applications::back_payable_years`: 16 to 59).
//! - Personal account: the years already paid are assumed to be consecutive, just before
//!   `start_year`, at the lowest tier open to everyone (500) with its subsidy (the app does not
//!   know their real tiers); every year from `start_year` is the chosen tier plus its subsidy.
//!   Once a year the balance is credited with the policy's rate, then the year's money is
//!   added: `B = round(B × (1 + rate)) + tier + subsidy`. The last year's money earns nothing.
//! - At 60: `basic + round(B ÷ divisor) + bonus × max(0, years − minimum years)`; each age
//!   extra (65, 75) is added from its age on.
//! - Rounding: to the fen (0.01 yuan), half away from zero, after each year's crediting and
//!   for the account's monthly part.
//! - 补缴: the missing years paid now at the same tier, without subsidy (unless the policy
//!   gives one), added to the balance in `start_year`.

use crate::json::FromJson;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::Money;
use crate::policy::Policy;
use crate::tiers::TierAmount;

/// What the estimate needs to know about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contributor {
    pub birth_year: i32,
    /// Years on record before `start_year` (whoever paid, back payments included).
    pub years_paid: u32,
    /// Past years that could still be back-paid (补缴) and are not paid.
    pub missed_years: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProjectionError {
    #[error("{0} 元不是本年度的缴费档次")]
    NotATier(TierAmount),
    #[error("金额超出可计算的范围")]
    Overflow,
}

/// What 补缴 of the missing years would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct BackPaymentEffect {
    pub years: u32,
    /// tier × years, no subsidy.
    pub cost: Money,
    pub earns_subsidy: bool,
    pub years_by_benefit_age: u32,
    pub reaches_minimum: bool,
    pub monthly_at_benefit_age: Money,
    /// How much more a month than without back payment.
    pub monthly_gain: Money,
}

/// The estimate for one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct Projection {
    pub tier: TierAmount,
    /// What the person pays each year (the tier).
    pub yearly_cost: Money,
    /// What the government adds each year (paid in the window).
    pub subsidy_per_year: Money,
    /// Years still to pay from `start_year` until benefit age.
    pub years_to_pay: u32,
    pub years_by_benefit_age: u32,
    pub min_years: u32,
    /// Whether `min_years` (15) is reached by benefit age without back payment.
    pub reaches_minimum: bool,
    pub account_at_benefit_age: Money,
    pub basic_monthly: Money,
    pub account_monthly: Money,
    pub bonus_monthly: Money,
    /// basic + account ÷ divisor + bonus. Paid only once `min_years` are reached.
    pub monthly_at_benefit_age: Money,
    /// The monthly pension from each age extra's age on: (age, monthly).
    pub with_age_extras: Vec<(u8, Money)>,
    /// `None` when there is nothing to back-pay.
    pub back_payment: Option<BackPaymentEffect>,
}

impl Projection {
    /// What the estimate assumes, in one line for the tier screen.
    pub fn assumptions(policy: &Policy, contributor: &Contributor) -> String {
        let lowest = policy
            .lowest_open_tier()
            .map(|t| t.to_string())
            .unwrap_or_default();
        format!(
            "估算假设：每年都按所选档次缴到{}岁；已缴{}年按{}元档计；个人账户每年按{}%记账；\
             基础养老金{}元/月；个人账户÷{}。实际以社保部门核定为准。",
            policy.benefit_age,
            contributor.years_paid,
            lowest,
            policy.pension.crediting_rate.percent.normalize(),
            policy.pension.basic_monthly.value,
            policy.pension.account_divisor.value,
        )
    }
}

fn fen(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn money(d: Decimal) -> Result<Money, ProjectionError> {
    Money::try_from(fen(d)).map_err(|_| ProjectionError::Overflow)
}

/// The balance after crediting once a year and adding each year's money, in order.
fn balance(years: impl IntoIterator<Item = Decimal>, rate: Decimal) -> Decimal {
    years.into_iter().fold(Decimal::ZERO, |b, paid| {
        fen(b * (Decimal::ONE + rate)) + paid
    })
}

/// The years from `start_year` on at which a person born in `birth_year` may still pay.
pub fn years_to_pay(policy: &Policy, birth_year: i32, start_year: i32) -> u32 {
    let first = start_year.max(birth_year + i32::from(policy.min_age));
    let last = birth_year + i32::from(policy.benefit_age) - 1;
    u32::try_from(last - first + 1).unwrap_or(0)
}

/// The estimate of `tier` for `contributor`, paying from `start_year` (this year when it is
/// not paid yet, else next year).
pub fn project(
    policy: &Policy,
    contributor: &Contributor,
    start_year: i32,
    tier: TierAmount,
) -> Result<Projection, ProjectionError> {
    let subsidy = policy
        .subsidy(tier)
        .ok_or(ProjectionError::NotATier(tier))?;
    let past = policy.lowest_open_tier().unwrap_or(tier);
    let past_year = past.money().yuan() + policy.subsidy(past).unwrap_or_default().yuan();
    let this_year = tier.money().yuan() + subsidy.yuan();
    let rate = policy.pension.crediting_rate.percent / Decimal::ONE_HUNDRED;
    let n = years_to_pay(policy, contributor.birth_year, start_year);
    let paid = contributor.years_paid;
    let min_years = u32::from(policy.min_years_for_pension);

    // The months at benefit age, for a balance and a number of years.
    let monthly =
        |balance: Decimal, years: u32| -> Result<(Money, Money, Money), ProjectionError> {
            let r = &policy.pension;
            let account = money(balance / Decimal::from(r.account_divisor.value))?;
            let beyond = years.saturating_sub(min_years);
            let bonus = r
                .bonus_per_year_beyond_minimum
                .as_ref()
                .map_or(Decimal::ZERO, |b| b.value.yuan() * Decimal::from(beyond));
            let bonus = money(bonus)?;
            let total = money(r.basic_monthly.value.yuan() + account.yuan() + bonus.yuan())?;
            Ok((account, bonus, total))
        };

    let years = |extra_now: Decimal| {
        let past = (0..paid).map(move |_| past_year);
        let future =
            (0..n).map(move |i| this_year + if i == 0 { extra_now } else { Decimal::ZERO });
        // With no year left to pay, back payment is still one more deposit.
        let alone = (n == 0 && !extra_now.is_zero()).then_some(extra_now);
        past.chain(future).chain(alone)
    };
    let b = balance(years(Decimal::ZERO), rate);
    let years_by = paid + n;
    let (account, bonus, total) = monthly(b, years_by)?;

    let back_payment = match contributor.missed_years {
        0 => None,
        m => {
            let per_year = tier.money().yuan()
                + if policy.back_payment_subsidy {
                    subsidy.yuan()
                } else {
                    Decimal::ZERO
                };
            let lump = per_year * Decimal::from(m);
            let cost = money(tier.money().yuan() * Decimal::from(m))?;
            let b2 = balance(years(lump), rate);
            let (_, _, total2) = monthly(b2, years_by + m)?;
            Some(BackPaymentEffect {
                years: m,
                cost,
                earns_subsidy: policy.back_payment_subsidy,
                years_by_benefit_age: years_by + m,
                reaches_minimum: years_by + m >= min_years,
                monthly_at_benefit_age: total2,
                monthly_gain: money(total2.yuan() - total.yuan())?,
            })
        }
    };
    let with_age_extras = policy
        .pension
        .age_extras
        .iter()
        .map(|e| Ok((e.from_age, money(total.yuan() + e.value.yuan())?)))
        .collect::<Result<_, ProjectionError>>()?;
    Ok(Projection {
        tier,
        yearly_cost: tier.money(),
        subsidy_per_year: subsidy,
        years_to_pay: n,
        years_by_benefit_age: years_by,
        min_years,
        reaches_minimum: years_by >= min_years,
        account_at_benefit_age: money(b)?,
        basic_monthly: policy.pension.basic_monthly.value,
        account_monthly: account,
        bonus_monthly: bonus,
        monthly_at_benefit_age: total,
        with_age_extras,
        back_payment,
    })
}

#[cfg(test)]
mod tests;
