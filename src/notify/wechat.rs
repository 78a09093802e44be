//! WeChat subscribe messages: a user's acceptances (each allows one message of that template),
//! and the job that spends one and sends the message through the WeChat client.

use diesel::prelude::*;

use crate::auth::wechat::WxClient;
use crate::config::WxConfig;
use crate::db::schema::wx_subscriptions;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::jobs;

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
    let openid = crate::auth::service::wechat_openid(conn, user_id).map_err(|e| e.to_string())?;
    let Some(openid) = openid else {
        return Ok(());
    };
    // Spend one acceptance first: two runners can never both use the last one.
    let spent = diesel::update(
        wx_subscriptions::table
            .filter(wx_subscriptions::user_id.eq(user_id))
            .filter(wx_subscriptions::template_id.eq(template_id))
            .filter(wx_subscriptions::remaining.gt(0)),
    )
    .set(wx_subscriptions::remaining.eq(wx_subscriptions::remaining - 1))
    .execute(conn)
    .map_err(|e| e.to_string())?;
    if spent == 0 {
        return Ok(());
    }
    let page = payload["page"].as_str().unwrap_or("pages/index/index");
    match wx.send_subscribe(&openid, template_id, page, &payload["data"]) {
        Ok(()) => Ok(()),
        // 43101: the user refused or the acceptance was used up on WeChat's side; not worth a retry.
        Err(e) if e.code == 43101 => Ok(()),
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
