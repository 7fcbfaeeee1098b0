//! The only module that talks to the server: one function per endpoint of `/api/v1`, JSON in
//! and out, same origin. Errors come back as [`ApiError`]; `message` from the server's
//! `ErrorBody` is what people read.

use serde::Serialize;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};
use yanglao_shared::applications::{
    BackPaymentCheck, BackPaymentDecision, BackPaymentForm, BackPaymentView, BankReceipt,
    EnrolmentForm, EnrolmentState, EnrolmentView, TownReview, VillageCheck,
};
use yanglao_shared::json::{self, FromJson};
use yanglao_shared::policy::{PolicyVersion, PublishPolicy, PublishedPolicy};
use yanglao_shared::reconciliation::{CaseView, Report};
use yanglao_shared::wire::{
    Account, BindCard, ClaimConfirm, ClaimRequest, ClaimStarted, Credentials, ErrorBody,
    PaymentMethod, Place, PolicyInfo, ReceiptCheck, Session, SyncRequest, SyncResponse, UnpaidPage,
    WindowStats,
};

const BASE: &str = "/api/v1";
/// A request that has not answered by then is treated as offline: on a weak network a fetch
/// can otherwise hang for minutes while the person waits.
const TIMEOUT_MS: i32 = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: no network, the server unreachable, or too slow.
    Offline,
    /// 401: the session expired or is unknown; the person must log in again.
    Unauthorized(String),
    /// Any other refusal, with the server's code and sentence.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// An answer that is not what the contract says (a proxy's error page, a bug).
    BadAnswer(String),
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            Self::Offline => "offline",
            Self::Unauthorized(_) => "unauthorized",
            Self::Refused { code, .. } => code,
            Self::BadAnswer(_) => "bad_answer",
        }
    }

    /// Worth retrying later without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Offline | Self::BadAnswer(_) => true,
            Self::Refused { status, code, .. } => *status >= 500 || code == "too_many_attempts",
            Self::Unauthorized(_) => false,
        }
    }
}

/// Method, path, optional bearer token and body: the one place `fetch` is called. Answers
/// with the response, whatever its status.
async fn fetch(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
    accept: &str,
) -> Result<Response, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Offline)?;
    let headers = Headers::new().map_err(|_| ApiError::Offline)?;
    let _ = headers.set("Accept", accept);
    if body.is_some() {
        let _ = headers.set("Content-Type", "application/json");
    }
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    // Never let a cache (ours or the browser's) answer for the server.
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let abort = AbortController::new().ok();
    if let Some(abort) = &abort {
        init.set_signal(Some(&abort.signal()));
        let abort = abort.clone();
        leptos::prelude::set_timeout(
            move || abort.abort(),
            std::time::Duration::from_millis(TIMEOUT_MS as u64),
        );
    }
    let request = Request::new_with_str_and_init(&format!("{BASE}{path}"), &init)
        .map_err(|_| ApiError::Offline)?;
    JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Offline)?
        .dyn_into()
        .map_err(|_| ApiError::Offline)
}

async fn text_of(response: &Response) -> Result<String, ApiError> {
    Ok(match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|_| ApiError::Offline)?
            .as_string()
            .unwrap_or_default(),
        Err(_) => String::new(),
    })
}

/// A refusal's `ErrorBody`, turned into what the person reads.
fn refusal(status: u16, text: &str) -> ApiError {
    let Ok(error) = json::from_text::<ErrorBody>(text) else {
        return if status >= 500 || status == 0 {
            // A gateway's error page while the server restarts: same as offline for the person.
            ApiError::Offline
        } else {
            ApiError::BadAnswer(format!("HTTP {status}"))
        };
    };
    if status == 401 && error.code == "unauthorized" {
        ApiError::Unauthorized(error.message)
    } else {
        ApiError::Refused {
            status,
            code: error.code,
            message: error.message,
        }
    }
}

async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<String, ApiError> {
    let response = fetch(method, path, token, body, "application/json").await?;
    let status = response.status();
    let text = text_of(&response).await?;
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(refusal(status, &text))
    }
}

async fn call<R: FromJson>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&impl Serialize>,
) -> Result<R, ApiError> {
    let body = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ApiError::BadAnswer("a request has no JSON form".into()))?;
    let text = send(method, path, token, body).await?;
    json::from_text(&text).map_err(|e| ApiError::BadAnswer(e.to_string()))
}

async fn call_empty(method: &str, path: &str, token: Option<&str>) -> Result<(), ApiError> {
    send(method, path, token, None).await.map(|_| ())
}

const NO_BODY: Option<&()> = None;

/// The public policy and window, with the policy as the server wrote it: what the phone keeps
/// for offline use (read back by the same reader; no writer for the policy's types in the
/// wasm).
pub async fn policy() -> Result<(PolicyInfo, String), ApiError> {
    let text = send("GET", "/policy", None, None).await?;
    let bad = |e: json::JsonError| ApiError::BadAnswer(e.to_string());
    let tree = json::parse(&text).map_err(bad)?;
    let kept = match &tree {
        json::Json::Obj(answer) => answer.get("policy").map(json::to_text),
        _ => None,
    };
    let info = PolicyInfo::from_json(tree).map_err(bad)?;
    // Read, so it was there.
    Ok((info, kept.unwrap_or_default()))
}

