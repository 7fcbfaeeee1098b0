//! Claiming one's own roster record by name and ID number, to see one's full history.

use yanglao_shared::wire::ClaimRequest;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_new_account_has_no_own_record_and_a_masked_mobile,
    a_claim_whose_name_does_not_match_is_refused,
    claiming_ones_own_record_shows_the_full_history,
    a_record_claimed_by_one_account_cannot_be_claimed_by_another,
);

fn claim(name: &str, person: &Person) -> ClaimRequest {
    ClaimRequest {
        name: name.into(),
        id_number: person.id_number.as_str().into(),
    }
}

async fn a_new_account_has_no_own_record_and_a_masked_mobile(app: &TestApp) {
    let token = app.account("13700000005").await;
    let me = app.api.me(&token).await.unwrap();
    assert_eq!(me.own_record, None);
    assert_eq!(me.mobile_masked, "137****0005");
}

async fn a_claim_whose_name_does_not_match_is_refused(app: &TestApp) {
    let token = app.account("13700000005").await;
    let wrong = app
        .api
        .claim(&token, &claim("王秀兰", &mother()))
        .await
        .unwrap_err();
    assert_eq!(wrong.code, "no_roster_match");
    assert_eq!(app.api.me(&token).await.unwrap().own_record, None);
}

async fn claiming_ones_own_record_shows_the_full_history(app: &TestApp) {
    let token = app.account("13700000005").await;
    let claimed = app
        .api
        .claim(&token, &claim("王秀英", &mother()))
        .await
        .unwrap();
    let record = claimed.own_record.expect("her record");
    assert_eq!(record.years_paid_total, 3);
    assert_eq!(record.min_years_for_pension, 15);
    assert_eq!(record.contributions[0].year, 2023);
    assert_eq!(record.contributions[0].amount.to_string(), "500");
}

async fn a_record_claimed_by_one_account_cannot_be_claimed_by_another(app: &TestApp) {
    let first = app.account("13700000005").await;
    app.api
        .claim(&first, &claim("王秀英", &mother()))
        .await
        .unwrap();
    let other = app.account("13700000006").await;
    let again = app
        .api
        .claim(&other, &claim("王秀英", &mother()))
        .await
        .unwrap_err();
    assert_eq!(again.code, "record_claimed");
}
