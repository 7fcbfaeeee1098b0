//! 朗读 (语音播报) in 长辈模式: the one module that speaks, through the browser's
//! `speechSynthesis` with a Mandarin (zh-CN) voice, and owns the button that asks it to.
//!
//! Each screen puts a [`read_aloud`] button under its heading and hands it a function that
//! builds the screen's spoken text from the data the screen shows ([`crate::i18n::voice`],
//! one function per screen, testable without a voice). The button shows only in elder mode and only when
//! the phone has a Chinese voice: `getVoices()` fills in asynchronously (`voiceschanged`), so
//! availability is a signal that follows it; a phone with none never sees a button that would
//! say nothing. [`announce_payments`] says, once, when a payment waiting for an answer gets one.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice};

use crate::i18n::voice::{self as said, tv};
use crate::state::{use_app, AppState};

thread_local! {
    static ZH_VOICE: ArcRwSignal<bool> = ArcRwSignal::new(false);
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Whether a voice's language speaks Mandarin: zh-CN, zh-TW, zh-SG, plain zh or cmn; not
/// Cantonese (zh-HK, yue), which a Mandarin text does not suit.
pub fn is_mandarin(lang: &str) -> bool {
    let lang = lang.to_ascii_lowercase().replace('_', "-");
    let mut parts = lang.split('-');
    match parts.next() {
        Some("cmn") => true,
        Some("zh") => !parts.any(|p| p == "hk" || p == "mo" || p == "yue"),
        _ => false,
    }
}

fn synth() -> Option<SpeechSynthesis> {
    let window = web_sys::window()?;
    // Not every browser has it; reading a missing property would be `undefined`.
    let present = js_sys::Reflect::has(&window, &"speechSynthesis".into()).unwrap_or(false);
    present.then(|| window.speech_synthesis().ok()).flatten()
}

/// The phone's best Mandarin voice: zh-CN first.
fn mandarin_voice(synth: &SpeechSynthesis) -> Option<SpeechSynthesisVoice> {
    let voices: Vec<SpeechSynthesisVoice> = synth
        .get_voices()
        .iter()
        .filter_map(|v| v.dyn_into::<SpeechSynthesisVoice>().ok())
        .filter(|v| is_mandarin(&v.lang()))
        .collect();
    let cn = |v: &&SpeechSynthesisVoice| v.lang().to_ascii_lowercase().replace('_', "-") == "zh-cn";
    voices.iter().find(cn).or(voices.first()).cloned()
}

fn check_voices() {
    let found = synth().is_some_and(|s| mandarin_voice(&s).is_some());
    set_available(found);
}

/// Starts following the phone's voices (once per page): now, and on each `voiceschanged`.
pub fn watch() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let Some(synth) = synth() else {
        return;
    };
    check_voices();
    let changed = Closure::<dyn Fn()>::new(check_voices);
    synth.set_onvoiceschanged(Some(changed.as_ref().unchecked_ref()));
    // Lives as long as the page: the voices may change at any time.
    changed.forget();
}

/// Whether a Mandarin voice is there (reactive).
pub fn available() -> bool {
    ZH_VOICE.with(|s| s.get())
}

fn available_untracked() -> bool {
    ZH_VOICE.with(|s| s.get_untracked())
}

/// What [`watch`] found; also how a test stands in for a phone with or without a voice.
pub fn set_available(found: bool) {
    ZH_VOICE.with(|s| {
        if s.get_untracked() != found {
            s.set(found);
        }
    });
}

/// Reads `text` in Mandarin, stopping whatever was being read.
pub fn speak(text: &str) {
    let Some(synth) = synth() else {
        return;
    };
    let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(text) else {
        return;
    };
    utterance.set_lang("zh-CN");
    // A little slower than the default: the listeners are elders.
    utterance.set_rate(0.9);
    if let Some(voice) = mandarin_voice(&synth) {
        utterance.set_voice(Some(&voice));
    }
    synth.cancel();
    synth.speak(&utterance);
}

/// The 朗读 button of a screen (`{read_aloud(move || …)}` in its view): shown in elder mode
/// when a Mandarin voice is there; `text` is built when it is tapped, from the screen's data
/// at that moment. A plain function, not a component: only the boxing of `text` is built
/// again for each screen.
pub fn read_aloud(text: impl Fn() -> String + Send + Sync + 'static) -> AnyView {
    voice_button(Arc::new(text))
}

#[inline(never)]
fn voice_button(text: Arc<dyn Fn() -> String + Send + Sync>) -> AnyView {
    let app = use_app();
    watch();
    (move || {
        let text = text.clone();
        (app.elder.get() && available()).then(|| {
            view! {
                <button
                    type="button"
                    class="button voice-button"
                    data-testid="read-aloud"
                    aria-label=move || tv().read_aloud_label
                    on:click=move |_| speak(&text())
                >
                    {move || tv().read_aloud}
                </button>
            }
        })
    })
    .into_any()
}

/// The payments that were waiting for an answer in `before` and have one in `now`.
pub fn newly_settled(before: &BTreeMap<Uuid, bool>, now: &BTreeMap<Uuid, bool>) -> Vec<Uuid> {
    now.iter()
        .filter(|(id, done)| **done && before.get(id) == Some(&false))
        .map(|(id, _)| *id)
        .collect()
}

/// Says, once per payment and in elder mode with a Mandarin voice, when one of this
/// account's payments gets its answer (已缴费, 未成功, 无需缴费) while the app is open.
pub fn announce_payments(app: AppState) {
    let states = Memo::new(move |_| {
        app.data.with(|d| {
            yanglao_shared::short_sort::map_of(
                d.intents
                    .iter()
                    .filter(|i| i.mine)
                    .map(|i| (i.id(), i.state.is_final())),
            )
        })
    });
    let announced = StoredValue::new(BTreeSet::<Uuid>::new());
    Effect::new(move |before: Option<BTreeMap<Uuid, bool>>| {
        let now = states.get();
        let Some(before) = before else {
            return now;
        };
        let fresh: Vec<Uuid> = newly_settled(&before, &now)
            .into_iter()
            .filter(|id| {
                announced
                    .try_update_value(|a| a.insert(*id))
                    .unwrap_or(false)
            })
            .collect();
        if fresh.is_empty() || !app.elder.get_untracked() || !available_untracked() {
            return now;
        }
        let text: String = app.data.with_untracked(|d| {
            d.intents
                .iter()
                .filter(|i| fresh.contains(&i.id()))
                .map(|i| said::payment_settled(&i.name_masked, i.intent.year, &i.state))
                .collect()
        });
        speak(&text);
        now
    });
}

#[cfg(test)]
mod tests;
