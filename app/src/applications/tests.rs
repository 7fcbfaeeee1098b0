//! Applications on the phone: what is sent, how answers and refusals land, the timeline.

use time::macros::datetime;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::applications::{Checklist, PersonIdentity};
use yanglao_shared::TierAmount;

use super::*;

const AT: OffsetDateTime = datetime!(2027-03-01 09:00 +8);

fn form(name: &str) -> ApplicationForm {
    ApplicationForm::Enrolment(EnrolmentForm {
        id: Uuid::from_u128(7),
        name: name.into(),
        id_number: "371003199001011237".into(),
        town: "龙山街道".into(),
        village: "西村".into(),
        mobile: "13900000000".into(),
        severely_disabled: false,
        revision: 0,
    })
}

fn view(state: EnrolmentState) -> EnrolmentView {
    EnrolmentView {
        id: Uuid::from_u128(7),
        name_masked: "*芳".into(),
        id_masked: "371003********1237".into(),
        full: None,
        town: "龙山街道".into(),
        village: "西村".into(),
        mobile_masked: "139****0000".into(),
        severely_disabled: false,
        revision: 0,
        state,
        return_reason: (state == EnrolmentState::Returned).then(|| "户口簿复印件不清楚".into()),
        checklist: Some(Checklist::default()),
        submitted_at: AT,
        village_checked_at: (state != EnrolmentState::Submitted).then_some(AT),
        town_reviewed_at: (state == EnrolmentState::Enrolled).then_some(AT),
    }
}

fn back_view(state: BackPaymentState) -> BackPaymentView {
    BackPaymentView {
        id: Uuid::from_u128(9),
        name_masked: "*芳".into(),
        id_masked: "371003********1237".into(),
        full: None,
        town: "龙山街道".into(),
        village: "西村".into(),
        years: vec![2021, 2022],
        tier: TierAmount::parse("500").unwrap(),
        state,
        revision: 0,
        slip_years: Vec::new(),
        refusals: Vec::new(),
        return_reason: None,
        slip_no: None,
        amount: None,
        earns_subsidy: false,
        bank_receipt_no: None,
        submitted_at: AT,
        reviewed_at: None,
        paid_at: None,
    }
}

fn new_app() -> LocalApplication {
    LocalApplication::prepared(form("王芳"), "*芳".into(), "3710…1237".into(), AT)
}

fn marks(app: &LocalApplication) -> Vec<Mark> {
    app.steps().iter().map(|s| s.mark).collect()
}

#[wasm_bindgen_test]
fn a_new_form_waits_and_is_sent_until_the_server_has_it() {
    let app = new_app();
    assert_eq!(app.status(), Status::Waiting);
    assert_eq!(app.to_send(), Some(&form("王芳")));
    assert!(app.can_fix() && app.can_discard());
    assert_eq!(marks(&app)[..2], [Mark::Now, Mark::Todo]);

    let sent = app.to_send().unwrap().clone();
    let filed = app.answered(&sent, Filed::Enrolment(view(EnrolmentState::Submitted)));
    assert_eq!(
        filed.pending, None,
        "the full ID number leaves the phone's keeping"
    );
    assert_eq!(filed.to_send(), None);
    assert_eq!(filed.status(), Status::Enrolment(EnrolmentState::Submitted));
    assert!(filed.awaits_staff() && !filed.can_fix() && !filed.can_discard());
    assert_eq!(
        marks(&filed),
        [Mark::Done, Mark::Now, Mark::Todo, Mark::Todo]
    );
}

#[wasm_bindgen_test]
fn a_change_the_server_can_no_longer_take_is_dropped_not_stuck() {
    // Edited while the first sending was on its way: the server filed the first one and it
    // now waits for the village, so the change cannot be taken. The server's state shows.
    let app = new_app();
    let sent = app.to_send().unwrap().clone();
    let edited = app.fixed(form("王芳芳"), "*芳芳".into(), "…".into());
    let answered = edited.answered(&sent, Filed::Enrolment(view(EnrolmentState::Submitted)));
    assert_eq!(answered.to_send(), None);
    assert_eq!(
        answered.status(),
        Status::Enrolment(EnrolmentState::Submitted)
    );
    // The same when the edit was sent and refused before the lists came back.
    let refused = edited.refused_with(&form("王芳芳"), "idempotency_conflict".into(), "x".into());
    let merged = merge_filed(&[refused], &[view(EnrolmentState::Submitted)], &[]);
    assert_eq!(
        merged[0].status(),
        Status::Enrolment(EnrolmentState::Submitted)
    );
    assert!(merged[0].pending.is_none() && !merged[0].awaits_applicant());
}

