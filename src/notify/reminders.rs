//! Reminder preferences (`/me/reminders`): for each purpose — a class, an exam, an activity
//! signed up for, a grade change — how long before (10, 20, 30 or 60 minutes; exams also the
//! evening before; grade changes are told when they happen) and by which channels (in-app
//! message, email, WeChat subscribe message). A purpose without a row is off, except grade
//! changes, which keep what they did before there were reminders (in-app and WeChat).
//!
//! Kept in notify (a shared service) because both the reminder feature and the academic grade
//! alerts read it. Table: reminder_prefs (one row per user and purpose).

use diesel::prelude::*;

use crate::db::schema::reminder_prefs as rp;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

/// What a reminder is about. `as_str` is also the WeChat template's purpose
/// (`CAMPUS_WX_TEMPLATE_CLASS`, `_EXAM`, `_ACTIVITY`, `_GRADE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Class,
    Exam,
    Activity,
    Grade,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [Purpose::Class, Purpose::Exam, Purpose::Activity, Purpose::Grade];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Class => "class",
            Purpose::Exam => "exam",
            Purpose::Activity => "activity",
            Purpose::Grade => "grade",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Purpose::Class => "上课提醒",
            Purpose::Exam => "考试提醒",
            Purpose::Activity => "活动提醒",
            Purpose::Grade => "成绩变动",
        }
    }

    /// Whether the purpose is reminded some minutes before (grade changes are not: they are
    /// told when the grade arrives).
    pub fn has_lead(self) -> bool {
        self != Purpose::Grade
    }
}

/// The minutes before that may be chosen.
pub const LEADS: [i32; 4] = [10, 20, 30, 60];

/// A purpose's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderPref {
    pub purpose: Purpose,
    /// Minutes before (one of [`LEADS`]); `None` for grade changes, and for an exam reminded
    /// only the evening before.
    pub lead: Option<i32>,
    /// Exams: also at 20:00 the evening before.
    pub evening_before: bool,
    pub in_app: bool,
    pub email: bool,
    pub wechat: bool,
}

impl ReminderPref {
    /// What a purpose is before the user saved it: off, grade changes as they always were.
    pub fn default_for(purpose: Purpose) -> ReminderPref {
        let grade = purpose == Purpose::Grade;
        ReminderPref {
            purpose,
            lead: purpose.has_lead().then_some(20),
            evening_before: purpose == Purpose::Exam,
            in_app: grade,
            email: false,
            wechat: grade,
        }
    }

    /// Whether anything is sent at all.
    pub fn is_on(&self) -> bool {
        self.in_app || self.email || self.wechat
    }
}

/// The settings as the form posted them: `{purpose}_lead` (minutes), `{purpose}_channel`
/// (repeated: `in_app`, `email`, `wechat`) and `exam_evening`. A lead not offered, or a
/// channel or purpose we do not know, refuses the whole form.
pub fn parse_form(pairs: &[(String, String)]) -> AppResult<Vec<ReminderPref>> {
    let mut prefs: Vec<ReminderPref> = Purpose::ALL
        .into_iter()
        .map(|purpose| ReminderPref {
            purpose,
            lead: None,
            evening_before: false,
            in_app: false,
            email: false,
            wechat: false,
        })
        .collect();
    for (key, value) in pairs {
        let Some((purpose, field)) = key.split_once('_') else { continue };
        let Some(purpose) = Purpose::parse(purpose) else { continue };
        let Some(pref) = prefs.iter_mut().find(|p| p.purpose == purpose) else { continue };
        match field {
            "lead" if purpose.has_lead() => {
                let value = value.trim();
                if value.is_empty() && purpose == Purpose::Exam {
                    continue;
                }
                let minutes: i32 = value.parse().unwrap_or(0);
                if !LEADS.contains(&minutes) {
                    return Err(AppError::invalid(format!(
                        "{}只能在开始前 10、20、30 或 60 分钟提醒",
                        purpose.label()
                    )));
                }
                pref.lead = Some(minutes);
            }
            "evening" if purpose == Purpose::Exam => pref.evening_before = value == "1" || value == "on",
            "channel" => match value.as_str() {
                "in_app" => pref.in_app = true,
                "email" => pref.email = true,
                "wechat" => pref.wechat = true,
                _ => return Err(AppError::invalid("未知的提醒方式，请刷新页面后重试")),
            },
            _ => {}
        }
    }
    for p in &mut prefs {
        if p.purpose.has_lead() && p.purpose != Purpose::Exam && p.lead.is_none() {
            p.lead = Some(20);
        }
        if p.purpose == Purpose::Exam && p.lead.is_none() && !p.evening_before && p.is_on() {
            return Err(AppError::invalid("考试提醒请选择提前多久，或勾选“前一晚 20:00 提醒”"));
        }
    }
    Ok(prefs)
}

