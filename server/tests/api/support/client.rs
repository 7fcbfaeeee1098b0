//! A typed client for `/api/v1`: each route's method sends and receives the types of
//! `yanglao_shared::wire` (and `yanglao_shared::applications`), and a refusal comes back as an
//! [`ApiFailure`] with its status and code. Answers are decoded strictly: a field the wire
//! type does not know (say, a card number or an amount in a payer's view) fails the test.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
use yanglao_shared::applications::{
    BackPaymentCheck, BackPaymentDecision, BackPaymentForm, BackPaymentView, BankReceipt,
    EnrolmentForm, EnrolmentView, TownReview, VillageCheck,
};
use yanglao_shared::json::FromJson;
use yanglao_shared::wire::{
    Account, BindCard, ClaimConfirm, ClaimRequest, ClaimStarted, Credentials, ErrorBody, NewPayee,
    PayeeView, PaymentMethod, Place, ReceiptCheck, Session, SyncRequest, SyncResponse, UnpaidPage,
    WindowStats,
};

/// A refused request: the status and the server's [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiFailure>;

/// Any answer, undecoded: for routes iterated from the OpenAPI table and for malformed input.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl RawAnswer {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("UTF-8")
    }

    /// The error code, when the answer is an [`ErrorBody`].
    pub fn code(&self) -> Option<String> {
        serde_json::from_slice::<ErrorBody>(&self.bytes)
            .ok()
            .map(|e| e.code)
    }
}

