//! 银行卡: the bound cards (bank and last four digits only), removing one (offline too: it
//! leaves the list at once and the server hears of it when it can) and binding a new one.
//! Binding needs the network: the number goes to the server for the bank gateway and is never
//! stored here; the input is cleared as soon as it was sent.

use crate::routing::{use_navigate, use_query_map};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use yanglao_shared::bank_card::CardNumber;
use yanglao_shared::wire::BindCard;

use super::{api_message, ErrorText, RequireSession};
use crate::components::{SandboxNote, TextField};
use crate::i18n::{self, fixed, tr};
use crate::state::use_app;
use crate::sync::use_sync;

#[component]
pub fn Cards() -> impl IntoView {
    view! {
        <RequireSession>
            <CardList />
            <BindForm />
        </RequireSession>
    }
}

#[component]
fn CardList() -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let failure = RwSignal::new(None::<String>);
    // Gone from the list at once, online or not; the server hears of it when it can.
    let remove = move |id: Uuid| {
        spawn_local(async move {
            let recorded = sync
                .record(|store| async move { store.remove_card(id).await })
                .await;
            failure.set(recorded.err());
        });
    };
    view! {
        <section class="page">
            <h1 tabindex="-1">{fixed(|s| s.cards_title)}</h1>
            {crate::voice::read_aloud(move || {
                app.data.with_untracked(|d| {
                    let bound: Vec<_> = d.methods.iter().filter(|m| !m.removed).collect();
                    let cards: Vec<_> = bound.iter().map(|m| (m.bank.as_str(), m.last_four.as_str())).collect();
                    i18n::voice::cards(&cards, bound.iter().any(|m| m.sandbox))
                })
            })}
            {move || {
                i18n::track_lang();
                let methods: Vec<_> = app.data.with(|d| d.methods.iter().filter(|m| !m.removed).cloned().collect());
                if methods.is_empty() {
                    return view! { <p class="empty">{fixed(|s| s.cards_empty)}</p> }.into_any();
                }
                view! {
                    <ul class="list" data-testid="card-list">
                        {methods.into_iter().map(|m| {
                            let id = m.id;
                            view! {
                                <li class="list__item" data-testid="card-item">
                                    <div class="list__row">
                                        <span class="card-label">{i18n::card_label(&m.bank, &m.last_four)}</span>
                                        <button type="button" class="button button--quiet" data-testid="card-remove" on:click=move |_| remove(id)>
                                            {fixed(|s| s.card_remove)}
                                        </button>
                                    </div>
                                    {m.sandbox.then(|| view! { <SandboxNote /> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <ErrorText message=failure testid="card-remove-error" />
        </section>
    }
}

#[component]
fn BindForm() -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let navigate = use_navigate();
    let query = use_query_map();
    let number = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let error = Signal::derive(move || {
        let text = number.get();
        let digits = text.chars().filter(char::is_ascii_digit).count();
        ((touched.get() || digits >= 19) && !text.is_empty())
            .then(|| {
                CardNumber::parse(&text)
                    .err()
                    .map(|e| i18n::input_error(e.code(), e.to_string()))
            })
            .flatten()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let Ok(card) = CardNumber::parse(&number.get_untracked()) else {
            return;
        };
        let Some(token) = app.token() else {
            return;
        };
        let request = BindCard {
            id: crate::clock::new_id(),
            card_number: card.expose().to_owned(),
        };
        busy.set(true);
        failure.set(None);
        let navigate = navigate.clone();
        let back_to_pay = query.with_untracked(|q| q.get("return").as_deref() == Some("pay"));
        spawn_local(async move {
            let answer = crate::api::bind_card(&token, &request).await;
            drop(request); // the number leaves memory with the request
            busy.set(false);
            let method = match answer {
                Ok(m) => m,
                Err(e) => {
                    failure.set(Some(api_message(&e)));
                    return;
                }
            };
            number.set(String::new());
            touched.set(false);
            let kept = method.clone();
            if let Err(e) = sync
                .write(|store| async move { store.put_method(&kept).await })
                .await
            {
                app.say(e);
            }
            app.draft.update(|d| d.method = Some(method.id));
            if back_to_pay {
                app.say_on("/pay", tr().card_bound);
            } else {
                app.say(tr().card_bound);
            }
            if back_to_pay {
                navigate("/pay", Default::default());
            }
        });
    };
    view! {
        <section class="page page--narrow">
            <h2>{fixed(|s| s.bind_new_card)}</h2>
            <form on:submit=submit novalidate>
                <TextField
                    label=fixed(|s| s.card_number)
                    value=number
                    error=error
                    testid="card-number"
                    hint=fixed(|s| s.card_hint)
                    inputmode="numeric"
                    autocomplete="cc-number"
                    maxlength=23
                    on_blur=Callback::new(move |_| touched.set(true))
                />
                <ErrorText message=failure testid="bind-error" />
                <button type="submit" class="button button--primary button--block" data-testid="bind-card-submit" disabled=move || busy.get()>
                    {move || if busy.get() { tr().working } else { tr().bind_submit }}
                </button>
            </form>
        </section>
    }
}
