//! The people a payer pays for: verified against the roster, masked, and only what paying
//! needs (the strict client fails on any other field, and `wire_shape` pins the names).

use yanglao_shared::wire::PayeeCheck;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_payer_sees_each_person_masked_with_only_what_paying_needs,
    a_pensioners_view_says_why_they_cannot_pay,
);

async fn a_payer_sees_each_person_masked_with_only_what_paying_needs(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let dad = app.add_payee(&token, &father()).await;
    let payees = app.api.payees(&token).await.unwrap();
    assert_eq!(payees.len(), 2);
    let find = |id| payees.iter().find(|p| p.id == id).unwrap();
    assert!(matches!(find(dad).check, PayeeCheck::Verified { .. }));
    let first = find(mum);
    assert_eq!(first.name_masked, "王**");
    assert!(first.id_masked.contains('*'));
    let PayeeCheck::Verified {
        paid_this_year,
        tiers,
        ..
    } = &first.check
    else {
        panic!("verified: {:?}", first.check);
    };
    assert!(!paid_this_year);
    assert_eq!(tiers.len(), 9, "no 300 tier");
}

async fn a_pensioners_view_says_why_they_cannot_pay(app: &TestApp) {
    let token = app.account("13800000008").await;
    let pensioner = app.add_payee(&token, &pensioner()).await;
    let views = app.api.payees(&token).await.unwrap();
    let view = views.iter().find(|p| p.id == pensioner).unwrap();
    let PayeeCheck::Verified { blocked, .. } = &view.check else {
        panic!("verified: {:?}", view.check);
    };
    assert_eq!(blocked.as_ref().unwrap().code, "drawing_pension");
}
