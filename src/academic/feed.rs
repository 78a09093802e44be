//! The timetable as an iCalendar feed a phone calendar subscribes to: one VEVENT per actual
//! class meeting of the current semester (every week of its week rule), in Asia/Shanghai time.
//! The URL carries a private per-user token; only its hash is stored, and generating a new
//! one replaces it, so the old URL stops working.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::weeks::WeekSet;
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

/// The feed of user `user_id`: the current semester's class meetings (none on a holiday, the
/// followed day's on a make-up day), her own entries, her exams with their seats, the
/// calendar's holidays as all-day events and the activities she registered for (an empty
/// calendar without a linked record or a semester, activities still included).
pub fn ics(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> AppResult<String> {
    let mut out = String::new();
    let mut line = |s: &str| fold(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//campus//academic timetable//ZH");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
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
    let stamp = utc(now);
    let student = service::student_of(conn, user_id)?;
    let cal = service::school_days(conn, service::today(now))?;
    if let Some(cal) = &cal {
        let periods = queries::periods(conn)?;
        let semester = &cal.semester;
        let meetings = match &student {
            Some(student) => queries::meetings_of_class(conn, semester.id, &student.class_name)?,
            None => Vec::new(),
        };
        for m in &meetings {
            let (Some(from), Some(to)) = (
                periods.iter().find(|p| p.number == m.start).map(|p| p.starts_at),
                periods.iter().find(|p| p.number == m.end).map(|p| p.ends_at),
            ) else {
                continue;
            };
            for week in WeekSet::from_mask(m.week_mask).weeks().filter(|w| *w <= semester.weeks) {
                for day in cal.dates_of(week, m.day) {
                    let teacher = m.teacher.clone().unwrap_or_else(|| "待定".into());
                    event(
                        &mut line,
                        &Event {
                            uid: format!("{}-w{week}-{}@campus", m.schedule_id, day.format("%Y%m%d")),
                            stamp: &stamp,
                            start: local(day.and_time(from)),
                            end: local(day.and_time(to)),
                            summary: &m.course_name,
                            location: m.room.as_deref(),
                            description: &format!("第{week}周 第{}-{}节\n教师：{teacher}", m.start, m.end),
                        },
                    );
                }
            }
        }
        for e in super::entries::of_user(conn, user_id, semester.id)? {
            let Some((from, to)) = e.clock(&periods) else { continue };
            for week in WeekSet::from_mask(e.week_mask).weeks().filter(|w| *w <= semester.weeks) {
                for day in cal.dates_of(week, e.day) {
                    event(
                        &mut line,
                        &Event {
                            uid: format!("entry-{}-w{week}-{}@campus", e.id, day.format("%Y%m%d")),
                            stamp: &stamp,
                            start: local(day.and_time(from)),
                            end: local(day.and_time(to)),
                            summary: &e.title,
                            location: Some(e.place.as_str()).filter(|p| !p.is_empty()),
                            description: &format!("我的日程 · 第{week}周"),
                        },
                    );
                }
            }
        }
        for h in cal.events.iter().filter(|e| e.kind == "holiday") {
            line("BEGIN:VEVENT");
            line(&format!("UID:holiday-{}-{}@campus", semester.id, h.starts_on.format("%Y%m%d")));
            line(&format!("DTSTAMP:{stamp}"));
            line(&format!("DTSTART;VALUE=DATE:{}", h.starts_on.format("%Y%m%d")));
            line(&format!("DTEND;VALUE=DATE:{}", (h.ends_on + chrono::Days::new(1)).format("%Y%m%d")));
            line(&format!("SUMMARY:{}", escape(&format!("{}（放假）", h.title))));
            line("TRANSP:TRANSPARENT");
            line("END:VEVENT");
        }
    }
    if let Some(student) = &student {
        for (i, x) in queries::upcoming_exams(conn, &student.student_no, now)?.iter().enumerate() {
            event(
                &mut line,
                &Event {
                    uid: format!("exam-{}-{i}-{}@campus", student.student_no, utc(x.starts_at)),
                    stamp: &stamp,
                    start: format!(":{}", utc(x.starts_at)),
                    end: format!(":{}", utc(x.ends_at)),
                    summary: &format!("考试：{}", x.course_name),
                    location: Some(x.room.as_str()),
                    description: &format!("考场 {} · 座位号 {}", x.room, x.seat),
                },
            );
        }
    }
    for (r, a) in crate::activity::service::mine(conn, user_id, false)? {
        event(
            &mut line,
            &Event {
                uid: format!("activity-{}@campus", r.id),
                stamp: &stamp,
                start: format!(":{}", utc(a.starts_at)),
                end: format!(":{}", utc(a.ends_at)),
                summary: &a.title,
                location: Some(a.place.as_str()),
                description: &format!("{} · {}", r.status_label(), a.host),
            },
        );
    }
    line("END:VCALENDAR");
    Ok(out)
}

fn utc(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A campus wall-clock time as a property value with its TZID.
fn local(t: NaiveDateTime) -> String {
    format!(";TZID=Asia/Shanghai:{}", t.format("%Y%m%dT%H%M%S"))
}

struct Event<'a> {
    uid: String,
    stamp: &'a str,
    /// The value after the property name: `;TZID=...:...` or `:...Z`.
    start: String,
    end: String,
    summary: &'a str,
    location: Option<&'a str>,
    /// Plain text; line breaks and separators are escaped here.
    description: &'a str,
}

fn event(line: &mut impl FnMut(&str), e: &Event) {
    line("BEGIN:VEVENT");
    line(&format!("UID:{}", e.uid));
    line(&format!("DTSTAMP:{}", e.stamp));
    line(&format!("DTSTART{}", e.start));
    line(&format!("DTEND{}", e.end));
    line(&format!("SUMMARY:{}", escape(e.summary)));
    if let Some(l) = e.location {
        line(&format!("LOCATION:{}", escape(l)));
    }
    line(&format!("DESCRIPTION:{}", escape(e.description)));
    line("END:VEVENT");
}

/// RFC 5545 TEXT (§3.3.11): backslash, `;` and `,` escaped; a line break of any kind (CRLF, a
/// bare CR or LF, NEL, U+2028/2029) becomes `\n`; every other control character, which TEXT
/// may not hold (only HTAB may stay), is dropped. A value can then never end its content line
/// early and start a property or a component of its own.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
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