#[wasm_bindgen_test]
fn a_fix_of_a_returned_form_waits_and_can_still_be_changed() {
    let returned = new_app().answered(
        &form("王芳"),
        Filed::Enrolment(view(EnrolmentState::Returned)),
    );
    let fix = returned.fixed(form("王芳芳"), "*芳芳".into(), "…".into());
    assert_eq!(fix.status(), Status::Waiting);
    assert!(
        fix.can_fix(),
        "a typo in the fix can be mended before it goes"
    );
    // A late answer to the earlier sending (still returned) leaves the fix waiting.
    let late = fix.answered(
        &form("王芳"),
        Filed::Enrolment(view(EnrolmentState::Returned)),
    );
    assert_eq!(late.to_send(), Some(&form("王芳芳")));
    // The phone keeps the server's view masked.
    let Some(Filed::Enrolment(kept)) = &late.filed else {
        panic!("filed")
    };
    assert!(kept.full.is_none());
    assert_eq!(fix.change(), Some(Change::FixAndResend));
}

#[wasm_bindgen_test]
fn a_refusal_stops_sending_until_the_form_is_fixed() {
    let app = new_app();
    let sent = app.to_send().unwrap().clone();
    let refused = app.refused_with(&sent, "already_enrolled".into(), "已在参保名册中".into());
    assert_eq!(refused.to_send(), None);
    assert_eq!(refused.status(), Status::Refused("已在参保名册中".into()));
    assert_eq!(marks(&refused)[0], Mark::Problem);
    assert!(refused.can_fix() && refused.can_discard());
    assert!(refused.awaits_applicant() && !app.awaits_applicant());
    let fixed = refused.fixed(form("王芳芳"), "*芳芳".into(), "…".into());
    assert_eq!(fixed.id, app.id, "a fix is sent under the same id");
    assert_eq!(fixed.to_send(), Some(&form("王芳芳")));
}

#[wasm_bindgen_test]
fn each_enrolment_step_is_shown_in_turn() {
    let with = |state| LocalApplication {
        pending: None,
        filed: Some(Filed::Enrolment(view(state))),
        ..new_app()
    };
    use EnrolmentState::*;
    assert_eq!(
        marks(&with(VillageApproved)),
        [Mark::Done, Mark::Done, Mark::Now, Mark::Todo]
    );
    assert_eq!(marks(&with(Enrolled)), [Mark::Done; 4]);
    assert!(!with(Enrolled).awaits_staff());
    let returned = with(Returned);
    assert_eq!(
        marks(&returned),
        [Mark::Done, Mark::Problem, Mark::Todo, Mark::Todo]
    );
    assert!(returned.can_fix() && !returned.can_discard());
    assert!(returned.awaits_applicant() && !returned.awaits_staff());
    assert_eq!(returned.next_revision(), 1, "a fix is the next revision");
    // Returned by the town after the village approved it: the village step stays done.
    let mut by_town = view(Returned);
    by_town.town_reviewed_at = Some(AT);
    let by_town = LocalApplication {
        filed: Some(Filed::Enrolment(by_town)),
        ..with(Returned)
    };
    assert_eq!(
        marks(&by_town),
        [Mark::Done, Mark::Done, Mark::Problem, Mark::Todo]
    );
}

