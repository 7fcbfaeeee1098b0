//! The staff's review screens for 参保登记 and 补缴, behind the same role checks as the server
//! (which decides for real): the forms of the staff member's own area, those waiting on them
//! first. On a weak network the last list loaded on this phone is shown with its time; a
//! decision needs the network, and what was typed stays on screen until it goes through.
//! The server sends the person's full name and ID number to the reviewers of their own village
//! or town; those stay in memory for the screen, and the list kept on the phone is masked
//! ([`Reviewed::kept`]).
//! [`reconciliation`] is the town center's and administrators' 对账 screen: the day's
//! mismatches with the bank and the refund cases (退费) to resolve. [`policies`] is the
//! administrators' 缴费政策 screen: the policy versions, and publishing one.

pub mod back_payments;
pub mod enrolments;
pub mod policies;
pub mod reconciliation;

use std::future::Future;

use leptos::prelude::*;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_shared::applications::{BackPaymentView, EnrolmentView, PersonIdentity};
use yanglao_shared::json::FromJson;
use yanglao_shared::wire::StaffRole;

use super::failure_text;
use crate::api::ApiError;
use crate::i18n::{self, ta};
use crate::state::AppState;

/// A list as the server last gave it, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct CachedList<T> {
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub at: OffsetDateTime,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Listing<T> {
    Loading,
    Fresh(Vec<T>),
    /// From the phone, because the server could not be reached.
    Cached(CachedList<T>),
    Failed(String),
}

impl<T: Clone> Listing<T> {
    pub fn items(&self) -> Vec<T> {
        match self {
            Self::Fresh(items) => items.clone(),
            Self::Cached(c) => c.items.clone(),
            Self::Loading | Self::Failed(_) => Vec::new(),
        }
    }

    /// After a decision: the item as the server now has it.
    pub fn replace(&mut self, is_it: impl Fn(&T) -> bool, now: T) {
        let items = match self {
            Self::Fresh(items) => items,
            Self::Cached(c) => &mut c.items,
            Self::Loading | Self::Failed(_) => return,
        };
        if let Some(slot) = items.iter_mut().find(|i| is_it(i)) {
            *slot = now;
        }
    }
}

/// Loads a list (`fetch`), keeps it under `key` for a weak network, and falls back to what
/// was kept when offline.
async fn load<T, F>(app: AppState, key: &'static str, fetch: F) -> Listing<T>
where
    T: Reviewed,
    F: Future<Output = Result<Vec<T>, ApiError>>,
{
    let store = app.store().await.ok();
    match fetch.await {
        Ok(items) => {
            if let Some(store) = &store {
                let kept = CachedList {
                    at: app.server_now(),
                    items: items.iter().map(Reviewed::kept).collect(),
                };
                let _ = store.set(key, &kept).await;
            }
            Listing::Fresh(items)
        }
        Err(ApiError::Offline) => {
            let kept = match &store {
                Some(store) => store.get::<CachedList<T>>(key).await.ok().flatten(),
                None => None,
            };
            match kept {
                Some(kept) => Listing::Cached(kept),
                None => Listing::Failed(crate::i18n::tr().staff_no_cache.to_owned()),
            }
        }
        Err(e) => Listing::Failed(failure_text(app, &e)),
    }
}

/// What both review screens handle: a form with an id, at a step of its flow.
pub trait Reviewed: Clone + PartialEq + Serialize + FromJson + Send + Sync + 'static {
    fn id(&self) -> Uuid;
    /// Its step: on screen a form is keyed by id and step, so a form whose step changed is
    /// built afresh while the others keep what is typed into them.
    fn step(&self) -> &'static str;
    /// As the phone keeps it: without the full name and ID number a reviewer is shown.
    fn kept(&self) -> Self;
}

impl Reviewed for EnrolmentView {
    fn id(&self) -> Uuid {
        self.id
    }
    fn step(&self) -> &'static str {
        self.state.as_str()
    }
    fn kept(&self) -> Self {
        Self {
            full: None,
            ..self.clone()
        }
    }
}

impl Reviewed for BackPaymentView {
    fn id(&self) -> Uuid {
        self.id
    }
    fn step(&self) -> &'static str {
        self.state.as_str()
    }
    fn kept(&self) -> Self {
        Self {
            full: None,
            ..self.clone()
        }
    }
}

/// The name and ID number a reviewer compares with the papers: in full when the server sent
/// them (this staff member reviews the person's village or town), masked otherwise.
pub fn person_line(full: Option<&PersonIdentity>, name_masked: &str, id_masked: &str) -> AnyView {
    match full {
        Some(p) => view! {
            <span class="person-name" data-testid="review-name">{p.name.clone()}</span>" "
            <span class="id-full" data-testid="review-id">{p.id_number.clone()}</span>
        }
        .into_any(),
        None => view! {
            <span class="person-name" data-testid="review-name">{name_masked.to_owned()}</span>" "
            <span class="muted id-masked" data-testid="review-id">{id_masked.to_owned()}</span>
        }
        .into_any(),
    }
}

