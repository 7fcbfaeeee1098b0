//! Yanglao's PWA: pay the yearly resident pension contribution (城乡居民基本养老保险) from a
//! cheap phone on a flaky network. Offline first: what a person prepares is stored on the phone
//! before anything else happens, and sent when a connection may exist.
//!
//! A map of the crate:
//! - [`i18n`]: every sentence people read, Chinese first, English second.
//! - [`model`]: the records kept on the phone (people, payment intents, cached server facts).
//! - [`rules`]: the shared crate's rules applied on the phone: window banner, deadline warning,
//!   eligibility hint, this year's status of a person.
//! - [`mutations`]: the mutation log, one ordered list of every write the server has not
//!   acknowledged yet (people, payments, forms, removals), without a browser.
//! - [`outbox`]: what one `POST /sync` sends and how the server's answer is merged (pure).
//! - [`store`]: IndexedDB (called through web-sys, `store/idb.rs`), where everything in
//!   [`model`] lives.
//! - [`api`]: the only module that talks to the server.
//! - [`sync`]: the [`sync::SyncEngine`], provided as a context: when the log is pushed
//!   (triggers, backoff, one tab at a time) and how each entry is sent.
//! - [`pwa`]: service worker registration, update prompt, Background Sync.
//! - [`bundle`]: which of the two builds this is (resident, or full with the staff screens),
//!   and moving to the full one when a screen or an account needs it.
//! - [`routing`]: the address as a signal, links and the route table (the app's own router).
//! - [`state`]: the reactive application state the pages share.
//! - [`staff`]: the staff screens' pure logic (statistics cache, tiers, paging).
//! - [`voice`]: 朗读 in 长辈模式 (speech in Mandarin, its button, payment announcements).
//! - [`components`] and [`pages`]: the screens.

pub mod api;
pub mod applications;
pub mod bundle;
pub mod clock;
pub mod components;
pub mod i18n;
pub mod model;
pub mod mutations;
pub mod outbox;
pub mod pages;
pub mod pwa;
pub mod routing;
pub mod rules;
pub mod staff;
pub mod state;
pub mod store;
pub mod sync;
pub mod voice;

mod app;
#[cfg(test)]
mod fake_server;
#[cfg(test)]
mod fixtures;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the resident bundle's app on `<body>` (the `yanglao-app` binary).
pub fn start_resident() {
    app::mount::<false>();
}

/// Mounts the full bundle's app on `<body>` (the `yanglao-full` binary).
pub fn start_full() {
    bundle::install_forms(sync::applications::PARTS);
    app::mount::<true>();
}
