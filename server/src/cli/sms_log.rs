//! `yanglao-server sms-log [--mobile M] [--limit N]`: the newest messages the sandbox SMS
//! gateway (短信沙箱) kept in this database, newest first — how the demo and the end-to-end
//! tests read a claim's one-time code. One line each: time (China Standard Time), the full
//! mobile number, the text.

use yanglao_shared::MobileNumber;

use crate::cli::connect;
use crate::sms::sandbox::SandboxSms;

pub async fn print(url: &str, mobile: Option<&str>, limit: u32) -> Result<(), String> {
    let mobile = mobile
        .map(|m| MobileNumber::parse(m).map_err(|e| format!("--mobile: {e}")))
        .transpose()?;
    let db = connect(url).await?;
    let sent = SandboxSms::new(db)
        .recent(mobile.as_ref(), limit.max(1))
        .await
        .map_err(|e| e.to_string())?;
    if sent.is_empty() {
        println!(
            "(no sandbox messages{})",
            match &mobile {
                Some(m) => format!(" to {}", m.as_str()),
                None => String::new(),
            }
        );
    }
    for sms in sent {
        let at = crate::clock::from_ms(sms.sent_at_ms)
            .to_offset(yanglao_shared::window::CST)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .map_err(|e| e.to_string())?;
        println!("{at}  {}  {}", sms.mobile, sms.body);
    }
    Ok(())
}
