//! SMS verification codes through one provider interface ([`SmsProvider`]): Tencent Cloud SMS
//! (API 3.0 `SendSms`, see `tencent`) in production, and an outbox for development that writes
//! the message to the log and to a file under `data/outbox/` (`CAMPUS_SMS_PROVIDER`).
//!
//! Only verification codes go by SMS (they are what a phone number proves); everything else a user
//! should know goes through the message center. Sending is blocking (ureq): call it through
//! `web::block` or from a job.

pub mod tencent;

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, SmsConfig};

/// A failed send, in words fit for the log; callers show the user their own Chinese message.
#[derive(Debug, thiserror::Error)]
#[error("sms ({provider}) {code}: {message}")]
pub struct SmsError {
    pub provider: &'static str,
    /// The provider's error code (`AuthFailure.SignatureFailure`, `LimitExceeded.PhoneNumberDailyLimit`, ...)
    /// or `transport` / `io`.
    pub code: String,
    pub message: String,
}

/// One way of delivering a verification code to a mainland mobile number (11 digits, no `+86`).
pub trait SmsProvider: Send + Sync {
    /// Sends `code`, good for `minutes`, to `phone`.
    fn send_code(&self, phone: &str, code: &str, minutes: u32) -> Result<(), SmsError>;
    /// `outbox` or `tencent`, for logs.
    fn name(&self) -> &'static str;
}

/// The provider the configuration asks for.
pub fn provider(config: &Config) -> Arc<dyn SmsProvider> {
    match &config.sms {
        SmsConfig::Outbox => Arc::new(Outbox { dir: config.outbox_dir() }),
        SmsConfig::Tencent(c) => Arc::new(tencent::TencentSms::new(c.clone())),
    }
}

/// The message as the user's phone shows it (the Tencent template says the same).
pub fn text(code: &str, minutes: u32) -> String {
    format!("验证码 {code}，{minutes} 分钟内有效。请勿泄露给他人，工作人员不会向你索要验证码。")
}

/// Development and demos: no SMS leaves the machine. Each message is a file
/// `sms-<time>-<phone>.txt` in the outbox directory, and a line in the log.
pub struct Outbox {
    pub dir: PathBuf,
}

impl SmsProvider for Outbox {
    fn send_code(&self, phone: &str, code: &str, minutes: u32) -> Result<(), SmsError> {
        let io = |e: std::io::Error| SmsError { provider: "outbox", code: "io".into(), message: e.to_string() };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%6f");
        let body = format!("To: {phone}\n\n{}\n", text(code, minutes));
        std::fs::write(self.dir.join(format!("sms-{stamp}-{phone}.txt")), body).map_err(io)?;
        let to = crate::web::observe::mask_phone(phone);
        tracing::info!(to, code, "sms outbox: verification code written (CAMPUS_SMS_PROVIDER=outbox)");
        Ok(())
    }

    fn name(&self) -> &'static str {
        "outbox"
    }
}
