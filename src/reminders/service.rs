//! Deciding and sending reminders, and what the settings page shows.

use chrono::{NaiveDateTime, TimeDelta};

use super::queries::{self, LogLine};
use crate::db::{self, DbConn, write_tx};
use crate::error::AppResult;
use crate::notify::prefs::{self, QuietHours};
use crate::notify::reminders::{self as settings, Purpose, ReminderPref};
use crate::notify::wechat::{self, Spend};
use crate::notify::{self, MessageKind};

/// The recurring scan's job kind.
pub const JOB_SCAN: &str = "reminders.scan";

/// How often the scan runs: a reminder goes out at most this late.
pub const EVERY: TimeDelta = TimeDelta::minutes(1);

/// The wall-clock hour of the evening-before exam reminder (Asia/Shanghai).
const EVENING_HOUR: u32 = 20;

/// Books the next scan at `at` unless one is already waiting.
pub fn schedule(conn: &mut DbConn, at: NaiveDateTime) -> AppResult<()> {
    if !crate::jobs::is_waiting(conn, JOB_SCAN)? {
        crate::jobs::enqueue(conn, JOB_SCAN, &serde_json::json!({}), at)?;
    }
    Ok(())
}

/// The job: book the next run, then send what is due. Booked first, so a scan that fails (and
/// is retried with backoff, then given up) never stops the ones after it.
pub fn run_scan(conn: &mut DbConn, templates: &[(String, String)]) -> Result<(), String> {
    let now = db::now();
    schedule(conn, now + EVERY).map_err(|e| format!("{e:?}"))?;
    scan(conn, templates, now).map(|_| ()).map_err(|e| format!("{e:?}"))
}

/// One reminder to decide: which meeting, when it starts, and the window it may go out in.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub purpose: Purpose,
    /// The idempotency key, unique per user: purpose, the meeting and which reminder of it.
    pub key: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub place: String,
    /// `subject|detail`: the first and fourth WeChat keywords (the course and who teaches it,
    /// the course and the seat, the activity and a note).
    pub extra: String,
    pub starts_at: NaiveDateTime,
    /// From when it is due …
    pub due_at: NaiveDateTime,
    /// … until when it is still worth sending (never after the start).
    pub until: NaiveDateTime,
}

impl Occurrence {
    pub fn is_due(&self, now: NaiveDateTime) -> bool {
        self.due_at <= now && now < self.until
    }
}

/// Every purpose's due reminders for everyone who asked for them, each decided once (see the
/// module doc). Returns how many this call decided. A failure for one user is logged and the
/// others still get theirs.
pub fn scan(conn: &mut DbConn, templates: &[(String, String)], now: NaiveDateTime) -> AppResult<usize> {
    let mut decided = 0;
    for purpose in [Purpose::Class, Purpose::Exam, Purpose::Activity] {
        for (user, pref) in settings::subscribers(conn, purpose)? {
            let result = occurrences(conn, user, &pref, now).and_then(|list| {
                let mut n = 0;
                for occ in list.iter().filter(|o| o.is_due(now)) {
                    if remind(conn, templates, user, &pref, occ, now)?.is_some() {
                        n += 1;
                    }
                }
                Ok(n)
            });
            match result {
                Ok(n) => decided += n,
                Err(e) => tracing::warn!(user, purpose = purpose.as_str(), error = ?e, "reminders of a user failed"),
            }
        }
    }
    Ok(decided)
}

fn local_minute(t: NaiveDateTime) -> String {
    crate::web::time::local(t).format("%m月%d日 %H:%M").to_string()
}

fn clock(t: NaiveDateTime) -> String {
    crate::web::time::local(t).format("%H:%M").to_string()
}

