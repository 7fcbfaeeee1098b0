//! Refund cases (退费) are resolved, never lost: refunded through the bank (whose statement
//! then says refunded), or booked to the person-year when that year is still free (the
//! payer then sees it paid, with a receipt); a taken year is refused. Only the town center of
//! the resident's town and administrators see or resolve them; bad input gets a code.

use reqwest::Method;
use uuid::Uuid;
use yanglao_server::gateway::{LineStatus, PaymentGateway};
use yanglao_server::payments::reconciliation::cases::CaseView;
use yanglao_server::staff::roles::Role;

use super::reconciliation::{
    bank_pays, call, cases, failed_but_bank_paid, reconcile, town_center, DAY,
};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_refund_goes_through_the_bank_and_closes_the_case,
    booking_pays_a_free_person_year_and_refuses_a_taken_one,
    only_the_town_center_and_administrators_see_and_resolve_cases,
    bad_reconciliation_input_gets_a_code,
    a_case_the_ledger_caught_up_with_is_not_refunded,
);

async fn resolve(
    app: &TestApp,
    token: &str,
    case: Uuid,
    how: &str,
) -> Result<CaseView, (u16, String)> {
    let path = format!("/staff/refund-cases/{case}/{how}");
    call(app, Method::POST, token, &path).await
}

