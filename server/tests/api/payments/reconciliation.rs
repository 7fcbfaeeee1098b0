//! The daily reconciliation (对账) looks both ways: an order the bank paid while the ledger
//! failed it (or never had it) is listed and opens one refund case (退费), however often the
//! day is reconciled; a ledger-paid order the bank did not keep, and an amount that differs,
//! are listed too; the CSV opens in Excel. Resolving the cases is in `reconciliation_cases`.

use serde::de::DeserializeOwned;
use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::gateway::{ChargeRequest, LineStatus, OrderStatus, PaymentGateway};
use yanglao_server::payments::reconciliation::cases::CaseView;
use yanglao_server::payments::reconciliation::{daily, Kind, Report};
use yanglao_server::staff::reconciliation::CSV_HEADER;
use yanglao_server::staff::roles::Role;
use yanglao_shared::{CardNumber, PolicyTable};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_bank_payment_the_ledger_failed_is_found_and_opens_one_refund_case,
    a_ledger_payment_the_bank_refunded_or_never_saw_and_another_amount_are_listed,
    a_clean_day_has_no_mismatch,
    the_reconciliation_csv_opens_in_excel,
    yesterday_is_reconciled_once_a_day_for_the_whole_installation,
);

/// The server's day in the tests ([`IN_WINDOW`]).
pub const DAY: &str = "2026-03-02";

/// A GET or POST as `token`: the decoded answer, or the status and error code.
pub async fn call<T: DeserializeOwned>(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
) -> Result<T, (u16, String)> {
    let answer = app.api.raw(method, path, Some(token), None).await;
    if !answer.status.is_success() {
        return Err((answer.status.as_u16(), answer.code().unwrap_or_default()));
    }
    Ok(serde_json::from_slice(&answer.bytes).expect("the answer decodes"))
}

pub async fn reconcile(app: &TestApp, token: &str) -> Result<Report, (u16, String)> {
    let path = format!("/staff/reconciliation?date={DAY}");
    call(app, reqwest::Method::GET, token, &path).await
}

pub async fn cases(app: &TestApp, token: &str) -> Result<Vec<CaseView>, (u16, String)> {
    call(app, reqwest::Method::GET, token, "/staff/refund-cases").await
}

/// The bank takes `fen` for `order` on a paying card, whatever the ledger thinks (a late or
/// forged charge the ledger never asked for).
pub async fn bank_pays(app: &TestApp, order: Uuid, fen: i64) {
    let card = CardNumber::parse(&test_cards::pays()).unwrap();
    let bound = app.sandbox.bind_card(&card).await.unwrap();
    let request = ChargeRequest {
        order_id: order,
        token: bound.token,
        amount_fen: fen,
        description: "2026年度城乡居民基本养老保险费".into(),
    };
    let answer = app.sandbox.charge(&request).await.unwrap();
    assert!(matches!(answer, OrderStatus::Paid { .. }), "{answer:?}");
}

/// The town center of the test village's town.
pub async fn town_center(app: &TestApp) -> (String, String) {
    app.staff("13900000201", Role::Town, TOWN, None).await
}

/// A payer whose intent for the mother at the 300 tier (hers is not) the ledger fails,
/// and which the bank pays all the same.
pub async fn failed_but_bank_paid(app: &TestApp, mobile: &str) -> (String, Uuid) {
    let token = app.register(mobile).await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let sent = intent(mum, "300", Some(card));
    let reply = app
        .api
        .sync(&token, &push(None, vec![sent.clone()]))
        .await
        .unwrap();
    assert_eq!(states(&reply), ["failed"]);
    bank_pays(app, sent.id, 30_000).await;
    (token, sent.id)
}

async fn a_bank_payment_the_ledger_failed_is_found_and_opens_one_refund_case(app: &TestApp) {
    let (_, order) = failed_but_bank_paid(app, "13800000301").await;
    let (staff_id, staff) = town_center(app).await;
    let report = reconcile(app, &staff).await.unwrap();
    assert_eq!(report.mismatches.len(), 1, "{report:?}");
    let found = &report.mismatches[0];
    assert_eq!(found.kind, Kind::BankPaidLedgerNot);
    assert_eq!(found.order_id, order);
    assert_eq!(found.bank_status, Some(LineStatus::Paid));
    assert_eq!(found.ledger_state.as_deref(), Some("failed"));
    assert_eq!(found.name.as_deref(), Some(mother().name));
    assert_eq!(found.year, Some(2026));
    assert_eq!(report.opened, 1);
    let case = found.refund_case.expect("a refund case");
    // Reconciling the day again finds the same case and opens no second one.
    let again = reconcile(app, &staff).await.unwrap();
    assert_eq!(again.opened, 0);
    assert_eq!(again.mismatches[0].refund_case, Some(case));
    assert_eq!(app.count("SELECT COUNT(*) FROM refund_cases").await, 1);
    let listed = cases(app, &staff).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].state.as_str()), (case, "open"));
    assert_eq!(listed[0].amount.to_fen(), 30_000);
    let actions = app.audit_actions(&staff_id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "open_refund_case").count(),
        1,
        "{actions:?}"
    );
    assert!(actions.contains(&"view_reconciliation".to_owned()));
}

