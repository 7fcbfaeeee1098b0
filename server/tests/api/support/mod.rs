//! The harness: `spawn_app(store)` starts a real server on a random port with a fresh
//! database — a new SQLite file, or a new database in the PostgreSQL server named by
//! `YANGLAO_TEST_PG_URL` (scripts/pg.sh's `pg_start` sets it; with `YANGLAO_REQUIRE_PG` set, a
//! missing PostgreSQL is an error, not a skip) — a manual clock inside the 2026 window, the
//! sandbox bank, and the small roster of [`roster`]. [`on_both_stores!`] runs a test body on
//! each store; [`client`] is the typed client the tests speak through.

pub mod build;
pub mod claims;
pub mod client;
pub mod database;
pub mod roster;

use std::collections::HashMap;
use std::time::Duration;

use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_server::clock::Clock;
use yanglao_server::gateway::sandbox::SandboxBank;
use yanglao_server::roster::seed::{self, NewResident};
use yanglao_server::staff::roles::{self, NewStaff, Role};
use yanglao_server::storage::Db;
use yanglao_server::{AppState, Parts, Server};
use yanglao_shared::wire::{BindCard, Credentials, NewPayee};
use yanglao_shared::PolicyTable;

pub use build::*;
pub use client::{ApiFailure, Client};
pub use database::{fresh_database, racer, Store};
pub use roster::*;

/// The server's clock in every test unless a test moves it: a Monday in the 2026 window.
pub const IN_WINDOW: OffsetDateTime = datetime!(2026-03-02 10:00 +8);
/// The secret the sandbox bank signs its notifications with (32 bytes at least).
pub const GATEWAY_SECRET: &str = "yanglao-test-gateway-secret-0123456789";
/// The password of every resident account the tests register.
pub const PASSWORD: &str = "mima12345";
/// The password of every staff account the tests create.
pub const STAFF_PASSWORD: &str = "staff-password-1";

pub struct TestApp {
    pub server: Server,
    pub api: Client,
    pub clock: Clock,
    pub sandbox: SandboxBank,
    pub db: Db,
    /// The session tokens of the template's resident accounts, by mobile.
    accounts: &'static HashMap<String, String>,
}

/// A server over a fresh database of `store` holding [`roster::village`]'s four people and
/// the template's [`database::DIRECTORY`] of resident accounts.
pub async fn spawn_app(store: Store) -> Option<TestApp> {
    let (url, accounts) = database::with_village(store).await?;
    let db = Db::connect(&url).await.expect("database");
    let (server, clock, sandbox) = start_server(db.clone()).await;
    Some(TestApp {
        api: Client::new(&server.url()),
        server,
        clock,
        sandbox,
        db,
        accounts,
    })
}

/// A server over `db` with a manual clock at [`IN_WINDOW`] and the sandbox bank, built the
/// way `serve` builds one.
pub async fn start_server(db: Db) -> (Server, Clock, SandboxBank) {
    let clock = Clock::manual(IN_WINDOW);
    // The bank's clock runs from the same instant as the server's, so its statement of the
    // server's day holds the orders the tests make (the reconciliation compares the two).
    let sandbox = SandboxBank::new(GATEWAY_SECRET)
        .with_delay(Duration::from_millis(300))
        .with_clock(Clock::starting_at(IN_WINDOW));
    let state = AppState::build(Parts {
        db,
        clock: clock.clone(),
        policies: PolicyTable::builtin(),
        region: "371003".into(),
        gateway: std::sync::Arc::new(sandbox.clone()),
        gateway_secret: GATEWAY_SECRET.into(),
    })
    .expect("a policy for 2026 and a strong secret");
    // Reconciliation is driven by hand in tests.
    let server = Server::start(
        state,
        "127.0.0.1:0".parse().unwrap(),
        None,
        Duration::from_secs(3600),
    )
    .await
    .expect("server starts");
    sandbox.set_notify_url(format!("{}/api/v1/gateway/notify", server.url()));
    (server, clock, sandbox)
}

/// One test body run against both stores: `mod sqlite` and `mod postgres`, one test each.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::support::spawn_app($crate::support::Store::Sqlite).await {
                    super::$name(&app).await;
                    app.server.stop().await;
                }
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::support::spawn_app($crate::support::Store::Postgres).await {
                    super::$name(&app).await;
                    app.server.stop().await;
                }
            })*
        }
    };
}

