//! The figures part of 工作台 ([`StatsView`]: enrolled, paid, unpaid, being charged, days left,
//! amounts by tier), and how a list is handed to the browser as a file ([`save_file`], also
//! for 对账's CSV). Apart from the screen's loaders so each file stays a readable size.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{self, fixed};
use crate::staff::{self, CachedStats};

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
pub(super) fn StatsView(cached: CachedStats, from_phone: bool) -> impl IntoView {
    let stats = cached.stats;
    let rows = staff::tier_rows(&stats);
    let share = staff::percent(stats.paid, stats.enrolled).map(i18n::paid_share);
    let open = matches!(stats.window, yanglao_shared::window::WindowState::Open { year, .. } if year == stats.year);
    view! {
        <div class="staff-stats" data-testid="staff-stats" data-year=stats.year>
            {from_phone.then(|| view! { <p class="callout" data-testid="staff-data-time">{i18n::data_time(cached.at)}</p> })}
            <dl class="bignums">
                <div class="bignum">
                    <dt>{fixed(|s| s.staff_enrolled)}</dt>
                    <dd><span data-testid="staff-enrolled">{stats.enrolled}</span><small>{fixed(|s| s.staff_people)}</small></dd>
                </div>
                <div class="bignum bignum--good">
                    <dt>{fixed(|s| s.staff_paid)}</dt>
                    <dd><span data-testid="staff-paid">{stats.paid}</span><small>{fixed(|s| s.staff_people)}</small></dd>
                    {share.map(|s| view! { <p class="bignum__note">{s}</p> })}
                </div>
                <div class="bignum bignum--warn">
                    <dt>{fixed(|s| s.staff_unpaid)}</dt>
                    <dd><span data-testid="staff-unpaid">{stats.unpaid}</span><small>{fixed(|s| s.staff_people)}</small></dd>
                </div>
                <div class="bignum">
                    <dt>{fixed(|s| s.staff_charging)}</dt>
                    <dd><span data-testid="staff-charging">{stats.charging}</span><small>{fixed(|s| s.staff_people)}</small></dd>
                </div>
                <div class="bignum bignum--wide">
                    <dt>{fixed(|s| s.staff_days_left)}</dt>
                    <dd><span data-testid="staff-days-left">{stats.days_left}</span><small>{fixed(|s| s.staff_days)}</small></dd>
                    {(!open).then(|| view! { <p class="bignum__note">{fixed(|s| s.staff_window_shut)}</p> })}
                </div>
            </dl>
            <h2>{fixed(|s| s.staff_tiers)}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{fixed(|s| s.staff_tiers_empty)}</p> }.into_any()
            } else {
                view! {
                    <table class="record staff-tiers" data-testid="staff-tiers">
                        <thead>
                            <tr>
                                <th scope="col">{fixed(|s| s.staff_col_tier)}</th>
                                <th scope="col">{fixed(|s| s.staff_col_count)}</th>
                                <th scope="col">{fixed(|s| s.staff_col_sum)}</th>
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
                                <th scope="row">{fixed(|s| s.staff_total)}</th>
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