type Row = (String, Option<i32>, bool, bool, bool, bool);

fn from_row(purpose: Purpose, (_, lead, evening_before, in_app, email, wechat): &Row) -> ReminderPref {
    ReminderPref {
        purpose,
        lead: *lead,
        evening_before: *evening_before,
        in_app: *in_app,
        email: *email,
        wechat: *wechat,
    }
}

/// Every purpose's settings, saved or default, in page order.
pub fn preferences(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<ReminderPref>> {
    let rows: Vec<Row> = rp::table
        .filter(rp::user_id.eq(user_id))
        .select((rp::purpose, rp::lead_minutes, rp::evening_before, rp::in_app, rp::email, rp::wechat))
        .load(conn)?;
    Ok(Purpose::ALL
        .into_iter()
        .map(|p| {
            rows.iter().find(|r| r.0 == p.as_str()).map_or_else(|| ReminderPref::default_for(p), |r| from_row(p, r))
        })
        .collect())
}

/// One purpose's saved settings; `None` when the user never saved them.
pub fn saved(conn: &mut DbConn, user_id: i64, purpose: Purpose) -> AppResult<Option<ReminderPref>> {
    let row: Option<Row> = rp::table
        .find((user_id, purpose.as_str()))
        .select((rp::purpose, rp::lead_minutes, rp::evening_before, rp::in_app, rp::email, rp::wechat))
        .first(conn)
        .optional()?;
    Ok(row.map(|r| from_row(purpose, &r)))
}

/// Saves every purpose (in the caller's transaction): one upsert each, so two saves at once
/// (two tabs) both succeed and the later one wins.
pub fn save(conn: &mut DbConn, user_id: i64, prefs: &[ReminderPref]) -> AppResult<()> {
    let now = db::now();
    for p in prefs {
        crate::on_backend!(conn, |c| diesel::insert_into(rp::table)
            .values((
                rp::user_id.eq(user_id),
                rp::purpose.eq(p.purpose.as_str()),
                rp::lead_minutes.eq(p.lead),
                rp::evening_before.eq(p.evening_before),
                rp::in_app.eq(p.in_app),
                rp::email.eq(p.email),
                rp::wechat.eq(p.wechat),
                rp::updated_at.eq(now),
            ))
            .on_conflict((rp::user_id, rp::purpose))
            .do_update()
            .set((
                rp::lead_minutes.eq(p.lead),
                rp::evening_before.eq(p.evening_before),
                rp::in_app.eq(p.in_app),
                rp::email.eq(p.email),
                rp::wechat.eq(p.wechat),
                rp::updated_at.eq(now),
            ))
            .execute(c))?;
    }
    Ok(())
}

/// Everyone with a saved reminder of `purpose` that sends something: (user, settings).
pub fn subscribers(conn: &mut DbConn, purpose: Purpose) -> AppResult<Vec<(i64, ReminderPref)>> {
    let rows: Vec<(i64, Row)> = rp::table
        .filter(rp::purpose.eq(purpose.as_str()))
        .filter(rp::in_app.or(rp::email).or(rp::wechat))
        .order(rp::user_id)
        .select((rp::user_id, (rp::purpose, rp::lead_minutes, rp::evening_before, rp::in_app, rp::email, rp::wechat)))
        .load(conn)?;
    Ok(rows.into_iter().map(|(user, row)| (user, from_row(purpose, &row))).collect())
}

/// The user's reminder settings and quiet hours, for the data export.
pub fn export_user(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let saved: Vec<Row> = rp::table
        .filter(rp::user_id.eq(user_id))
        .order(rp::purpose)
        .select((rp::purpose, rp::lead_minutes, rp::evening_before, rp::in_app, rp::email, rp::wechat))
        .load(conn)?;
    let quiet = super::prefs::quiet_hours(conn, user_id)?;
    Ok(serde_json::json!({
        "reminders": saved.iter().map(|(purpose, lead, evening, in_app, email, wechat)| serde_json::json!({
            "purpose": purpose, "minutes_before": lead, "evening_before": evening,
            "in_app": in_app, "email": email, "wechat": wechat,
        })).collect::<Vec<_>>(),
        "quiet_hours": quiet.map(|q| serde_json::json!({ "from": q.from_text(), "to": q.to_text() })),
    }))
}

/// Removes the user's reminder settings and quiet hours (closing the account).
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    diesel::delete(rp::table.filter(rp::user_id.eq(user_id))).execute(conn)?;
    super::prefs::save_quiet_hours(conn, user_id, None)
}
