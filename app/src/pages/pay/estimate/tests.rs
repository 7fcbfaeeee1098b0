//! The tier screen's estimate, as a person reads it: one row per tier, the 15-year warning and
//! the 补缴 hint (born 1970, ten years on record, two missed: `fixtures::verified`).

use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::policy::{PolicyVersion, DEFAULT_REGION};
use yanglao_shared::wire::PayeeCheck;
use yanglao_shared::PolicyTable;

use super::*;
use crate::fixtures::{pending_payee, verified_payee};

fn policy_2026() -> yanglao_shared::Policy {
    PolicyTable::builtin()
        .lookup(DEFAULT_REGION, 2026)
        .unwrap()
        .clone()
}

#[wasm_bindgen_test]
fn every_tier_gets_its_cost_subsidy_and_estimate_and_higher_brings_more() {
    let est = estimate::for_payee(&policy_2026(), &verified_payee(1), 2026).unwrap();
    let tiers: Vec<String> = est.rows.iter().map(|p| p.tier.to_string()).collect();
    assert_eq!(
        tiers,
        ["500", "800", "1000", "1500", "2000", "2500", "3000", "4000", "5000"]
    );
    assert!(est
        .rows
        .iter()
        .all(|p| p.subsidy_per_year.to_string() == "60"));
    assert!(est
        .rows
        .windows(2)
        .all(|w| w[0].monthly_at_benefit_age < w[1].monthly_at_benefit_age));
    // 2026–2029 still to pay (ages 56–59): 10 + 4 = 14 years by 60.
    assert_eq!(est.years(), Some((14, false, 15)));
    assert!(est.assumptions.contains("估算假设") && est.assumptions.contains("1.5%"));
}

#[wasm_bindgen_test]
fn no_estimate_without_what_the_server_knows() {
    let policy = policy_2026();
    assert_eq!(estimate::for_payee(&policy, &pending_payee(2), 2026), None);
    let mut older_server = verified_payee(3);
    if let PayeeCheck::Verified { contributor, .. } = &mut older_server.check {
        *contributor = None;
    }
    assert_eq!(estimate::for_payee(&policy, &older_server, 2026), None);
}

#[wasm_bindgen_test]
fn short_of_fifteen_years_the_warning_and_the_back_payment_hint_say_what_to_do() {
    i18n::set_lang(Lang::Zh);
    let est = estimate::for_payee(&policy_2026(), &verified_payee(1), 2026).unwrap();
    let (years, reaches, min) = est.years().unwrap();
    let warning = minimum_warning(years, reaches, min).unwrap();
    assert!(warning.contains("累计只有14年，不满15年"), "{warning}");
    assert_eq!(minimum_warning(15, true, 15), None);
    let hint = back_payment_hint(&est.rows[0]).unwrap();
    assert!(
        hint.contains("往年有2年未缴") && hint.contains("按500元档补缴需1000元"),
        "{hint}"
    );
    assert!(
        hint.contains("不享受政府补贴") && hint.contains("累计16年，够领取条件"),
        "{hint}"
    );
    i18n::set_lang(Lang::En);
    let hint = back_payment_hint(&est.rows[0]).unwrap();
    assert!(hint.contains("2 past years are unpaid"), "{hint}");
    i18n::set_lang(Lang::Zh);
}

#[wasm_bindgen_test]
fn a_pension_is_shown_with_both_decimals() {
    assert_eq!(
        fen(yanglao_shared::Money::parse("289.5").unwrap()),
        "289.50"
    );
    assert_eq!(fen(yanglao_shared::Money::parse("188").unwrap()), "188.00");
}

#[wasm_bindgen_test]
fn the_phone_names_the_policy_it_uses() {
    let policy = policy_2026();
    assert_eq!(
        estimate::policy_label(&policy, None, 2026),
        "2026年政策（内置第1版，部分数字待确认）"
    );
    let v2 = PolicyVersion {
        number: 2,
        effective_from: time::macros::date!(2026 - 03 - 02),
        published_by: Some("admin".into()),
        published_at: None,
        years: "2026".into(),
    };
    assert_eq!(
        estimate::policy_label(&policy, Some(&v2), 2026),
        "2026年政策（第2版，部分数字待确认）"
    );
}
