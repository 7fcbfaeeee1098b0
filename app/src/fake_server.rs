//! A stand-in server for the tests in headless Chromium: `window.fetch` is replaced by a
//! function that answers from a table and writes down each request, or fails like a phone
//! without a network, so the sync engine and the push run their real code against it.

use serde_json::json;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsValue;
use yanglao_shared::wire::{SyncRequest, SyncResponse};

/// Replaces `fetch`: `answers` maps "METHOD /path" to `{status, body}`; anything else is a
/// 404 like the server's. `offline` makes every request fail as with no network.
pub fn serve(answers: serde_json::Value, offline: bool) {
    let code = format!(
        r#"
        window.__realFetch = window.__realFetch || window.fetch;
        const yl = window.__yl = window.__yl || {{ calls: [] }};
        yl.answers = {answers};
        yl.offline = {offline};
        yl.delay = 0;
        yl.respond = null;
        window.fetch = (req) => (async () => {{
            if (yl.offline) throw new TypeError("Failed to fetch");
            const path = new URL(req.url).pathname;
            const body = req.method === "POST" || req.method === "PUT" ? await req.text() : "";
            yl.calls.push(req.method + " " + path + (body ? " " + body : ""));
            if (yl.delay) await new Promise((done) => setTimeout(done, yl.delay));
            const asked = yl.respond && yl.respond(req.method + " " + path, body);
            const answer = (asked && JSON.parse(asked)) || yl.answers[req.method + " " + path]
                || {{ status: 404, body: '{{"code":"not_found","message":"没有找到"}}' }};
            return new Response(answer.status === 204 ? null : answer.body, {{
                status: answer.status,
                headers: {{ "Content-Type": "application/json" }},
            }});
        }})();
        "#
    );
    js_sys::Function::new_no_args(&code)
        .call0(&JsValue::NULL)
        .unwrap();
}

/// After [`serve`]: `POST /sync` is answered by `answer`, from the request it carries (the
/// answer is `{status, body}` as in `serve`'s table), like a server that works out each reply.
pub fn answer_sync(mut answer: impl FnMut(SyncRequest) -> serde_json::Value + 'static) {
    let respond =
        Closure::<dyn FnMut(String, String) -> JsValue>::new(move |call: String, body: String| {
            match call.as_str() {
                "POST /api/v1/sync" => {
                    let request = serde_json::from_str(&body).unwrap();
                    JsValue::from_str(&answer(request).to_string())
                }
                _ => JsValue::NULL,
            }
        });
    let yl = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__yl".into()).unwrap();
    js_sys::Reflect::set(&yl, &"respond".into(), respond.as_ref()).unwrap();
    // Lives as long as the page: each `serve` drops the reference, never the closure.
    respond.forget();
}

/// Makes every answer wait `ms` milliseconds after the request was written down, as on a
/// slow network.
pub fn slow(ms: u32) {
    let code = format!("window.__yl.delay = {ms};");
    js_sys::Function::new_no_args(&code)
        .call0(&JsValue::NULL)
        .unwrap();
}

/// The requests made since the last call, oldest first.
pub fn calls() -> Vec<String> {
    let code = r#"
        const calls = (window.__yl && window.__yl.calls) || [];
        if (window.__yl) window.__yl.calls = [];
        return JSON.stringify(calls);
    "#;
    let text = js_sys::Function::new_no_args(code)
        .call0(&JsValue::NULL)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn restore_fetch() {
    let code = "if (window.__realFetch) window.fetch = window.__realFetch;";
    js_sys::Function::new_no_args(code)
        .call0(&JsValue::NULL)
        .unwrap();
}

/// The body of a `POST /sync` call.
pub fn sync_body(call: &str) -> SyncRequest {
    let body = call.strip_prefix("POST /api/v1/sync ").expect(call);
    serde_json::from_str(body).unwrap()
}

pub fn sync_answer(answer: &SyncResponse) -> serde_json::Value {
    json!({ "status": 200, "body": serde_json::to_string(answer).unwrap() })
}
