//! An enrolment form's way through the village: filed, checked, returned with a reason, fixed
//! as the next revision, approved; retries and late copies answered, never doubled.

use reqwest::StatusCode;
use yanglao_shared::applications::{Checklist, EnrolmentForm, EnrolmentState, VillageCheck};

use super::{enrolments, filed, send_back};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_filed_form_is_submitted_with_a_masked_id_number,
    a_retried_form_gets_the_same_answer_and_stays_one_form,
    a_village_approval_with_materials_missing_is_refused,
    a_return_without_a_reason_is_refused,
    a_returned_form_shows_the_applicant_the_reason,
    a_late_copy_of_the_first_sending_hears_how_things_stand,
    a_change_without_a_new_revision_is_refused_as_stale,
    a_fix_sent_as_the_next_revision_goes_back_to_the_village,
    a_retried_fix_gets_the_same_answer,
    a_village_approval_shows_the_applicant_village_approved,
    each_village_decision_is_audited,
);

async fn a_filed_form_is_submitted_with_a_masked_id_number(app: &TestApp) {
    let son = app.account("13800000011").await;
    let form = enrolment(&newcomer(), TOWN, VILLAGE);
    let first = app.api.file_enrolment(&son, &form).await.unwrap();
    assert_eq!(first.state, EnrolmentState::Submitted);
    assert!(first.id_masked.contains('*'));
}

async fn a_retried_form_gets_the_same_answer_and_stays_one_form(app: &TestApp) {
    let son = app.account("13800000011").await;
    let form = enrolment(&newcomer(), TOWN, VILLAGE);
    let first = app.api.file_enrolment(&son, &form).await.unwrap();
    let again = app.api.file_enrolment(&son, &form).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(enrolments(app).await, 1);
}

async fn a_village_approval_with_materials_missing_is_refused(app: &TestApp) {
    let f = filed(app).await;
    let missing = VillageCheck {
        checklist: Checklist {
            household_register: true,
            id_card: false,
            disability_proof: false,
        },
        approve: true,
        reason: None,
    };
    let refused = app
        .api
        .village_check(&f.village, f.id(), &missing)
        .await
        .unwrap_err();
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code, "materials_missing");
}

async fn a_return_without_a_reason_is_refused(app: &TestApp) {
    let f = filed(app).await;
    let refused = app
        .api
        .village_check(&f.village, f.id(), &send_back(" "))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "reason_required");
}

async fn a_returned_form_shows_the_applicant_the_reason(app: &TestApp) {
    let f = filed(app).await;
    let returned = app
        .api
        .village_check(&f.village, f.id(), &send_back("手机号无法接通"))
        .await
        .unwrap();
    assert_eq!(returned.state, EnrolmentState::Returned);
    let mine = app.api.enrolments(&f.son).await.unwrap();
    assert_eq!(mine[0].state, EnrolmentState::Returned);
    assert_eq!(mine[0].return_reason.as_deref(), Some("手机号无法接通"));
}

/// The first sending arriving late (its answer was lost) is not taken for a fix.
async fn a_late_copy_of_the_first_sending_hears_how_things_stand(app: &TestApp) {
    let f = filed(app).await;
    f.returned(app).await;
    let late = app.api.file_enrolment(&f.son, &f.form).await.unwrap();
    assert_eq!(late.state, EnrolmentState::Returned);
}

async fn a_change_without_a_new_revision_is_refused_as_stale(app: &TestApp) {
    let f = filed(app).await;
    f.returned(app).await;
    let unnumbered = EnrolmentForm {
        mobile: "13700000002".into(),
        ..f.form.clone()
    };
    let stale = app
        .api
        .file_enrolment(&f.son, &unnumbered)
        .await
        .unwrap_err();
    assert_eq!(
        (stale.status, stale.code.as_str()),
        (StatusCode::CONFLICT, "stale_revision")
    );
    let mine = app.api.enrolments(&f.son).await.unwrap();
    assert_eq!(mine[0].state, EnrolmentState::Returned);
}

/// The fields may be unchanged: the papers were the problem.
async fn a_fix_sent_as_the_next_revision_goes_back_to_the_village(app: &TestApp) {
    let f = filed(app).await;
    f.returned(app).await;
    let fixed = EnrolmentForm {
        revision: 1,
        ..f.form.clone()
    };
    let resubmitted = app.api.file_enrolment(&f.son, &fixed).await.unwrap();
    assert_eq!(resubmitted.state, EnrolmentState::Submitted);
    assert_eq!(resubmitted.revision, 1);
}

async fn a_retried_fix_gets_the_same_answer(app: &TestApp) {
    let f = filed(app).await;
    f.returned(app).await;
    let fixed = EnrolmentForm {
        revision: 1,
        ..f.form.clone()
    };
    let resubmitted = app.api.file_enrolment(&f.son, &fixed).await.unwrap();
    let retried = app.api.file_enrolment(&f.son, &fixed).await.unwrap();
    assert_eq!(retried, resubmitted, "a retry of the fix: the same answer");
}

async fn a_village_approval_shows_the_applicant_village_approved(app: &TestApp) {
    let f = filed(app).await;
    f.fixed(app).await;
    let approved = app
        .api
        .village_check(&f.village, f.id(), &approve_materials())
        .await
        .unwrap();
    assert_eq!(approved.state, EnrolmentState::VillageApproved);
    let mine = app.api.enrolments(&f.son).await.unwrap();
    assert_eq!(mine[0].state, EnrolmentState::VillageApproved);
}

async fn each_village_decision_is_audited(app: &TestApp) {
    let f = filed(app).await;
    let refused = send_back(" ");
    assert!(app
        .api
        .village_check(&f.village, f.id(), &refused)
        .await
        .is_err());
    f.fixed(app).await;
    f.village_approved(app).await;
    assert_eq!(
        app.audit_actions(&f.village_id).await,
        ["enrolment_village_return", "enrolment_village_approve"]
    );
}
