//! The message center's part of the personal-data registry (`crate::privacy`): in-app messages,
//! the email outbox (addresses and bodies), notification switches and WeChat subscribe-message
//! quotas. A closed account's rows are all deleted; an email not yet sent is then never sent.

use diesel::prelude::*;

use crate::db::schema::{email_outbox, notification_prefs, users, wx_subscriptions};
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("notify")
        .table("messages", Export::To("messages"), Forget::Delete)
        .table("email_outbox", Export::To("emails"), Forget::Delete)
        .table("notification_prefs", Export::To("notification_preferences"), Forget::Delete)
        .table("wx_subscriptions", Export::To("wechat_subscriptions"), Forget::Delete)
        .export(|conn, who, out| {
            let uid = who.user_id;
            let messages = super::service::export(conn, uid)?;
            out.put(
                "messages",
                messages
                    .into_iter()
                    .map(|m| serde_json::json!({ "kind": m.kind, "title": m.title, "body": m.body, "created_at": m.created_at, "read_at": m.read_at }))
                    .collect(),
            );
            let emails: Vec<(String, String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
                email_outbox::table
                    .filter(email_outbox::user_id.eq(uid))
                    .order(email_outbox::id)
                    .select((
                        email_outbox::to_addr,
                        email_outbox::subject,
                        email_outbox::status,
                        email_outbox::created_at,
                        email_outbox::sent_at,
                    ))
                    .load(conn)?;
            out.put(
                "emails",
                emails
                    .into_iter()
                    .map(|(to, subject, status, at, sent)| serde_json::json!({ "to": to, "subject": subject, "status": status, "created_at": at, "sent_at": sent }))
                    .collect(),
            );
            out.put("notification_preferences", super::prefs::export(conn, uid)?);
            let subs: Vec<(String, i32)> = wx_subscriptions::table
                .filter(wx_subscriptions::user_id.eq(uid))
                .select((wx_subscriptions::template_id, wx_subscriptions::remaining))
                .load(conn)?;
            out.put(
                "wechat_subscriptions",
                subs.into_iter().map(|(t, n)| serde_json::json!({ "template": t, "remaining": n })).collect(),
            );
            Ok(())
        })
        .forget(|conn, who, _, out| {
            let uid = who.user_id;
            let email: Option<String> = users::table.find(uid).select(users::email).first(conn)?;
            out.count("messages_deleted", diesel::delete(crate::db::schema::messages::table.filter(crate::db::schema::messages::user_id.eq(uid))).execute(conn)?);
            out.count("emails_deleted", diesel::delete(email_outbox::table.filter(email_outbox::user_id.eq(uid))).execute(conn)?);
            // Mail to the address before it was tied to the account (a reset code) goes too.
            if let Some(email) = email {
                diesel::delete(email_outbox::table.filter(email_outbox::to_addr.eq(email))).execute(conn)?;
            }
            diesel::delete(notification_prefs::table.filter(notification_prefs::user_id.eq(uid))).execute(conn)?;
            diesel::delete(wx_subscriptions::table.filter(wx_subscriptions::user_id.eq(uid))).execute(conn)?;
            Ok(())
        })
}
