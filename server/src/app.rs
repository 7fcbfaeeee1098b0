//! The server's state (built once, by [`AppState::build`], for `serve`, the tests and the
//! benchmark), and a running [`Server`]: how it starts and stops.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::net::TcpListener;
use yanglao_shared::policy::{PolicyError, PolicyVersion};
use yanglao_shared::window::cst_date;
use yanglao_shared::{Policy, PolicyTable};

use crate::clock::Clock;
use crate::gateway::PaymentGateway;
use crate::payments::charges::{self, ChargeQueue};
use crate::payments::reconcile;
use crate::policy::PolicyBook;
use crate::sms::{sandbox::SandboxSms, SmsGateway};
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// Every policy version this process knows (`crate::policy`); version 1 is built in.
    pub policies: Arc<PolicyBook>,
    /// The region whose policy applies to this server's roster.
    pub region: String,
    pub gateway: Arc<dyn PaymentGateway>,
    pub gateway_secret: Arc<str>,
    /// This process's bank-call bound and worker bell; the queue itself is in the database.
    pub charges: Arc<ChargeQueue>,
    /// Where a claim's one-time codes go: the sandbox (the database's outbox) unless
    /// [`AppState::with_sms`] says otherwise.
    pub sms: Arc<dyn SmsGateway>,
}

/// What a server is made of; everything else in [`AppState`] is derived.
pub struct Parts {
    pub db: Db,
    pub clock: Clock,
    pub policies: PolicyTable,
    pub region: String,
    pub gateway: Arc<dyn PaymentGateway>,
    pub gateway_secret: String,
}

/// A notification secret shorter than this is refused: it could be guessed.
pub const MIN_SECRET_BYTES: usize = 32;

/// Why a server cannot be built from its parts.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("policy: {0}")]
    Policy(#[from] PolicyError),
    #[error(
        "the gateway secret has {0} bytes, fewer than {MIN_SECRET_BYTES}; leave it out to use \
         this installation's own"
    )]
    WeakSecret(usize),
}

impl AppState {
    /// The one way a server's state is made. Refuses a policy table without a policy for the
    /// current year of `region`, and a guessable notification secret, so a misconfigured
    /// server never starts.
    pub fn build(parts: Parts) -> Result<Self, BuildError> {
        if parts.gateway_secret.len() < MIN_SECRET_BYTES {
            return Err(BuildError::WeakSecret(parts.gateway_secret.len()));
        }
        let state = Self {
            sms: Arc::new(SandboxSms::new(parts.db.clone())),
            db: parts.db,
            clock: parts.clock,
            policies: Arc::new(PolicyBook::new(parts.policies)),
            region: parts.region,
            gateway: parts.gateway,
            gateway_secret: parts.gateway_secret.into(),
            charges: Arc::new(ChargeQueue::default()),
        };
        state.current_policy()?;
        Ok(state)
    }

    /// The same state sending its text messages through `sms` (`serve --sms`).
    pub fn with_sms(mut self, sms: Arc<dyn SmsGateway>) -> Self {
        self.sms = sms;
        self
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The policy for `year`, or the current one when the table has none for it (a refusal
    /// such as "past year" then explains the rest).
    pub fn policy_for(&self, year: i32) -> Result<&'static Policy, PolicyError> {
        self.policy_in_force(year)
            .map(|(_, p)| p)
            .or_else(|_| self.current_policy())
    }

    pub fn current_policy(&self) -> Result<&'static Policy, PolicyError> {
        self.policy_in_force(self.current_year()).map(|(_, p)| p)
    }

    /// The version in force today (China) for `year`, and its policy.
    pub fn policy_in_force(
        &self,
        year: i32,
    ) -> Result<(&'static PolicyVersion, &'static Policy), PolicyError> {
        self.policies
            .in_force(&self.region, year, cst_date(self.now()))
    }

    /// The policy that decides a payment for `year` recorded with `version` (an intent keeps
    /// its version), else the one in force today; with the version it is.
    pub fn policy_priced(
        &self,
        version: Option<u32>,
        year: i32,
    ) -> Result<(&'static PolicyVersion, &'static Policy), PolicyError> {
        match version.and_then(|v| self.policies.at_version(v, &self.region, year)) {
            Some(found) => Ok(found),
            None => self.policy_in_force(year).or_else(|_| {
                let current = self.current_year();
                self.policy_in_force(current)
            }),
        }
    }

    /// The policy in force today for a past or future `year`, if any covers it.
    pub fn policy_of_year(&self, year: i32) -> Option<&'static Policy> {
        self.policy_in_force(year).ok().map(|(_, p)| p)
    }

    pub fn current_year(&self) -> i32 {
        yanglao_shared::window::cst_date(self.now()).year()
    }
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
        Self::start_on(state, listener, dist, reconcile_every)
    }

    /// Address this process binds when several processes serve one address: each sets
    /// `SO_REUSEPORT`, and the kernel spreads new connections over them.
    pub fn shared_listener(bind: SocketAddr) -> std::io::Result<TcpListener> {
        let socket = match bind {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        socket.set_reuseport(true)?;
        socket.set_reuseaddr(true)?;
        socket.bind(bind)?;
        socket.listen(1024)
    }

    /// Serves on a listener made by the caller (see [`Server::shared_listener`]).
    pub fn start_on(
        state: AppState,
        listener: TcpListener,
        dist: Option<PathBuf>,
        reconcile_every: Duration,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let (shutdown, mut stop) = tokio::sync::watch::channel(false);
        let app = crate::http::router(state.clone(), dist);
        let reconciler = reconcile::spawn(state.clone(), reconcile_every, shutdown.subscribe());
        let worker = charges::spawn(state.clone(), shutdown.subscribe());
        let policies = crate::policy::spawn_refresh(state.clone(), shutdown.subscribe());
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
            worker.abort();
            policies.abort();
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
