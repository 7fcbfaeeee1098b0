use time::macros::{date, datetime};
use time::Duration;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::eligibility::RosterStatus;
use yanglao_shared::wire::{IntentState, PayeeCheck};

use super::*;
use crate::clock::ServerClock;
use crate::fixtures::*;
use crate::model::CachedWindow;

fn wendeng() -> Policy {
    policy_or_builtin(None, 2026)
}

#[wasm_bindgen_test]
fn the_servers_window_is_used_while_it_speaks_of_today() {
    let cached = CachedWindow {
        window: open_window(61),
        clock: ServerClock {
            server_time: NOW,
            seen_at: NOW,
        },
    };
    let later_today = NOW + Duration::hours(5);
    let now = window_now(Some(&cached), &wendeng(), later_today);
    assert_eq!(
        now,
        WindowNow {
            state: open_window(61),
            from_server: true
        }
    );
}

#[wasm_bindgen_test]
fn offline_for_days_the_window_is_worked_out_with_the_corrected_clock() {
    // The phone's clock is a day behind the server's.
    let cached = CachedWindow {
        window: open_window(61),
        clock: ServerClock {
            server_time: NOW,
            seen_at: NOW - Duration::days(1),
        },
    };
    let phone_now = datetime!(2026-04-28 12:00 +8); // server: 29 April
    let now = window_now(Some(&cached), &wendeng(), phone_now);
    assert!(!now.from_server);
    assert!(
        matches!(now.state, WindowState::Open { days_left: 2, .. }),
        "{:?}",
        now.state
    );
    // Never synced: the built-in policy and the phone's clock.
    let never = window_now(None, &wendeng(), datetime!(2026-05-01 08:00 +8));
    assert!(matches!(
        never.state,
        WindowState::Closed { year: 2026, .. }
    ));
}

#[wasm_bindgen_test]
fn unsent_payments_are_called_out_in_the_last_week_and_after_closing() {
    let queued = vec![intent(1, id(2), IntentState::Queued)];
    assert_eq!(deadline_warning(&open_window(8), &queued), None);
    assert_eq!(
        deadline_warning(&open_window(7), &queued),
        Some(DeadlineWarning::ClosingSoon {
            unsent: 1,
            days_left: 7
        })
    );
    let closed = WindowState::Closed {
        year: 2026,
        opens: date!(2026 - 01 - 01),
        closes: date!(2026 - 04 - 30),
    };
    assert_eq!(
        deadline_warning(&closed, &queued),
        Some(DeadlineWarning::Closed { unsent: 1 })
    );
    let sent = vec![intent(1, id(2), IntentState::Submitted)];
    assert_eq!(
        deadline_warning(&open_window(1), &sent),
        None,
        "sent is the server's business now"
    );
}

#[wasm_bindgen_test]
fn a_persons_status_is_told_in_order() {
    let mut person = verified_payee(2);
    assert_eq!(
        payee_status(&pending_payee(2), &[], 2026),
        PayeeStatus::Unverified
    );
    assert_eq!(
        payee_status(&person, &[], 2026),
        PayeeStatus::Unpaid { last_failed: None }
    );

    let failed = intent(
        1,
        id(2),
        IntentState::Failed {
            reason: not_needed_reason(),
        },
    );
    assert_eq!(
        payee_status(&person, std::slice::from_ref(&failed), 2026),
        PayeeStatus::Unpaid {
            last_failed: Some(failed.clone())
        }
    );
    let queued = intent(2, id(2), IntentState::Queued);
    assert_eq!(
        payee_status(&person, &[failed.clone(), queued.clone()], 2026),
        PayeeStatus::InProgress(queued.clone())
    );
    let done = intent(3, id(2), paid("R1"));
    assert_eq!(
        payee_status(&person, &[failed, queued.clone(), done.clone()], 2026),
        PayeeStatus::Paid { by_me: Some(done) }
    );
    // Last year's payment says nothing about this year.
    assert_eq!(
        payee_status(&person, &[queued], 2027),
        PayeeStatus::Unpaid { last_failed: None }
    );

    person.check = verified(true);
    assert_eq!(
        payee_status(&person, &[], 2026),
        PayeeStatus::Paid { by_me: None }
    );
    person.check = PayeeCheck::NoMatch {
        reason: not_needed_reason(),
    };
    assert!(matches!(
        payee_status(&person, &[], 2026),
        PayeeStatus::NoMatch(_)
    ));
}

fn not_needed_reason() -> yanglao_shared::refusal::Reason {
    yanglao_shared::refusal::Reason::new("x", "原因", "reason")
}

#[wasm_bindgen_test]
fn the_eligibility_hint_is_the_shared_decision() {
    let policy = wendeng();
    let person = verified_payee(2); // born 1970-05-01
    assert!(eligibility_hint(&policy, &person, 2026, tier("1500"), NOW).is_empty());
    assert_eq!(
        eligibility_hint(&policy, &person, 2026, tier("300"), NOW)
            .iter()
            .map(Refusal::code)
            .collect::<Vec<_>>(),
        ["tier_restricted"]
    );
    let sixty = LocalPayee {
        birth_date: Some(date!(1966 - 02 - 01)),
        ..person.clone()
    };
    assert_eq!(
        eligibility_hint(&policy, &sixty, 2026, tier("1500"), NOW)
            .iter()
            .map(Refusal::code)
            .collect::<Vec<_>>(),
        ["at_benefit_age"]
    );
    let elsewhere = LocalPayee {
        birth_date: None,
        ..person
    };
    assert!(
        eligibility_hint(&policy, &elsewhere, 2026, tier("300"), NOW).is_empty(),
        "no facts, no guess"
    );
    let _ = RosterStatus::Enrolled;
}
