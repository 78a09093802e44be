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

/// Quiet hours (免打扰): Asia/Shanghai minutes of the day, `from` included, `to` not; a span
/// past midnight (22:30–07:00) wraps. Reminders due inside are skipped (and recorded as such).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub from: i32,
    pub to: i32,
}

impl QuietHours {
    /// From the form's two `HH:MM` fields; both empty = no quiet hours. The same time twice is
    /// refused (it would mean nothing, or all day).
    pub fn parse(from: &str, to: &str) -> AppResult<Option<QuietHours>> {
        let (from, to) = (from.trim(), to.trim());
        if from.is_empty() && to.is_empty() {
            return Ok(None);
        }
        let minute = |s: &str| -> AppResult<i32> {
            let t = chrono::NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| AppError::invalid("免打扰时段请填写开始和结束时间，如 22:30 和 07:00"))?;
            Ok(chrono::Timelike::hour(&t) as i32 * 60 + chrono::Timelike::minute(&t) as i32)
        };
        let quiet = QuietHours { from: minute(from)?, to: minute(to)? };
        if quiet.from == quiet.to {
            return Err(AppError::invalid("免打扰的开始和结束时间不能相同"));
        }
        Ok(Some(quiet))
    }

    /// Whether the Shanghai wall-clock minute of `utc` falls inside.
    pub fn covers(&self, utc: chrono::NaiveDateTime) -> bool {
        let local = crate::web::time::local(utc);
        let m = chrono::Timelike::hour(&local) as i32 * 60 + chrono::Timelike::minute(&local) as i32;
        if self.from < self.to { (self.from..self.to).contains(&m) } else { m >= self.from || m < self.to }
    }

    pub fn from_text(&self) -> String {
        format!("{:02}:{:02}", self.from / 60, self.from % 60)
    }

    pub fn to_text(&self) -> String {
        format!("{:02}:{:02}", self.to / 60, self.to % 60)
    }
}

/// The user's quiet hours, if set.
pub fn quiet_hours(conn: &mut DbConn, user_id: i64) -> AppResult<Option<QuietHours>> {
    use crate::db::schema::quiet_hours as q;
    Ok(q::table
        .find(user_id)
        .select((q::starts_min, q::ends_min))
        .first::<(i32, i32)>(conn)
        .optional()?
        .map(|(from, to)| QuietHours { from, to }))
}

/// Sets (or with `None` clears) the user's quiet hours, in the caller's transaction; an upsert,
/// so two saves at once both succeed.
pub fn save_quiet_hours(conn: &mut DbConn, user_id: i64, quiet: Option<QuietHours>) -> AppResult<()> {
    use crate::db::schema::quiet_hours as q;
    let Some(quiet) = quiet else {
        diesel::delete(q::table.find(user_id)).execute(conn)?;
        return Ok(());
    };
    let now = db::now();
    crate::on_backend!(conn, |c| diesel::insert_into(q::table)
        .values((q::user_id.eq(user_id), q::starts_min.eq(quiet.from), q::ends_min.eq(quiet.to), q::updated_at.eq(now)))
        .on_conflict(q::user_id)
        .do_update()
        .set((q::starts_min.eq(quiet.from), q::ends_min.eq(quiet.to), q::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}

/// Whether `utc` is inside the user's quiet hours.
pub fn is_quiet(conn: &mut DbConn, user_id: i64, utc: chrono::NaiveDateTime) -> AppResult<bool> {
    Ok(quiet_hours(conn, user_id)?.is_some_and(|q| q.covers(utc)))
}