fn day() -> time::Date {
    time::Date::parse(
        DAY,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap()
}

async fn a_refund_goes_through_the_bank_and_closes_the_case(app: &TestApp) {
    let (_, order) = failed_but_bank_paid(app, "13800000311").await;
    let (staff_id, staff) = town_center(app).await;
    let case = reconcile(app, &staff).await.unwrap().mismatches[0]
        .refund_case
        .unwrap();
    let done = resolve(app, &staff, case, "refund").await.unwrap();
    assert_eq!(done.state, "refunded");
    assert!(done.refund_ref.is_some());
    let lines = app.sandbox.statement(day()).await.unwrap();
    let line = lines.iter().find(|l| l.order_id == order).unwrap();
    assert_eq!(line.status, LineStatus::Refunded);
    let actions = app.audit_actions(&staff_id).await;
    for step in [
        "open_refund_case",
        "refund_case_asked",
        "refund_case_refunded",
    ] {
        assert!(actions.contains(&step.to_owned()), "{step}: {actions:?}");
    }
    // Resolved is final, and the day is now clean: the bank kept nothing.
    assert_eq!(
        resolve(app, &staff, case, "refund").await.unwrap_err().1,
        "case_resolved"
    );
    assert_eq!(
        resolve(app, &staff, case, "book").await.unwrap_err().1,
        "case_resolved"
    );
    assert_eq!(reconcile(app, &staff).await.unwrap().mismatches, vec![]);
    assert_eq!(cases(app, &staff).await.unwrap()[0].state, "refunded");
}

async fn booking_pays_a_free_person_year_and_refuses_a_taken_one(app: &TestApp) {
    // The mother's payer never gave a card, yet the bank took 500 for the order.
    let payer = app.register("13800000312").await;
    let mum = app.add_payee(&payer, &mother()).await;
    let waiting = intent(mum, "500", None);
    app.api
        .sync(&payer, &push(None, vec![waiting.clone()]))
        .await
        .unwrap();
    bank_pays(app, waiting.id, 50_000).await;
    // The father's year was paid by a relative, so this payer's intent is not needed; the
    // bank took the money for it all the same.
    let late = app.register("13800000313").await;
    let dad_late = app.add_payee(&late, &father()).await;
    let not_needed = intent(dad_late, "500", None);
    app.api
        .sync(&late, &push(None, vec![not_needed.clone()]))
        .await
        .unwrap();
    let relative = app.register("13800000314").await;
    let dad = app.add_payee(&relative, &father()).await;
    let card = app
        .bind_card(
            &relative,
            &yanglao_server::gateway::sandbox::test_cards::pays(),
        )
        .await;
    app.api
        .sync(&relative, &push(None, vec![intent(dad, "500", Some(card))]))
        .await
        .unwrap();
    app.until_charges_settle().await;
    let reply = app.api.sync(&late, &pull(None)).await.unwrap();
    assert_eq!(states(&reply), ["not_needed"]);
    bank_pays(app, not_needed.id, 50_000).await;

    let (staff_id, staff) = town_center(app).await;
    let report = reconcile(app, &staff).await.unwrap();
    assert_eq!(report.opened, 2, "{report:?}");
    let case_of = |order: Uuid| {
        let m = report
            .mismatches
            .iter()
            .find(|m| m.order_id == order)
            .unwrap();
        m.refund_case.unwrap()
    };
    let booked = resolve(app, &staff, case_of(waiting.id), "book")
        .await
        .unwrap();
    assert_eq!(booked.state, "booked");
    let receipt = booked.receipt_no.clone().expect("a receipt");
    // The payer sees the person-year paid, with that receipt, and anyone can check it.
    let reply = app.api.sync(&payer, &pull(None)).await.unwrap();
    assert_eq!(states(&reply), ["paid"]);
    match &reply.intents[0].state {
        yanglao_shared::wire::IntentState::Paid { receipt_no, .. } => {
            assert_eq!(receipt_no, &receipt)
        }
        other => panic!("{other:?}"),
    }
    app.api
        .receipt(&receipt)
        .await
        .expect("the receipt checks out");
    assert_eq!(app.paid_contributions().await, 2);
    // The father's year is paid already: refused, and the case stays open to be refunded.
    let taken = resolve(app, &staff, case_of(not_needed.id), "book")
        .await
        .unwrap_err();
    assert_eq!(taken, (409, "year_taken".to_owned()));
    let open: Vec<_> = cases(app, &staff).await.unwrap();
    let father_case = open.iter().find(|c| c.order_id == not_needed.id).unwrap();
    assert_eq!(father_case.state, "open");
    let refunded = resolve(app, &staff, father_case.id, "refund")
        .await
        .unwrap();
    assert_eq!(refunded.state, "refunded");
    assert!(app
        .audit_actions(&staff_id)
        .await
        .contains(&"refund_case_booked".to_owned()));
    // Booked and refunded, the day is clean.
    assert_eq!(reconcile(app, &staff).await.unwrap().mismatches, vec![]);
}

async fn only_the_town_center_and_administrators_see_and_resolve_cases(app: &TestApp) {
    let (payer, _) = failed_but_bank_paid(app, "13800000315").await;
    // An order the ledger never had: nobody's town.
    bank_pays(app, Uuid::new_v4(), 50_000).await;
    let (_, town) = town_center(app).await;
    let (_, admin) = app.staff("13900000202", Role::Admin, "文登区", None).await;
    let (_, elsewhere) = app.staff("13900000203", Role::Town, BULK_TOWN, None).await;
    let (_, village) = app
        .staff("13900000204", Role::Village, TOWN, Some(VILLAGE))
        .await;

    let seen = reconcile(app, &town).await.unwrap();
    assert_eq!(seen.mismatches.len(), 1);
    let mine = seen.mismatches[0].refund_case.unwrap();
    assert_eq!(reconcile(app, &admin).await.unwrap().mismatches.len(), 2);
    assert_eq!(cases(app, &admin).await.unwrap().len(), 2);
    assert_eq!(cases(app, &town).await.unwrap().len(), 1);
    assert_eq!(reconcile(app, &elsewhere).await.unwrap().mismatches, vec![]);
    assert_eq!(cases(app, &elsewhere).await.unwrap(), vec![]);
    let not_found = (404, "not_found".to_owned());
    assert_eq!(
        resolve(app, &elsewhere, mine, "refund").await.unwrap_err(),
        not_found
    );
    assert_eq!(
        resolve(app, &elsewhere, mine, "book").await.unwrap_err(),
        not_found
    );
    let unknown = cases(app, &admin).await.unwrap();
    let unknown = unknown.iter().find(|c| c.town.is_none()).unwrap();
    assert!(!unknown.bookable);
    assert_eq!(
        resolve(app, &town, unknown.id, "refund").await.unwrap_err(),
        not_found
    );
    let cannot = resolve(app, &admin, unknown.id, "book").await.unwrap_err();
    assert_eq!(cannot, (409, "cannot_book".to_owned()));
    let forbidden = (403, "forbidden".to_owned());
    for token in [&village, &payer] {
        assert_eq!(reconcile(app, token).await.unwrap_err(), forbidden);
        assert_eq!(cases(app, token).await.unwrap_err(), forbidden);
        assert_eq!(
            resolve(app, token, mine, "refund").await.unwrap_err(),
            forbidden
        );
    }
    let anonymous = app
        .api
        .raw(
            Method::GET,
            &format!("/staff/reconciliation?date={DAY}"),
            None,
            None,
        )
        .await;
    assert_eq!(anonymous.status, 401);
    // The administrator resolves it; nothing is left open.
    assert_eq!(
        resolve(app, &admin, mine, "refund").await.unwrap().state,
        "refunded"
    );
    assert_eq!(
        resolve(app, &admin, unknown.id, "refund")
            .await
            .unwrap()
            .state,
        "refunded"
    );
}

async fn bad_reconciliation_input_gets_a_code(app: &TestApp) {
    let (_, staff) = town_center(app).await;
    for (query, code) in [
        ("", "date_needed"),
        ("?date=2026-13-01", "bad_date"),
        ("?date=yesterday", "bad_date"),
        ("?date=2026-03-03", "future_date"),
        ("?from=2026-03-02&to=2026-03-01", "bad_range"),
        ("?from=2026-01-01&to=2026-03-02", "range_too_long"),
        ("?date=2026-03-02&from=2026-03-01", "bad_range"),
    ] {
        for path in ["/staff/reconciliation", "/staff/reconciliation.csv"] {
            let answer = app
                .api
                .raw(Method::GET, &format!("{path}{query}"), Some(&staff), None)
                .await;
            assert_eq!(
                (answer.status.as_u16(), answer.code().as_deref()),
                (422, Some(code)),
                "{path}{query}"
            );
        }
    }
    let bad_id = resolve(app, &staff, Uuid::nil(), "refund")
        .await
        .unwrap_err();
    assert_eq!(bad_id, (404, "not_found".to_owned()));
    let answer = app
        .api
        .raw(
            Method::POST,
            "/staff/refund-cases/0/book",
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        (answer.status.as_u16(), answer.code().as_deref()),
        (422, Some("bad_id"))
    );
    let answer = app
        .api
        .raw(
            Method::GET,
            "/staff/refund-cases?state=lost",
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        (answer.status.as_u16(), answer.code().as_deref()),
        (422, Some("bad_state"))
    );
    // A range of a few days is fine.
    let path = "/staff/reconciliation?from=2026-02-25&to=2026-03-02";
    let answer = app.api.raw(Method::GET, path, Some(&staff), None).await;
    assert_eq!(answer.status, 200);
}

async fn a_case_the_ledger_caught_up_with_is_not_refunded(app: &TestApp) {
    let payer = app.register("13800000316").await;
    let mum = app.add_payee(&payer, &mother()).await;
    let waiting = intent(mum, "500", None);
    app.api
        .sync(&payer, &push(None, vec![waiting.clone()]))
        .await
        .unwrap();
    bank_pays(app, waiting.id, 50_000).await;
    let (_, staff) = town_center(app).await;
    let case = reconcile(app, &staff).await.unwrap().mismatches[0]
        .refund_case
        .unwrap();
    // The payer now gives a card: the charge of that order finds it paid at the bank.
    let card = app
        .bind_card(
            &payer,
            &yanglao_server::gateway::sandbox::test_cards::pays(),
        )
        .await;
    let with_card = yanglao_shared::wire::PaymentIntent {
        method_id: Some(card),
        ..waiting.clone()
    };
    app.api
        .sync(&payer, &push(None, vec![with_card]))
        .await
        .unwrap();
    app.until_charges_settle().await;
    assert_eq!(app.paid_contributions().await, 1);
    let refused = resolve(app, &staff, case, "refund").await.unwrap_err();
    assert_eq!(refused, (409, "ledger_paid".to_owned()));
    assert_eq!(
        resolve(app, &staff, case, "book").await.unwrap_err().1,
        "year_taken"
    );
    assert_eq!(reconcile(app, &staff).await.unwrap().mismatches, vec![]);
}