/// One review screen's forms: loaded under `key` (and kept there for a weak network), split
/// into those waiting on this staff member and the rest, and updated by each decision.
pub struct Queue<T: Reviewed> {
    pub listing: RwSignal<Listing<T>>,
    pub todo: Memo<Vec<T>>,
    pub rest: Memo<Vec<T>>,
    pub reload: Callback<()>,
    pub decided: Callback<T>,
}

impl<T: Reviewed> Clone for Queue<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Reviewed> Copy for Queue<T> {}

/// Loads the queue now (and again on `reload`); `fetch` asks the server with the session's
/// token, `waits` says which forms this staff member acts on.
pub fn queue<T, F, Fut>(
    app: AppState,
    key: &'static str,
    fetch: F,
    waits: impl Fn(&T) -> bool + Copy + Send + Sync + 'static,
) -> Queue<T>
where
    T: Reviewed,
    F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    let listing = RwSignal::new(Listing::Loading);
    let reload = Callback::new(move |()| {
        leptos::task::spawn_local(async move {
            let token = app.token().unwrap_or_default();
            listing.set(load(app, key, fetch(token)).await);
        })
    });
    reload.run(());
    let decided = Callback::new(move |now: T| remember_decision(app, key, listing, now));
    let (todo, rest) = split(listing, waits);
    Queue {
        listing,
        todo,
        rest,
        reload,
        decided,
    }
}

/// After a decision: the form as the server now has it, on screen and in the list kept on
/// the phone (so an offline look later does not offer a step already taken).
fn remember_decision<T: Reviewed>(
    app: AppState,
    key: &'static str,
    listing: RwSignal<Listing<T>>,
    now: T,
) {
    let id = now.id();
    listing.update(|l| l.replace(|v| v.id() == id, now.clone()));
    app.say(ta().done);
    leptos::task::spawn_local(async move {
        let Ok(store) = app.store().await else {
            return;
        };
        if let Ok(Some(mut kept)) = store.get::<CachedList<T>>(key).await {
            if let Some(slot) = kept.items.iter_mut().find(|v| v.id() == id) {
                *slot = now.kept();
                let _ = store.set(key, &kept).await;
            }
        }
    });
}

/// The lists of a review screen: the forms waiting on this staff member, each a `task`; the
/// rest, a `summary` each; and a refresh.
#[component]
pub fn QueueLists<T: Reviewed>(
    queue: Queue<T>,
    task: Callback<T, AnyView>,
    summary: fn(&T) -> AnyView,
) -> impl IntoView {
    view! {
        <ListingHead listing=queue.listing />
        <h2>{move || ta().todo}</h2>
        <Show
            when=move || !queue.todo.with(Vec::is_empty)
            fallback=|| view! { <p class="empty" data-testid="review-none">{move || ta().none_todo}</p> }
        >
            <ul class="list" data-testid="review-todo">
                <For
                    each=move || queue.todo.get()
                    key=|v| (v.id(), v.step())
                    children=move |v| task.run(v)
                />
            </ul>
        </Show>
        <h2>{move || ta().others}</h2>
        <ul class="list" data-testid="review-others">
            {move || queue.rest.get().iter().map(|v| view! { <li class="list__item">{summary(v)}</li> }).collect_view()}
        </ul>
        <button type="button" class="button button--quiet" on:click=move |_| queue.reload.run(())>{move || ta().refresh}</button>
    }
}

/// The role of this account, as the server last said (None for a resident). A memo: a sync
/// that reloads the phone's data must not rebuild the screen (and wipe what is being typed).
pub fn role(app: AppState) -> Memo<Option<StaffRole>> {
    Memo::new(move |_| {
        app.data.with(|d| {
            d.account
                .as_ref()
                .and_then(|a| a.staff.as_ref().map(|s| s.role))
        })
    })
}

/// The list split into what waits on this staff member and the rest.
fn split<T>(
    listing: RwSignal<Listing<T>>,
    waits: impl Fn(&T) -> bool + Copy + Send + Sync + 'static,
) -> (Memo<Vec<T>>, Memo<Vec<T>>)
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let part = move |want: bool| {
        Memo::new(move |_| {
            listing
                .with(Listing::items)
                .into_iter()
                .filter(|v| waits(v) == want)
                .collect::<Vec<_>>()
        })
    };
    (part(true), part(false))
}

/// What a failed decision says: offline keeps the input and asks to retry.
pub fn decision_error(app: AppState, error: &ApiError) -> String {
    match error {
        ApiError::Offline => ta().review_needs_network.to_owned(),
        e => failure_text(app, e),
    }
}

/// The line above a list: loading, its age when it came from the phone, or why it is empty.
#[component]
pub fn ListingHead<T: Clone + Send + Sync + 'static>(
    listing: RwSignal<Listing<T>>,
) -> impl IntoView {
    move || {
        listing.with(|l| match l {
            Listing::Loading => {
                view! { <p class="muted">{move || crate::i18n::tr().loading}</p> }.into_any()
            }
            Listing::Failed(message) => view! {
                <p class="callout" role="alert" data-testid="review-error">{message.clone()}</p>
            }
            .into_any(),
            Listing::Cached(c) => view! {
                <p class="callout" data-testid="review-data-time">{i18n::data_time(c.at)}" "{move || ta().review_offline}</p>
            }
            .into_any(),
            Listing::Fresh(_) => ().into_any(),
        })
    }
}
