//! WeChat subscribe messages: a user's acceptances (each allows one message of that template),
//! and the job that spends one and sends the message through the WeChat client.

use diesel::prelude::*;

use crate::config::WxConfig;
use crate::db::schema::{user_auth, wx_subscriptions};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::wechat::WxClient;

pub const JOB_SEND: &str = "wx.subscribe";

/// Records the templates a user just accepted; unknown template ids are refused.
pub fn record_accepted(
    conn: &mut DbConn,
    user_id: i64,
    accepted: &[String],
    known: &[(String, String)],
) -> AppResult<usize> {
    for id in accepted {
        if !known.iter().any(|(_, t)| t == id) {
            return Err(AppError::invalid(format!("未知的消息模板 {id}")));
        }
    }
    db::write_tx(conn, |conn| {
        let now = db::now();
        for id in accepted {
            // One statement per template: two acceptances at once both count, and the first
            // never races the second into the primary key.
            crate::on_backend!(conn, |c| diesel::insert_into(wx_subscriptions::table)
                .values((
                    wx_subscriptions::user_id.eq(user_id),
                    wx_subscriptions::template_id.eq(id),
                    wx_subscriptions::remaining.eq(1),
                    wx_subscriptions::updated_at.eq(now),
                ))
                .on_conflict((wx_subscriptions::user_id, wx_subscriptions::template_id))
                .do_update()
                .set((
                    wx_subscriptions::remaining.eq(wx_subscriptions::remaining + 1),
                    wx_subscriptions::updated_at.eq(now),
                ))
                .execute(c))?;
        }
        Ok(accepted.len())
    })
}

/// Queues a subscribe message for `purpose` (`order_paid`, `order_shipped`, …) unless the user
/// switched WeChat off for its category. It is sent only if a template is configured for it and
/// the user accepted one.
pub fn queue(conn: &mut DbConn, user_id: i64, purpose: &str, page: &str, fields: &[(&str, String)]) -> AppResult<()> {
    if !super::prefs::wants_wechat(conn, user_id, purpose)? {
        return Ok(());
    }
    enqueue_message(conn, user_id, purpose, page, fields)
}

/// Queues a subscribe message for `purpose` whatever the category switch says (the caller
/// asked the user's own setting for it, as reminders do); the job spends the acceptance.
pub fn enqueue_message(
    conn: &mut DbConn,
    user_id: i64,
    purpose: &str,
    page: &str,
    fields: &[(&str, String)],
) -> AppResult<()> {
    let data: serde_json::Map<String, serde_json::Value> =
        fields.iter().map(|(k, v)| (k.to_string(), serde_json::json!({ "value": v }))).collect();
    jobs::enqueue(
        conn,
        JOB_SEND,
        &serde_json::json!({ "user_id": user_id, "purpose": purpose, "page": page, "data": data }),
        db::now(),
    )
}

/// Job: spend one acceptance and send. A user who accepted nothing gets nothing.
pub fn send(config: &WxConfig, wx: &WxClient, conn: &mut DbConn, payload: &serde_json::Value) -> Result<(), String> {
    let user_id = payload["user_id"].as_i64().ok_or("payload lacks user_id")?;
    let purpose = payload["purpose"].as_str().unwrap_or_default();
    let Some((_, template_id)) = config.templates.iter().find(|(p, _)| p == purpose) else {
        return Ok(());
    };
    let openid = openid_of(conn, user_id).map_err(|e| e.to_string())?;
    let Some(openid) = openid else {
        return Ok(());
    };
    // A reminder spent its acceptance when it was decided (`spend_and_queue`).
    let prepaid = payload["spent"] == true;
    // Spend one acceptance first: two runners can never both use the last one.
    let spent = if prepaid {
        1
    } else {
        diesel::update(
            wx_subscriptions::table
                .filter(wx_subscriptions::user_id.eq(user_id))
                .filter(wx_subscriptions::template_id.eq(template_id))
                .filter(wx_subscriptions::remaining.gt(0)),
        )
        .set(wx_subscriptions::remaining.eq(wx_subscriptions::remaining - 1))
        .execute(conn)
        .map_err(|e| e.to_string())?
    };
    if spent == 0 {
        return Ok(());
    }
    let page = payload["page"].as_str().unwrap_or("pages/index/index");
    match wx.send_subscribe(&openid, template_id, page, &payload["data"]) {
        Ok(()) => Ok(()),
        // 43101: the user refused or the acceptance was used up on WeChat's side; not worth a retry.
        Err(e) if e.code == 43101 => Ok(()),
        // A prepaid message keeps its acceptance for the retry.
        Err(e) if prepaid => Err(e.to_string()),
        Err(e) => {
            // Give the acceptance back so the retry can use it.
            let _ = diesel::update(
                wx_subscriptions::table
                    .filter(wx_subscriptions::user_id.eq(user_id))
                    .filter(wx_subscriptions::template_id.eq(template_id)),
            )
            .set(wx_subscriptions::remaining.eq(wx_subscriptions::remaining + 1))
            .execute(conn);
            Err(e.to_string())
        }
    }
}

