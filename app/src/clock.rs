//! The phone's clock and randomness. The phone's clock is only a hint (the server's clock
//! decides the window); [`ServerClock`] corrects it with the offset seen at the last sync.

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use yanglao_shared::json::FromJson;

/// The phone's clock, now.
pub fn now() -> OffsetDateTime {
    from_millis(js_sys::Date::now())
}

pub fn from_millis(ms: f64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A random (v4) UUID from the browser's `crypto.getRandomValues`, which exists in every
/// browser and, unlike `crypto.randomUUID`, also on plain-http pages (a LAN test server).
pub fn new_id() -> Uuid {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    assert!(filled, "crypto.getRandomValues is required");
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A number in [0, 1) for jitter.
pub fn random_unit() -> f64 {
    js_sys::Math::random()
}

/// What the server's clock said, and when that was on the phone's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
pub struct ServerClock {
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub server_time: OffsetDateTime,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub seen_at: OffsetDateTime,
}

impl ServerClock {
    /// Our best guess of the server's clock at `phone_now`: a phone whose clock is a day off
    /// still shows the right number of days left.
    pub fn estimate(&self, phone_now: OffsetDateTime) -> OffsetDateTime {
        let offset: Duration = self.server_time - self.seen_at;
        phone_now + offset
    }
}
