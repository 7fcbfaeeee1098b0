//! 工作台: the payment window at a glance for a staff member's own village or town (the
//! server decides the area from the account): enrolled, paid, unpaid, being charged, amounts by
//! tier, days left; the unpaid list to follow up, a page at a time; and the list as CSV for
//! Excel. On a weak network the last statistics and the last unpaid list loaded on this phone
//! are shown, each with its time by the server's clock ("12 分钟前的名单（离线）").

mod stats;

use crate::routing::A;
use leptos::prelude::*;
use leptos::task::spawn_local;
use time::OffsetDateTime;
use yanglao_shared::wire::StaffRole;

use super::{failure_text, ErrorText, RequireSession};
use crate::api::{self, ApiError};
use crate::i18n::{self, fixed, tp, tr};
use crate::rules;
use crate::staff::{self, CachedList, CachedStats, UnpaidList, PAGE_SIZE};
use crate::state::{use_app, AppState};
pub(crate) use stats::save_file;
use stats::StatsView;

#[component]
pub fn Staff() -> impl IntoView {
    view! {
        <RequireSession>
            <StaffPage />
        </RequireSession>
    }
}

/// What the statistics part of the screen shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    Fresh(CachedStats),
    /// From IndexedDB, because the server could not be reached.
    Cached(CachedStats),
    Failed(String),
}

impl Shown {
    fn year(&self) -> Option<i32> {
        match self {
            Self::Fresh(c) | Self::Cached(c) => Some(c.stats.year),
            _ => None,
        }
    }
}

/// The screen's signals, handed to the loaders as one copyable value.
#[derive(Clone, Copy)]
struct Screen {
    app: AppState,
    shown: RwSignal<Shown>,
    list: RwSignal<UnpaidList>,
    list_error: RwSignal<Option<String>>,
    list_busy: RwSignal<bool>,
    /// When the list shown was loaded, if it is the one kept on the phone (offline).
    list_kept_at: RwSignal<Option<OffsetDateTime>>,
    /// When the first page of the list being loaded came (server clock): the list's time.
    list_loaded_at: StoredValue<Option<OffsetDateTime>>,
    /// Bumped on each change of year, so a slow answer for the previous year is dropped.
    generation: StoredValue<u32>,
}

async fn load_stats(s: Screen, year: Option<i32>, generation: u32) {
    let answer = match s.app.token() {
        Some(token) => api::staff_stats(&token, year).await,
        None => Err(ApiError::Offline),
    };
    if s.generation.get_value() != generation {
        return;
    }
    let store = s.app.store().await.ok();
    let shown = match answer {
        Ok(stats) => {
            let fresh = CachedStats {
                stats,
                at: s.app.server_now(),
            };
            if let Some(store) = &store {
                let _ = store.remember_stats(fresh.clone()).await;
            }
            Shown::Fresh(fresh)
        }
        Err(ApiError::Offline) => {
            let cache = match &store {
                Some(store) => store.staff_stats().await.unwrap_or_default(),
                None => Default::default(),
            };
            match cache.pick(year) {
                Some(cached) => Shown::Cached(cached.clone()),
                None => Shown::Failed(tr().staff_no_cache.to_owned()),
            }
        }
        Err(e) => Shown::Failed(failure_text(s.app, &e)),
    };
    if s.generation.get_value() == generation {
        s.shown.set(shown);
    }
}

async fn load_page(s: Screen, year: Option<i32>, offset: i64, generation: u32) {
    let Some(token) = s.app.token() else {
        return;
    };
    s.list_busy.set(true);
    s.list_error.set(None);
    let answer = api::staff_unpaid(&token, year, PAGE_SIZE, offset).await;
    if s.generation.get_value() != generation {
        return;
    }
    s.list_busy.set(false);
    match answer {
        Ok(page) => {
            if offset == 0 || s.list_loaded_at.get_value().is_none() {
                s.list_loaded_at.set_value(Some(s.app.server_now()));
            }
            s.list.update(|l| l.merge(page));
            s.list_kept_at.set(None);
            keep_list(s).await;
        }
        Err(ApiError::Offline) if offset == 0 => show_kept_list(s, year).await,
        Err(ApiError::Offline) => s.list_error.set(Some(tr().staff_list_offline.to_owned())),
        Err(e) => s.list_error.set(Some(failure_text(s.app, &e))),
    }
}

