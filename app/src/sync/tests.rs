//! The engine as a value, against the stand-in server ([`crate::fake_server`]) in headless
//! Chromium: calls made during a run fold into one more run; a run that finds no network
//! backs off and keeps its state in the engine, not in globals.

use serde_json::json;
use time::macros::datetime;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::Session;

use super::*;
use crate::fake_server::{calls, restore_fetch, serve, slow, sync_answer};
use crate::fixtures::*;

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// An app state logged in as a made-up account (the app's own database, as on a phone).
async fn logged_in() -> AppState {
    // What mounting the app sets up: an executor for spawned tasks (a view mounted on a
    // detached element, nothing shown), and an owner for the signals.
    let host = document().create_element("div").unwrap();
    leptos::mount::mount_to(host.unchecked_into(), || ()).forget();
    Owner::new().set();
    let app = AppState::new();
    let session = Session {
        token: "engine-test".into(),
        account_id: id(900),
        mobile_masked: "138****0000".into(),
        expires_at: datetime!(2030-01-01 0:00 UTC),
    };
    app.store()
        .await
        .unwrap()
        .begin_session(&session)
        .await
        .unwrap();
    app.reload().await;
    app
}

async fn settle(engine: SyncEngine) {
    for _ in 0..250 {
        if engine.with_engine(|e| !e.running).unwrap_or(true) {
            return;
        }
        sleep(20).await;
    }
    panic!("the run did not end");
}

#[wasm_bindgen_test]
async fn calls_made_during_a_run_fold_into_one_more_run() {
    let app = logged_in().await;
    serve(
        json!({ "POST /api/v1/sync": sync_answer(&response(1, vec![], vec![])) }),
        false,
    );
    slow(300);
    calls();
    let engine = SyncEngine::new(app);
    engine.request();
    engine.request(); // before the run started: the run covers it
    sleep(100).await; // the first request is out now
    engine.request();
    engine.request();
    settle(engine).await;
    let sent = calls();
    restore_fetch();
    assert_eq!(
        sent.len(),
        2,
        "one run, then one for the calls during it: {sent:?}"
    );
    assert!(sent.iter().all(|c| c.starts_with("POST /api/v1/sync ")));
    assert_eq!(app.sync.get_untracked(), SyncStatus::Idle);
    assert_eq!(app.data.with_untracked(|d| d.cursor), Some(1));
    // Another engine starts from nothing: no state is shared through globals.
    let other = SyncEngine::new(app);
    assert_eq!(
        other.with_engine(|e| (e.running, e.again)),
        Some((false, false))
    );
}

#[wasm_bindgen_test]
async fn a_run_without_network_backs_off_and_counts_its_failures() {
    let app = logged_in().await;
    serve(json!({}), true);
    let engine = SyncEngine::new(app);
    engine.request();
    settle(engine).await;
    assert_eq!(app.sync.get_untracked(), SyncStatus::Offline);
    assert!(!app.online.get_untracked());
    assert_eq!(
        engine.with_engine(|e| (e.failures, e.timer.is_some())),
        Some((1, true)),
        "a retry is scheduled with backoff"
    );
    engine.cancel_timer();
    restore_fetch();
}
