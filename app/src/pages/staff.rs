//! 工作台: the payment window at a glance for a staff member's own village or town (the
//! server decides the area from the account): enrolled, paid, unpaid, being charged, amounts by
//! tier, days left; the unpaid list to follow up, a page at a time; and the list as CSV for
//! Excel. On a weak network the last statistics loaded on this phone are shown, with their time.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::{JsCast, JsValue};
use yanglao_shared::wire::StaffRole;

use super::{failure_text, ErrorText, RequireSession};
use crate::api::{self, ApiError};
use crate::i18n::{self, tr};
use crate::rules;
use crate::staff::{self, CachedStats, UnpaidList, PAGE_SIZE};
use crate::state::{use_app, AppState};

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
        Ok(page) => s.list.update(|l| l.merge(page)),
        Err(ApiError::Offline) => s.list_error.set(Some(tr().staff_list_offline.to_owned())),
        Err(e) => s.list_error.set(Some(failure_text(s.app, &e))),
    }
}

/// Hands bytes to the browser as a downloaded file, unchanged (a Blob does not re-encode).
pub(crate) fn save_file(bytes: &[u8], name: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    document()
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?
        .append_child(&link)?;
    link.click();
    link.remove();
    // Revoked later, not at once: some browsers still read the URL after click() returns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(60),
    );
    Ok(())
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
        generation: StoredValue::new(0),
    };
    let this_year = RwSignal::new(None::<i32>);
    Effect::new(move |_| {
        let chosen = year.get();
        let generation = s.generation.get_value() + 1;
        s.generation.set_value(generation);
        s.shown.set(Shown::Loading);
        s.list.set(UnpaidList::default());
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
        spawn_local(async move {
            let answer = api::staff_unpaid_csv(&token, y).await;
            exporting.set(false);
            match answer {
                Ok(bytes) => match save_file(&bytes, &staff::csv_filename(y), "text/csv") {
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
            <h1 tabindex="-1">{move || tr().staff_title}</h1>
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
                <span>{move || tr().staff_year}</span>
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
                    Shown::Loading => view! { <p class="muted">{move || tr().loading}</p> }.into_any(),
                    Shown::Failed(message) => {
                        view! { <p class="callout" role="alert" data-testid="staff-error">{message}</p> }
                            .into_any()
                    }
                    Shown::Fresh(c) => view! { <StatsView cached=c from_phone=false /> }.into_any(),
                    Shown::Cached(c) => view! { <StatsView cached=c from_phone=true /> }.into_any(),
                }
            }}

            <h2>{move || tr().staff_unpaid_list}</h2>
            <button
                type="button"
                class="button button--block"
                data-testid="staff-export"
                disabled=move || exporting.get()
                on:click=export
            >
                {move || tr().staff_export}
            </button>
            <ErrorText message=export_error testid="staff-export-error" />
            {move || {
                s.list.with(|l| {
                    (l.year.is_some()).then(|| {
                        if l.total == 0 {
                            view! { <p class="empty">{move || tr().staff_all_paid}</p> }.into_any()
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

#[component]
fn StatsView(cached: CachedStats, from_phone: bool) -> impl IntoView {
    let stats = cached.stats;
    let rows = staff::tier_rows(&stats);
    let share = staff::percent(stats.paid, stats.enrolled).map(i18n::paid_share);
    let open = matches!(stats.window, yanglao_shared::window::WindowState::Open { year, .. } if year == stats.year);
    view! {
        <div class="staff-stats" data-testid="staff-stats" data-year=stats.year>
            {from_phone.then(|| view! { <p class="callout" data-testid="staff-data-time">{i18n::data_time(cached.at)}</p> })}
            <dl class="bignums">
                <div class="bignum">
                    <dt>{move || tr().staff_enrolled}</dt>
                    <dd><span data-testid="staff-enrolled">{stats.enrolled}</span><small>{move || tr().staff_people}</small></dd>
                </div>
                <div class="bignum bignum--good">
                    <dt>{move || tr().staff_paid}</dt>
                    <dd><span data-testid="staff-paid">{stats.paid}</span><small>{move || tr().staff_people}</small></dd>
                    {share.map(|s| view! { <p class="bignum__note">{s}</p> })}
                </div>
                <div class="bignum bignum--warn">
                    <dt>{move || tr().staff_unpaid}</dt>
                    <dd><span data-testid="staff-unpaid">{stats.unpaid}</span><small>{move || tr().staff_people}</small></dd>
                </div>
                <div class="bignum">
                    <dt>{move || tr().staff_charging}</dt>
                    <dd><span data-testid="staff-charging">{stats.charging}</span><small>{move || tr().staff_people}</small></dd>
                </div>
                <div class="bignum bignum--wide">
                    <dt>{move || tr().staff_days_left}</dt>
                    <dd><span data-testid="staff-days-left">{stats.days_left}</span><small>{move || tr().staff_days}</small></dd>
                    {(!open).then(|| view! { <p class="bignum__note">{move || tr().staff_window_shut}</p> })}
                </div>
            </dl>
            <h2>{move || tr().staff_tiers}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{move || tr().staff_tiers_empty}</p> }.into_any()
            } else {
                view! {
                    <table class="record staff-tiers" data-testid="staff-tiers">
                        <thead>
                            <tr>
                                <th scope="col">{move || tr().staff_col_tier}</th>
                                <th scope="col">{move || tr().staff_col_count}</th>
                                <th scope="col">{move || tr().staff_col_sum}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr data-testid="staff-tier-row">
                                    <td class="num">{r.amount}</td>
                                    <td class="num">{r.count}</td>
                                    <td class="num">{r.sum}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                        <tfoot>
                            <tr>
                                <th scope="row">{move || tr().staff_total}</th>
                                <td class="num">{stats.paid}</td>
                                <td class="num" data-testid="staff-paid-sum">{staff::yuan(stats.paid_fen)}</td>
                            </tr>
                        </tfoot>
                    </table>
                }
                .into_any()
            }}
        </div>
    }
}
