use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{audit_log, email_outbox, orders, sensitive_words, user_roles, users};

pub struct Stats {
    pub users: i64,
    pub new_users_7d: i64,
    pub banned: i64,
    pub jobs_pending: i64,
    pub jobs_failed: i64,
    pub emails_queued: i64,
    pub orders: i64,
    pub gmv_cents: i64,
}

pub fn stats(conn: &mut DbConn, jobs_pending: i64, jobs_failed: i64, week_ago: NaiveDateTime) -> QueryResult<Stats> {
    let paid: Vec<(i64, i64)> = orders::table
        .filter(orders::paid_at.is_not_null())
        .select((orders::pay_cents, orders::refunded_cents))
        .load(conn)?;
    Ok(Stats {
        users: users::table.count().get_result(conn)?,
        new_users_7d: users::table.filter(users::created_at.ge(week_ago)).count().get_result(conn)?,
        banned: users::table.filter(users::status.eq("banned")).count().get_result(conn)?,
        jobs_pending,
        jobs_failed,
        emails_queued: email_outbox::table.filter(email_outbox::status.eq("queued")).count().get_result(conn)?,
        orders: orders::table.count().get_result(conn)?,
        gmv_cents: paid.iter().map(|(p, r)| p - r).sum(),
    })
}

pub fn registrations_since(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<Vec<NaiveDateTime>> {
    users::table.filter(users::created_at.ge(since)).select(users::created_at).load(conn)
}

/// A user row for the admin list.
#[derive(Debug, Queryable)]
pub struct UserRow {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub student_no: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
}

pub fn users(conn: &mut DbConn, q: &str, limit: i64, offset: i64) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .order(users::id.desc())
        .limit(limit)
        .offset(offset)
        .select((users::id, users::nickname, users::email, users::student_no, users::status, users::created_at))
        .into_boxed();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(
            users::nickname
                .like(pattern.clone())
                .escape('\\')
                .or(users::email.like(pattern.clone()).escape('\\'))
                .or(users::student_no.like(pattern).escape('\\')),
        );
        if let Ok(id) = q.parse::<i64>() {
            query = query.or_filter(users::id.eq(id));
        }
    }
    query.load(conn)
}

pub fn roles_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    user_roles::table
        .filter(user_roles::user_id.eq_any(ids.to_vec()))
        .select((user_roles::user_id, user_roles::role))
        .load(conn)
}

pub fn replace_roles(conn: &mut DbConn, user_id: i64, roles: &[&str]) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    for r in roles {
        diesel::insert_into(user_roles::table)
            .values((user_roles::user_id.eq(user_id), user_roles::role.eq(*r)))
            .execute(conn)?;
    }
    // Signed-in pages key what they know of a user by this.
    diesel::update(users::table.find(user_id)).set(users::updated_at.eq(crate::db::now())).execute(conn)?;
    Ok(())
}

pub fn set_status(conn: &mut DbConn, user_id: i64, status: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set((users::status.eq(status), users::updated_at.eq(now))).execute(conn)
}

pub fn words(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String)>> {
    sensitive_words::table
        .order(sensitive_words::id.desc())
        .select((sensitive_words::id, sensitive_words::word, sensitive_words::action))
        .load(conn)
}

pub fn word(conn: &mut DbConn, id: i64) -> QueryResult<Option<String>> {
    sensitive_words::table.find(id).select(sensitive_words::word).first(conn).optional()
}

pub fn delete_word(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(sensitive_words::table.find(id)).execute(conn)
}

/// One page of the audit log, newest first, filtered by action prefix and actor nickname.
pub fn audit(
    conn: &mut DbConn,
    action: &str,
    actor: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<crate::audit::AuditEntry>> {
    let mut q = audit_log::table
        .left_join(users::table)
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(crate::audit::entry_columns())
        .into_boxed();
    if !action.is_empty() {
        q = q.filter(audit_log::action.like(format!("{}%", action.replace('%', ""))));
    }
    if !actor.is_empty() {
        q = q.filter(users::nickname.eq(actor.to_string()));
    }
    q.load(conn)
}