pub fn remaining(conn: &mut DbConn, user_id: i64, template_id: &str) -> AppResult<i32> {
    Ok(wx_subscriptions::table
        .filter(wx_subscriptions::user_id.eq(user_id))
        .filter(wx_subscriptions::template_id.eq(template_id))
        .select(wx_subscriptions::remaining)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// What became of a WeChat message a reminder asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    /// One acceptance spent; the message is queued.
    Queued,
    /// The user has no acceptance of the template left: nothing sent.
    NoGrant,
    /// No template is configured for the purpose.
    NoTemplate,
    /// The account never signed in through WeChat.
    NoOpenid,
}

/// Spends one acceptance of `purpose`'s template now, in the caller's transaction (a
/// conditional UPDATE: two reminders can never both take the last one), and queues the message
/// marked as paid for. Whether one was left is the answer, so the caller can record a skip.
pub fn spend_and_queue(
    conn: &mut DbConn,
    templates: &[(String, String)],
    user_id: i64,
    purpose: &str,
    page: &str,
    fields: &[(&str, String)],
) -> AppResult<Spend> {
    let Some((_, template_id)) = templates.iter().find(|(p, _)| p == purpose) else {
        return Ok(Spend::NoTemplate);
    };
    if openid_of(conn, user_id)?.is_none() {
        return Ok(Spend::NoOpenid);
    }
    let spent = diesel::update(
        wx_subscriptions::table
            .filter(wx_subscriptions::user_id.eq(user_id))
            .filter(wx_subscriptions::template_id.eq(template_id))
            .filter(wx_subscriptions::remaining.gt(0)),
    )
    .set((wx_subscriptions::remaining.eq(wx_subscriptions::remaining - 1), wx_subscriptions::updated_at.eq(db::now())))
    .execute(conn)?;
    if spent == 0 {
        return Ok(Spend::NoGrant);
    }
    let data: serde_json::Map<String, serde_json::Value> =
        fields.iter().map(|(k, v)| (k.to_string(), serde_json::json!({ "value": v }))).collect();
    jobs::enqueue(
        conn,
        JOB_SEND,
        &serde_json::json!({ "user_id": user_id, "purpose": purpose, "page": page, "data": data, "spent": true }),
        db::now(),
    )?;
    Ok(Spend::Queued)
}

/// How many messages of each purpose's template the user may still be sent: (purpose, template
/// id, remaining) for every configured template.
pub fn remaining_by_purpose(
    conn: &mut DbConn,
    templates: &[(String, String)],
    user_id: i64,
) -> AppResult<Vec<(String, String, i32)>> {
    let ids: Vec<&str> = templates.iter().map(|(_, t)| t.as_str()).collect();
    let counts: Vec<(String, i32)> = wx_subscriptions::table
        .filter(wx_subscriptions::user_id.eq(user_id))
        .filter(wx_subscriptions::template_id.eq_any(ids))
        .select((wx_subscriptions::template_id, wx_subscriptions::remaining))
        .load(conn)?;
    Ok(templates
        .iter()
        .map(|(p, t)| {
            let left = counts.iter().find(|(id, _)| id == t).map_or(0, |(_, n)| *n);
            (p.clone(), t.clone(), left)
        })
        .collect())
}

/// The user's WeChat openid (the `wechat` way in of `user_auth`), read here so the message
/// center needs nothing of sign-in (`crate::auth` sends messages; it must not be needed back).
fn openid_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<String>> {
    user_auth::table
        .filter(user_auth::user_id.eq(user_id))
        .filter(user_auth::auth_type.eq("wechat"))
        .select(user_auth::auth_key)
        .first(conn)
        .optional()
}
