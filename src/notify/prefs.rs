//! Notification preferences: for each message category, whether a message also goes out by email
//! and as a WeChat subscribe message. In-app messages always arrive.
//!
//! A category the user never saved follows the defaults, which are what the app did before
//! there were switches: email for the kinds `MessageKind::emails` names, WeChat on. Account
//! security notices are emailed whatever the switch says: they are how a stolen account is noticed.
//!
//! Table: notification_prefs (one row per user and category, written when the user saves).

use diesel::prelude::*;

use super::{Category, MessageKind};
use crate::db::schema::notification_prefs as np;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// A channel besides the in-app message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Wechat,
}

/// One category's switches, as shown and saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pref {
    pub category: Category,
    pub email: bool,
    pub wechat: bool,
}

impl Pref {
    /// What the switches show before the user saved anything: email on where some kind of the
    /// category is emailed by default (welcome and security in 系统, new shop orders in 订单).
    pub fn default_for(category: Category) -> Pref {
        Pref { category, email: matches!(category, Category::System | Category::Order), wechat: true }
    }
}

/// The switches as a form posted them: a category listed under `email` or `wechat` is on for
/// that channel, every other category off. An unknown category refuses the whole form.
pub fn parse_form(pairs: &[(String, String)]) -> AppResult<Vec<Pref>> {
    let mut prefs: Vec<Pref> =
        Category::ALL.into_iter().map(|category| Pref { category, email: false, wechat: false }).collect();
    for (key, value) in pairs {
        let channel = match key.as_str() {
            "email" => Channel::Email,
            "wechat" => Channel::Wechat,
            _ => continue,
        };
        let Some(pref) = prefs.iter_mut().find(|p| p.category.as_str() == value) else {
            let shown: String = value.chars().take(20).collect();
            return Err(AppError::invalid(format!("未知的消息分类「{shown}」，请刷新页面后重试")));
        };
        match channel {
            Channel::Email => pref.email = true,
            Channel::Wechat => pref.wechat = true,
        }
    }
    Ok(prefs)
}

/// Every category's switches, saved or default, in tab order.
pub fn preferences(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Pref>> {
    let rows: Vec<(String, bool, bool)> =
        np::table.filter(np::user_id.eq(user_id)).select((np::category, np::email, np::wechat)).load(conn)?;
    Ok(Category::ALL
        .into_iter()
        .map(|category| match rows.iter().find(|(c, _, _)| c == category.as_str()) {
            Some(&(_, email, wechat)) => Pref { category, email, wechat },
            None => Pref::default_for(category),
        })
        .collect())
}

/// Saves every category's switches. One upsert per category, so two saves at once (two tabs)
/// both succeed and the later one wins.
pub fn save(conn: &mut DbConn, user_id: i64, prefs: &[Pref]) -> AppResult<()> {
    write_tx(conn, |conn| {
        let now = db::now();
        for p in prefs {
            crate::on_backend!(conn, |c| diesel::insert_into(np::table)
                .values((
                    np::user_id.eq(user_id),
                    np::category.eq(p.category.as_str()),
                    np::email.eq(p.email),
                    np::wechat.eq(p.wechat),
                    np::updated_at.eq(now),
                ))
                .on_conflict((np::user_id, np::category))
                .do_update()
                .set((np::email.eq(p.email), np::wechat.eq(p.wechat), np::updated_at.eq(now)))
                .execute(c))?;
        }
        Ok(())
    })
}

/// The saved switch of one category and channel; `None` when the user never saved.
fn saved(conn: &mut DbConn, user_id: i64, category: Category, channel: Channel) -> AppResult<Option<bool>> {
    let row = np::table.find((user_id, category.as_str()));
    Ok(match channel {
        Channel::Email => row.select(np::email).first(conn).optional()?,
        Channel::Wechat => row.select(np::wechat).first(conn).optional()?,
    })
}

/// Whether a message of `kind` should also be emailed to this user.
pub fn wants_email(conn: &mut DbConn, user_id: i64, kind: MessageKind) -> AppResult<bool> {
    if kind == MessageKind::Security {
        return Ok(true);
    }
    Ok(saved(conn, user_id, Category::of(kind.as_str()), Channel::Email)?.unwrap_or(kind.emails()))
}

/// Whether a subscribe message for `purpose` (`order_paid`, `reply`, `activity`, …) may be sent.
pub fn wants_wechat(conn: &mut DbConn, user_id: i64, purpose: &str) -> AppResult<bool> {
    Ok(saved(conn, user_id, Category::of_purpose(purpose), Channel::Wechat)?.unwrap_or(true))
}

/// The user's saved switches, for the data export.
pub fn export(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let rows: Vec<(String, bool, bool)> = np::table
        .filter(np::user_id.eq(user_id))
        .order(np::category)
        .select((np::category, np::email, np::wechat))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(category, email, wechat)| serde_json::json!({ "category": category, "email": email, "wechat": wechat }))
        .collect())
}
