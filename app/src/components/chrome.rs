//! The frame around every screen: top bar with the two toggles, the bottom tab bar, the
//! update prompt and the live notice line.

use crate::routing::use_location;
use crate::routing::A;
use leptos::prelude::*;

use crate::i18n::{self, fixed, Lang};
use crate::state::use_app;

#[component]
pub fn TopBar() -> impl IntoView {
    let app = use_app();
    let toggle_lang = move |_| {
        let next = if i18n::lang() == Lang::Zh {
            Lang::En
        } else {
            Lang::Zh
        };
        app.set_lang(next);
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="topbar__brand">{fixed(|s| s.app_name)}</A>
            <div class="topbar__tools">
                <button
                    type="button"
                    class="toggle"
                    data-testid="lang-toggle"
                    lang=move || if i18n::lang() == Lang::Zh { "en" } else { "zh-CN" }
                    aria-label=fixed(|s| s.lang_label)
                    on:click=toggle_lang
                >
                    {fixed(|s| s.other_lang)}
                </button>
                <button
                    type="button"
                    class="toggle"
                    class:toggle--on=move || app.elder.get()
                    data-testid="elder-toggle"
                    aria-pressed=move || if app.elder.get() { "true" } else { "false" }
                    on:click=move |_| app.set_elder(!app.elder.get_untracked())
                >
                    {fixed(|s| s.elder_mode)}
                </button>
            </div>
        </header>
    }
}

/// The bottom bar. Staff get a bar of their own work (工作台 first, the two reviews), so
/// neither bar has more than five items and no label wraps at 360 px in either mode.
#[component]
pub fn TabBar() -> impl IntoView {
    let app = use_app();
    // From the cached account, so staff find their screen offline too; never for residents.
    let staff = Memo::new(move |_| is_staff(app));
    move || {
        if staff.get() {
            view! {
                <nav class="tabbar" aria-label=fixed(|s| s.nav_label)>
                    <A href="/staff" exact=true attr:data-testid="nav-staff">{fixed(|s| s.nav_staff)}</A>
                    <A href="/staff/enrolments" attr:data-testid="nav-enrol-review">{fixed(|s| s.nav_enrol_review)}</A>
                    <A href="/staff/back-payments" attr:data-testid="nav-back-review">{fixed(|s| s.nav_back_review)}</A>
                    <A href="/" exact=true attr:data-testid="nav-home">{fixed(|s| s.nav_home)}</A>
                    <A href="/guide" attr:data-testid="nav-help">{fixed(|s| s.nav_help)}</A>
                </nav>
            }
            .into_any()
        } else {
            view! {
                <nav class="tabbar" aria-label=fixed(|s| s.nav_label)>
                    <A href="/" exact=true attr:data-testid="nav-home">{fixed(|s| s.nav_home)}</A>
                    <A href="/pay" attr:data-testid="nav-pay">{fixed(|s| s.nav_pay)}</A>
                    <A href="/payments" attr:data-testid="nav-payments">{fixed(|s| s.nav_payments)}</A>
                    <A href="/cards" attr:data-testid="nav-cards">{fixed(|s| s.nav_cards)}</A>
                    <A href="/guide" attr:data-testid="nav-help">{fixed(|s| s.nav_help)}</A>
                </nav>
            }
            .into_any()
        }
    }
}

/// A logged-in staff account (from the account kept on the phone, so it holds offline).
pub fn is_staff(app: crate::state::AppState) -> bool {
    app.data
        .with(|d| d.account.as_ref().is_some_and(|a| a.staff.is_some()) && d.session.is_some())
}

#[component]
pub fn UpdatePrompt() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.update_ready.get()>
            <button
                type="button"
                class="update-prompt"
                data-testid="update-prompt"
                on:click=|_| crate::pwa::apply_update()
            >
                {fixed(|s| s.update_ready)}
            </button>
        </Show>
    }
}

/// One message at a time, read out by screen readers, dismissed by a tap. A notice belongs to
/// the screen (and the state) it is about ([`crate::state::NoticeAbout`]): it goes when the
/// route leaves that screen or the state it describes changes, never following the person on.
#[component]
pub fn Notice() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let clear = move || {
        app.notice.set(None);
        app.notice_about.set(None);
    };
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        let keep = app.notice_about.with_untracked(|about| match about {
            Some(about) => about.path == path,
            // Said without a screen: it was about the one being left.
            None => previous.as_ref().is_none_or(|p| *p == path),
        });
        if !keep && app.notice.with_untracked(Option::is_some) {
            clear();
        }
        path
    });
    Effect::new(move |_| {
        let gone = app.notice_about.with(|about| {
            let still = about.as_ref().and_then(|a| a.still.clone());
            still.is_some_and(|still| !app.data.with(|d| still(d)))
        });
        if gone {
            clear();
        }
    });
    view! {
        <div class="notice-slot" role="status" aria-live="polite">
            {move || {
                app.notice
                    .get()
                    .map(|message| {
                        view! {
                            <div class="notice" data-testid="notice">
                                <span>{message}</span>
                                <button type="button" class="notice__ok" data-testid="notice-dismiss" on:click=move |_| clear()>
                                    {fixed(|s| s.dismiss)}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