/// The reminders of `pref`'s purpose for `user` around `now` (due or not yet).
pub fn occurrences(
    conn: &mut DbConn,
    user: i64,
    pref: &ReminderPref,
    now: NaiveDateTime,
) -> AppResult<Vec<Occurrence>> {
    let lead = pref.lead.map(|m| TimeDelta::minutes(i64::from(m)));
    let mut out = Vec::new();
    match pref.purpose {
        Purpose::Class => {
            let Some(lead) = lead else { return Ok(out) };
            let Some(student) = crate::academic::service::student_of(conn, user)? else { return Ok(out) };
            let today = crate::web::time::date(now);
            let until = crate::web::time::date(now + lead);
            for m in crate::academic::service::class_meetings(conn, &student, today, until)? {
                let room = m.room.clone().unwrap_or_else(|| "待定".into());
                let teacher = m.teacher.clone().unwrap_or_else(|| "待定".into());
                out.push(Occurrence {
                    purpose: Purpose::Class,
                    key: format!("class:{}:{}", m.schedule_id, m.day),
                    title: format!("上课提醒：{}", m.course_name),
                    body: format!("{} 在 {room} 上课（{teacher}）。", clock(m.starts_at)),
                    link: "/academic/schedule".into(),
                    extra: format!("{}|{teacher}", m.course_name),
                    place: room,
                    starts_at: m.starts_at,
                    due_at: m.starts_at - lead,
                    until: m.starts_at,
                });
            }
        }
        Purpose::Exam => {
            let Some(student) = crate::academic::service::student_of(conn, user)? else { return Ok(out) };
            for exam in crate::academic::service::upcoming_exams(conn, &student, now)? {
                let e = &exam.row;
                if e.starts_at - now > TimeDelta::hours(30) {
                    break;
                }
                let base = format!("exam:{}:{}", e.starts_at.and_utc().timestamp(), e.course_name);
                let body = format!("{} 在 {} 考试，座位号 {}。", local_minute(e.starts_at), e.room, e.seat);
                let make = |key: String, due_at: NaiveDateTime, until: NaiveDateTime| Occurrence {
                    purpose: Purpose::Exam,
                    key,
                    title: format!("考试提醒：{}", e.course_name),
                    body: body.clone(),
                    link: "/academic/exams".into(),
                    place: e.room.clone(),
                    extra: format!("{}|座位 {}", e.course_name, e.seat),
                    starts_at: e.starts_at,
                    due_at,
                    until,
                };
                if pref.evening_before {
                    let day = crate::web::time::date(e.starts_at);
                    let eve = day.pred_opt().and_then(|d| d.and_hms_opt(EVENING_HOUR, 0, 0));
                    let midnight = day.and_hms_opt(0, 0, 0);
                    if let (Some(eve), Some(midnight)) = (eve, midnight) {
                        let until = crate::web::time::utc(midnight).min(e.starts_at);
                        out.push(make(format!("{base}:evening"), crate::web::time::utc(eve), until));
                    }
                }
                if let Some(lead) = lead {
                    out.push(make(format!("{base}:before"), e.starts_at - lead, e.starts_at));
                }
            }
        }
        Purpose::Activity => {
            let Some(lead) = lead else { return Ok(out) };
            for (reg, card) in crate::activity::service::mine(conn, user, true)? {
                if reg.status != crate::activity::models::REGISTERED || card.starts_at <= now {
                    continue;
                }
                out.push(Occurrence {
                    purpose: Purpose::Activity,
                    key: format!("activity:{}:{}", card.id, card.starts_at.and_utc().timestamp()),
                    title: format!("活动提醒：{}", card.title),
                    body: format!(
                        "你报名的活动 {} 在{}开始，签到时出示报名凭证上的二维码。",
                        clock(card.starts_at),
                        card.place
                    ),
                    link: format!("/activities/{}", card.id),
                    place: card.place.clone(),
                    extra: format!("{}|即将开始，请准时参加", card.title),
                    starts_at: card.starts_at,
                    due_at: card.starts_at - lead,
                    until: card.starts_at,
                });
            }
        }
        Purpose::Grade => {}
    }
    Ok(out)
}

