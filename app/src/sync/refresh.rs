//! The quiet reads that are not the log's business: the public policy (with its version; also
//! after every sync, so a newly published one reaches the phone) and window,
//! the towns and villages, the account. Each keeps what it fetched for offline use and
//! touches only its own field on screen.

use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::clock;
use crate::model::CachedWindow;
use crate::state::AppState;

/// Fetches the public policy and window (no login needed) and caches them for offline use,
/// with the server's limits for one sync.
pub async fn refresh_policy(app: AppState) {
    let Ok((info, policy_text)) = api::policy().await else {
        return;
    };
    let cached = CachedWindow {
        window: info.window,
        clock: crate::clock::ServerClock {
            server_time: info.server_time,
            seen_at: clock::now(),
        },
    };
    if let Ok(store) = app.store().await {
        if let Some(limits) = info.sync_limits {
            // Best effort: without it the push assumes the usual limits and halves if refused.
            let _ = store.set(crate::store::keys::SYNC_LIMITS, &limits).await;
        }
        let version = info.version.clone();
        let saved = store.save_window(&cached, &policy_text).await.is_ok()
            && store
                .set(crate::store::keys::POLICY_VERSION, &version)
                .await
                .is_ok();
        if saved {
            // Just these fields: a full reload would redraw every screen at start-up.
            app.data.update(|d| {
                d.window = Some(cached);
                d.policy = Some(info.policy);
                d.policy_version = version;
            });
        }
    }
}

/// Fetches the towns and villages the enrolment form offers (public) and keeps them.
pub async fn refresh_places(app: AppState) {
    let Ok(places) = api::places().await else {
        return;
    };
    if let Ok(store) = app.store().await {
        if store.set(crate::store::keys::PLACES, &places).await.is_ok() {
            app.data.update(|d| d.places = places);
        }
    }
}

/// Re-reads the account (`GET /me`) and keeps it, so what depends on it (the staff entry,
/// one's own record) also shows offline. Quiet: a failure leaves the cached account as it
/// was. Answers whether the server was reached (a 401 asks to log in again).
pub async fn refresh_account(app: AppState) -> bool {
    let Some(token) = app.token() else {
        return false;
    };
    match api::me(&token).await {
        Ok(account) => {
            remember_account(app, account).await;
            true
        }
        Err(ApiError::Unauthorized(_)) => {
            app.needs_login.set(true);
            true
        }
        Err(_) => false,
    }
}

/// Keeps the account as the server just gave it, on disk and on screen.
pub async fn remember_account(app: AppState, account: yanglao_shared::wire::Account) {
    if let Ok(store) = app.store().await {
        if store.save_account(&account).await.is_ok() {
            app.data.update(|d| d.account = Some(account));
        }
    }
}
