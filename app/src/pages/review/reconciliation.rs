//! 对账 (town center and administrators): the day's mismatches between the bank's statement
//! and the ledger, both ways, as the server's reconciliation finds them (running it opens the
//! refund cases it finds, once each), the CSV of the day for Excel, and the refund cases
//! (退费) to resolve: refund through the bank, or book to the person-year when it is still
//! free, each behind a confirmation that says what will happen. The server decides who may
//! see what; a village assistant never gets the link. Everything here needs the network.

use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::reconciliation::{CaseView, Mismatch, Report};
use yanglao_shared::window::CST;

use crate::api;
use crate::i18n::{self, Lang};
use crate::pages::{failure_text, ErrorText, RequireSession};
use crate::state::{use_app, AppState};

/// The words of this screen, Chinese first.
struct Words {
    title: &'static str,
    date: &'static str,
    csv: &'static str,
    exported: &'static str,
    mismatches: &'static str,
    clean: &'static str,
    cases: &'static str,
    no_cases: &'static str,
    refund: &'static str,
    book: &'static str,
    confirm: &'static str,
    cancel: &'static str,
    confirm_refund: &'static str,
    confirm_book: &'static str,
    bank: &'static str,
    ledger: &'static str,
    order: &'static str,
    not_listed: &'static str,
    no_intent: &'static str,
    opened: &'static str,
    resolved: &'static str,
    unknown_person: &'static str,
}

const ZH: Words = Words {
    title: "对账",
    date: "对账日期",
    csv: "下载对账表（Excel）",
    exported: "对账表已下载",
    mismatches: "银行与账本不一致",
    clean: "这一天银行与账本完全一致。",
    cases: "退费单",
    no_cases: "没有待处理的退费单。",
    refund: "退费",
    book: "入账",
    confirm: "确认",
    cancel: "取消",
    confirm_refund: "确认把这笔钱原路退回付款人的银行卡吗？退款后不能撤销。",
    confirm_book: "确认把这笔钱记为此人该年度的缴费吗？入账后付款人会看到已缴费和收据。",
    bank: "银行",
    ledger: "账本",
    order: "订单号",
    not_listed: "对账单中没有",
    no_intent: "无此订单",
    opened: "本次新发现的退费单",
    resolved: "已处理",
    unknown_person: "（账本中找不到缴费人员）",
};

const EN: Words = Words {
    title: "Reconciliation",
    date: "Day",
    csv: "Download the day's sheet (Excel)",
    exported: "Sheet downloaded",
    mismatches: "Bank and ledger disagree",
    clean: "Bank and ledger agree on this day.",
    cases: "Refund cases",
    no_cases: "No refund case is waiting.",
    refund: "Refund",
    book: "Book",
    confirm: "Confirm",
    cancel: "Cancel",
    confirm_refund: "Give this money back to the payer's card? A refund cannot be undone.",
    confirm_book: "Book this money as the person's contribution for the year? The payer will see it paid, with a receipt.",
    bank: "Bank",
    ledger: "Ledger",
    order: "Order",
    not_listed: "not on the statement",
    no_intent: "no such order",
    opened: "New refund cases found now",
    resolved: "Resolved",
    unknown_person: "(person unknown to the ledger)",
};

fn w() -> &'static Words {
    match i18n::lang() {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The screen's title, for the link on 工作台.
pub fn title() -> &'static str {
    w().title
}

/// An intent's state as staff read it.
fn ledger_words(state: Option<&str>) -> &'static str {
    let Some(state) = state else {
        return w().no_intent;
    };
    let zh = i18n::lang() == Lang::Zh;
    match (state, zh) {
        ("paid", true) => "已缴费",
        ("failed", true) => "未成功",
        ("not_needed", true) => "无需缴费",
        ("awaiting_payment", true) => "待付款",
        ("waiting", true) => "排队中",
        ("charging", true) => "扣款中",
        ("not_needed", false) => "not needed",
        ("awaiting_payment", false) => "awaiting payment",
        ("paid", false) => "paid",
        ("failed", false) => "failed",
        ("waiting", false) => "waiting",
        ("charging", false) => "charging",
        _ => "?",
    }
}

