//! Text messages (短信) to a mobile number, through [`SmsGateway`]: today only the one-time
//! codes that prove a claim of one's own roster record (`accounts::claim`).
//!
//! The only implementation is the sandbox (短信沙箱, [`sandbox::SandboxSms`]), a real component
//! like the sandbox bank: it sends nothing to a phone, and instead keeps every message in the
//! server's own database (`sms_outbox`, durable and shared by every server process) and logs
//! it, so the demo and the tests can read a code with `yanglao-server sms-log` (no route serves
//! the outbox: a code is never an HTTP answer). The gateway is chosen by `serve --sms`, as the
//! bank is by `--gateway`; nothing defaults to a real provider.

pub mod sandbox;

use std::sync::Arc;

use async_trait::async_trait;
use yanglao_shared::MobileNumber;

use crate::storage::Db;

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The message did not go out (the provider refused it or could not be reached).
    #[error("sms not sent: {0}")]
    NotSent(String),
}

#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// True for the sandbox: no message reaches a phone, and the outbox may be read.
    fn is_sandbox(&self) -> bool;
    /// Sends `text` to `mobile`; an `Ok` means the provider took the message.
    async fn send(&self, mobile: &MobileNumber, text: &str) -> Result<(), SmsError>;
}

/// The gateway `serve --sms` names: `sandbox` (the only one built in). Any other name is
/// refused, so a typo never starts a server that silently sends nothing or something real.
pub fn from_config(name: &str, db: &Db) -> Result<Arc<dyn SmsGateway>, String> {
    match name {
        "sandbox" => Ok(Arc::new(sandbox::SandboxSms::new(db.clone()))),
        other => Err(format!(
            "--sms {other}: no such SMS gateway (only \"sandbox\" is built in; it sends nothing \
             to a phone and keeps each message in the database)"
        )),
    }
}
