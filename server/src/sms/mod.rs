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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_sandbox_is_built_in_and_it_keeps_what_it_sends() {
        let path = std::env::temp_dir().join(format!("yanglao-sms-{}.db", uuid::Uuid::new_v4()));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        assert!(
            from_config("aliyun", &db).is_err(),
            "no real provider by a name"
        );
        let sms = from_config("sandbox", &db).unwrap();
        assert!(sms.is_sandbox());
        let mobile = MobileNumber::parse("13912345678").unwrap();
        sms.send(&mobile, "验证码000001").await.unwrap();
        sms.send(&mobile, "验证码000002").await.unwrap();
        let outbox = sandbox::SandboxSms::new(db);
        let newest = outbox.latest(&mobile).await.unwrap().unwrap();
        assert_eq!(newest.body, "验证码000002");
        let other = MobileNumber::parse("13912345679").unwrap();
        assert_eq!(outbox.latest(&other).await.unwrap(), None);
        assert_eq!(outbox.recent(None, 10).await.unwrap().len(), 2);
    }
}
