//! Policy versions (issue 13): `GET /policy` names the version in force; administrators alone
//! publish one (`POST /admin/policies`), validated with the reason in Chinese, audited, in
//! force from its day; an intent already made keeps the version that decided it; the people
//! one pays for carry what the pension estimate needs. [`cli`]: `policy import` as a process.

mod cli;
mod publish;

use reqwest::Method;
use serde_json::json;
use yanglao_shared::policy::{PolicyVersion, PublishedPolicy};
use yanglao_shared::wire::PolicyInfo;

use crate::support::client::RawAnswer;
use crate::support::*;

/// The built-in 2026 file with `edit` applied, as the JSON text an administrator pastes.
pub fn document(edit: impl Fn(&mut serde_json::Value)) -> String {
    let text = yanglao_shared::policy::builtin::file_of(2026).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    edit(&mut value);
    value.to_string()
}

/// The 2026 table without the 800 tier (and its subsidy).
pub fn without_800() -> String {
    document(|v| {
        let p = &mut v["policies"][0];
        p["tiers"].as_array_mut().unwrap().remove(2);
        p["subsidies"].as_array_mut().unwrap().remove(2);
        p["id"] = "wendeng-2026-b".into();
    })
}

pub async fn policy(app: &TestApp) -> PolicyInfo {
    let answer = app.api.raw(Method::GET, "/policy", None, None).await;
    assert!(answer.status.is_success(), "{}", answer.text());
    serde_json::from_slice(&answer.bytes).unwrap()
}

pub async fn publish(
    app: &TestApp,
    token: &str,
    document: &str,
    effective_from: &str,
) -> RawAnswer {
    let body = json!({ "document": document, "effective_from": effective_from });
    app.api
        .raw(
            Method::POST,
            "/admin/policies",
            Some(token),
            Some(body.to_string().into_bytes()),
        )
        .await
}

pub async fn published(app: &TestApp, token: &str, document: &str, day: &str) -> PolicyVersion {
    let answer = publish(app, token, document, day).await;
    assert_eq!(
        answer.status,
        reqwest::StatusCode::CREATED,
        "{}",
        answer.text()
    );
    serde_json::from_slice(&answer.bytes).unwrap()
}

pub async fn versions(app: &TestApp, token: &str) -> Vec<PublishedPolicy> {
    let answer = app
        .api
        .raw(Method::GET, "/admin/policies", Some(token), None)
        .await;
    assert!(answer.status.is_success(), "{}", answer.text());
    serde_json::from_slice(&answer.bytes).unwrap()
}

pub async fn admin(app: &TestApp) -> (String, String) {
    app.staff(
        "13900000091",
        yanglao_server::staff::roles::Role::Admin,
        "龙山街道",
        None,
    )
    .await
}