pub async fn places() -> Result<Vec<Place>, ApiError> {
    call("GET", "/places", None, NO_BODY).await
}

pub async fn register(credentials: &Credentials) -> Result<Session, ApiError> {
    call("POST", "/accounts", None, Some(credentials)).await
}

pub async fn log_in(credentials: &Credentials) -> Result<Session, ApiError> {
    call("POST", "/sessions", None, Some(credentials)).await
}

pub async fn log_out(token: &str) -> Result<(), ApiError> {
    call_empty("DELETE", "/sessions", Some(token)).await
}

pub async fn me(token: &str) -> Result<Account, ApiError> {
    call("GET", "/me", Some(token), NO_BODY).await
}

/// A claim's first step: the server sends a code to the roster's mobile and says where.
pub async fn claim(token: &str, request: &ClaimRequest) -> Result<ClaimStarted, ApiError> {
    call("POST", "/me/claim", Some(token), Some(request)).await
}

/// A claim's second step: the code proves it; the account comes back with its record.
pub async fn confirm_claim(token: &str, code: &str) -> Result<Account, ApiError> {
    let confirm = ClaimConfirm {
        code: code.to_owned(),
    };
    call("POST", "/me/claim/confirm", Some(token), Some(&confirm)).await
}

/// The payer's own label for a person, or none (`PUT /payees/{id}/label`, idempotent by the
/// change's id).
pub async fn put_label(
    token: &str,
    payee_id: Uuid,
    change: &yanglao_shared::wire::LabelChange,
) -> Result<yanglao_shared::wire::PayeeView, ApiError> {
    call(
        "PUT",
        &format!("/payees/{payee_id}/label"),
        Some(token),
        Some(change),
    )
    .await
}

pub async fn delete_payee(token: &str, id: Uuid) -> Result<(), ApiError> {
    call_empty("DELETE", &format!("/payees/{id}"), Some(token)).await
}

/// The card number goes to the server (and on to the bank gateway) and nowhere else.
pub async fn bind_card(token: &str, card: &BindCard) -> Result<PaymentMethod, ApiError> {
    call("POST", "/methods", Some(token), Some(card)).await
}

pub async fn delete_method(token: &str, id: Uuid) -> Result<(), ApiError> {
    call_empty("DELETE", &format!("/methods/{id}"), Some(token)).await
}

pub async fn sync(token: &str, request: &SyncRequest) -> Result<SyncResponse, ApiError> {
    call("POST", "/sync", Some(token), Some(request)).await
}

pub async fn receipt(receipt_no: &str) -> Result<ReceiptCheck, ApiError> {
    let encoded = js_sys::encode_uri_component(receipt_no.trim());
    call("GET", &format!("/receipts/{encoded}"), None, NO_BODY).await
}

/// `?year=Y` when a year is chosen; without it the server answers for its own this year.
fn year_query(year: Option<i32>) -> String {
    year.map(|y| format!("year={y}")).unwrap_or_default()
}

/// The window statistics of the staff member's own area (403 `forbidden` for residents).
pub async fn staff_stats(token: &str, year: Option<i32>) -> Result<WindowStats, ApiError> {
    let path = format!("/staff/stats?{}", year_query(year));
    call("GET", &path, Some(token), NO_BODY).await
}

pub async fn staff_unpaid(
    token: &str,
    year: Option<i32>,
    limit: i64,
    offset: i64,
) -> Result<UnpaidPage, ApiError> {
    let path = format!(
        "/staff/unpaid?{}&limit={limit}&offset={offset}",
        year_query(year)
    );
    call("GET", &path, Some(token), NO_BODY).await
}

/// The unpaid list as CSV, byte for byte as the server wrote it (its UTF-8 BOM is what makes
/// Excel read the Chinese): a plain link cannot carry the Authorization header, so it is
/// fetched here and handed over as bytes.
pub async fn staff_unpaid_csv(token: &str, year: i32) -> Result<Vec<u8>, ApiError> {
    csv_file(&format!("/staff/unpaid.csv?year={year}"), token).await
}

/// A CSV file's bytes, unchanged (the BOM Excel needs included).
async fn csv_file(path: &str, token: &str) -> Result<Vec<u8>, ApiError> {
    let response = fetch("GET", path, Some(token), None, "text/csv").await?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return Err(refusal(status, &text_of(&response).await?));
    }
    let buffer = response.array_buffer().map_err(|_| ApiError::Offline)?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|_| ApiError::Offline)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The day's reconciliation (对账, `YYYY-MM-DD`): town center and administrators only.
pub async fn staff_reconciliation(token: &str, date: &str) -> Result<Report, ApiError> {
    let path = format!("/staff/reconciliation?date={date}");
    call("GET", &path, Some(token), NO_BODY).await
}

pub async fn staff_reconciliation_csv(token: &str, date: &str) -> Result<Vec<u8>, ApiError> {
    csv_file(&format!("/staff/reconciliation.csv?date={date}"), token).await
}

