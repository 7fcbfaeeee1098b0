//! The sandbox bank (沙箱银行): a stand-in for the UnionPay gateway that behaves like a bank's
//! test environment. No money moves. Which test card is used decides what happens, as in a real
//! bank's sandbox; digits 7–10 of the card number pick the behaviour:
//!
//! | digits 7–10 | behaviour |
//! | --- | --- |
//! | `0051` | declined: insufficient funds (余额不足) |
//! | `0054` | declined: card expired (卡已过期) |
//! | `0099` | pending; paid after a delay, then a signed notification |
//! | `0098` | pending; paid after a delay, but the notification is lost (query finds it) |
//! | anything else | paid at once, and a signed notification |

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;
use yanglao_shared::CardNumber;

use super::{
    sign, BoundCard, ChargeRequest, GatewayError, Notification, OrderStatus, PaymentGateway,
    SIGNATURE_HEADER,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Pay,
    InsufficientFunds,
    Expired,
    Delay,
    DelayLostNotification,
}

impl Behaviour {
    fn of_card(card_number: &str) -> Self {
        match &card_number[6..10] {
            "0051" => Self::InsufficientFunds,
            "0054" => Self::Expired,
            "0099" => Self::Delay,
            "0098" => Self::DelayLostNotification,
            _ => Self::Pay,
        }
    }

    /// The behaviour is written into the card token, so tokens stay valid across restarts
    /// of the sandbox without it storing any card.
    fn tag(self) -> &'static str {
        match self {
            Self::Pay => "pay",
            Self::InsufficientFunds => "nsf",
            Self::Expired => "exp",
            Self::Delay => "dly",
            Self::DelayLostNotification => "lost",
        }
    }

    fn of_token(token: &str) -> Option<Self> {
        let tag = token.strip_prefix("sbx_")?.split('_').next()?;
        [
            Self::Pay,
            Self::InsufficientFunds,
            Self::Expired,
            Self::Delay,
            Self::DelayLostNotification,
        ]
        .into_iter()
        .find(|b| b.tag() == tag)
    }
}

/// Names a bank from the card's first digits, as a real gateway would.
pub fn bank_of(bin: &str) -> &'static str {
    match &bin[..6] {
        "622202" | "622208" => "中国工商银行",
        "622700" | "621700" => "中国建设银行",
        "622848" | "622845" => "中国农业银行",
        "621660" | "621661" => "中国银行",
        "621799" | "622188" => "中国邮政储蓄银行",
        _ => "银联卡",
    }
}

struct State {
    orders: HashMap<Uuid, OrderStatus>,
}

#[derive(Clone)]
pub struct SandboxBank {
    state: Arc<Mutex<State>>,
    secret: String,
    notify_url: Arc<Mutex<Option<String>>>,
    delay: Duration,
    http: reqwest::Client,
}

impl SandboxBank {
    pub fn new(secret: &str) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                orders: HashMap::new(),
            })),
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

    /// Where notifications go; set once the server knows its own address.
    pub fn set_notify_url(&self, url: String) {
        *self.notify_url.lock().unwrap_or_else(|e| e.into_inner()) = Some(url);
    }

    /// How many distinct orders the bank has seen (what a bank's statement would list).
    pub fn order_count(&self) -> usize {
        self.lock().orders.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn settle_later(&self, order_id: Uuid, amount_fen: i64, notify: bool) {
        let bank = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(bank.delay).await;
            let status = OrderStatus::Paid {
                bank_ref: bank_ref(order_id),
                amount_fen,
            };
            bank.lock().orders.insert(order_id, status.clone());
            if notify {
                bank.notify(order_id, status).await;
            }
        });
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

fn declined(code: &str, message: &str) -> OrderStatus {
    OrderStatus::Declined {
        code: code.into(),
        message: message.into(),
    }
}

/// A token the sandbox accepts for `card_number`, for seeding a demo account's card.
pub fn token_for(card_number: &str) -> String {
    format!(
        "sbx_{}_{}",
        Behaviour::of_card(card_number).tag(),
        Uuid::new_v4().simple()
    )
}

fn bank_ref(order_id: Uuid) -> String {
    format!("SBX{}", &order_id.simple().to_string()[..16].to_uppercase())
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
        let (status, follow_up) = {
            let mut state = self.lock();
            if let Some(existing) = state.orders.get(&request.order_id) {
                // Same order id: same order. Never a second charge.
                return Ok(existing.clone());
            }
            let Some(behaviour) = Behaviour::of_token(&request.token) else {
                return Ok(OrderStatus::Declined {
                    code: "card_unknown".into(),
                    message: "这张卡已失效，请重新绑定银行卡".into(),
                });
            };
            let (status, follow_up) = match behaviour {
                Behaviour::Pay => (
                    OrderStatus::Paid {
                        bank_ref: bank_ref(request.order_id),
                        amount_fen: request.amount_fen,
                    },
                    None,
                ),
                Behaviour::InsufficientFunds => (
                    declined("insufficient_funds", "余额不足，请换一张卡或存入足够金额"),
                    None,
                ),
                Behaviour::Expired => (declined("card_expired", "银行卡已过期，请换一张卡"), None),
                Behaviour::Delay => (OrderStatus::Pending, Some(true)),
                Behaviour::DelayLostNotification => (OrderStatus::Pending, Some(false)),
            };
            state.orders.insert(request.order_id, status.clone());
            (status, follow_up)
        };
        match follow_up {
            Some(notify) => self.settle_later(request.order_id, request.amount_fen, notify),
            None => {
                // A real bank also notifies orders it answered at once; the receiver is
                // idempotent, so this is harmless and keeps both paths exercised.
                let bank = self.clone();
                let (order_id, sent) = (request.order_id, status.clone());
                tokio::spawn(async move { bank.notify(order_id, sent).await });
            }
        }
        Ok(status)
    }

    async fn query(&self, order_id: Uuid) -> Result<OrderStatus, GatewayError> {
        Ok(self
            .lock()
            .orders
            .get(&order_id)
            .cloned()
            .unwrap_or(OrderStatus::Unknown))
    }
}

/// Card numbers that trigger each behaviour, for the README, the demo and tests.
pub mod test_cards {
    use yanglao_shared::bank_card::with_luhn_digit;

    pub fn pays() -> String {
        with_luhn_digit("622202000012345678")
    }
    pub fn insufficient_funds() -> String {
        with_luhn_digit("622202005112345678")
    }
    pub fn expired() -> String {
        with_luhn_digit("622202005412345678")
    }
    pub fn delayed() -> String {
        with_luhn_digit("622202009912345678")
    }
    pub fn lost_notification() -> String {
        with_luhn_digit("622202009812345678")
    }
}
