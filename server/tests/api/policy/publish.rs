use reqwest::StatusCode;
use time::macros::datetime;
use yanglao_server::staff::roles::Role;
use yanglao_shared::wire::{IntentState, PayeeCheck};

use super::*;
use crate::on_both_stores;

on_both_stores!(
    the_policy_in_force_is_the_built_in_first_version,
    only_an_administrator_publishes,
    a_bad_table_is_refused_in_chinese_and_nothing_is_written,
    a_version_is_in_force_from_its_day_and_audited,
    an_intent_already_made_keeps_its_version,
    a_payee_carries_what_the_estimate_needs,
);

async fn the_policy_in_force_is_the_built_in_first_version(app: &TestApp) {
    let info = policy(app).await;
    assert_eq!(info.policy.id, "wendeng-2026");
    assert_eq!(info.version.as_ref().unwrap().number, 1);
    assert_eq!(
        info.label.as_deref(),
        Some("2026年政策（内置第1版，部分数字待确认）")
    );
    assert_eq!(info.policy.pension.account_divisor.value, 139);
}

async fn only_an_administrator_publishes(app: &TestApp) {
    let resident = app.account("13800000004").await;
    let (_, town) = app.staff("13900000092", Role::Town, "龙山街道", None).await;
    for token in [&resident, &town] {
        let answer = publish(app, token, &without_800(), "2026-03-02").await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
        let list = app
            .api
            .raw(reqwest::Method::GET, "/admin/policies", Some(token), None)
            .await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM policy_versions").await, 0);
}

async fn a_bad_table_is_refused_in_chinese_and_nothing_is_written(app: &TestApp) {
    let (_, token) = admin(app).await;
    let gap = document(|v| {
        let mut later = v["policies"][0].clone();
        later["id"] = "wendeng-2028".into();
        later["from_year"] = 2028.into();
        later["to_year"] = serde_json::Value::Null;
        v["policies"].as_array_mut().unwrap().push(later);
    });
    let no_subsidy = document(|v| {
        v["policies"][0]["subsidies"].as_array_mut().unwrap().pop();
    });
    let elsewhere = document(|v| v["policies"][0]["region_code"] = "371002".into());
    let cases = [
        ("{", "2026-03-02", "policy_syntax", "无法读取"),
        (gap.as_str(), "2026-03-02", "policy_gap", "2027 年没有政策"),
        (
            no_subsidy.as_str(),
            "2026-03-02",
            "policy_invalid",
            "10 个档次，9 项补贴",
        ),
        (
            elsewhere.as_str(),
            "2026-03-02",
            "policy_wrong_region",
            "371002",
        ),
        (
            &without_800(),
            "2026-03-01",
            "policy_effective_past",
            "早于今天",
        ),
        (
            &without_800(),
            "2027-01-01",
            "policy_effective_after_years",
            "最后一年",
        ),
        (&without_800(), "3月2日", "bad_date", "YYYY-MM-DD"),
    ];
    for (doc, day, code, words) in cases {
        let answer = publish(app, &token, doc, day).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(answer.code().as_deref(), Some(code), "{}", answer.text());
        assert!(answer.text().contains(words), "{code}: {}", answer.text());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM policy_versions").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'policy.publish'")
            .await,
        0
    );
}

async fn a_version_is_in_force_from_its_day_and_audited(app: &TestApp) {
    let (admin_id, token) = admin(app).await;
    // Published today for later: version 1 stays in force until its day.
    let later = published(app, &token, &without_800(), "2026-04-01").await;
    assert_eq!(later.number, 2);
    assert_eq!(later.published_by.as_deref(), Some(admin_id.as_str()));
    assert_eq!(policy(app).await.version.unwrap().number, 1);
    let list = versions(app, &token).await;
    assert_eq!(
        list.iter()
            .map(|v| (v.version.number, v.in_force))
            .collect::<Vec<_>>(),
        [(2, false), (1, true)]
    );
    app.clock.set(datetime!(2026-04-01 00:00 +8));
    let info = policy(app).await;
    assert_eq!(info.version.unwrap().number, 2);
    assert_eq!(info.policy.id, "wendeng-2026-b");
    assert_eq!(
        info.label.as_deref(),
        Some("2026年政策（第2版，部分数字待确认）")
    );
    assert_eq!(info.policy.tiers.len(), 9);
    assert_eq!(app.audit_actions(&admin_id).await, ["policy.publish"]);
    // Append-only: the database refuses to change a version.
    let changed = sqlx::query("UPDATE policy_versions SET effective_from = '2026-01-01'")
        .execute(&app.db.pool)
        .await;
    assert!(changed.is_err());
}

async fn an_intent_already_made_keeps_its_version(app: &TestApp) {
    let (_, token) = admin(app).await;
    // The daughter prepares 800 for her mother before the new table, without a card yet.
    let daughter = app.account("13800000004").await;
    let mum = app.add_payee(&daughter, &mother()).await;
    let early = intent(mum, "800", None);
    let first = app
        .api
        .sync(&daughter, &push(None, vec![early.clone()]))
        .await
        .unwrap();
    assert!(matches!(
        first.intents[0].state,
        IntentState::AwaitingPayment { .. }
    ));
    published(app, &token, &without_800(), "2026-03-02").await;
    // A new 800 intent is refused under version 2 ...
    let son = app.account("13800000005").await;
    let dad = app.add_payee(&son, &father()).await;
    let son_card = app
        .bind_card(&son, &yanglao_server::gateway::sandbox::test_cards::pays())
        .await;
    let refused = app
        .api
        .sync(&son, &push(None, vec![intent(dad, "800", Some(son_card))]))
        .await
        .unwrap();
    match &refused.intents[0].state {
        IntentState::Failed { reason } => assert_eq!(reason.code, "not_a_tier"),
        other => panic!("{other:?}"),
    }
    // ... while the early one, given its card now, is still decided by version 1 and paid.
    let card = app
        .bind_card(
            &daughter,
            &yanglao_server::gateway::sandbox::test_cards::pays(),
        )
        .await;
    let with_card = yanglao_shared::wire::PaymentIntent {
        method_id: Some(card),
        ..early.clone()
    };
    app.api
        .sync(&daughter, &push(None, vec![with_card]))
        .await
        .unwrap();
    app.until_charges_settle().await;
    let now = app.api.sync(&daughter, &pull(None)).await.unwrap();
    let mine = now.intents.iter().find(|i| i.id == early.id).unwrap();
    match &mine.state {
        IntentState::Paid { amount, .. } => assert_eq!(amount.to_string(), "800"),
        other => panic!("{other:?}"),
    }
    // The server's clock stands still in tests: tell the two intents apart by id.
    let recorded: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, policy_version FROM intents ORDER BY policy_version")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0], (early.id.to_string(), 1));
    assert_eq!(recorded[1].1, 2);
}

async fn a_payee_carries_what_the_estimate_needs(app: &TestApp) {
    let daughter = app.account("13800000004").await;
    app.add_payee(&daughter, &mother()).await;
    let views = app.api.payees(&daughter).await.unwrap();
    let PayeeCheck::Verified { contributor, .. } = &views[0].check else {
        panic!("{:?}", views[0].check);
    };
    // Born 1968, paid 2023–2025; 2018–2022 could still be back-paid.
    let c = contributor.unwrap();
    assert_eq!((c.birth_year, c.years_paid, c.missed_years), (1968, 3, 5));
}
