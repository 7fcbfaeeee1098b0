//! 缴费政策 (administrators): the policy versions this server knows, newest first, each with
//! its first day in force, the years it covers, who published it and whether every figure is
//! confirmed; and publishing a new one — paste the JSON (or choose the file), a first day in
//! force, 发布. The phone checks the table first with the same validation as the server and
//! says in Chinese what is wrong; the server checks again (its region, the day) and decides.
//! A version never changes a payment already made. Everything here needs the network.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use yanglao_shared::policy::{PublishPolicy, PublishedPolicy};
use yanglao_shared::window::cst_date;
use yanglao_shared::PolicyTable;

use crate::api;
use crate::i18n::{self, Lang};
use crate::pages::{failure_text, ErrorText, RequireSession};
use crate::state::use_app;

fn zh() -> bool {
    i18n::lang() == Lang::Zh
}

fn say(zh_text: &'static str, en: &'static str) -> &'static str {
    if zh() {
        zh_text
    } else {
        en
    }
}

/// The screen's title, for the link on 工作台.
pub fn title() -> &'static str {
    say("缴费政策", "Contribution policy")
}

/// One version in a line: "第2版 · 2027-01-01起 · 2027–年 · 发布人 … · 在用 · 部分数字待确认".
pub fn version_line(v: &PublishedPolicy) -> String {
    let m = &v.version;
    let by = m
        .published_by
        .clone()
        .unwrap_or_else(|| say("内置", "built in").to_owned());
    let state = match (v.in_force, zh()) {
        (true, true) => "在用",
        (false, true) => "未在用",
        (true, false) => "in force",
        (false, false) => "not in force",
    };
    let confirmed = match (v.all_confirmed, zh()) {
        (true, true) => "数字均已确认",
        (false, true) => "部分数字待确认",
        (true, false) => "all figures confirmed",
        (false, false) => "some figures unconfirmed",
    };
    match zh() {
        true => format!(
            "第{}版 · {}起生效 · {}年 · 发布人 {by} · {state} · {confirmed}",
            m.number, m.effective_from, m.years
        ),
        false => format!(
            "Version {} · from {} · years {} · by {by} · {state} · {confirmed}",
            m.number, m.effective_from, m.years
        ),
    }
}

/// What the phone can already say is wrong with a pasted table (the server checks again).
pub fn check_locally(document: &str) -> Result<String, String> {
    let table = PolicyTable::from_json(document).map_err(|e| e.to_string())?;
    let ids: Vec<&str> = table.policies.iter().map(|p| p.id.as_str()).collect();
    Ok(match zh() {
        true => format!("格式正确：{}，覆盖 {} 年", ids.join("、"), table.years()),
        false => format!("Well formed: {}, years {}", ids.join(", "), table.years()),
    })
}

/// The text of the file chosen in `<input type=file>`, read by the browser.
async fn file_text(ev: &web_sys::Event) -> Option<String> {
    let input: JsValue = ev.target()?.into();
    let files = js_sys::Reflect::get(&input, &"files".into()).ok()?;
    let file = js_sys::Reflect::get(&files, &JsValue::from(0)).ok()?;
    let text = js_sys::Reflect::get(&file, &"text".into()).ok()?;
    let promise = text.dyn_ref::<js_sys::Function>()?.call0(&file).ok()?;
    let read = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
        .await
        .ok()?;
    read.as_string()
}

#[component]
pub fn Policies() -> impl IntoView {
    view! {
        <RequireSession>
            <Screen />
        </RequireSession>
    }
}

