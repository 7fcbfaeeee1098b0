//! 帮助: what the app cannot do and where to do it instead, following the Wendeng notice's
//! steps: back payment (补缴) and enrolment (参保登记) at the village / town center.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::tr;

fn steps(items: &'static [&'static str]) -> impl IntoView {
    view! { <ol class="steps">{items.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol> }
}

#[component]
pub fn Guide() -> impl IntoView {
    let t = tr();
    view! {
        <section class="page guide">
            <h1 tabindex="-1">{t.guide_title}</h1>
            <p class="callout">{t.guide_window}</p>
            <h2 id="pay">{t.guide_pay_title}</h2>
            {steps(t.guide_pay_steps)}
            <p>{t.guide_offline}</p>
            <h2 id="back-pay" data-testid="guide-back-pay">{t.back_pay_title}</h2>
            <p class="explain">{t.back_pay_note}</p>
            {steps(t.back_pay_steps)}
            <h2 id="enrol" data-testid="guide-enrol">{t.enrol_title}</h2>
            {steps(t.enrol_steps)}
            <p>
                <A href="/apply" attr:class="button" attr:data-testid="guide-apply">{crate::i18n::ta().apps_link}</A>
            </p>
            <p>{t.guide_pension}</p>
            <p class="more-links">
                <A href="/verify" attr:data-testid="nav-verify">{t.verify_title}</A>
                " · "
                <A href="/record">{t.nav_record}</A>
            </p>
        </section>
    }
}
