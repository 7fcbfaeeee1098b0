//! The sandbox bank (沙箱银行): a stand-in for the UnionPay gateway that behaves like a bank's
//! test environment. No money moves. Which test card is used decides what happens, as in a real
//! bank's sandbox; digits 7–10 of the card number pick the behaviour ([`cards`]):
//!
//! | digits 7–10 | behaviour |
//! | --- | --- |
//! | `0051` | declined: insufficient funds (余额不足) |
//! | `0054` | declined: card expired (卡已过期) |
//! | `0099` | pending; paid after a delay, then a signed notification |
//! | `0098` | pending; paid after a delay, but the notification is lost (query finds it) |
//! | anything else | paid at once, and a signed notification |
//!
//! Like a real acquirer it remembers its orders ([`store`]): in a SQLite file of its own when
//! it runs as its own process ([`SandboxBank::open`]), so a restart forgets nothing, or in
//! memory inside `serve` and the tests ([`SandboxBank::new`]). A delayed order stores when it
//! becomes due: a timer settles it (and sends its notification) on time, every look at the
//! orders settles whatever is overdue, and [`SandboxBank::resume`] re-arms the timers of a
//! restarted bank. It also gives its statement of a day and refunds a paid order in full (see
//! the `gateway` module).

mod cards;
mod store;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use time::Date;
use uuid::Uuid;
use yanglao_shared::window::CST;
use yanglao_shared::CardNumber;

use super::{
    refusal, sign, BoundCard, ChargeRequest, GatewayError, LineStatus, Notification, OrderStatus,
    PaymentGateway, Refund, StatementLine, SIGNATURE_HEADER,
};
use crate::clock::{to_ms, Clock};
pub use cards::{bank_of, test_cards, token_for};
use cards::{bank_ref, refund_ref, Behaviour};
use store::{NewOrder, Outcome, Store};

#[derive(Clone)]
pub struct SandboxBank {
    store: Store,
    /// How many distinct orders the store holds, kept here so tests can ask without awaiting.
    orders: Arc<AtomicUsize>,
    clock: Clock,
    secret: String,
    notify_url: Arc<Mutex<Option<String>>>,
    delay: Duration,
    http: reqwest::Client,
}

impl SandboxBank {
    /// A sandbox bank keeping its orders in memory, for the bank inside `serve` and tests.
    pub fn new(secret: &str) -> Self {
        Self::with_store(Store::memory(), 0, secret)
    }

    /// A sandbox bank keeping its orders in the SQLite file at `path` (made on first start),
    /// as `yanglao-server sandbox-bank` runs it. Call [`resume`](Self::resume) once the
    /// notification URL is set, to finish what a previous process left pending.
    pub async fn open(path: &Path, secret: &str) -> Result<Self, sqlx::Error> {
        let store = Store::open(path).await?;
        let count = store.count().await?;
        Ok(Self::with_store(store, count, secret))
    }

    fn with_store(store: Store, count: usize, secret: &str) -> Self {
        Self {
            store,
            orders: Arc::new(AtomicUsize::new(count)),
            clock: Clock::system(),
            secret: secret.to_owned(),
            notify_url: Arc::new(Mutex::new(None)),
            delay: Duration::from_secs(2),
            http: reqwest::Client::new(),
        }
    }

    /// How long a "pending" test card takes to settle.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The bank's own clock (the system clock unless given): orders are stamped, delayed
    /// orders fall due and statements are cut by it.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Where notifications go; set once the server knows its own address.
    pub fn set_notify_url(&self, url: String) {
        *self.notify_url.lock().unwrap_or_else(|e| e.into_inner()) = Some(url);
    }

    /// How many distinct orders the bank has seen (what its statements list).
    pub fn order_count(&self) -> usize {
        self.orders.load(Ordering::SeqCst)
    }

    /// After a restart: settles what fell due while the bank was down, sends the
    /// notifications still owed, and re-arms the timers of orders still pending. Returns how
    /// many orders it took up.
    pub async fn resume(&self) -> Result<usize, GatewayError> {
        let unfinished = self.store.unfinished().await.map_err(storage)?;
        for order in &unfinished {
            self.finish_at(order.id(), order.due_ms.unwrap_or(0));
        }
        Ok(unfinished.len())
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// At `due_ms` by the bank's clock: settles order `id` if still pending, then sends its
    /// notification if one is owed (whoever settled it).
    fn finish_at(&self, id: Uuid, due_ms: i64) {
        let bank = self.clone();
        let wait = u64::try_from(due_ms - self.now_ms()).unwrap_or(0);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(wait)).await;
            let owed = match bank.store.settle(id).await {
                Ok(()) => bank.store.take_notification(id).await,
                Err(e) => Err(e),
            };
            match owed {
                Ok(Some(order)) => bank.notify(id, order.status()).await,
                Ok(None) => {}
                Err(e) => tracing::warn!(order = %id, error = %e, "sandbox could not settle"),
            }
        });
    }

    /// The order `id` as it stands now, overdue orders settled first.
    async fn lookup(&self, id: Uuid) -> Result<Option<store::Order>, GatewayError> {
        self.store
            .settle_due(self.now_ms())
            .await
            .map_err(storage)?;
        self.store.get(id).await.map_err(storage)
    }

    /// Sends a signed notification, retrying a few times like a bank does.
    async fn notify(&self, order_id: Uuid, status: OrderStatus) {
        let Some(url) = self
            .notify_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        else {
            return;
        };
        let body = serde_json::to_vec(&Notification { order_id, status }).expect("serializable");
        let signature = sign(&self.secret, &body);
        for attempt in 0..3u32 {
            let sent = self
                .http
                .post(&url)
                .header(SIGNATURE_HEADER, &signature)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(resp) if resp.status().is_success() => return,
                _ => tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt))).await,
            }
        }
        tracing::warn!(%order_id, "sandbox notification not delivered; reconciliation will settle");
    }
}

