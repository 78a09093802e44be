//! Grades since the last visit: the grades page marks grades that are new or changed since the
//! student last opened it (a changed one shows old → new), then remembers what she saw. The
//! record is one small row per student (`grades_seen`: "semester:course" → total, as JSON),
//! rewritten only when something changed, so a visit with nothing new writes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::service::{self, Transcript};
use crate::db::schema::grades_seen;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// How a grade differs from the last visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    New,
    /// The total (tenths) she saw before.
    Changed(i32),
}

pub fn key(semester_id: i64, course_code: &str) -> String {
    format!("{semester_id}:{course_code}")
}

/// The marks of `transcript` against what user `user_id` saw last (`stored`: her
/// `grades_seen` record, read with her student record), then records this visit.
pub fn marks_since_last_visit(
    conn: &mut DbConn,
    user_id: i64,
    stored: Option<String>,
    transcript: &Transcript,
    now: NaiveDateTime,
) -> AppResult<HashMap<String, Mark>> {
    let before: BTreeMap<String, i32> =
        stored.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let now_seen: BTreeMap<String, i32> = transcript
        .semesters
        .iter()
        .flat_map(|s| s.lines.iter().map(|l| (key(l.row.semester_id, &l.row.course_code), l.row.total)))
        .collect();
    let mut marks = HashMap::new();
    for (k, total) in &now_seen {
        match before.get(k) {
            None => {
                marks.insert(k.clone(), Mark::New);
            }
            Some(old) if old != total => {
                marks.insert(k.clone(), Mark::Changed(*old));
            }
            Some(_) => {}
        }
    }
    if stored.is_none() || now_seen != before {
        let json = serde_json::to_string(&now_seen).map_err(AppError::internal)?;
        write_tx(conn, |conn| {
            diesel::delete(grades_seen::table.find(user_id)).execute(conn)?;
            diesel::insert_into(grades_seen::table)
                .values((grades_seen::user_id.eq(user_id), grades_seen::seen.eq(&json), grades_seen::seen_at.eq(now)))
                .execute(conn)?;
            Ok::<_, AppError>(())
        })?;
    }
    Ok(marks)
}

/// A mark in words: `新` or `85 → 90`.
pub fn describe(mark: &Mark, total: i32) -> String {
    match mark {
        Mark::New => "新".into(),
        Mark::Changed(old) => format!("{} → {}", service::tenths(*old), service::tenths(total)),
    }
}
