//! The sandbox bank's own storage: its orders in a SQLite database of its own (a plain
//! `SqlitePool`, not the server's `Db`: the bank is an outside system and shares nothing with
//! the ledger). A file when the bank runs as its own process, so its orders survive a restart;
//! an in-memory database of one connection for the bank inside `serve` and the tests.
//!
//! Every change is one conditional statement (insert if absent, settle if still pending, refund
//! if paid for that amount), so concurrent requests need no transaction and no lock. Times are
//! milliseconds since the epoch by the bank's clock.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, SqlitePool};
use uuid::Uuid;

use crate::clock::from_ms;
use crate::gateway::{LineStatus, OrderStatus, Refund, StatementLine};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sandbox_orders (
    order_id        TEXT PRIMARY KEY,
    amount_fen      INTEGER NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('paid', 'declined', 'pending', 'refunded')),
    bank_ref        TEXT,
    decline_code    TEXT,
    decline_message TEXT,
    created_ms      INTEGER NOT NULL,
    -- a pending order becomes paid at due_ms, also when nobody is there to see it
    due_ms          INTEGER,
    settled_ms      INTEGER,
    refund_ref      TEXT,
    refunded_ms     INTEGER,
    -- 1 while a notification is still to be sent once the order settles
    notify_owed     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sandbox_orders_by_day ON sandbox_orders (created_ms);
CREATE INDEX IF NOT EXISTS sandbox_orders_due ON sandbox_orders (due_ms) WHERE status = 'pending';
";

/// What the bank decided when it accepted an order.
pub(super) enum Outcome<'a> {
    Paid,
    Declined {
        code: &'a str,
        message: &'a str,
    },
    /// Paid at `due_ms`; `notify` whether a notification follows (the 0098 card loses it).
    Pending {
        due_ms: i64,
        notify: bool,
    },
}

pub(super) struct NewOrder<'a> {
    pub order_id: Uuid,
    pub amount_fen: i64,
    pub description: &'a str,
    pub bank_ref: &'a str,
    pub created_ms: i64,
    pub outcome: Outcome<'a>,
}

