use std::collections::BTreeSet;

use time::macros::date;

use super::*;
use crate::eligibility::{PersonFacts, RosterStatus};
use crate::policy::{PolicyTable, DEFAULT_REGION};

fn facts() -> PersonFacts {
    PersonFacts {
        status: RosterStatus::Enrolled,
        birth_date: date!(1968 - 05 - 12),
        severely_disabled: false,
        paid_years: BTreeSet::from([2023, 2024, 2025]),
    }
}

fn checked(facts: &PersonFacts, years: &[i32], tier: &str) -> BackCheck {
    let table = PolicyTable::builtin();
    let current = table.lookup(DEFAULT_REGION, 2026).unwrap();
    check_back_years(
        current,
        |y| table.lookup(DEFAULT_REGION, y).ok(),
        facts,
        years,
        TierAmount::parse(tier).unwrap(),
        2026,
    )
}

/// Every year payable: the quote; otherwise every reason.
fn check(facts: &PersonFacts, years: &[i32], tier: &str) -> Result<BackQuote, Vec<BackRefusal>> {
    let found = checked(facts, years, tier);
    match found.refusals() {
        none if none.is_empty() => Ok(found.quote().expect("a payable year")),
        some => Err(some),
    }
}

fn codes(result: Result<BackQuote, Vec<BackRefusal>>) -> Vec<&'static str> {
    result.unwrap_err().iter().map(BackRefusal::code).collect()
}

#[test]
fn amount_is_tier_times_years_and_never_subsidised() {
    let quote = check(&facts(), &[2020, 2019, 2020], "1000").unwrap();
    assert_eq!(quote.years, [2019, 2020], "sorted, duplicates once");
    assert_eq!(quote.amount, Money::from_yuan(2000).unwrap());
    assert!(!quote.earns_subsidy);
}

#[test]
fn only_unpaid_past_covered_years_at_contribution_age() {
    assert_eq!(codes(check(&facts(), &[2024], "500")), ["already_paid"]);
    assert_eq!(
        codes(check(&facts(), &[2026, 2027], "500")),
        ["not_past_year", "not_past_year"]
    );
    // The built-in policy starts in 2018.
    assert_eq!(codes(check(&facts(), &[2017], "500")), ["year_not_covered"]);
    let young = PersonFacts {
        birth_date: date!(2004 - 01 - 01),
        ..facts()
    };
    assert_eq!(codes(check(&young, &[2019], "500")), ["age_outside"]);
    assert!(check(&young, &[2020], "500").is_ok(), "16 in 2020");
    let old = PersonFacts {
        birth_date: date!(1960 - 01 - 01),
        ..facts()
    };
    assert!(check(&old, &[2019], "500").is_ok(), "59 in 2019");
    assert_eq!(codes(check(&old, &[2020], "500")), ["age_outside"]);
}

#[test]
fn person_and_tier_rules() {
    let pensioner = PersonFacts {
        status: RosterStatus::DrawingPension,
        ..facts()
    };
    assert_eq!(codes(check(&pensioner, &[2020], "500")), ["not_enrolled"]);
    assert_eq!(codes(check(&facts(), &[2020], "300")), ["tier_restricted"]);
    let disabled = PersonFacts {
        severely_disabled: true,
        ..facts()
    };
    assert_eq!(
        check(&disabled, &[2020, 2021], "300").unwrap().amount,
        Money::from_yuan(600).unwrap()
    );
    assert_eq!(codes(check(&facts(), &[2020], "600")), ["not_a_tier"]);
    assert_eq!(codes(check(&facts(), &[], "500")), ["no_years"]);
    let many: Vec<i32> = (1900..2000).collect();
    assert!(codes(check(&facts(), &many, "500")).contains(&"too_many_years"));
}

#[test]
fn checklist_needs_disability_proof_only_when_claimed() {
    let seen = Checklist {
        household_register: true,
        id_card: true,
        disability_proof: false,
    };
    assert!(seen.missing(false).is_empty());
    assert_eq!(seen.missing(true), ["重度残疾证明"]);
    assert_eq!(Checklist::default().missing(false), ["户口簿", "身份证"]);
}

#[test]
fn form_text_rules() {
    assert_eq!(return_reason(Some("  缺户口簿 ")), Some("缺户口簿".into()));
    assert_eq!(return_reason(Some(" ")), None);
    assert_eq!(return_reason(None), None);
    assert_eq!(place_name(" 岛山村 "), Some("岛山村".into()));
    assert_eq!(place_name("村"), None);
    assert_eq!(bank_receipt_no(" nh20260001 "), Some("NH20260001".into()));
    assert_eq!(bank_receipt_no("NH-2026"), None);
    for s in [EnrolmentState::Submitted, EnrolmentState::Enrolled] {
        assert_eq!(EnrolmentState::parse(s.as_str()), Some(s));
    }
    for s in [BackPaymentState::SlipIssued, BackPaymentState::Paid] {
        assert_eq!(BackPaymentState::parse(s.as_str()), Some(s));
    }
}

