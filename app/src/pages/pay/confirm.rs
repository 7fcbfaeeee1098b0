//! The last step: everything once more, masked (name, ID), with the year, tier and card, the
//! shared eligibility decision as a hint, then "pay": the intents go to IndexedDB first.

use crate::routing::use_navigate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::money::Money;
use yanglao_shared::wire::{IntentState, PaymentIntent};

use super::go;
use crate::components::SandboxNote;
use crate::i18n::{self, fixed, tr};
use crate::model::{LocalIntent, LocalPayee};
use crate::pages::ErrorText;
use crate::rules;
use crate::state::{use_app, PayDraft, PayStep};
use crate::sync::use_sync;

#[component]
pub(super) fn Confirm(year: i32) -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let t = tr();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let draft = app.draft.get_untracked();
    let policy = app.policy();
    let server_now = app.server_now();
    let (payees, method) = app.data.with_untracked(|d| {
        let payees: Vec<LocalPayee> = draft
            .people
            .iter()
            .filter_map(|id| d.payees.iter().find(|p| p.id == *id).cloned())
            .collect();
        let method = draft
            .method
            .and_then(|m| d.methods.iter().find(|x| x.id == m).cloned());
        (payees, method)
    });
    let rows: Vec<_> = payees
        .iter()
        .filter_map(|p| draft.tiers.get(&p.id).map(|tier| (p.clone(), *tier)))
        .collect();
    let total = rows
        .iter()
        .try_fold(Money::ZERO, |sum, (_, tier)| sum.checked_add(tier.money()))
        .unwrap_or(Money::ZERO);
    let hints: Vec<String> = rows
        .iter()
        .flat_map(|(p, tier)| {
            rules::eligibility_hint(&policy, p, year, *tier, server_now)
                .into_iter()
                .map(move |r| format!("{}：{}", p.name_masked, i18n::reason(&r.reason())))
        })
        .collect();
    let blocked = !hints.is_empty() || rows.is_empty();

    let intents: Vec<LocalIntent> = rows
        .iter()
        .filter_map(|(p, tier)| {
            Some(LocalIntent {
                intent: PaymentIntent {
                    id: *draft.intent_ids.get(&p.id)?,
                    payee_id: p.id,
                    year,
                    tier: *tier,
                    method_id: draft.method,
                    prepared_at: server_now,
                },
                state: IntentState::Queued,
                mine: true,
                name_masked: p.name_masked.clone(),
                id_masked: p.id_masked.clone(),
            })
        })
        .collect();
    let pay = move |_| {
        busy.set(true);
        // 准备时间 by the server's clock (as well as the phone knows it), like everything the
        // server decides: a phone whose own clock is off still shows the right time.
        let at = app.server_now();
        let intents: Vec<_> = intents
            .iter()
            .cloned()
            .map(|mut i| {
                i.intent.prepared_at = at;
                i
            })
            .collect();
        let navigate = navigate.clone();
        spawn_local(async move {
            // On disk before anything else: a closed tab or a crash after this point loses
            // nothing, and the same ids are sent however many times it takes.
            let saved = sync
                .record(|store| async move { store.prepare_payments(&intents).await })
                .await;
            busy.set(false);
            if let Err(e) = saved {
                failure.set(Some(e));
                return;
            }
            app.draft.set(PayDraft::default());
            navigate("/payments", Default::default());
        });
    };

    let card_text = method
        .as_ref()
        .map(|m| i18n::card_label(&m.bank, &m.last_four))
        .unwrap_or_else(|| t.no_card_now.to_owned());
    let sandbox = method.as_ref().is_some_and(|m| m.sandbox);
    let said: Vec<_> = rows
        .iter()
        .map(|(p, tier)| (p.name_masked.clone(), year, *tier))
        .collect();
    let spoken = move || {
        let card = method
            .as_ref()
            .map(|m| (m.bank.as_str(), m.last_four.as_str()));
        i18n::voice::confirm(&said, card, total, blocked)
    };
    view! {
        <h1 tabindex="-1">{fixed(|s| s.step_confirm)}</h1>
        {crate::voice::read_aloud(spoken)}
        // One card per person (not a table): it stays readable at 320px and in 长辈模式.
        <ul class="list" data-testid="confirm-table">
            {rows.iter().map(|(p, tier)| view! {
                <li class="list__item" data-testid="confirm-row">
                    <dl class="facts facts--tight">
                        <dt>{fixed(|s| s.col_person)}</dt>
                        <dd class="person-name">{p.name_masked.clone()} <crate::components::LabelTag label=p.label_text().map(str::to_owned) /></dd>
                        <dt>{fixed(|s| s.col_id)}</dt>
                        <dd class="id-masked">{p.id_masked.clone()}</dd>
                        <dt>{fixed(|s| s.col_year)}</dt>
                        <dd>{i18n::year(year)}</dd>
                        <dt>{fixed(|s| s.col_tier)}</dt>
                        <dd data-testid="confirm-tier">{i18n::per_year(*tier)}</dd>
                    </dl>
                </li>
            }).collect_view()}
        </ul>
        <p class="confirm__line">{fixed(|s| s.card)} "：" <span data-testid="confirm-card">{card_text}</span></p>
        {sandbox.then(|| view! { <SandboxNote /> })}
        <p class="confirm__total">{fixed(|s| s.total)} "：" <strong data-testid="confirm-total">{i18n::yuan(total)}</strong></p>
        {(!hints.is_empty()).then(|| view! {
            <div class="banner banner--alert" role="alert" data-testid="pay-hints">
                <p>{fixed(|s| s.hint_title)}</p>
                <ul>{hints.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}</ul>
            </div>
        })}
        <p class="muted">{fixed(|s| s.confirm_note)}</p>
        <ErrorText message=failure testid="pay-error" />
        <div class="actions">
            <button type="button" class="button" data-testid="pay-back" on:click=move |_| go(app, PayStep::Card)>{fixed(|s| s.prev)}</button>
            <button
                type="button"
                class="button button--primary"
                data-testid="confirm-pay"
                disabled=move || blocked || busy.get()
                on:click=pay
            >
                {i18n::confirm_pay(total)}
            </button>
        </div>
    }
}
