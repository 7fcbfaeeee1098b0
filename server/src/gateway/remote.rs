//! The sandbox bank as its own process (`yanglao-server sandbox-bank`) and the HTTP client the
//! server uses to reach it. Same trait, same behaviour as in-process; only the wire is added.

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use yanglao_shared::CardNumber;

use super::sandbox::SandboxBank;
use super::{BoundCard, ChargeRequest, GatewayError, OrderStatus, PaymentGateway};

#[derive(Serialize, Deserialize)]
struct BindBody {
    card_number: String,
}

/// The sandbox bank's own HTTP API.
pub fn sandbox_router(bank: SandboxBank) -> Router {
    Router::new()
        .route("/cards", post(bind))
        .route("/orders", post(charge))
        .route("/orders/{id}", get(query))
        .with_state(bank)
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
}