impl NewOrder<'_> {
    /// What `query` answers about this order once [`Store::insert`] took it (as
    /// [`Order::status`] would read it back), so a new order needs no second statement.
    pub fn status(&self) -> OrderStatus {
        match self.outcome {
            Outcome::Paid => OrderStatus::Paid {
                bank_ref: self.bank_ref.to_owned(),
                amount_fen: self.amount_fen,
            },
            Outcome::Declined { code, message } => OrderStatus::Declined {
                code: code.to_owned(),
                message: message.to_owned(),
            },
            Outcome::Pending { .. } => OrderStatus::Pending,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct Order {
    order_id: String,
    amount_fen: i64,
    status: String,
    bank_ref: Option<String>,
    decline_code: Option<String>,
    decline_message: Option<String>,
    created_ms: i64,
    pub due_ms: Option<i64>,
    settled_ms: Option<i64>,
    refund_ref: Option<String>,
    refunded_ms: Option<i64>,
}

impl Order {
    pub fn id(&self) -> Uuid {
        Uuid::parse_str(&self.order_id).expect("the bank stores only ids it parsed")
    }

    pub fn amount_fen(&self) -> i64 {
        self.amount_fen
    }

    pub fn line_status(&self) -> LineStatus {
        match self.status.as_str() {
            "paid" => LineStatus::Paid,
            "declined" => LineStatus::Declined,
            "refunded" => LineStatus::Refunded,
            _ => LineStatus::Pending,
        }
    }

    /// What `query` answers: a refunded order was paid (the refund is its own transaction).
    pub fn status(&self) -> OrderStatus {
        match self.line_status() {
            LineStatus::Paid | LineStatus::Refunded => OrderStatus::Paid {
                bank_ref: self.bank_ref.clone().unwrap_or_default(),
                amount_fen: self.amount_fen,
            },
            LineStatus::Declined => OrderStatus::Declined {
                code: self.decline_code.clone().unwrap_or_default(),
                message: self.decline_message.clone().unwrap_or_default(),
            },
            LineStatus::Pending => OrderStatus::Pending,
        }
    }

    pub fn line(&self) -> StatementLine {
        let status = self.line_status();
        StatementLine {
            order_id: self.id(),
            amount_fen: self.amount_fen,
            status,
            bank_ref: matches!(status, LineStatus::Paid | LineStatus::Refunded)
                .then(|| self.bank_ref.clone())
                .flatten(),
            decline_code: self.decline_code.clone(),
            created_at: from_ms(self.created_ms),
            settled_at: self.settled_ms.map(from_ms),
            refunded_at: self.refunded_ms.map(from_ms),
        }
    }

    pub fn refund(&self) -> Option<Refund> {
        Some(Refund {
            order_id: self.id(),
            amount_fen: self.amount_fen,
            refund_ref: self.refund_ref.clone()?,
            refunded_at: from_ms(self.refunded_ms?),
        })
    }
}

const COLUMNS: &str = "order_id, amount_fen, status, bank_ref, decline_code, decline_message, \
                       created_ms, due_ms, settled_ms, refund_ref, refunded_ms";

#[derive(Clone)]
pub(super) struct Store {
    pool: SqlitePool,
}

impl Store {
    /// An in-memory database: one connection that is never closed (closing it would lose
    /// every order). Lazy, so it can be made outside an async context.
    pub fn memory() -> Self {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("a valid URL");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .after_connect(|conn, _| Box::pin(async move { conn.execute(SCHEMA).await.map(drop) }))
            .connect_lazy_with(options);
        Self { pool }
    }

    /// The database file at `path`, made (with its folder) on first start. WAL and
    /// synchronous=FULL: an order the bank answered is on disk.
    pub async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        pool.execute(SCHEMA).await?;
        Ok(Self { pool })
    }

    pub async fn count(&self) -> Result<usize, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_orders")
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Records a new order; `false` when the order id is already taken (the same order).
    pub async fn insert(&self, order: &NewOrder<'_>) -> Result<bool, sqlx::Error> {
        let (status, code, message, due, settled, owed) = match order.outcome {
            Outcome::Paid => ("paid", None, None, None, Some(order.created_ms), false),
            Outcome::Declined { code, message } => (
                "declined",
                Some(code),
                Some(message),
                None,
                Some(order.created_ms),
                false,
            ),
            Outcome::Pending { due_ms, notify } => {
                ("pending", None, None, Some(due_ms), None, notify)
            }
        };
        let done = sqlx::query(
            "INSERT INTO sandbox_orders (order_id, amount_fen, description, status, bank_ref, \
             decline_code, decline_message, created_ms, due_ms, settled_ms, notify_owed) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
        )
        .bind(order.order_id.to_string())
        .bind(order.amount_fen)
        .bind(order.description)
        .bind(status)
        .bind((status != "declined").then_some(order.bank_ref))
        .bind(code)
        .bind(message)
        .bind(order.created_ms)
        .bind(due)
        .bind(settled)
        .bind(owed)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Pending orders whose time has come become paid, at their due time: what a restart
    /// missed is made good on the next look.
    pub async fn settle_due(&self, now_ms: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sandbox_orders SET status = 'paid', settled_ms = due_ms \
             WHERE status = 'pending' AND due_ms <= ?",
        )
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// One pending order becomes paid now that its delay has passed (its timer fired).
    pub async fn settle(&self, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sandbox_orders SET status = 'paid', settled_ms = due_ms \
             WHERE status = 'pending' AND order_id = ?",
        )
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// The settled order `id` when its notification is still owed, marking it sent: one
    /// caller gets it, whoever settled the order.
    pub async fn take_notification(&self, id: Uuid) -> Result<Option<Order>, sqlx::Error> {
        let taken = sqlx::query(
            "UPDATE sandbox_orders SET notify_owed = 0 \
             WHERE order_id = ? AND notify_owed = 1 AND status <> 'pending'",
        )
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        if taken.rows_affected() == 0 {
            return Ok(None);
        }
        self.get(id).await
    }

    /// Orders still pending or owed a notification: what a restarted bank must finish.
    pub async fn unfinished(&self) -> Result<Vec<Order>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sandbox_orders WHERE status = 'pending' OR notify_owed = 1"
        ))
        .fetch_all(&self.pool)
        .await
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Order>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sandbox_orders WHERE order_id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
    }

    /// The orders created in `[from_ms, to_ms)`, oldest first.
    pub async fn created_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Order>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sandbox_orders WHERE created_ms >= ? AND created_ms < ? \
             ORDER BY created_ms, order_id"
        ))
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await
    }

    /// Refunds the paid order `id` if it was paid `amount_fen`; otherwise changes nothing (the
    /// caller reads the order to say why, or to answer the refund already made).
    pub async fn refund(
        &self,
        id: Uuid,
        amount_fen: i64,
        refund_ref: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sandbox_orders SET status = 'refunded', refund_ref = ?, refunded_ms = ? \
             WHERE order_id = ? AND status = 'paid' AND amount_fen = ?",
        )
        .bind(refund_ref)
        .bind(now_ms)
        .bind(id.to_string())
        .bind(amount_fen)
        .execute(&self.pool)
        .await
        .map(drop)
    }
}
