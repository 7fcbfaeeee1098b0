//! The sandbox SMS gateway (短信沙箱): every message is written to the server's database
//! (`storage::sms_outbox`, one row per message, committed before `send` answers) and logged;
//! nothing reaches a phone. [`SandboxSms::latest`] and [`SandboxSms::recent`] read it back for
//! the demo and the tests.

use async_trait::async_trait;
use yanglao_shared::MobileNumber;

use super::{SmsError, SmsGateway};
use crate::storage::sms_outbox::{self, SentSms};
use crate::storage::Db;

#[derive(Clone)]
pub struct SandboxSms {
    db: Db,
}

impl SandboxSms {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The newest message sent to `mobile`, if any.
    pub async fn latest(&self, mobile: &MobileNumber) -> Result<Option<SentSms>, SmsError> {
        let mut conn = self.db.pool.acquire().await.map_err(not_read)?;
        sms_outbox::recent(&mut conn, Some(mobile.as_str()), 1)
            .await
            .map(|mut sent| sent.pop())
            .map_err(not_read)
    }

    /// The `limit` newest messages, to anyone (or to `mobile`), newest first.
    pub async fn recent(
        &self,
        mobile: Option<&MobileNumber>,
        limit: u32,
    ) -> Result<Vec<SentSms>, SmsError> {
        let mut conn = self.db.pool.acquire().await.map_err(not_read)?;
        sms_outbox::recent(&mut conn, mobile.map(MobileNumber::as_str), limit)
            .await
            .map_err(not_read)
    }
}

fn not_read(e: impl std::fmt::Display) -> SmsError {
    SmsError::NotSent(format!("sandbox outbox: {e}"))
}

#[async_trait]
impl SmsGateway for SandboxSms {
    fn is_sandbox(&self) -> bool {
        true
    }

    async fn send(&self, mobile: &MobileNumber, text: &str) -> Result<(), SmsError> {
        let now_ms = crate::clock::to_ms(time::OffsetDateTime::now_utc());
        let mut conn = self.db.pool.acquire().await.map_err(not_read)?;
        sms_outbox::insert(&mut conn, mobile.as_str(), text, now_ms)
            .await
            .map_err(not_read)?;
        tracing::info!(mobile = %mobile.masked(), %text, "sandbox sms (短信沙箱): kept, not sent");
        Ok(())
    }
}