/// Keeps the list as loaded so far on the phone, names masked as the server sent them.
async fn keep_list(s: Screen) {
    let Some(at) = s.list_loaded_at.get_value() else {
        return;
    };
    let kept = s.list.with_untracked(|l| CachedList::of(l, at));
    if let (Some(kept), Ok(store)) = (kept, s.app.store().await) {
        // Best effort: the list on screen is right either way.
        let _ = store.remember_unpaid(&kept).await;
    }
}

/// Offline: the list kept on the phone, if it is of the year asked for, with its time.
async fn show_kept_list(s: Screen, year: Option<i32>) {
    let kept = match s.app.store().await {
        Ok(store) => store.unpaid_list().await.ok().flatten(),
        Err(_) => None,
    };
    match kept.filter(|k| k.answers(year)) {
        Some(kept) => {
            s.list.set(kept.to_list());
            s.list_kept_at.set(Some(kept.at));
        }
        None => s.list_error.set(Some(tp().list_offline_none.to_owned())),
    }
}

#[component]
fn StaffPage() -> impl IntoView {
    let app = use_app();
    // None: the server's own "this year" (the phone's clock may be wrong).
    let year = RwSignal::new(None::<i32>);
    let s = Screen {
        app,
        shown: RwSignal::new(Shown::Loading),
        list: RwSignal::new(UnpaidList::default()),
        list_error: RwSignal::new(None),
        list_busy: RwSignal::new(false),
        list_kept_at: RwSignal::new(None),
        list_loaded_at: StoredValue::new(None),
        generation: StoredValue::new(0),
    };
    let this_year = RwSignal::new(None::<i32>);
    Effect::new(move |_| {
        let chosen = year.get();
        let generation = s.generation.get_value() + 1;
        s.generation.set_value(generation);
        s.shown.set(Shown::Loading);
        s.list.set(UnpaidList::default());
        s.list_kept_at.set(None);
        s.list_loaded_at.set_value(None);
        spawn_local(load_stats(s, chosen, generation));
        spawn_local(load_page(s, chosen, 0, generation));
    });
    // The year the server calls "this year", learnt from its first answer.
    Effect::new(move |_| {
        if let (None, Shown::Fresh(c)) = (year.get_untracked(), s.shown.get()) {
            this_year.set(Some(c.stats.year));
        }
    });
    let base_year = move || {
        this_year
            .get()
            .unwrap_or_else(|| rules::window_year(&app.window().state))
    };
    let shown_year = move || year.get().or_else(|| s.shown.with(Shown::year));

    let more = move |_| {
        let (next_year, offset) = s.list.with_untracked(|l| (l.year, l.next_offset()));
        spawn_local(load_page(s, next_year, offset, s.generation.get_value()));
    };
    let exporting = RwSignal::new(false);
    let export_error = RwSignal::new(None::<String>);
    let export = move |_| {
        let (Some(y), Some(token)) = (shown_year(), app.token()) else {
            export_error.set(Some(tr().needs_network.to_owned()));
            return;
        };
        exporting.set(true);
        export_error.set(None);
        let info = app
            .data
            .with_untracked(|d| d.account.as_ref().and_then(|a| a.staff.clone()));
        let server_now = app.server_now();
        let file_name = move |y| staff::csv_filename(info.as_ref(), y, server_now);
        spawn_local(async move {
            let answer = api::staff_unpaid_csv(&token, y).await;
            exporting.set(false);
            match answer {
                Ok(bytes) => match save_file(&bytes, &file_name(y), "text/csv") {
                    Ok(()) => app.say(tr().staff_exported),
                    Err(_) => export_error.set(Some(tr().error_generic.to_owned())),
                },
                Err(e) => export_error.set(Some(failure_text(app, &e))),
            }
        });
    };
    let staff_info = move || {
        app.data
            .with(|d| d.account.as_ref().and_then(|a| a.staff.clone()))
    };
    let admin = move || staff_info().is_some_and(|i| i.role == StaffRole::Admin);
    let area = move || {
        staff_info().map(|i| {
            let place = [i.town, i.village]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            format!("{} {}", i18n::staff_role(i.role), place.join(" "))
        })
    };

    view! {
        <section class="page staff">
            <h1 tabindex="-1">{fixed(|s| s.staff_title)}</h1>
            <p class="muted" data-testid="staff-area">{area}</p>
            <nav class="actions" aria-label=crate::i18n::ta().review_links>
                <A href="/staff/enrolments" attr:class="button" attr:data-testid="review-enrolments">{move || crate::i18n::ta().review_enrol_title}</A>
                <A href="/staff/back-payments" attr:class="button" attr:data-testid="review-back-payments">{move || crate::i18n::ta().review_back_title}</A>
                <Show when=move || staff_info().is_some_and(|i| i.role != StaffRole::Village)>
                    <A href="/staff/reconciliation" attr:class="button" attr:data-testid="staff-reconciliation">{move || super::review::reconciliation::title()}</A>
                </Show>
                <Show when=admin>
                    <A href="/staff/policies" attr:class="button" attr:data-testid="staff-policies">{move || super::review::policies::title()}</A>
                </Show>
            </nav>
            <label class="staff__year">
                <span>{fixed(|s| s.staff_year)}</span>
                <select
                    data-testid="staff-year"
                    on:change=move |ev| {
                        if let Ok(y) = event_target_value(&ev).parse() {
                            year.set(Some(y));
                        }
                    }
                >
                    {move || {
                        let chosen = shown_year();
                        staff::year_options(base_year())
                            .into_iter()
                            .map(|y| view! {
                                <option value=y.to_string() selected=chosen == Some(y)>{i18n::year(y)}</option>
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            // The figures hold no input: built again in the other language.
            {move || {
                i18n::track_lang();
                match s.shown.get() {
                    Shown::Loading => view! { <p class="muted">{fixed(|s| s.loading)}</p> }.into_any(),
                    Shown::Failed(message) => {
                        view! { <p class="callout" role="alert" data-testid="staff-error">{message}</p> }
                            .into_any()
                    }
                    Shown::Fresh(c) => view! { <StatsView cached=c from_phone=false /> }.into_any(),
                    Shown::Cached(c) => view! { <StatsView cached=c from_phone=true /> }.into_any(),
                }
            }}

            <h2>{fixed(|s| s.staff_unpaid_list)}</h2>
            <button
                type="button"
                class="button button--block"
                data-testid="staff-export"
                disabled=move || exporting.get()
                on:click=export
            >
                {fixed(|s| s.staff_export)}
            </button>
            <ErrorText message=export_error testid="staff-export-error" />
            {move || {
                app.minute.track();
                s.list_kept_at.get().map(|at| view! {
                    <p class="callout" data-testid="staff-list-time">{i18n::people::list_age(at, app.server_now())}</p>
                    <p class="muted small">{move || tp().list_offline_note}</p>
                })
            }}
            {move || {
                s.list.with(|l| {
                    (l.year.is_some()).then(|| {
                        if l.total == 0 {
                            view! { <p class="empty">{fixed(|s| s.staff_all_paid)}</p> }.into_any()
                        } else {
                            view! { <p class="muted" data-testid="staff-unpaid-count">{i18n::unpaid_shown(l.people.len(), l.total)}</p> }
                                .into_any()
                        }
                    })
                })
            }}
            <ul class="list staff-people" data-testid="staff-unpaid-list">
                {move || {
                    let admin = admin();
                    s.list.with(|l| {
                        l.people
                            .iter()
                            .map(|p| {
                                let place = if admin { format!("{} {}", p.town, p.village) } else { p.village.clone() };
                                view! {
                                    <li class="list__item staff-person" data-testid="staff-unpaid-item">
                                        <span class="person-name">{p.name.clone()}</span>
                                        <span class="id-masked">{p.id_masked.clone()}</span>
                                        <span class="muted">{place}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    })
                }}
            </ul>
            <Show when=move || s.list.with(UnpaidList::has_more)>
                <button
                    type="button"
                    class="button button--block"
                    data-testid="staff-more"
                    disabled=move || s.list_busy.get()
                    on:click=more
                >
                    {if s.list_busy.get() { tr().working } else { tr().staff_more }}
                </button>
            </Show>
            <ErrorText message=s.list_error testid="staff-list-error" />
        </section>
    }
}
