//! `spawn_app()`: a real server on a random port with a fresh database — a new SQLite file, or a
//! new database in the PostgreSQL server named by `YANGLAO_TEST_PG_URL` (the README's test
//! command starts one) — a manual clock inside the 2026 window, and the sandbox bank.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use time::macros::{date, datetime};
use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_server::accounts::auth::RateLimiter;
use yanglao_server::clock::Clock;
use yanglao_server::gateway::sandbox::SandboxBank;
use yanglao_server::roster::seed::{self, NewResident};
use yanglao_server::storage::Db;
use yanglao_server::AppState;
use yanglao_server::Server;
use yanglao_shared::money::Money;
use yanglao_shared::{synthetic, IdNumber, PersonName, PolicyTable, RosterStatus};

pub const IN_WINDOW: OffsetDateTime = datetime!(2026-03-02 10:00 +8);

#[derive(Debug, Clone, Copy)]
pub enum Store {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub server: Server,
    pub url: String,
    pub http: reqwest::Client,
    pub clock: Clock,
    pub sandbox: SandboxBank,
    pub db: Db,
}

/// A resident on the test roster.
#[derive(Clone)]
pub struct Person {
    pub name: &'static str,
    pub id_number: IdNumber,
}

pub fn mother() -> Person {
    Person {
        name: "王秀英",
        id_number: synthetic::id_number("371081", date!(1968 - 05 - 12), 22),
    }
}
pub fn father() -> Person {
    Person {
        name: "李建国",
        id_number: synthetic::id_number("371003", date!(1966 - 11 - 03), 13),
    }
}
pub fn disabled_neighbour() -> Person {
    Person {
        name: "丛玉梅",
        id_number: synthetic::id_number("371003", date!(1975 - 02 - 28), 44),
    }
}
pub fn pensioner() -> Person {
    Person {
        name: "于德福",
        id_number: synthetic::id_number("371003", date!(1950 - 01 - 01), 15),
    }
}

fn roster() -> Vec<NewResident> {
    let row = |p: Person, disabled: bool, status: RosterStatus, paid: &[i32]| NewResident {
        id_number: p.id_number,
        name: PersonName::parse(p.name).unwrap(),
        town: "龙山街道".into(),
        village: "岛山村".into(),
        severely_disabled: disabled,
        status,
        paid: paid
            .iter()
            .map(|y| (*y, Money::from_yuan(500).unwrap()))
            .collect(),
    };
    let mut rows = vec![
        row(mother(), false, RosterStatus::Enrolled, &[2023, 2024, 2025]),
        row(father(), false, RosterStatus::Enrolled, &[2025]),
        row(disabled_neighbour(), true, RosterStatus::Enrolled, &[]),
        row(pensioner(), false, RosterStatus::DrawingPension, &[]),
    ];
    // Extra residents for load and concurrency tests.
    for i in 0..400u16 {
        let birth = date!(1980 - 01 - 01) + time::Duration::days(i64::from(i));
        rows.push(NewResident {
            id_number: synthetic::id_number("371003", birth, 101 + i % 800),
            name: PersonName::parse("测试居民").unwrap(),
            town: "泽库镇".into(),
            village: "泽库村".into(),
            severely_disabled: false,
            status: RosterStatus::Enrolled,
            paid: vec![],
        });
    }
    rows
}

pub fn bulk_person(i: u16) -> Person {
    let birth = date!(1980 - 01 - 01) + time::Duration::days(i64::from(i));
    Person {
        name: "测试居民",
        id_number: synthetic::id_number("371003", birth, 101 + i % 800),
    }
}

/// The database URL for a fresh, empty database of `store`; `None` when PostgreSQL is not
/// configured (and not required), so `cargo test` alone still runs everything else.
pub async fn fresh_database(store: Store) -> Option<String> {
    match store {
        Store::Sqlite => {
            let path = std::env::temp_dir().join(format!("yanglao-test-{}.db", Uuid::new_v4()));
            Some(format!("sqlite://{}", path.display()))
        }
        Store::Postgres => {
            let Ok(admin) = std::env::var("YANGLAO_TEST_PG_URL") else {
                assert!(
                    std::env::var("YANGLAO_REQUIRE_PG").is_err(),
                    "YANGLAO_REQUIRE_PG is set but YANGLAO_TEST_PG_URL is not"
                );
                eprintln!(
                    "skipping PostgreSQL: YANGLAO_TEST_PG_URL is not set (scripts/test.sh sets it)"
                );
                return None;
            };
            sqlx::any::install_default_drivers();
            let name = format!("t_{}", Uuid::new_v4().simple());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            let base = admin.rsplit_once('/').unwrap().0;
            Some(format!("{base}/{name}"))
        }
    }
}

