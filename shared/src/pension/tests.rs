//! Hand-worked examples (the arithmetic is written out beside each) and properties. The
//! built-in 2026 policy: basic pension 188 yuan/month, subsidy 60 yuan for 500 and above (50
//! for 300), +2 yuan/month per year beyond 15, account ÷ 139, crediting rate 1.5 %.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::policy::{PolicyTable, DEFAULT_REGION};

fn policy_2026() -> Policy {
    PolicyTable::builtin()
        .lookup(DEFAULT_REGION, 2026)
        .unwrap()
        .clone()
}

fn at_rate(percent: &str) -> Policy {
    let mut p = policy_2026();
    p.pension.crediting_rate.percent = percent.parse::<Decimal>().unwrap();
    p
}

fn tier(t: &str) -> TierAmount {
    TierAmount::parse(t).unwrap()
}

fn yuan(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn person(birth_year: i32, years_paid: u32, missed_years: u32) -> Contributor {
    Contributor {
        birth_year,
        years_paid,
        missed_years,
    }
}

#[test]
fn three_years_left_at_2000_yuan_credited_at_one_and_a_half_percent() {
    // Born 1969: pays 2026, 2027, 2028 (ages 57–59), nothing before. Each year 2000 + 60.
    //   2026: 0 × 1.015 + 2060                         = 2060.00
    //   2027: 2060.00 × 1.015 = 2090.90;   + 2060      = 4150.90
    //   2028: 4150.90 × 1.015 = 4213.1635 → 4213.16; + 2060 = 6273.16
    //   account part: 6273.16 ÷ 139 = 45.1306… → 45.13
    //   3 years < 15: no pension without 补缴; were it paid: 188 + 45.13 = 233.13
    let p = project(&policy_2026(), &person(1969, 0, 0), 2026, tier("2000")).unwrap();
    assert_eq!(p.yearly_cost, yuan("2000"));
    assert_eq!(p.subsidy_per_year, yuan("60"));
    assert_eq!((p.years_to_pay, p.years_by_benefit_age), (3, 3));
    assert!(!p.reaches_minimum);
    assert_eq!(p.account_at_benefit_age, yuan("6273.16"));
    assert_eq!(p.account_monthly, yuan("45.13"));
    assert_eq!(p.bonus_monthly, Money::ZERO);
    assert_eq!(p.monthly_at_benefit_age, yuan("233.13"));
    assert_eq!(p.back_payment, None);
}

#[test]
fn past_years_count_at_500_and_each_year_is_rounded_to_the_fen() {
    // Born 1968: 2 years on record (taken as 2024, 2025 at 500 + 60), then 2026, 2027 at 1000 + 60.
    //   2024: 560.00
    //   2025: 560.00 × 1.015 = 568.40;   + 560 = 1128.40
    //   2026: 1128.40 × 1.015 = 1145.326 → 1145.33; + 1060 = 2205.33
    //   2027: 2205.33 × 1.015 = 2238.40995 → 2238.41; + 1060 = 3298.41
    //   3298.41 ÷ 139 = 23.7296… → 23.73; 188 + 23.73 = 211.73
    let p = project(&policy_2026(), &person(1968, 2, 0), 2026, tier("1000")).unwrap();
    assert_eq!((p.years_to_pay, p.years_by_benefit_age), (2, 4));
    assert_eq!(p.account_at_benefit_age, yuan("3298.41"));
    assert_eq!(p.monthly_at_benefit_age, yuan("211.73"));
}

#[test]
fn twenty_years_earn_the_bonus_for_five_years_beyond_fifteen() {
    // Born 1986: pays 2026 … 2045 (ages 40–59), 20 years at 1000 + 60 = 1060, at 1.5 %.
    //   B = 1060 × (1.015^20 − 1) ÷ 0.015 ≈ 24511.10 (each year rounded as above)
    //   account part: 24511.10 ÷ 139 = 176.338… → 176.34
    //   bonus: (20 − 15) × 2 = 10
    //   monthly: 188 + 176.34 + 10 = 374.34; from 65: + 5 = 379.34; from 75: + 10 = 384.34
    let p = project(&policy_2026(), &person(1986, 0, 0), 2026, tier("1000")).unwrap();
    assert_eq!((p.years_to_pay, p.years_by_benefit_age), (20, 20));
    assert!(p.reaches_minimum);
    assert_eq!(p.account_at_benefit_age, yuan("24511.10"));
    assert_eq!(p.account_monthly, yuan("176.34"));
    assert_eq!(p.bonus_monthly, yuan("10"));
    assert_eq!(p.monthly_at_benefit_age, yuan("374.34"));
    assert_eq!(
        p.with_age_extras,
        vec![(65, yuan("379.34")), (75, yuan("384.34"))]
    );
}

#[test]
fn back_payment_of_the_missing_years_reaches_fifteen_without_subsidy() {
    // At 0 % so the sums stay whole. Born 1969: 10 years on record, 3 to go (2026–2028),
    // 3 missed years.
    //   without 补缴: 10 × 560 + 3 × 560 = 7280; 7280 ÷ 139 = 52.374… → 52.37;
    //                 13 years < 15; 188 + 52.37 = 240.37
    //   with 补缴:    3 × 500 = 1500 more, no subsidy: 8780; 8780 ÷ 139 = 63.165… → 63.17;
    //                 16 years: bonus (16 − 15) × 2 = 2; 188 + 63.17 + 2 = 253.17
    //   gain: 253.17 − 240.37 = 12.80 a month, for 1500 yuan
    let p = project(&at_rate("0"), &person(1969, 10, 3), 2026, tier("500")).unwrap();
    assert_eq!(p.years_by_benefit_age, 13);
    assert!(!p.reaches_minimum);
    assert_eq!(p.monthly_at_benefit_age, yuan("240.37"));
    let back = p.back_payment.unwrap();
    assert_eq!(back.cost, yuan("1500"));
    assert!(!back.earns_subsidy);
    assert_eq!(back.years_by_benefit_age, 16);
    assert!(back.reaches_minimum);
    assert_eq!(back.monthly_at_benefit_age, yuan("253.17"));
    assert_eq!(back.monthly_gain, yuan("12.80"));
}

#[test]
fn at_benefit_age_nothing_is_left_to_pay_and_back_payment_still_counts() {
    // Born 1966: 60 in 2026, no year left. 15 on record at 500 + 60, 0 %: 15 × 560 = 8400;
    // 8400 ÷ 139 = 60.431… → 60.43; 188 + 60.43 = 248.43. 补缴 of 1 year at 500: 8900 ÷ 139
    // = 64.028… → 64.03, one year beyond 15: + 2 → 254.03.
    let p = project(&at_rate("0"), &person(1966, 15, 1), 2026, tier("500")).unwrap();
    assert_eq!((p.years_to_pay, p.years_by_benefit_age), (0, 15));
    assert_eq!(p.monthly_at_benefit_age, yuan("248.43"));
    assert_eq!(
        p.back_payment.unwrap().monthly_at_benefit_age,
        yuan("254.03")
    );
}

#[test]
fn the_young_start_at_sixteen_and_a_tier_must_be_the_policys() {
    // Born 2012: 14 in 2026, pays from 2028 (16) to 2071 (59): 44 years.
    assert_eq!(years_to_pay(&policy_2026(), 2012, 2026), 44);
    assert_eq!(
        project(&policy_2026(), &person(1980, 0, 0), 2026, tier("600")),
        Err(ProjectionError::NotATier(tier("600")))
    );
    let line = Projection::assumptions(&policy_2026(), &person(1980, 3, 0));
    assert!(
        line.contains("已缴3年按500元档计") && line.contains("1.5%"),
        "{line}"
    );
}

proptest! {
    #[test]
    fn a_higher_tier_never_brings_less(
        birth in 1960i32..2012, paid in 0u32..30, missed in 0u32..5,
        a in 0usize..10, b in 0usize..10, rate in 0u32..500,
    ) {
        let mut policy = policy_2026();
        policy.pension.crediting_rate.percent = Decimal::new(i64::from(rate), 2);
        let (lo, hi) = (a.min(b), a.max(b));
        let who = person(birth, paid, missed);
        let low = project(&policy, &who, 2026, policy.tiers[lo].amount).unwrap();
        let high = project(&policy, &who, 2026, policy.tiers[hi].amount).unwrap();
        prop_assert!(high.monthly_at_benefit_age >= low.monthly_at_benefit_age);
        prop_assert!(high.yearly_cost >= low.yearly_cost);
        prop_assert_eq!(high.years_by_benefit_age, low.years_by_benefit_age);
    }

    #[test]
    fn more_years_and_back_payment_never_bring_less(
        birth in 1960i32..2012, paid in 0u32..30, missed in 1u32..5, t in 0usize..10,
    ) {
        let policy = policy_2026();
        let tier = policy.tiers[t].amount;
        let p = project(&policy, &person(birth, paid, missed), 2026, tier).unwrap();
        let more = project(&policy, &person(birth, paid + 1, missed), 2026, tier).unwrap();
        prop_assert!(more.monthly_at_benefit_age >= p.monthly_at_benefit_age);
        prop_assert_eq!(p.reaches_minimum, p.years_by_benefit_age >= 15);
        let back = p.back_payment.clone().unwrap();
        prop_assert!(back.monthly_at_benefit_age >= p.monthly_at_benefit_age);
        prop_assert_eq!(back.years_by_benefit_age, p.years_by_benefit_age + missed);
        prop_assert_eq!(back.cost, tier.money().checked_mul(missed).unwrap());
        prop_assert!(p.monthly_at_benefit_age >= p.basic_monthly);
    }
}