fn storage(e: sqlx::Error) -> GatewayError {
    GatewayError::Unavailable(format!("sandbox bank storage: {e}"))
}

fn refused(code: &str, message: String) -> GatewayError {
    GatewayError::Refused {
        code: code.to_owned(),
        message,
    }
}

#[async_trait]
impl PaymentGateway for SandboxBank {
    fn is_sandbox(&self) -> bool {
        true
    }

    async fn bind_card(&self, card: &CardNumber) -> Result<BoundCard, GatewayError> {
        let behaviour = Behaviour::of_card(card.expose());
        let token = format!("sbx_{}_{}", behaviour.tag(), Uuid::new_v4().simple());
        Ok(BoundCard {
            token,
            bank: format!("{}（沙箱）", bank_of(card.bin())),
            last_four: card.last_four().to_owned(),
        })
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<OrderStatus, GatewayError> {
        let id = request.order_id;
        let Some(behaviour) = Behaviour::of_token(&request.token) else {
            // Same order id: same order, whatever the card is now.
            if let Some(existing) = self.lookup(id).await? {
                return Ok(existing.status());
            }
            return Ok(OrderStatus::Declined {
                code: "card_unknown".into(),
                message: "这张卡已失效，请重新绑定银行卡".into(),
            });
        };
        let now = self.now_ms();
        let due_ms = now + i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX);
        let outcome = match behaviour {
            Behaviour::Pay => Outcome::Paid,
            Behaviour::InsufficientFunds => Outcome::Declined {
                code: "insufficient_funds",
                message: "余额不足，请换一张卡或存入足够金额",
            },
            Behaviour::Expired => Outcome::Declined {
                code: "card_expired",
                message: "银行卡已过期，请换一张卡",
            },
            Behaviour::Delay => Outcome::Pending {
                due_ms,
                notify: true,
            },
            Behaviour::DelayLostNotification => Outcome::Pending {
                due_ms,
                notify: false,
            },
        };
        let pending = matches!(outcome, Outcome::Pending { .. });
        let reference = bank_ref(id);
        let new = NewOrder {
            order_id: id,
            amount_fen: request.amount_fen,
            description: &request.description,
            bank_ref: &reference,
            created_ms: now,
            outcome,
        };
        // One statement for a new order, the common case: the insert is also the check that
        // the order id is new.
        if !self.store.insert(&new).await.map_err(storage)? {
            // Same order id: same order (a retry, or a concurrent charge that won the
            // insert). Never a second charge; its answer is the stored order's.
            return self
                .lookup(id)
                .await?
                .map(|order| order.status())
                .ok_or_else(|| GatewayError::Unavailable("sandbox order vanished".into()));
        }
        let status = new.status();
        self.orders.fetch_add(1, Ordering::SeqCst);
        if pending {
            self.finish_at(id, due_ms);
        } else {
            // A real bank also notifies orders it answered at once; the receiver is
            // idempotent, so this is harmless and keeps both paths exercised.
            let bank = self.clone();
            let sent = status.clone();
            tokio::spawn(async move { bank.notify(id, sent).await });
        }
        Ok(status)
    }

    async fn query(&self, order_id: Uuid) -> Result<OrderStatus, GatewayError> {
        Ok(self
            .lookup(order_id)
            .await?
            .map_or(OrderStatus::Unknown, |order| order.status()))
    }

    async fn statement(&self, date: Date) -> Result<Vec<StatementLine>, GatewayError> {
        let start = date.midnight().assume_offset(CST);
        let end = start + time::Duration::days(1);
        self.store
            .settle_due(self.now_ms())
            .await
            .map_err(storage)?;
        let orders = self
            .store
            .created_between(to_ms(start), to_ms(end))
            .await
            .map_err(storage)?;
        Ok(orders.iter().map(store::Order::line).collect())
    }

    async fn refund(&self, order_id: Uuid, amount_fen: i64) -> Result<Refund, GatewayError> {
        self.store
            .settle_due(self.now_ms())
            .await
            .map_err(storage)?;
        self.store
            .refund(order_id, amount_fen, &refund_ref(order_id), self.now_ms())
            .await
            .map_err(storage)?;
        let Some(order) = self.store.get(order_id).await.map_err(storage)? else {
            return Err(refused(refusal::ORDER_UNKNOWN, "银行没有这笔订单".into()));
        };
        let paid = order.amount_fen();
        match order.line_status() {
            // Refunded now, or the same refund asked again: the one refund.
            LineStatus::Refunded if paid == amount_fen => order
                .refund()
                .ok_or_else(|| GatewayError::Unavailable("sandbox refund unrecorded".into())),
            LineStatus::Refunded => Err(refused(
                refusal::ALREADY_REFUNDED,
                format!("这笔订单已全额退款 {paid} 分，不能再退"),
            )),
            LineStatus::Paid => Err(refused(
                refusal::AMOUNT_MISMATCH,
                format!("只能全额退款：订单金额 {paid} 分，申请退款 {amount_fen} 分"),
            )),
            LineStatus::Declined | LineStatus::Pending => Err(refused(
                refusal::NOT_PAID,
                "这笔订单未扣款成功，没有可退的钱".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