pub async fn spawn_app(store: Store) -> Option<TestApp> {
    let url = fresh_database(store).await?;
    let db = Db::connect(&url).await.expect("database");
    let clock = Clock::manual(IN_WINDOW);
    seed::insert_all(&db, "371003", &roster(), clock.now_ms())
        .await
        .expect("roster");
    let sandbox = SandboxBank::new("test-secret").with_delay(Duration::from_millis(300));
    let state = AppState {
        db: db.clone(),
        clock: clock.clone(),
        policies: Arc::new(PolicyTable::builtin()),
        region: "371003".into(),
        gateway: Arc::new(sandbox.clone()),
        gateway_secret: "test-secret".into(),
        limiter: Arc::new(RateLimiter::default()),
    };
    // Reconciliation is driven by hand in tests.
    let server = Server::start(
        state,
        "127.0.0.1:0".parse().unwrap(),
        None,
        Duration::from_secs(3600),
    )
    .await
    .expect("server starts");
    let url = server.url();
    sandbox.set_notify_url(format!("{url}/api/v1/gateway/notify"));
    Some(TestApp {
        server,
        url,
        http: reqwest::Client::new(),
        clock,
        sandbox,
        db,
    })
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl TestApp {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    /// Registers a new account and returns its session token.
    pub async fn register(&self, mobile: &str) -> String {
        let reply = self
            .call(
                reqwest::Method::POST,
                "/accounts",
                None,
                Some(json!({ "mobile": mobile, "password": "mima12345" })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body["token"].as_str().unwrap().to_owned()
    }

    /// Adds a person to the account's list and returns the payee id.
    pub async fn add_payee(&self, token: &str, person: &Person) -> Uuid {
        let id = Uuid::new_v4();
        let reply = self
            .call(
                reqwest::Method::PUT,
                &format!("/payees/{id}"),
                Some(token),
                Some(json!({ "id": id, "name": person.name, "id_number": person.id_number.as_str() })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        id
    }

    pub async fn bind_card(&self, token: &str, number: &str) -> Uuid {
        let id = Uuid::new_v4();
        let reply = self
            .post(
                "/methods",
                token,
                json!({ "id": id, "card_number": number }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        assert_eq!(reply.body["sandbox"], true);
        assert!(reply.body.get("card_number").is_none());
        id
    }

    pub async fn sync(&self, token: &str, cursor: Option<i64>, intents: Vec<Value>) -> Reply {
        self.post(
            "/sync",
            token,
            json!({ "version": 1, "cursor": cursor, "intents": intents }),
        )
        .await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    pub async fn paid_contributions(&self) -> i64 {
        self.count(
            "SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL AND state = 'paid'",
        )
        .await
    }
}

pub fn intent(payee: Uuid, tier: &str, method: Option<Uuid>) -> Value {
    json!({
        "id": Uuid::new_v4(),
        "payee_id": payee,
        "year": 2026,
        "tier": tier,
        "method_id": method,
        "prepared_at": "2026-03-01T20:00:00+08:00",
    })
}

pub fn states(reply: &Reply) -> Vec<String> {
    reply.body["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"]["state"].as_str().unwrap().to_owned())
        .collect()
}

/// One test body run against both stores.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::common::spawn_app($crate::common::Store::Sqlite).await {
                    super::$name(app).await;
                }
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::common::spawn_app($crate::common::Store::Postgres).await {
                    super::$name(app).await;
                }
            })*
        }
    };
}

/// Creates a staff account as the `create-staff` command does and logs in; returns
/// (account id, token).
pub async fn staff_token(
    app: &TestApp,
    mobile: &str,
    role: yanglao_server::staff::roles::Role,
    town: &str,
    village: Option<&str>,
) -> (String, String) {
    let new = yanglao_server::staff::roles::NewStaff {
        mobile: mobile.into(),
        password: "staff-password-1".into(),
        role,
        town: town.into(),
        village: village.map(Into::into),
    };
    let id = yanglao_server::staff::roles::create(&app.db, &new, "cli:test", app.clock.now_ms())
        .await
        .unwrap();
    let reply = app
        .call(
            reqwest::Method::POST,
            "/sessions",
            None,
            Some(json!({ "mobile": mobile, "password": "staff-password-1" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    (id, reply.body["token"].as_str().unwrap().to_owned())
}

impl TestApp {
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(reqwest::Method::PUT, path, Some(token), Some(body))
            .await
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
