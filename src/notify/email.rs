//! Email delivery: SMTP through lettre when `CAMPUS_SMTP_URL` is set, otherwise an `.eml` file
//! per message under `data/outbox/` (development, demos, air-gapped installs).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};
use secrecy::ExposeSecret;

use super::queries;
use crate::config::Config;
use crate::db::{self, DbConn};

/// Job kind: deliver one outbox email (payload `{"outbox_id": id}`).
pub const JOB_SEND: &str = "send_email";

fn build(from: &str, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("bad sender: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| format!("cannot build email: {e}"))
}

/// Sends one outbox email from `from`; an email already sent is not sent again.
pub fn deliver(config: &Config, from: &str, conn: &mut DbConn, outbox_id: i64) -> Result<(), String> {
    // A row that is gone belonged to an account closed meanwhile (`notify::privacy`): not sent.
    let Some(email) = queries::outbox_email(conn, outbox_id).map_err(|e| e.to_string())? else {
        return Ok(());
    };
    if email.status == "sent" {
        return Ok(());
    }
    let result =
        build(from, &email.to_addr, &email.subject, &email.body_text).and_then(|message| match &config.smtp_url {
            Some(url) => {
                let transport = SmtpTransport::from_url(url.expose_secret())
                    .map_err(|e| format!("bad CAMPUS_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                transport.send(&message).map(|_| ()).map_err(|e| format!("smtp: {e}"))
            }
            None => {
                let dir = config.outbox_dir();
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                // Written aside and renamed, so whoever reads the outbox never sees half a message.
                let part = dir.join(format!("{outbox_id:08}.eml.part"));
                std::fs::write(&part, message.formatted()).map_err(|e| e.to_string())?;
                std::fs::rename(&part, dir.join(format!("{outbox_id:08}.eml"))).map_err(|e| e.to_string())
            }
        });
    match &result {
        Ok(()) => queries::set_outbox_status(conn, outbox_id, "sent", None, Some(db::now()))
            .and_then(|n| if email.scrub_after_send { queries::scrub_body(conn, outbox_id) } else { Ok(n) }),
        Err(e) => queries::set_outbox_status(conn, outbox_id, "queued", Some(e), None),
    }
    .map_err(|e| e.to_string())?;
    result
}