#[component]
fn Screen() -> impl IntoView {
    let app = use_app();
    let versions = RwSignal::new(Vec::<PublishedPolicy>::new());
    let error = RwSignal::new(None::<String>);
    let document = RwSignal::new(String::new());
    let day = RwSignal::new(cst_date(app.server_now()).to_string());
    let checked = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let load = move || {
        let Some(token) = app.token() else {
            app.needs_login.set(true);
            return;
        };
        spawn_local(async move {
            match api::admin_policies(&token).await {
                Ok(list) => versions.set(list),
                Err(e) => error.set(Some(failure_text(app, &e))),
            }
        });
    };
    load();
    let check = move || checked.set(Some(check_locally(&document.get_untracked())));
    let chosen_file = move |ev: web_sys::Event| {
        spawn_local(async move {
            if let Some(text) = file_text(&ev).await {
                document.set(text);
                check();
            }
        });
    };
    let publish = move |_| {
        check();
        if !matches!(checked.get_untracked(), Some(Ok(_))) {
            return;
        }
        let Some(token) = app.token() else {
            app.needs_login.set(true);
            return;
        };
        let body = PublishPolicy {
            document: document.get_untracked(),
            effective_from: day.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::publish_policy(&token, &body).await {
                Ok(v) => {
                    let done = match zh() {
                        true => format!("已发布第{}版，{}起生效", v.number, v.effective_from),
                        false => format!(
                            "Version {} published, in force from {}",
                            v.number, v.effective_from
                        ),
                    };
                    app.say(done);
                    document.set(String::new());
                    checked.set(None);
                    load();
                }
                Err(e) => error.set(Some(failure_text(app, &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="page staff" data-testid="policies-page">
            <h1 tabindex="-1">{title}</h1>
            <ErrorText message=error testid="policies-error" />
            <h2>{move || say("已发布的版本", "Versions")}</h2>
            <ul class="list" data-testid="policy-versions">
                {move || versions.get().iter().map(|v| view! {
                    <li class="list__item" data-testid="policy-version">{version_line(v)}</li>
                }).collect_view()}
            </ul>
            <h2>{move || say("发布新版本", "Publish a version")}</h2>
            <p class="muted">{move || say(
                "粘贴政策表（JSON，格式同 shared/policies/），或选择文件；填写生效日期（今天或以后）。已缴的费用不受影响。",
                "Paste the table (JSON, as in shared/policies/) or choose the file; give its first day (today or later). Payments made are not changed.",
            )}</p>
            <label class="field">
                <span>{move || say("政策文件", "Policy file")}</span>
                <input type="file" accept="application/json,.json" data-testid="policy-file" on:change=chosen_file />
            </label>
            <label class="field">
                <span>{move || say("政策表（JSON）", "Table (JSON)")}</span>
                <textarea
                    rows="10"
                    data-testid="policy-json"
                    prop:value=move || document.get()
                    on:input=move |ev| {
                        document.set(event_target_value(&ev));
                        checked.set(None);
                    }
                    on:blur=move |_| check()
                ></textarea>
            </label>
            {move || checked.get().map(|r| match r {
                Ok(text) => view! { <p class="muted" data-testid="policy-check">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error-text" role="alert" data-testid="policy-check-error">{text}</p> }.into_any(),
            })}
            <label class="field">
                <span>{move || say("生效日期", "First day in force")}</span>
                <input type="date" data-testid="policy-day" prop:value=move || day.get()
                    on:input=move |ev| day.set(event_target_value(&ev)) />
            </label>
            <div class="actions">
                <button type="button" class="button button--primary" data-testid="policy-publish"
                    disabled=move || busy.get() || document.with(|d| d.trim().is_empty())
                    on:click=publish>
                    {move || say("发布", "Publish")}
                </button>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;
    use yanglao_shared::policy::{builtin, PolicyVersion};

    use super::*;

    #[wasm_bindgen_test]
    fn a_pasted_table_is_checked_on_the_phone_in_chinese() {
        i18n::set_lang(Lang::Zh);
        let ok = check_locally(builtin::file_of(2027).unwrap()).unwrap();
        assert_eq!(ok, "格式正确：wendeng-2027，覆盖 2027– 年");
        let wrong = check_locally(r#"{"format": 1, "policies": []}"#).unwrap_err();
        assert!(wrong.contains("格式版本 1 不受支持"), "{wrong}");
        let broken = check_locally("{").unwrap_err();
        assert!(broken.starts_with("政策文件无法读取"), "{broken}");
    }

    #[wasm_bindgen_test]
    fn a_version_says_when_who_and_how_sure() {
        i18n::set_lang(Lang::Zh);
        let v = PublishedPolicy {
            version: PolicyVersion {
                number: 2,
                effective_from: time::macros::date!(2027 - 01 - 01),
                published_by: Some("admin-1".into()),
                published_at: None,
                years: "2027–".into(),
            },
            policies: vec!["wendeng-2027".into()],
            all_confirmed: false,
            in_force: false,
        };
        assert_eq!(
            version_line(&v),
            "第2版 · 2027-01-01起生效 · 2027–年 · 发布人 admin-1 · 未在用 · 部分数字待确认"
        );
    }
}
