//! The town center enters an approved form on the roster, once; from then on the person is
//! found, verified and paid for like anyone else, and cannot be enrolled again.

use reqwest::StatusCode;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::applications::EnrolmentState;
use yanglao_shared::wire::PayeeCheck;

use super::{enter, filed};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    the_town_center_enters_an_approved_form_on_the_roster,
    entering_a_form_twice_is_refused_as_wrong_state,
    the_town_centers_entry_is_audited_with_the_new_state,
    a_person_on_someones_list_is_verified_once_enrolled,
    someone_adding_the_enrolled_person_afresh_finds_her_unpaid,
    the_enrolled_person_is_paid_for_through_the_ordinary_sync,
    an_enrolled_person_cannot_be_enrolled_again,
);

async fn the_town_center_enters_an_approved_form_on_the_roster(app: &TestApp) {
    let f = filed(app).await;
    f.village_approved(app).await;
    let residents = app.count("SELECT COUNT(*) FROM residents").await;
    let entered = app
        .api
        .town_review(&f.town, f.id(), &enter())
        .await
        .unwrap();
    assert_eq!(entered.state, EnrolmentState::Enrolled);
    assert!(entered.town_reviewed_at.is_some());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM residents").await,
        residents + 1
    );
}

async fn entering_a_form_twice_is_refused_as_wrong_state(app: &TestApp) {
    let f = filed(app).await;
    f.entered(app).await;
    let twice = app
        .api
        .town_review(&f.town, f.id(), &enter())
        .await
        .unwrap_err();
    assert_eq!(
        (twice.status, twice.code.as_str()),
        (StatusCode::CONFLICT, "wrong_state")
    );
}

async fn the_town_centers_entry_is_audited_with_the_new_state(app: &TestApp) {
    let f = filed(app).await;
    f.entered(app).await;
    assert_eq!(
        app.audit_actions(&f.town_id).await,
        ["enrolment_town_enter"]
    );
    let audited: Option<String> = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'enrolment_town_enter'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(audited.unwrap().contains("\"enrolled\""));
}

async fn a_person_on_someones_list_is_verified_once_enrolled(app: &TestApp) {
    let f = filed(app).await;
    f.village_approved(app).await;
    // The son already keeps her in his list: not on the roster yet.
    app.add_payee(&f.son, &newcomer()).await;
    let before = app.api.payees(&f.son).await.unwrap();
    assert!(matches!(before[0].check, PayeeCheck::NoMatch { .. }));
    app.api
        .town_review(&f.town, f.id(), &enter())
        .await
        .unwrap();
    let after = app.api.payees(&f.son).await.unwrap();
    assert!(matches!(after[0].check, PayeeCheck::Verified { .. }));
}

async fn someone_adding_the_enrolled_person_afresh_finds_her_unpaid(app: &TestApp) {
    let f = filed(app).await;
    f.entered(app).await;
    let neighbour = app.account("13800000012").await;
    app.add_payee(&neighbour, &newcomer()).await;
    let seen = app.api.payees(&neighbour).await.unwrap();
    assert!(matches!(
        seen[0].check,
        PayeeCheck::Verified {
            paid_this_year: false,
            ..
        }
    ));
}

async fn the_enrolled_person_is_paid_for_through_the_ordinary_sync(app: &TestApp) {
    let f = filed(app).await;
    let payee = app.add_payee(&f.son, &newcomer()).await;
    f.entered(app).await;
    let card = app.bind_card(&f.son, &test_cards::pays()).await;
    let paid = app
        .api
        .sync(&f.son, &push(None, vec![intent(payee, "500", Some(card))]))
        .await
        .unwrap();
    assert_eq!(states(&paid), ["paid"]);
}

async fn an_enrolled_person_cannot_be_enrolled_again(app: &TestApp) {
    let f = filed(app).await;
    f.entered(app).await;
    let again = enrolment(&newcomer(), TOWN, VILLAGE);
    let dup = app.api.file_enrolment(&f.son, &again).await.unwrap_err();
    assert_eq!(
        (dup.status, dup.code.as_str()),
        (StatusCode::CONFLICT, "already_enrolled")
    );
}
