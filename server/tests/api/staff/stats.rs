//! Window statistics against a known roster and ledger: mother paid 1500 and father 500 in
//! the app for 2026; 西楼村's 刘桂兰 paid 800 at the counter. The pensioner is not counted.

use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::staff::roles::Role;
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::TierTotal;
use yanglao_shared::PolicyTable;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    village_stats_count_enrolled_paid_unpaid_and_tiers,
    the_unpaid_list_defaults_to_this_year_and_masks_id_numbers,
    town_stats_add_up_its_villages,
    last_years_stats_come_from_the_roster_history,
    a_year_out_of_range_is_refused,
    a_year_that_is_not_a_number_is_an_invalid_query,
);

fn total(amount: &str, count: i64) -> TierTotal {
    let fen = amount.parse::<i64>().unwrap() * 100;
    TierTotal {
        amount_fen: fen,
        amount: amount.into(),
        count,
        sum_fen: fen * count,
    }
}

/// The payments above; returns the village assistant of 岛山村.
async fn paid_this_year(app: &TestApp) -> String {
    app.seed(&second_village()).await;
    let payer = app.account("13800000092").await;
    let mum = app.add_payee(&payer, &mother()).await;
    let dad = app.add_payee(&payer, &father()).await;
    let card = app.bind_card(&payer, &test_cards::pays()).await;
    let intents = vec![
        intent(mum, "1500", Some(card)),
        intent(dad, "500", Some(card)),
    ];
    let paid = app.api.sync(&payer, &push(None, intents)).await.unwrap();
    assert_eq!(states(&paid), ["paid", "paid"]);
    app.staff("13900000012", Role::Village, TOWN, Some(VILLAGE))
        .await
        .1
}

async fn village_stats_count_enrolled_paid_unpaid_and_tiers(app: &TestApp) {
    let village = paid_this_year(app).await;
    let s = app.api.staff_stats(&village, "year=2026").await.unwrap();
    assert_eq!((s.enrolled, s.paid, s.unpaid), (3, 2, 1));
    assert_eq!(s.charging, 0);
    assert_eq!(s.paid_fen, 200_000);
    assert_eq!(s.tiers, [total("500", 1), total("1500", 1)]);
    let policy = PolicyTable::builtin();
    let expected_days = match policy
        .lookup("371003", 2026)
        .unwrap()
        .window
        .state_at(IN_WINDOW)
    {
        WindowState::Open { days_left, .. } => days_left,
        other => panic!("{other:?}"),
    };
    assert_eq!(s.days_left, expected_days);
    assert!(matches!(s.window, WindowState::Open { .. }));
}

async fn the_unpaid_list_defaults_to_this_year_and_masks_id_numbers(app: &TestApp) {
    let village = paid_this_year(app).await;
    let unpaid = app.api.staff_unpaid(&village, "").await.unwrap();
    assert_eq!(unpaid.year, 2026, "this year by default");
    assert_eq!(unpaid.people.len(), 1);
    assert_eq!(unpaid.people[0].name, disabled_neighbour().name);
    let masked = &unpaid.people[0].id_masked;
    assert!(masked.contains('*') && masked != disabled_neighbour().id_number.as_str());
    let text = serde_json::to_string(&unpaid).unwrap();
    assert!(!text.contains(disabled_neighbour().id_number.as_str()));
}

async fn town_stats_add_up_its_villages(app: &TestApp) {
    paid_this_year(app).await;
    let (_, town) = app.staff("13900000013", Role::Town, TOWN, None).await;
    let t = app.api.staff_stats(&town, "year=2026").await.unwrap();
    assert_eq!((t.enrolled, t.paid, t.unpaid), (5, 3, 2));
    let tiers: Vec<&str> = t.tiers.iter().map(|x| x.amount.as_str()).collect();
    assert_eq!(tiers, ["500", "800", "1500"]);
    assert_eq!(t.paid_fen, 280_000);
}

/// Mother and father paid 500 each for 2025 (roster history); that window is closed.
async fn last_years_stats_come_from_the_roster_history(app: &TestApp) {
    let village = paid_this_year(app).await;
    let last = app.api.staff_stats(&village, "year=2025").await.unwrap();
    assert_eq!((last.paid, last.unpaid, last.days_left), (2, 1, 0));
    assert_eq!(last.tiers, [total("500", 2)]);
}

async fn a_year_out_of_range_is_refused(app: &TestApp) {
    let (_, village) = app
        .staff("13900000012", Role::Village, TOWN, Some(VILLAGE))
        .await;
    let bad = app
        .api
        .staff_stats(&village, "year=1900")
        .await
        .unwrap_err();
    assert_eq!(bad.code, "bad_year");
}

async fn a_year_that_is_not_a_number_is_an_invalid_query(app: &TestApp) {
    let (_, village) = app
        .staff("13900000012", Role::Village, TOWN, Some(VILLAGE))
        .await;
    let junk = app.api.staff_stats(&village, "year=abc").await.unwrap_err();
    assert_eq!(junk.code, "invalid_query");
}