#[test]
fn forms_refuse_unknown_fields() {
    let form = serde_json::json!({
        "id": Uuid::nil(), "name": "王秀英", "id_number": "x", "years": [2020],
        "tier": "500", "subsidy": true
    });
    assert!(serde_json::from_value::<BackPaymentForm>(form).is_err());
}

#[test]
fn refusals_carry_their_code_on_the_wire() {
    for refusal in [
        BackRefusal::NotEnrolled,
        BackRefusal::YearNotCovered { year: 2017 },
        BackRefusal::AgeOutside {
            year: 2019,
            age: 15,
        },
        BackRefusal::TooManyYears { max: 44 },
    ] {
        let wire = serde_json::to_value(&refusal).unwrap();
        assert_eq!(wire["code"], refusal.code());
        let reason = refusal.reason();
        assert_eq!(reason.code, refusal.code());
        assert!(!reason.zh.is_empty() && reason.en.is_ascii());
    }
}

#[test]
fn enrolment_needs_the_minimum_age() {
    let table = PolicyTable::builtin();
    let policy = table.lookup(DEFAULT_REGION, 2027).unwrap();
    let today = date!(2027 - 03 - 01);
    assert!(enrolment_too_young(policy, date!(2011 - 03 - 01), today).is_none());
    let young = enrolment_too_young(policy, date!(2011 - 03 - 02), today).unwrap();
    assert!(young.contains("15周岁"), "{young}");
    assert!(enrolment_too_young(policy, date!(1950 - 01 - 01), today).is_none());
}

#[test]
fn back_payable_years_are_covered_past_contribution_years() {
    let table = PolicyTable::builtin();
    let policy_of = |y| table.lookup(DEFAULT_REGION, y).ok();
    // Born 1968: 59 in 2027, so 2018 (the policy's first year) to 2026.
    let years = back_payable_years(policy_of, date!(1968 - 05 - 12), 2027);
    assert_eq!(years, (2018..=2026).collect::<Vec<_>>());
    // Born 1962: 60 from 2022 on, so only 2018 to 2021.
    let years = back_payable_years(policy_of, date!(1962 - 01 - 01), 2027);
    assert_eq!(years, (2018..=2021).collect::<Vec<_>>());
    // Born 2009: 16 in 2025, so 2025 and 2026.
    assert_eq!(
        back_payable_years(policy_of, date!(2009 - 12 - 31), 2027),
        vec![2025, 2026]
    );
    // Every offered year passes the town center's age and coverage checks.
    let facts = PersonFacts {
        paid_years: BTreeSet::new(),
        ..facts()
    };
    let years = back_payable_years(policy_of, facts.birth_date, 2026);
    assert!(check(&facts, &years, "500").is_ok());
}

#[test]
fn one_paid_year_leaves_a_slip_for_the_others() {
    // 2024 is paid; 2019 and 2020 are not.
    let found = checked(&facts(), &[2024, 2020, 2019], "500");
    assert!(found.general.is_empty());
    assert_eq!(found.payable_years(), [2019, 2020]);
    let quote = found.quote().unwrap();
    assert_eq!(
        quote.amount,
        Money::from_yuan(1000).unwrap(),
        "500 × 2 years"
    );
    let refused = found.year_refusals();
    assert_eq!(refused, [BackRefusal::AlreadyPaid { year: 2024 }]);
    assert_eq!(refused[0].year(), Some(2024));
    let wire = BackPaymentCheck::of(&found);
    assert_eq!(wire.payable_years, [2019, 2020]);
    assert_eq!(wire.years.len(), 3);
    assert_eq!(wire.years[2].year, 2024);
    assert_eq!(wire.years[2].refusals[0].code, "already_paid");
    assert_eq!(wire.amount, Some(Money::from_yuan(1000).unwrap()));
}

#[test]
fn a_refused_form_offers_no_year() {
    let pensioner = PersonFacts {
        status: RosterStatus::DrawingPension,
        ..facts()
    };
    let found = checked(&pensioner, &[2019, 2020], "500");
    assert!(found.payable_years().is_empty());
    assert!(found.quote().is_none());
    assert_eq!(found.refusals()[0], BackRefusal::NotEnrolled);
    let all_paid = checked(&facts(), &[2023, 2024], "500");
    assert!(all_paid.quote().is_none());
    assert_eq!(all_paid.year_refusals().len(), 2);
}

#[test]
fn decisions_and_old_states_decode() {
    let slip: BackPaymentDecision =
        serde_json::from_value(serde_json::json!({"decision": "slip", "years": [2021]})).unwrap();
    assert_eq!(slip, BackPaymentDecision::Slip { years: vec![2021] });
    let back: BackPaymentDecision =
        serde_json::from_value(serde_json::json!({"decision": "return", "reason": "请改选"}))
            .unwrap();
    assert!(matches!(
        back,
        BackPaymentDecision::Return { reason: Some(_) }
    ));
    // A phone may still keep a view from before returns existed.
    let old: BackPaymentState = serde_json::from_value(serde_json::json!("rejected")).unwrap();
    assert_eq!(old, BackPaymentState::Returned);
}