pub async fn refund_cases(token: &str) -> Result<Vec<CaseView>, ApiError> {
    call("GET", "/staff/refund-cases", Some(token), NO_BODY).await
}

/// Resolves a refund case: `refund` (through the bank) or `book` (to the free person-year).
pub async fn resolve_refund_case(token: &str, id: Uuid, how: &str) -> Result<CaseView, ApiError> {
    let path = format!("/staff/refund-cases/{id}/{how}");
    call("POST", &path, Some(token), NO_BODY).await
}

// ---- 参保登记 and 补缴: the applicant's side ----------------------------------------------

/// Files (or, after a return, refiles) an enrolment form under its own id: a retry is
/// answered with the same view, never a second application.
pub async fn put_enrolment(token: &str, form: &EnrolmentForm) -> Result<EnrolmentView, ApiError> {
    call(
        "PUT",
        &format!("/enrolments/{}", form.id),
        Some(token),
        Some(form),
    )
    .await
}

pub async fn enrolments(token: &str) -> Result<Vec<EnrolmentView>, ApiError> {
    call("GET", "/enrolments", Some(token), NO_BODY).await
}

pub async fn put_back_payment(
    token: &str,
    form: &BackPaymentForm,
) -> Result<BackPaymentView, ApiError> {
    call(
        "PUT",
        &format!("/back-payments/{}", form.id),
        Some(token),
        Some(form),
    )
    .await
}

pub async fn back_payments(token: &str) -> Result<Vec<BackPaymentView>, ApiError> {
    call("GET", "/back-payments", Some(token), NO_BODY).await
}

/// The applicant's own returned or entered enrolment as filed (in full), to fill the fix form
/// or the add-payee form; held in memory by that screen only.
pub async fn enrolment_form(token: &str, id: Uuid) -> Result<EnrolmentForm, ApiError> {
    call(
        "GET",
        &format!("/enrolments/{id}/form"),
        Some(token),
        NO_BODY,
    )
    .await
}

/// The applicant's own returned back-payment form as filed (in full), to fix it.
pub async fn back_payment_form(token: &str, id: Uuid) -> Result<BackPaymentForm, ApiError> {
    call(
        "GET",
        &format!("/back-payments/{id}/form"),
        Some(token),
        NO_BODY,
    )
    .await
}

// ---- 参保登记 and 补缴: the staff's side --------------------------------------------------

/// The enrolments of the staff member's own area (the server decides the area), only those
/// in `state` when given.
pub async fn staff_enrolments(
    token: &str,
    state: Option<EnrolmentState>,
) -> Result<Vec<EnrolmentView>, ApiError> {
    let query = state
        .map(|s| format!("?state={}", s.as_str()))
        .unwrap_or_default();
    call(
        "GET",
        &format!("/staff/enrolments{query}"),
        Some(token),
        NO_BODY,
    )
    .await
}

pub async fn village_check(
    token: &str,
    id: Uuid,
    check: &VillageCheck,
) -> Result<EnrolmentView, ApiError> {
    let path = format!("/staff/enrolments/{id}/village-check");
    call("POST", &path, Some(token), Some(check)).await
}

pub async fn town_review(
    token: &str,
    id: Uuid,
    review: &TownReview,
) -> Result<EnrolmentView, ApiError> {
    let path = format!("/staff/enrolments/{id}/town-review");
    call("POST", &path, Some(token), Some(review)).await
}

pub async fn staff_back_payments(token: &str) -> Result<Vec<BackPaymentView>, ApiError> {
    call("GET", "/staff/back-payments", Some(token), NO_BODY).await
}

/// The town center's check of a submitted application, year by year, before it decides.
pub async fn back_payment_check(token: &str, id: Uuid) -> Result<BackPaymentCheck, ApiError> {
    let path = format!("/staff/back-payments/{id}/check");
    call("GET", &path, Some(token), NO_BODY).await
}

/// The town center's decision: a slip for the payable years it was shown, or a return.
pub async fn back_payment_decide(
    token: &str,
    id: Uuid,
    decision: &BackPaymentDecision,
) -> Result<BackPaymentView, ApiError> {
    let path = format!("/staff/back-payments/{id}/review");
    call("POST", &path, Some(token), Some(decision)).await
}

pub async fn back_payment_receipt(
    token: &str,
    id: Uuid,
    receipt: &BankReceipt,
) -> Result<BackPaymentView, ApiError> {
    let path = format!("/staff/back-payments/{id}/receipt");
    call("POST", &path, Some(token), Some(receipt)).await
}

// ---- policy versions (administrators) -------------------------------------------------------

/// Every policy version, newest first.
pub async fn admin_policies(token: &str) -> Result<Vec<PublishedPolicy>, ApiError> {
    call("GET", "/admin/policies", Some(token), NO_BODY).await
}

/// Publishes a policy table as the next version; a refusal says in Chinese what is wrong.
pub async fn publish_policy(token: &str, body: &PublishPolicy) -> Result<PolicyVersion, ApiError> {
    call("POST", "/admin/policies", Some(token), Some(body)).await
}
