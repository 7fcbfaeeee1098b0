//! A labelled text input with its hint and error, wired for screen readers: the label names
//! the input, `aria-describedby` reads the hint and the error, `aria-invalid` marks a problem.
//! Label and hint are [`TextProp`]s: `label=fixed(|s| s.name)` follows the language.

use leptos::prelude::*;

#[component]
pub fn TextField(
    #[prop(into)] label: TextProp,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Stable handle for end-to-end tests; also makes the element ids.
    testid: &'static str,
    #[prop(optional, into)] hint: Option<TextProp>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    /// Called when the field loses focus (e.g. to start showing errors).
    #[prop(optional)]
    on_blur: Option<Callback<()>>,
) -> impl IntoView {
    let id = format!("f-{testid}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:field--error=move || error.with(Option::is_some)>
            <label for=id.clone()>{move || label.get()}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{move || h.get()}</p> })}
            <input
                id=id.clone()
                type=kind
                inputmode=inputmode
                autocomplete=autocomplete
                maxlength=maxlength
                data-testid=testid
                aria-describedby=described
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
            />
            <p class="field__error" id=error_id.clone() data-testid=format!("{testid}-error") aria-live="polite">
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}