/// The parts of the OpenAPI document the tests read.
#[derive(Debug, Deserialize)]
pub struct OpenApiDoc {
    pub openapi: String,
    pub paths: BTreeMap<String, BTreeMap<String, serde::de::IgnoredAny>>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(server_url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{server_url}/api/v1"),
        }
    }

    /// Sends `body` (raw bytes, as JSON) and returns whatever comes back.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> RawAnswer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("request");
        RawAnswer {
            status: response.status(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.expect("body").to_vec(),
        }
    }

    /// Sends a typed body and decodes a typed answer, or the refusal.
    async fn call<B: Serialize, T: DeserializeOwned + FromJson + Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> ApiResult<(StatusCode, T)> {
        let body = body.map(|b| serde_json::to_vec(b).unwrap());
        let answer = self.raw(method, path, token, body).await;
        if !answer.status.is_success() {
            return Err(failure(&answer));
        }
        Ok((answer.status, strictly(&answer)))
    }

    /// A route that answers with no content.
    async fn call_empty(&self, method: Method, path: &str, token: &str) -> ApiResult<StatusCode> {
        let answer = self.raw(method, path, Some(token), None).await;
        if !answer.status.is_success() {
            return Err(failure(&answer));
        }
        Ok(answer.status)
    }

    async fn get<T: DeserializeOwned + FromJson + Serialize>(
        &self,
        path: &str,
        token: &str,
    ) -> ApiResult<T> {
        self.call::<(), T>(Method::GET, path, Some(token), None)
            .await
            .map(|(_, t)| t)
    }

    async fn send<B: Serialize, T: DeserializeOwned + FromJson + Serialize>(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &B,
    ) -> ApiResult<T> {
        self.call(method, path, Some(token), Some(body))
            .await
            .map(|(_, t)| t)
    }

    // ---- accounts ---------------------------------------------------------------------------

    pub async fn register(&self, credentials: &Credentials) -> ApiResult<(StatusCode, Session)> {
        self.call(Method::POST, "/accounts", None, Some(credentials))
            .await
    }

    pub async fn login(&self, credentials: &Credentials) -> ApiResult<Session> {
        self.call(Method::POST, "/sessions", None, Some(credentials))
            .await
            .map(|(_, s)| s)
    }

    pub async fn logout(&self, token: &str) -> ApiResult<StatusCode> {
        self.call_empty(Method::DELETE, "/sessions", token).await
    }

    pub async fn me(&self, token: &str) -> ApiResult<Account> {
        self.get("/me", token).await
    }

    /// A claim's first step: a code goes to the roster's mobile.
    pub async fn claim(&self, token: &str, claim: &ClaimRequest) -> ApiResult<ClaimStarted> {
        self.send(Method::POST, "/me/claim", token, claim).await
    }

    /// A claim's second step: the code proves it.
    pub async fn confirm_claim(&self, token: &str, code: &str) -> ApiResult<Account> {
        let confirm = ClaimConfirm { code: code.into() };
        self.send(Method::POST, "/me/claim/confirm", token, &confirm)
            .await
    }

    // ---- payments ---------------------------------------------------------------------------

    pub async fn payees(&self, token: &str) -> ApiResult<Vec<PayeeView>> {
        self.get("/payees", token).await
    }

    pub async fn add_payee(&self, token: &str, payee: &NewPayee) -> ApiResult<PayeeView> {
        let path = format!("/payees/{}", payee.id);
        self.send(Method::PUT, &path, token, payee).await
    }

    pub async fn remove_payee(&self, token: &str, id: Uuid) -> ApiResult<StatusCode> {
        self.call_empty(Method::DELETE, &format!("/payees/{id}"), token)
            .await
    }

    pub async fn methods(&self, token: &str) -> ApiResult<Vec<PaymentMethod>> {
        self.get("/methods", token).await
    }

    pub async fn bind_card(
        &self,
        token: &str,
        card: &BindCard,
    ) -> ApiResult<(StatusCode, PaymentMethod)> {
        self.call(Method::POST, "/methods", Some(token), Some(card))
            .await
    }

    pub async fn remove_card(&self, token: &str, id: Uuid) -> ApiResult<StatusCode> {
        self.call_empty(Method::DELETE, &format!("/methods/{id}"), token)
            .await
    }

    pub async fn sync(&self, token: &str, request: &SyncRequest) -> ApiResult<SyncResponse> {
        self.send(Method::POST, "/sync", token, request).await
    }

    /// Public: anyone may check a receipt.
    pub async fn receipt(&self, number: &str) -> ApiResult<ReceiptCheck> {
        let path = format!("/receipts/{number}");
        self.call::<(), _>(Method::GET, &path, None, None)
            .await
            .map(|(_, r)| r)
    }

    // ---- applications -----------------------------------------------------------------------

    /// Public: the form needs the places before any login.
    pub async fn places(&self) -> ApiResult<Vec<Place>> {
        self.call::<(), _>(Method::GET, "/places", None, None)
            .await
            .map(|(_, p)| p)
    }

    pub async fn enrolments(&self, token: &str) -> ApiResult<Vec<EnrolmentView>> {
        self.get("/enrolments", token).await
    }

    pub async fn file_enrolment(
        &self,
        token: &str,
        form: &EnrolmentForm,
    ) -> ApiResult<EnrolmentView> {
        self.file_enrolment_at(token, form.id, form).await
    }

    /// Sends `form` to `/enrolments/{at}`, whatever its own id says.
    pub async fn file_enrolment_at(
        &self,
        token: &str,
        at: Uuid,
        form: &EnrolmentForm,
    ) -> ApiResult<EnrolmentView> {
        self.send(Method::PUT, &format!("/enrolments/{at}"), token, form)
            .await
    }

    pub async fn staff_enrolments(&self, token: &str) -> ApiResult<Vec<EnrolmentView>> {
        self.get("/staff/enrolments", token).await
    }

    pub async fn village_check(
        &self,
        token: &str,
        id: Uuid,
        check: &VillageCheck,
    ) -> ApiResult<EnrolmentView> {
        let path = format!("/staff/enrolments/{id}/village-check");
        self.send(Method::POST, &path, token, check).await
    }

    pub async fn town_review(
        &self,
        token: &str,
        id: Uuid,
        review: &TownReview,
    ) -> ApiResult<EnrolmentView> {
        let path = format!("/staff/enrolments/{id}/town-review");
        self.send(Method::POST, &path, token, review).await
    }

    pub async fn back_payments(&self, token: &str) -> ApiResult<Vec<BackPaymentView>> {
        self.get("/back-payments", token).await
    }

    pub async fn file_back_payment(
        &self,
        token: &str,
        form: &BackPaymentForm,
    ) -> ApiResult<BackPaymentView> {
        self.file_back_payment_at(token, form.id, form).await
    }

    /// Sends `form` to `/back-payments/{at}`, whatever its own id says.
    pub async fn file_back_payment_at(
        &self,
        token: &str,
        at: Uuid,
        form: &BackPaymentForm,
    ) -> ApiResult<BackPaymentView> {
        self.send(Method::PUT, &format!("/back-payments/{at}"), token, form)
            .await
    }

    pub async fn staff_back_payments(&self, token: &str) -> ApiResult<Vec<BackPaymentView>> {
        self.get("/staff/back-payments", token).await
    }

    /// The town center's check, year by year, before deciding.
    pub async fn check_back_payment(&self, token: &str, id: Uuid) -> ApiResult<BackPaymentCheck> {
        self.get(&format!("/staff/back-payments/{id}/check"), token)
            .await
    }

    pub async fn decide_back_payment(
        &self,
        token: &str,
        id: Uuid,
        decision: &BackPaymentDecision,
    ) -> ApiResult<BackPaymentView> {
        let path = format!("/staff/back-payments/{id}/review");
        self.send(Method::POST, &path, token, decision).await
    }

    /// The town center's usual step: the check, then a slip for the payable years if there
    /// are any, or the form returned with the check's reasons.
    pub async fn review_back_payment(&self, token: &str, id: Uuid) -> ApiResult<BackPaymentView> {
        let check = self.check_back_payment(token, id).await?;
        let decision = if check.payable_years.is_empty() {
            BackPaymentDecision::Return { reason: None }
        } else {
            BackPaymentDecision::Slip {
                years: check.payable_years,
            }
        };
        self.decide_back_payment(token, id, &decision).await
    }

    /// The applicant's own returned form, in full, to fix it.
    pub async fn back_payment_form(&self, token: &str, id: Uuid) -> ApiResult<BackPaymentForm> {
        self.get(&format!("/back-payments/{id}/form"), token).await
    }

    /// The applicant's own returned or entered enrolment form, in full.
    pub async fn enrolment_form(&self, token: &str, id: Uuid) -> ApiResult<EnrolmentForm> {
        self.get(&format!("/enrolments/{id}/form"), token).await
    }

    pub async fn record_bank_receipt(
        &self,
        token: &str,
        id: Uuid,
        receipt: &str,
    ) -> ApiResult<BackPaymentView> {
        let path = format!("/staff/back-payments/{id}/receipt");
        let body = BankReceipt {
            bank_receipt_no: receipt.into(),
        };
        self.send(Method::POST, &path, token, &body).await
    }

    // ---- staff ------------------------------------------------------------------------------

    /// `query` is the query string without `?` (`"year=2026&village=岛山村"`), or empty.
    pub async fn staff_stats(&self, token: &str, query: &str) -> ApiResult<WindowStats> {
        self.get(&format!("/staff/stats?{query}"), token).await
    }

    pub async fn staff_unpaid(&self, token: &str, query: &str) -> ApiResult<UnpaidPage> {
        self.get(&format!("/staff/unpaid?{query}"), token).await
    }

    /// The unpaid list as the CSV file a spreadsheet opens.
    pub async fn unpaid_csv(&self, token: &str, query: &str) -> ApiResult<RawAnswer> {
        let path = format!("/staff/unpaid.csv?{query}");
        let answer = self.raw(Method::GET, &path, Some(token), None).await;
        if !answer.status.is_success() {
            return Err(failure(&answer));
        }
        Ok(answer)
    }

    pub async fn openapi(&self) -> OpenApiDoc {
        let answer = self.raw(Method::GET, "/openapi.json", None, None).await;
        assert_eq!(answer.status, StatusCode::OK);
        serde_json::from_slice(&answer.bytes).expect("an OpenAPI document")
    }
}

