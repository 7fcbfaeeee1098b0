//! 帮助: what the app cannot do and where to do it instead, following the Wendeng notice's
//! steps: back payment (补缴) and enrolment (参保登记) at the village / town center.

use crate::routing::A;
use leptos::prelude::*;

use crate::i18n::{fixed, tr};

fn steps(items: &'static [&'static str]) -> impl IntoView {
    view! { <ol class="steps">{items.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol> }
}

#[component]
pub fn Guide() -> impl IntoView {
    view! {
        <section class="page guide">
            <h1 tabindex="-1">{fixed(|s| s.guide_title)}</h1>
            {crate::voice::read_aloud(crate::i18n::voice::guide)}
            <p class="callout">{fixed(|s| s.guide_window)}</p>
            <h2 id="pay">{fixed(|s| s.guide_pay_title)}</h2>
            {move || steps(tr().guide_pay_steps)}
            <p>{fixed(|s| s.guide_offline)}</p>
            <h2 id="back-pay" data-testid="guide-back-pay">{fixed(|s| s.back_pay_title)}</h2>
            <p class="explain">{fixed(|s| s.back_pay_note)}</p>
            {move || steps(tr().back_pay_steps)}
            <h2 id="enrol" data-testid="guide-enrol">{fixed(|s| s.enrol_title)}</h2>
            {move || steps(tr().enrol_steps)}
            <p>
                <A href="/apply" attr:class="button" attr:data-testid="guide-apply">{move || crate::i18n::ta().apps_link}</A>
            </p>
            <p>{fixed(|s| s.guide_pension)}</p>
            <p class="more-links">
                <A href="/verify" attr:data-testid="nav-verify">{fixed(|s| s.verify_title)}</A>
                " · "
                <A href="/record">{fixed(|s| s.nav_record)}</A>
            </p>
        </section>
    }
}