fn who(
    name: &Option<String>,
    town: &Option<String>,
    village: &Option<String>,
    year: Option<i32>,
) -> String {
    let Some(name) = name else {
        return w().unknown_person.to_owned();
    };
    let place = [town.clone(), village.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    let year = year
        .map(|y| format!(" · {}", i18n::year(y)))
        .unwrap_or_default();
    format!("{name} {}{year}", place.join(" "))
}

fn money(amount: Option<yanglao_shared::Money>) -> String {
    amount.map(i18n::yuan).unwrap_or_default()
}

/// Yesterday in China by the server's clock: the day a payment office reconciles.
fn yesterday(app: AppState) -> String {
    let today = app.server_now().to_offset(CST).date();
    today.previous_day().unwrap_or(today).to_string()
}

#[component]
pub fn Reconciliation() -> impl IntoView {
    view! {
        <RequireSession>
            <ReconciliationPage />
        </RequireSession>
    }
}

#[component]
fn ReconciliationPage() -> impl IntoView {
    let app = use_app();
    let date = RwSignal::new(yesterday(app));
    let report = RwSignal::new(None::<Report>);
    let cases = RwSignal::new(Vec::<CaseView>::new());
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let load = move |day: String| {
        let Some(token) = app.token() else {
            app.needs_login.set(true);
            return;
        };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            // The run opens the day's refund cases: the list is read after it.
            let answer = api::staff_reconciliation(&token, &day).await;
            match answer {
                Ok(r) => report.set(Some(r)),
                Err(e) => {
                    report.set(None);
                    error.set(Some(failure_text(app, &e)));
                }
            }
            match api::refund_cases(&token).await {
                Ok(list) => cases.set(list),
                Err(e) => error.set(Some(failure_text(app, &e))),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| load(date.get()));
    let csv_error = RwSignal::new(None::<String>);
    let download = move |_| {
        let (Some(token), day) = (app.token(), date.get_untracked()) else {
            return;
        };
        csv_error.set(None);
        spawn_local(async move {
            match api::staff_reconciliation_csv(&token, &day).await {
                Ok(bytes) => {
                    let name = format!("reconciliation-{day}.csv");
                    match crate::pages::staff::save_file(&bytes, &name, "text/csv") {
                        Ok(()) => app.say(w().exported),
                        Err(_) => csv_error.set(Some(i18n::tr().error_generic.to_owned())),
                    }
                }
                Err(e) => csv_error.set(Some(failure_text(app, &e))),
            }
        });
    };
    let resolved = Callback::new(move |now: CaseView| {
        cases.update(|list| {
            if let Some(slot) = list.iter_mut().find(|c| c.id == now.id) {
                *slot = now;
            }
        });
        app.say(i18n::ta().done);
        // The day's mismatches change too (a refunded or booked order agrees with the bank).
        load(date.get_untracked());
    });
    let open_cases = move || {
        cases.with(|l| {
            l.iter()
                .filter(|c| c.is_open())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let done_cases = move || {
        cases.with(|l| {
            l.iter()
                .filter(|c| !c.is_open())
                .cloned()
                .collect::<Vec<_>>()
        })
    };

    view! {
        <section class="page review recon">
            <h1 tabindex="-1">{move || w().title}</h1>
            <label class="recon__date">
                <span>{move || w().date}</span>
                <input type="date" data-testid="recon-date" prop:value=move || date.get()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if !v.is_empty() { date.set(v); }
                    } />
            </label>
            <button type="button" class="button button--block" data-testid="recon-csv" on:click=download>
                {move || w().csv}
            </button>
            <ErrorText message=csv_error testid="recon-csv-error" />
            <ErrorText message=error testid="recon-error" />
            <Show when=move || loading.get()>
                <p class="muted">{move || i18n::tr().loading}</p>
            </Show>
            <h2>{move || w().mismatches}</h2>
            {move || report.get().map(|r| {
                i18n::track_lang();
                let opened = (r.opened > 0).then(|| view! {
                    <p class="callout" data-testid="recon-opened">{format!("{}：{}", w().opened, r.opened)}</p>
                });
                let body = if r.mismatches.is_empty() {
                    view! { <p class="empty" data-testid="recon-clean">{w().clean}</p> }.into_any()
                } else {
                    view! {
                        <ul class="list" data-testid="recon-mismatches">
                            {r.mismatches.iter().map(mismatch_item).collect_view()}
                        </ul>
                    }.into_any()
                };
                view! { {opened} {body} }
            })}
            <h2>{move || w().cases}</h2>
            <Show when=move || !open_cases().is_empty()
                fallback=|| view! { <p class="empty" data-testid="recon-no-cases">{move || w().no_cases}</p> }>
                <ul class="list" data-testid="recon-cases">
                    <For each=open_cases key=|c| (c.id, c.state.clone())
                        children=move |c| view! { <CaseItem case=c resolved /> } />
                </ul>
            </Show>
            <Show when=move || !done_cases().is_empty()>
                <h2>{move || w().resolved}</h2>
                <ul class="list" data-testid="recon-resolved">
                    {move || done_cases().iter().map(|c| view! { <li class="list__item">{summary(c)}</li> }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

fn mismatch_item(m: &Mismatch) -> impl IntoView {
    let t = w();
    let bank = match m.bank_status {
        Some(s) if i18n::lang() == Lang::Zh => s.zh().to_owned(),
        Some(s) => s.en().to_owned(),
        None => t.not_listed.to_owned(),
    };
    let kind = if i18n::lang() == Lang::Zh {
        m.kind_zh.clone()
    } else {
        m.kind.code().replace('_', " ")
    };
    view! {
        <li class="list__item recon-item" data-testid="recon-mismatch" data-kind=m.kind.code()>
            <div class="list__row">
                <span class="chip chip--failed">{kind}</span>
                <span class="muted">{m.day.clone()}</span>
            </div>
            <p>{who(&m.name, &m.town, &m.village, m.year)}</p>
            <p class="muted">{format!("{}：{bank} {}", t.bank, money(m.bank_amount))}</p>
            <p class="muted">{format!("{}：{} {}", t.ledger, ledger_words(m.ledger_state.as_deref()), money(m.ledger_amount))}</p>
            <p class="muted recon-order">{format!("{} {}", t.order, m.order_id)}</p>
        </li>
    }
}

fn summary(c: &CaseView) -> impl IntoView {
    let t = w();
    let chip = if c.is_open() {
        "chip chip--awaiting"
    } else {
        "chip chip--paid"
    };
    let state = if i18n::lang() == Lang::Zh {
        c.state_zh.clone()
    } else {
        c.state.clone()
    };
    let done = c.refund_ref.clone().or(c.receipt_no.clone());
    view! {
        <div class="list__row">
            <span class="list__main">{who(&c.name, &c.town, &c.village, c.year)}</span>
            <span class=chip data-testid="recon-case-state" data-state=c.state.clone()>{state}</span>
        </div>
        <p>{format!("{} · {}：{}", i18n::yuan(c.amount), t.ledger, ledger_words(c.ledger_state.as_deref()))}</p>
        <p class="muted recon-order">{format!("{} {} · {}", t.order, c.order_id, c.bank_day)}</p>
        {done.map(|no| view! { <p class="muted">{no}</p> })}
    }
}

#[component]
fn CaseItem(case: CaseView, resolved: Callback<CaseView>) -> impl IntoView {
    let app = use_app();
    let id = case.id;
    let bookable = case.bookable;
    let shown = case.clone();
    // Which resolution waits for its confirmation.
    let confirming = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let act = move |how: &'static str| {
        let Some(token) = app.token() else {
            app.needs_login.set(true);
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api::resolve_refund_case(&token, id, how).await;
            busy.set(false);
            confirming.set(None);
            match answer {
                Ok(now) => resolved.run(now),
                Err(e) => error.set(Some(crate::pages::review::decision_error(app, &e))),
            }
        });
    };
    view! {
        <li class="list__item review-task" data-testid="recon-case" data-id=id.to_string()>
            {move || summary(&shown)}
            <ErrorText message=error testid="recon-case-error" />
            {move || match confirming.get() {
                None => view! {
                    <div class="recon__actions">
                        <button type="button" class="button" data-testid="recon-refund"
                            on:click=move |_| confirming.set(Some("refund"))>{w().refund}</button>
                        {bookable.then(|| view! {
                            <button type="button" class="button button--primary" data-testid="recon-book"
                                on:click=move |_| confirming.set(Some("book"))>{w().book}</button>
                        })}
                    </div>
                }.into_any(),
                Some(how) => view! {
                    <div class="callout recon__confirm" role="alert" data-testid="recon-confirm">
                        <p>{if how == "refund" { w().confirm_refund } else { w().confirm_book }}</p>
                        <div class="recon__actions">
                            <button type="button" class="button button--primary" data-testid="recon-confirm-yes"
                                disabled=move || busy.get() on:click=move |_| act(how)>{w().confirm}</button>
                            <button type="button" class="button button--quiet" data-testid="recon-confirm-no"
                                on:click=move |_| confirming.set(None)>{w().cancel}</button>
                        </div>
                    </div>
                }.into_any(),
            }}
        </li>
    }
}