fn failure(answer: &RawAnswer) -> ApiFailure {
    let body: ErrorBody = serde_json::from_slice(&answer.bytes).unwrap_or_else(|e| {
        panic!(
            "{} with a body that is not an ErrorBody ({e}): {}",
            answer.status,
            String::from_utf8_lossy(&answer.bytes)
        )
    });
    ApiFailure {
        status: answer.status,
        code: body.code,
        message: body.message,
    }
}

/// Decodes `T`, and insists that `T` says all the answer said: encoded again, it is the same
/// JSON, so no field the type does not know slipped through. The phone's reader
/// (`yanglao_shared::json`) must read the same answer to the same JSON too: every answer a
/// test sees holds the two readers together.
fn strictly<T: DeserializeOwned + FromJson + Serialize>(answer: &RawAnswer) -> T {
    let raw: Value = serde_json::from_slice(&answer.bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", answer.text()));
    let typed: T = serde_json::from_value(raw.clone())
        .unwrap_or_else(|e| panic!("not a {} ({e}): {raw}", std::any::type_name::<T>()));
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        again,
        raw,
        "the answer carries more (or other) than {}",
        std::any::type_name::<T>()
    );
    let phone: T = yanglao_shared::json::from_text(answer.text()).unwrap_or_else(|e| {
        panic!(
            "the phone cannot read a {} ({e}): {raw}",
            std::any::type_name::<T>()
        )
    });
    assert_eq!(
        serde_json::to_value(&phone).unwrap(),
        raw,
        "the phone reads a {} differently",
        std::any::type_name::<T>()
    );
    typed
}