#[wasm_bindgen_test]
fn back_payment_steps_and_the_lists_merge() {
    let local = vec![new_app()];
    let back = back_view(BackPaymentState::SlipIssued);
    let changed = merge_filed(
        &local,
        &[view(EnrolmentState::Submitted)],
        std::slice::from_ref(&back),
    );
    assert_eq!(changed.len(), 2);
    // Ours: the view lands on it; the form the server now has no longer waits.
    assert_eq!(changed[0].id, local[0].id);
    assert!(changed[0].pending.is_none());
    assert_eq!(
        changed[0].status(),
        Status::Enrolment(EnrolmentState::Submitted)
    );
    // Filed from another phone: a new record, nothing to send.
    let other = &changed[1];
    assert_eq!((other.kind, other.to_send()), (Kind::BackPayment, None));
    assert_eq!(other.name_masked, "*芳");
    assert!(other.awaits_staff());
    assert_eq!(
        marks(other),
        [Mark::Done, Mark::Done, Mark::Now, Mark::Todo]
    );
    // Nothing new: nothing to write.
    assert!(merge_filed(&changed, &[view(EnrolmentState::Submitted)], &[back]).is_empty());
}

#[wasm_bindgen_test]
fn a_queued_form_is_edited_not_resent() {
    // Never sent: 修改 (and it may be deleted), not 修改后重新提交.
    let queued = new_app();
    assert_eq!(queued.change(), Some(Change::EditQueued));
    assert!(queued.can_discard());
    // Refused once it was sent: fixed and sent again.
    let refused = queued.refused_with(&form("王芳"), "too_young".into(), "未满16周岁".into());
    assert_eq!(refused.change(), Some(Change::FixAndResend));
    // Waiting on the village: nothing to change.
    let sent = queued.answered(
        &form("王芳"),
        Filed::Enrolment(view(EnrolmentState::Submitted)),
    );
    assert_eq!(sent.change(), None);
    assert!(!sent.needs_filed_form());
    // Returned: fixed from the server's copy, since the phone kept it masked.
    let returned = queued.answered(
        &form("王芳"),
        Filed::Enrolment(view(EnrolmentState::Returned)),
    );
    assert!(returned.needs_filed_form());
}

#[wasm_bindgen_test]
fn a_full_view_from_the_server_is_never_kept() {
    let mut seen = view(EnrolmentState::Returned);
    seen.full = Some(PersonIdentity {
        name: "王芳".into(),
        id_number: "371003199001011237".into(),
    });
    let mut back = back_view(BackPaymentState::Submitted);
    back.full = seen.full.clone();
    let merged = merge_filed(&[], &[seen], &[back]);
    for record in &merged {
        let kept = serde_json::to_string(record).unwrap();
        assert!(!kept.contains("371003199001011237"), "{kept}");
    }
}

#[wasm_bindgen_test]
fn a_returned_back_payment_is_fixed_under_its_id() {
    let with = |state| LocalApplication {
        kind: Kind::BackPayment,
        pending: None,
        filed: Some(Filed::BackPayment(back_view(state))),
        ..new_app()
    };
    let returned = with(BackPaymentState::Returned);
    assert!(returned.can_fix() && returned.awaits_applicant());
    assert_eq!(returned.change(), Some(Change::FixAndResend));
    assert_eq!(returned.next_revision(), 1);
    assert_eq!(
        marks(&returned),
        [Mark::Done, Mark::Problem, Mark::Todo, Mark::Todo]
    );
    let slip = with(BackPaymentState::SlipIssued);
    assert!(!slip.can_fix() && slip.awaits_applicant());
}

#[wasm_bindgen_test]
fn an_enrolled_person_among_the_payees_is_said_added() {
    let enrolled = LocalApplication {
        pending: None,
        filed: Some(Filed::Enrolment(view(EnrolmentState::Enrolled))),
        ..new_app()
    };
    let payees = [("*芳", "371003********1237")];
    assert!(enrolled.payee_added(payees));
    assert!(!enrolled.payee_added([("*芳", "371003********9999")]));
    assert!(!enrolled.payee_added([]));
    // Not yet enrolled: nothing to add, whoever is on the list.
    let waiting = LocalApplication {
        filed: Some(Filed::Enrolment(view(EnrolmentState::VillageApproved))),
        ..enrolled
    };
    assert!(!waiting.payee_added(payees));
}
