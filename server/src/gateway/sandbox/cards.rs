//! The sandbox's test cards: which behaviour a card number (and the token bound from it)
//! stands for, the bank a card's first digits name, and the references the sandbox gives out.
//! Kept apart from the orders so the table in the module doc above has one home.

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Behaviour {
    Pay,
    InsufficientFunds,
    Expired,
    Delay,
    DelayLostNotification,
}

impl Behaviour {
    pub fn of_card(card_number: &str) -> Self {
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
    pub fn tag(self) -> &'static str {
        match self {
            Self::Pay => "pay",
            Self::InsufficientFunds => "nsf",
            Self::Expired => "exp",
            Self::Delay => "dly",
            Self::DelayLostNotification => "lost",
        }
    }

    pub fn of_token(token: &str) -> Option<Self> {
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

/// A token the sandbox accepts for `card_number`, for seeding a demo account's card.
pub fn token_for(card_number: &str) -> String {
    format!(
        "sbx_{}_{}",
        Behaviour::of_card(card_number).tag(),
        Uuid::new_v4().simple()
    )
}

/// The bank's reference of an order's payment.
pub(super) fn bank_ref(order_id: Uuid) -> String {
    format!("SBX{}", &order_id.simple().to_string()[..16].to_uppercase())
}

/// The bank's reference of an order's refund (one refund per order).
pub(super) fn refund_ref(order_id: Uuid) -> String {
    format!("SBR{}", &order_id.simple().to_string()[..16].to_uppercase())
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
