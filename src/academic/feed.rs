//! The timetable as an iCalendar feed a phone calendar subscribes to: one VEVENT per actual
//! class meeting of the current semester (every week of its week rule), in Asia/Shanghai time.
//! The URL carries a private per-user token; only its hash is stored, and generating a new
//! one replaces it, so the old URL stops working.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{queries, service};
use crate::db::schema::calendar_feeds;
use crate::db::{self, DbConn, write_tx};
use crate::error::AppResult;
use crate::web::{random_token, token_hash};

/// A new feed token for `user_id`; the previous one no longer works.
pub fn regenerate_token(conn: &mut DbConn, user_id: i64) -> AppResult<String> {
    let token = random_token(24);
    let hash = token_hash(&token);
    write_tx(conn, |conn| {
        diesel::delete(calendar_feeds::table.find(user_id)).execute(conn)?;
        diesel::insert_into(calendar_feeds::table)
            .values((
                calendar_feeds::user_id.eq(user_id),
                calendar_feeds::token_hash.eq(&hash),
                calendar_feeds::created_at.eq(db::now()),
            ))
            .execute(conn)?;
        Ok::<_, crate::error::AppError>(())
    })?;
    Ok(token)
}

/// The user a feed token belongs to.
pub fn user_of_token(conn: &mut DbConn, token: &str) -> AppResult<Option<i64>> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash(token)))
        .select(calendar_feeds::user_id)
        .first(conn)
        .optional()?)
}

/// The feed of user `user_id`: the current semester's meetings of their class (an empty
/// calendar without a linked record or a semester).
pub fn ics(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> AppResult<String> {
    let mut out = String::new();
    let mut line = |s: &str| fold(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//campus//academic timetable//ZH");
    line("CALSCALE:GREGORIAN");
    line("X-WR-CALNAME:课表");
    line("X-WR-TIMEZONE:Asia/Shanghai");
    // China keeps UTC+8 all year.
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(l);
    }
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let student = service::student_of(conn, user_id)?;
    let semester = queries::semester_on(conn, service::today(now))?;
    if let (Some(student), Some(semester)) = (student, semester) {
        let periods = queries::periods(conn)?;
        for m in queries::meetings_of_class(conn, semester.id, &student.class_name)? {
            let (Some(from), Some(to)) = (
                periods.iter().find(|p| p.number == m.start).map(|p| p.starts_at),
                periods.iter().find(|p| p.number == m.end).map(|p| p.ends_at),
            ) else {
                continue;
            };
            for week in super::weeks::WeekSet::from_mask(m.week_mask).weeks().filter(|w| *w <= semester.weeks) {
                let day = semester.monday_of(week) + chrono::Days::new(u64::try_from(m.day - 1).unwrap_or(0));
                // Wall-clock times with TZID: the bell schedule is campus time.
                let local = |t: chrono::NaiveTime| Some(day.and_time(t).format("%Y%m%dT%H%M%S").to_string());
                let (Some(start), Some(end)) = (local(from), local(to)) else { continue };
                line("BEGIN:VEVENT");
                line(&format!("UID:{}-w{week}@campus", m.schedule_id));
                line(&format!("DTSTAMP:{stamp}"));
                line(&format!("DTSTART;TZID=Asia/Shanghai:{start}"));
                line(&format!("DTEND;TZID=Asia/Shanghai:{end}"));
                line(&format!("SUMMARY:{}", escape(&m.course_name)));
                if let Some(room) = &m.room {
                    line(&format!("LOCATION:{}", escape(room)));
                }
                let teacher = m.teacher.clone().unwrap_or_else(|| "待定".into());
                line(&format!(
                    "DESCRIPTION:{}",
                    escape(&format!("第{week}周 第{}-{}节\n教师：{teacher}", m.start, m.end))
                ));
                line("END:VEVENT");
            }
        }
    }
    line("END:VCALENDAR");
    Ok(out)
}

/// RFC 5545 text escaping.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// Appends one content line, folded at 75 octets without splitting a character.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}
