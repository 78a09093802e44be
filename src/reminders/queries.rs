//! The `reminder_log` table: one row per reminder decided, unique per (user, occurrence).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::reminder_log as rl;

/// A reminder as the page lists it.
#[derive(Queryable, Debug, Clone)]
pub struct LogLine {
    pub purpose: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub outcome: String,
    pub note: String,
    pub created_at: NaiveDateTime,
}

/// Claims `occurrence` for `user`: 1 when this caller inserted the row (and so decides and
/// sends the reminder), 0 when someone already had. `ON CONFLICT DO NOTHING` rather than a
/// caught unique violation: on PostgreSQL a violation would abort the whole transaction.
pub fn claim(
    conn: &mut DbConn,
    user_id: i64,
    purpose: &str,
    occurrence: &str,
    title: &str,
    starts_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::on_backend!(conn, |c| diesel::insert_into(rl::table)
        .values((
            rl::user_id.eq(user_id),
            rl::purpose.eq(purpose),
            rl::occurrence.eq(occurrence),
            rl::title.eq(title),
            rl::starts_at.eq(starts_at),
            rl::outcome.eq("sent"),
            rl::note.eq(""),
            rl::created_at.eq(now),
        ))
        .on_conflict((rl::user_id, rl::occurrence))
        .do_nothing()
        .execute(c))
}

/// Records what became of a claimed reminder.
pub fn set_outcome(conn: &mut DbConn, user_id: i64, occurrence: &str, outcome: &str, note: &str) -> QueryResult<usize> {
    diesel::update(rl::table.filter(rl::user_id.eq(user_id)).filter(rl::occurrence.eq(occurrence)))
        .set((rl::outcome.eq(outcome), rl::note.eq(note)))
        .execute(conn)
}

/// The user's latest reminders, newest first.
pub fn recent(conn: &mut DbConn, user_id: i64, limit: i64) -> QueryResult<Vec<LogLine>> {
    rl::table
        .filter(rl::user_id.eq(user_id))
        .order((rl::created_at.desc(), rl::id.desc()))
        .limit(limit)
        .select((rl::purpose, rl::title, rl::starts_at, rl::outcome, rl::note, rl::created_at))
        .load(conn)
}

pub fn all_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<LogLine>> {
    rl::table
        .filter(rl::user_id.eq(user_id))
        .order(rl::id)
        .select((rl::purpose, rl::title, rl::starts_at, rl::outcome, rl::note, rl::created_at))
        .load(conn)
}

pub fn delete_of(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(rl::table.filter(rl::user_id.eq(user_id))).execute(conn)
}
