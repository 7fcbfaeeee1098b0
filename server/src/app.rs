//! The server's state, its router, and how it starts and stops.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use yanglao_shared::wire::PolicyInfo;
use yanglao_shared::{Policy, PolicyTable};

use crate::auth::RateLimiter;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::gateway::PaymentGateway;
use crate::{
    accounts, back_payment, enrolment, methods, notify, payees, receipts, reconcile, stats, sync,
    web,
};

/// Requests larger than this are refused before they are read (a sync batch of 200 intents is
/// about 60 KiB).
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub policies: Arc<PolicyTable>,
    /// The region whose policy applies to this server's roster.
    pub region: String,
    pub gateway: Arc<dyn PaymentGateway>,
    pub gateway_secret: Arc<str>,
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The policy for `year`, or the current one when the table has none for it (a refusal
    /// such as "past year" then explains the rest).
    pub fn policy_for(&self, year: i32) -> ApiResult<&Policy> {
        self.policies
            .lookup(&self.region, year)
            .or_else(|_| self.current_policy())
            .map_err(ApiError::from)
    }

    pub fn current_policy(&self) -> Result<&Policy, yanglao_shared::policy::PolicyError> {
        let year = yanglao_shared::window::cst_date(self.now()).year();
        self.policies.lookup(&self.region, year)
    }

    pub fn current_year(&self) -> i32 {
        yanglao_shared::window::cst_date(self.now()).year()
    }
}

/// Every route of the API and the PWA.
pub fn router(state: AppState, dist: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/policy", get(policy))
        .merge(accounts::router())
        .merge(payees::router())
        .merge(methods::router())
        .merge(sync::router())
        .merge(notify::router())
        .merge(receipts::router())
        .merge(stats::router())
        .merge(enrolment::router())
        .merge(back_payment::router())
        .merge(crate::places::router())
        .merge(crate::openapi::router())
        .fallback(api_not_found)
        .with_state(state);
    let app = Router::new().nest("/api/v1", api);
    let app = match dist {
        Some(dist) => app.merge(web::router(dist)),
        None => app,
    };
    app.layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
}

async fn health(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    crate::db::current_seq(&state.db.pool).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

async fn policy(State(state): State<AppState>) -> ApiResult<Json<PolicyInfo>> {
    let now = state.now();
    let policy = state.current_policy()?;
    Ok(Json(PolicyInfo {
        policy: policy.clone(),
        server_time: now,
        window: policy.window.state_at(now),
    }))
}

async fn api_not_found() -> (StatusCode, Json<yanglao_shared::wire::ErrorBody>) {
    (
        StatusCode::NOT_FOUND,
        Json(yanglao_shared::wire::ErrorBody {
            code: "no_such_route".into(),
            message: "没有这个接口".into(),
        }),
    )
}

/// A running server: its address, and a handle to stop it gracefully.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Binds, starts serving and starts the reconciliation task.
    pub async fn start(
        state: AppState,
        bind: SocketAddr,
        dist: Option<PathBuf>,
        reconcile_every: Duration,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let (shutdown, mut stop) = tokio::sync::watch::channel(false);
        let app = router(state.clone(), dist);
        let reconciler = reconcile::spawn(state.clone(), reconcile_every, shutdown.subscribe());
        let task = tokio::spawn(async move {
            let served = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            })
            .await;
            if let Err(e) = served {
                tracing::error!(%e, "server stopped with an error");
            }
            reconciler.abort();
        });
        Ok(Self {
            addr,
            state,
            shutdown,
            task,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, then returns.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// A function that stops the server from elsewhere (a signal handler).
    pub fn shutdown_handle(&self) -> impl FnOnce() + Send + 'static {
        let sender = self.shutdown.clone();
        move || {
            let _ = sender.send(true);
        }
    }
}
