//! The `jobs` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Job;
use crate::db::DbConn;
use crate::db::schema::jobs;

pub fn insert_job(
    conn: &mut DbConn,
    kind: &str,
    payload: &str,
    run_at: NaiveDateTime,
    max_attempts: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(kind),
            jobs::payload.eq(payload),
            jobs::status.eq("pending"),
            jobs::run_at.eq(run_at),
            max_attempts.map(|n| jobs::max_attempts.eq(n)),
            jobs::created_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The id of the next due job nobody holds.
pub fn next_due_job(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<i64>> {
    jobs::table
        .filter(jobs::status.eq("pending"))
        .filter(jobs::run_at.le(now))
        .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(now)))
        .order((jobs::run_at.asc(), jobs::id.asc()))
        .select(jobs::id)
        .first(conn)
        .optional()
}

/// Takes a job for `lease`; 1 row means this runner holds it (another instance may race us).
pub fn lock_job(conn: &mut DbConn, id: i64, now: NaiveDateTime, until: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq("pending"))
            .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(now))),
    )
    .set((jobs::locked_until.eq(until), jobs::attempts.eq(jobs::attempts + 1), jobs::updated_at.eq(now)))
    .execute(conn)
}

pub fn job(conn: &mut DbConn, id: i64) -> QueryResult<Job> {
    jobs::table.find(id).select(Job::as_select()).first(conn)
}

/// Extends a lease still held by the claim that set `attempts` (the fence: each claim adds one).
pub fn renew_job(
    conn: &mut DbConn,
    id: i64,
    attempts: i32,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::attempts.eq(attempts))
            .filter(jobs::status.eq("pending"))
            .filter(jobs::locked_until.is_not_null()),
    )
    .set((jobs::locked_until.eq(until), jobs::updated_at.eq(now)))
    .execute(conn)
}

pub fn finish_job(conn: &mut DbConn, id: i64, attempts: i32, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::attempts.eq(attempts))
            .filter(jobs::status.eq("pending"))
            .filter(jobs::locked_until.is_not_null()),
    )
    .set((
        jobs::status.eq("done"),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::last_error.eq(None::<String>),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn retry_job(
    conn: &mut DbConn,
    id: i64,
    attempts: i32,
    status: &str,
    error: &str,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::attempts.eq(attempts))
            .filter(jobs::status.eq("pending"))
            .filter(jobs::locked_until.is_not_null()),
    )
    .set((
        jobs::status.eq(status),
        jobs::last_error.eq(error),
        jobs::run_at.eq(run_at),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Pending jobs whose time has come and that no runner holds.
pub fn count_due(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<i64> {
    jobs::table
        .filter(jobs::status.eq("pending"))
        .filter(jobs::run_at.le(now))
        .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(now)))
        .count()
        .get_result(conn)
}

pub fn count_jobs(conn: &mut DbConn, status: &str) -> QueryResult<i64> {
    jobs::table.filter(jobs::status.eq(status)).count().get_result(conn)
}

/// Whether a job of `kind` waits to run: queued and not held by a runner right now.
pub fn kind_waiting(conn: &mut DbConn, kind: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::status.eq("pending"))
            .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(now))),
    ))
    .get_result(conn)
}
