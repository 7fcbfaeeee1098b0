//! The sandbox bank as its own process (`yanglao-server sandbox-bank`) and the HTTP client the
//! server uses to reach it. Same trait, same behaviour as in-process; only the wire is added.
//!
//! The routes: `POST /cards` (bind), `POST /orders` (charge), `GET /orders/{id}` (query),
//! `GET /statement?date=YYYY-MM-DD` (the orders created that day, China Standard Time) and
//! `POST /orders/{id}/refund` with `{"amount_fen": …}`. A refusal about an order (a refund of
//! an unpaid order, …) is 409 with `{code, message}`, which the client turns back into
//! [`GatewayError::Refused`]. Like the charge and the query, the statement and the refund are
//! not authenticated: the sandbox listens on loopback by default, and only its notifications to
//! the server are signed.

use async_trait::async_trait;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;
use yanglao_shared::CardNumber;

use super::sandbox::SandboxBank;
use super::{
    BoundCard, ChargeRequest, GatewayError, OrderStatus, PaymentGateway, Refund, StatementLine,
};

#[derive(Serialize, Deserialize)]
struct BindBody {
    card_number: String,
}

#[derive(Serialize, Deserialize)]
struct StatementQuery {
    date: String,
}

#[derive(Serialize, Deserialize)]
struct RefundBody {
    amount_fen: i64,
}

/// The body of a 409: the bank refused a request about an order.
#[derive(Serialize, Deserialize)]
struct Refusal {
    code: String,
    message: String,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// The sandbox bank's own HTTP API.
pub fn sandbox_router(bank: SandboxBank) -> Router {
    Router::new()
        .route("/cards", post(bind))
        .route("/orders", post(charge))
        .route("/orders/{id}", get(query))
        .route("/orders/{id}/refund", post(refund))
        .route("/statement", get(statement))
        .with_state(bank)
}

fn failure(e: GatewayError) -> Response {
    match e {
        GatewayError::Refused { code, message } => {
            (StatusCode::CONFLICT, Json(Refusal { code, message })).into_response()
        }
        GatewayError::CardRefused(why) => (StatusCode::BAD_REQUEST, why).into_response(),
        GatewayError::Unavailable(why) => (StatusCode::BAD_GATEWAY, why).into_response(),
    }
}

async fn statement(
    State(bank): State<SandboxBank>,
    Query(asked): Query<StatementQuery>,
) -> Result<Json<Vec<StatementLine>>, Response> {
    let date = Date::parse(&asked.date, DATE)
        .map_err(|_| (StatusCode::BAD_REQUEST, "date must be YYYY-MM-DD").into_response())?;
    bank.statement(date).await.map(Json).map_err(failure)
}

async fn refund(
    State(bank): State<SandboxBank>,
    Path(id): Path<Uuid>,
    Json(body): Json<RefundBody>,
) -> Result<Json<Refund>, Response> {
    bank.refund(id, body.amount_fen)
        .await
        .map(Json)
        .map_err(failure)
}

async fn bind(
    State(bank): State<SandboxBank>,
    Json(body): Json<BindBody>,
) -> Result<Json<BoundCard>, (StatusCode, String)> {
    let card = CardNumber::parse(&body.card_number)
        .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    bank.bind_card(&card)
        .await
        .map(Json)
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
}

async fn charge(
    State(bank): State<SandboxBank>,
    Json(request): Json<ChargeRequest>,
) -> Result<Json<OrderStatus>, (StatusCode, String)> {
    bank.charge(&request)
        .await
        .map(Json)
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))
}

async fn query(
    State(bank): State<SandboxBank>,
    Path(id): Path<Uuid>,
) -> Result<Json<OrderStatus>, (StatusCode, String)> {
    bank.query(id)
        .await
        .map(Json)
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))
}

/// Client for a sandbox bank running at `base_url`.
pub struct HttpGateway {
    base_url: String,
    http: reqwest::Client,
}

impl HttpGateway {
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .expect("a plain HTTP client builds");
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http,
        }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, GatewayError> {
        let response = request
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::CONFLICT {
            let refusal: Refusal = response
                .json()
                .await
                .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
            return Err(GatewayError::Refused {
                code: refusal.code,
                message: refusal.message,
            });
        }
        if status.is_client_error() {
            let text = response.text().await.unwrap_or_default();
            return Err(GatewayError::CardRefused(text));
        }
        if !status.is_success() {
            return Err(GatewayError::Unavailable(format!("status {status}")));
        }
        response
            .json()
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))
    }
}

#[async_trait]
impl PaymentGateway for HttpGateway {
    fn is_sandbox(&self) -> bool {
        true
    }

    async fn bind_card(&self, card: &CardNumber) -> Result<BoundCard, GatewayError> {
        let body = BindBody {
            card_number: card.expose().to_owned(),
        };
        self.call(
            self.http
                .post(format!("{}/cards", self.base_url))
                .json(&body),
        )
        .await
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<OrderStatus, GatewayError> {
        self.call(
            self.http
                .post(format!("{}/orders", self.base_url))
                .json(request),
        )
        .await
    }

    async fn query(&self, order_id: Uuid) -> Result<OrderStatus, GatewayError> {
        self.call(
            self.http
                .get(format!("{}/orders/{order_id}", self.base_url)),
        )
        .await
    }

    async fn statement(&self, date: Date) -> Result<Vec<StatementLine>, GatewayError> {
        let date = date
            .format(DATE)
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        self.call(
            self.http
                .get(format!("{}/statement", self.base_url))
                .query(&StatementQuery { date }),
        )
        .await
    }

    async fn refund(&self, order_id: Uuid, amount_fen: i64) -> Result<Refund, GatewayError> {
        self.call(
            self.http
                .post(format!("{}/orders/{order_id}/refund", self.base_url))
                .json(&RefundBody { amount_fen }),
        )
        .await
    }
}