/// One test body run on a fresh, empty database of each store, for the subcommands that run
/// as their own process: the body gets the store and the database URL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store = $crate::support::Store::Sqlite;
                if let Some(url) = $crate::support::fresh_database(store).await {
                    super::$name(store, &url).await;
                }
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store = $crate::support::Store::Postgres;
                if let Some(url) = $crate::support::fresh_database(store).await {
                    super::$name(store, &url).await;
                }
            })*
        }
    };
}

impl TestApp {
    /// Adds residents to the roster, as an import would.
    pub async fn seed(&self, rows: &[NewResident]) {
        seed::insert_all(&self.db, "371003", rows, self.clock.now_ms())
            .await
            .expect("roster rows");
    }

    /// A resident account of its own, logged in: its session token. The mobiles of
    /// [`database::DIRECTORY`] were registered once, through the API, in the template every
    /// test's database copies (Argon2 is most of a registration's time); any other mobile is
    /// registered now.
    pub async fn account(&self, mobile: &str) -> String {
        match self.accounts.get(mobile) {
            Some(token) => token.clone(),
            None => self.register(mobile).await,
        }
    }

    /// Registers a new account (answered `201 Created`) and returns its session token.
    pub async fn register(&self, mobile: &str) -> String {
        let (status, session) = self
            .api
            .register(&credentials(mobile, PASSWORD))
            .await
            .expect("registers");
        assert_eq!(status, reqwest::StatusCode::CREATED);
        session.token
    }

    /// Logs in with the test password and returns the session token.
    pub async fn login(&self, mobile: &str, password: &str) -> String {
        self.api
            .login(&credentials(mobile, password))
            .await
            .expect("logs in")
            .token
    }

    /// Adds a person to the account's list and returns the payee id.
    pub async fn add_payee(&self, token: &str, person: &Person) -> Uuid {
        let payee = NewPayee {
            id: Uuid::new_v4(),
            name: person.name.into(),
            id_number: person.id_number.as_str().into(),
        };
        self.api.add_payee(token, &payee).await.expect("adds");
        payee.id
    }

    /// Binds a card (answered `201 Created`, marked sandbox) and returns its id.
    pub async fn bind_card(&self, token: &str, number: &str) -> Uuid {
        let card = BindCard {
            id: Uuid::new_v4(),
            card_number: number.into(),
        };
        let (status, method) = self.api.bind_card(token, &card).await.expect("binds");
        assert_eq!(status, reqwest::StatusCode::CREATED);
        assert!(method.sandbox);
        card.id
    }

    /// Creates a staff account as the `create-staff` command does and logs in; returns
    /// (account id, token).
    pub async fn staff(
        &self,
        mobile: &str,
        role: Role,
        town: &str,
        village: Option<&str>,
    ) -> (String, String) {
        let new = NewStaff {
            mobile: mobile.into(),
            password: STAFF_PASSWORD.into(),
            role,
            town: town.into(),
            village: village.map(Into::into),
        };
        let id = roles::create(&self.db, &new, "cli:test", self.clock.now_ms())
            .await
            .unwrap();
        (id, self.login(mobile, STAFF_PASSWORD).await)
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Person-years paid through the app (an intent charged them).
    pub async fn paid_contributions(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL AND state = $1",
        )
        .bind(yanglao_server::payments::states::ContributionStatus::Paid.as_str())
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }

    /// Waits (at most 30 s) until the charge queue is empty: every charge the syncs queued has
    /// the bank's answer applied.
    pub async fn until_charges_settle(&self) {
        for _ in 0..300 {
            let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM charges")
                .fetch_one(&self.db.pool)
                .await
                .unwrap();
            if queued == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("charges still queued after 30 s");
    }

    /// The audit actions written by `actor`, oldest first.
    pub async fn audit_actions(&self, actor: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_log WHERE actor = $1 ORDER BY id")
            .bind(actor)
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
    }
}

pub fn credentials(mobile: &str, password: &str) -> Credentials {
    Credentials {
        mobile: mobile.into(),
        password: password.into(),
    }
}