async fn a_ledger_payment_the_bank_refunded_or_never_saw_and_another_amount_are_listed(
    app: &TestApp,
) {
    // Paid in the app, then refunded by the bank behind the ledger's back.
    let token = app.register("13800000302").await;
    let dad = app.add_payee(&token, &father()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let paid = intent(dad, "500", Some(card));
    app.api
        .sync(&token, &push(None, vec![paid.clone()]))
        .await
        .unwrap();
    app.until_charges_settle().await;
    assert_eq!(app.paid_contributions().await, 1);
    app.sandbox.refund(paid.id, 50_000).await.unwrap();
    // Two in-app paid person-years the ledger holds that the bank disagrees with: one it
    // charged for another amount, one it never saw.
    let (other_amount, never_seen) = (Uuid::new_v4(), Uuid::new_v4());
    for (name, order, fen) in [
        ("丛玉梅", other_amount, 30_000),
        ("于德福", never_seen, 50_000),
    ] {
        let rid: String = sqlx::query_scalar("SELECT id FROM residents WHERE name = $1")
            .bind(name)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, \
             back_payment, receipt_no, paid_at, created_at) VALUES ($1, 2026, $2, $3, $4, 0, $5, \
             $6, $6)",
        )
        .bind(rid)
        .bind(fen)
        .bind(yanglao_server::payments::states::ContributionStatus::Paid.as_str())
        .bind(order.to_string())
        .bind(format!("WD2026{}", &order.simple().to_string()[..10]))
        .bind(app.clock.now_ms())
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    bank_pays(app, other_amount, 50_000).await;
    let (_, staff) = town_center(app).await;
    let report = reconcile(app, &staff).await.unwrap();
    let kind_of = |order: Uuid| {
        let found: Vec<_> = report
            .mismatches
            .iter()
            .filter(|m| m.order_id == order)
            .collect();
        assert_eq!(found.len(), 1, "{order}: {report:?}");
        (found[0].kind, found[0].bank_status)
    };
    assert_eq!(
        kind_of(paid.id),
        (Kind::LedgerPaidBankNot, Some(LineStatus::Refunded))
    );
    assert_eq!(kind_of(never_seen), (Kind::LedgerPaidBankNot, None));
    assert_eq!(
        kind_of(other_amount),
        (Kind::AmountsDiffer, Some(LineStatus::Paid))
    );
    assert_eq!(report.mismatches.len(), 3);
    // None of these is money the bank holds without a record: no refund case.
    assert_eq!(report.opened, 0);
    let differs = report
        .mismatches
        .iter()
        .find(|m| m.order_id == other_amount);
    let differs = differs.unwrap();
    assert_eq!(differs.bank_amount.map(|m| m.to_fen()), Some(50_000));
    assert_eq!(differs.ledger_amount.map(|m| m.to_fen()), Some(30_000));
}

async fn a_clean_day_has_no_mismatch(app: &TestApp) {
    let token = app.register("13800000303").await;
    let dad = app.add_payee(&token, &father()).await;
    let mum = app.add_payee(&token, &mother()).await;
    let good = app.bind_card(&token, &test_cards::pays()).await;
    let poor = app
        .bind_card(&token, &test_cards::insufficient_funds())
        .await;
    let sent = vec![
        intent(dad, "500", Some(good)),
        intent(mum, "500", Some(poor)),
    ];
    app.api.sync(&token, &push(None, sent)).await.unwrap();
    app.until_charges_settle().await;
    let (_, staff) = town_center(app).await;
    let report = reconcile(app, &staff).await.unwrap();
    assert_eq!(
        report.mismatches,
        vec![],
        "paid is paid, declined is unpaid"
    );
    assert_eq!((report.from.as_str(), report.to.as_str()), (DAY, DAY));
}

async fn the_reconciliation_csv_opens_in_excel(app: &TestApp) {
    failed_but_bank_paid(app, "13800000304").await;
    let (_, staff) = town_center(app).await;
    let path = format!("/staff/reconciliation.csv?date={DAY}");
    let answer = app
        .api
        .raw(reqwest::Method::GET, &path, Some(&staff), None)
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["content-type"], "text/csv; charset=utf-8");
    let disposition = answer.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains(&format!("reconciliation-{DAY}.csv")),
        "{disposition}"
    );
    let text = answer.text();
    let body = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], CSV_HEADER.join(","));
    assert_eq!(lines.len(), 2, "{body}");
    assert!(
        lines[1].starts_with(&format!("{DAY},银行已扣款、账本未入账,")),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",300,"), "{}", lines[1]);
    assert!(lines[1].contains(mother().name));
    // The ledger's state in words staff read, not its stored code.
    let ledger_state = lines[1].split(',').nth(5).unwrap();
    assert!(
        ["未成功", "无需缴费（他人已缴）"].contains(&ledger_state),
        "{}",
        lines[1]
    );
}

/// A second server process on the same database and bank, as `serve` builds one.
fn another_process(app: &TestApp) -> yanglao_server::AppState {
    yanglao_server::AppState::build(yanglao_server::Parts {
        db: app.db.clone(),
        clock: app.clock.clone(),
        policies: PolicyTable::builtin(),
        region: "371003".into(),
        gateway: std::sync::Arc::new(app.sandbox.clone()),
        gateway_secret: GATEWAY_SECRET.into(),
    })
    .unwrap()
}

async fn yesterday_is_reconciled_once_a_day_for_the_whole_installation(app: &TestApp) {
    failed_but_bank_paid(app, "13800000305").await;
    // The server's first pass at start claimed the day before DAY; now a day passes.
    app.clock.set(time::macros::datetime!(2026-03-03 08:00 +8));
    let (first, second) = (another_process(app), another_process(app));
    assert_eq!(daily::yesterday_once(&first).await.unwrap(), Some(1));
    assert_eq!(daily::yesterday_once(&second).await.unwrap(), None);
    assert_eq!(daily::yesterday_once(&first).await.unwrap(), None);
    assert_eq!(app.count("SELECT COUNT(*) FROM refund_cases").await, 1);
    assert_eq!(app.audit_actions(daily::ACTOR).await, ["open_refund_case"]);
}