/// Decides one reminder in one transaction: claims its key (nothing happens when another
/// runner already did), then skips it in quiet hours or sends it by the chosen channels.
/// Returns the outcome recorded, `None` when it was not ours to decide.
pub fn remind(
    conn: &mut DbConn,
    templates: &[(String, String)],
    user: i64,
    pref: &ReminderPref,
    occ: &Occurrence,
    now: NaiveDateTime,
) -> AppResult<Option<&'static str>> {
    write_tx(conn, |conn| {
        if queries::claim(conn, user, occ.purpose.as_str(), &occ.key, &occ.title, occ.starts_at, now)? == 0 {
            return Ok(None);
        }
        if prefs::is_quiet(conn, user, now)? {
            queries::set_outcome(conn, user, &occ.key, "quiet", "免打扰时段内，未发送")?;
            return Ok(Some("quiet"));
        }
        let kind = if occ.purpose == Purpose::Activity { MessageKind::Activity } else { MessageKind::Academic };
        let mut notes = Vec::new();
        let emailed = notify::service::send_via(
            conn,
            user,
            kind,
            (&occ.title, &occ.body, Some(&occ.link)),
            pref.in_app,
            pref.email,
        )?;
        if pref.in_app {
            notes.push("站内消息".to_string());
        }
        if pref.email {
            notes.push(if emailed { "邮件" } else { "邮件（未绑定邮箱，未发送）" }.to_string());
        }
        let mut outcome = "sent";
        if pref.wechat {
            let (subject, extra) = occ.extra.split_once('|').unwrap_or((occ.title.as_str(), occ.extra.as_str()));
            let page = format!("pages/index/index?path={}", crate::web::url_encode(&occ.link));
            let fields = [
                ("thing1", subject.chars().take(20).collect::<String>()),
                ("time2", crate::web::time::minute(occ.starts_at)),
                ("thing3", occ.place.chars().take(20).collect::<String>()),
                ("thing4", extra.chars().take(20).collect::<String>()),
            ];
            let spend = wechat::spend_and_queue(conn, templates, user, occ.purpose.as_str(), &page, &fields)?;
            notes.push(
                match spend {
                    Spend::Queued => "微信",
                    Spend::NoGrant => "微信（订阅次数已用完，未发送）",
                    Spend::NoTemplate => "微信（未配置消息模板，未发送）",
                    Spend::NoOpenid => "微信（未用微信登录过，未发送）",
                }
                .to_string(),
            );
            if spend == Spend::NoGrant && !pref.in_app && !emailed {
                outcome = "no_grant";
            }
        }
        queries::set_outcome(conn, user, &occ.key, outcome, &notes.join("、"))?;
        Ok(Some(outcome))
    })
}

/// One purpose on the settings page: its settings and, when a WeChat template is configured
/// for it, how many messages are left.
pub struct PurposeView {
    pub pref: ReminderPref,
    pub wechat_left: Option<i32>,
}

/// Everything `/me/reminders` shows.
pub struct Overview {
    pub purposes: Vec<PurposeView>,
    pub quiet: Option<QuietHours>,
    pub recent: Vec<LogLine>,
    pub has_email: bool,
}

pub fn overview(conn: &mut DbConn, templates: &[(String, String)], user: i64) -> AppResult<Overview> {
    let left = wechat::remaining_by_purpose(conn, templates, user)?;
    let purposes = settings::preferences(conn, user)?
        .into_iter()
        .map(|pref| PurposeView {
            wechat_left: left.iter().find(|(p, _, _)| p == pref.purpose.as_str()).map(|(_, _, n)| *n),
            pref,
        })
        .collect();
    Ok(Overview {
        purposes,
        quiet: prefs::quiet_hours(conn, user)?,
        recent: queries::recent(conn, user, 10)?,
        has_email: crate::notify::queries::user_email(conn, user)?.is_some(),
    })
}

/// Saves the settings and quiet hours together: both or neither.
pub fn save(conn: &mut DbConn, user: i64, list: &[ReminderPref], quiet: Option<QuietHours>) -> AppResult<()> {
    write_tx(conn, |conn| {
        settings::save(conn, user, list)?;
        prefs::save_quiet_hours(conn, user, quiet)
    })
}

/// The user's reminder settings, quiet hours and reminders sent, for the data export.
pub fn export_user(conn: &mut DbConn, user: i64) -> AppResult<serde_json::Value> {
    let mut data = settings::export_user(conn, user)?;
    data["sent"] = queries::all_of(conn, user)?
        .into_iter()
        .map(|l| {
            serde_json::json!({
                "purpose": l.purpose, "title": l.title, "starts_at": l.starts_at,
                "outcome": l.outcome, "note": l.note, "decided_at": l.created_at,
            })
        })
        .collect();
    Ok(data)
}

/// Removes the user's reminder settings, quiet hours and reminder log (closing the account).
pub fn forget_user(conn: &mut DbConn, user: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        settings::forget_user(conn, user)?;
        queries::delete_of(conn, user)?;
        Ok(())
    })
}

/// How the page names an outcome.
pub fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "sent" => "已发送",
        "quiet" => "免打扰，已跳过",
        "no_grant" => "微信次数用完，已跳过",
        _ => "已处理",
    }
}
