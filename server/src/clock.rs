//! The server's clock: the authority on the payment window. Normally the system clock; a demo can
//! start it at another date (it then runs forward in real time), and tests set it by hand.

use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

#[derive(Clone)]
pub struct Clock(Arc<Mode>);

enum Mode {
    /// System time plus a fixed offset (zero in production).
    Shifted(Duration),
    /// Set by tests.
    Manual(Mutex<OffsetDateTime>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Mode::Shifted(Duration::ZERO)))
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mode::Shifted(start - OffsetDateTime::now_utc())))
    }

    pub fn manual(at: OffsetDateTime) -> Self {
        Self(Arc::new(Mode::Manual(Mutex::new(at))))
    }

    pub fn now(&self) -> OffsetDateTime {
        match &*self.0 {
            Mode::Shifted(offset) => OffsetDateTime::now_utc() + *offset,
            Mode::Manual(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    pub fn now_ms(&self) -> i64 {
        to_ms(self.now())
    }

    pub fn is_shifted(&self) -> bool {
        matches!(&*self.0, Mode::Shifted(offset) if offset.whole_minutes().abs() > 1)
    }

    /// Moves a manual clock; no effect on the system clock.
    pub fn set(&self, to: OffsetDateTime) {
        if let Mode::Manual(at) = &*self.0 {
            *at.lock().unwrap_or_else(|e| e.into_inner()) = to;
        }
    }
}

pub fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
