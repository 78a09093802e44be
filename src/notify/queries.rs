use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Message, OutboxEmail};
use crate::db::DbConn;
use crate::db::schema::{email_outbox, messages, users};
use crate::on_backend;

pub fn insert_message(
    conn: &mut DbConn,
    user_id: i64,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(messages::table)
        .values((
            messages::user_id.eq(user_id),
            messages::kind.eq(kind),
            messages::title.eq(title),
            messages::body.eq(body),
            messages::link.eq(link),
            messages::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn unread_count(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    messages::table.filter(messages::user_id.eq(user_id)).filter(messages::read_at.is_null()).count().get_result(conn)
}

pub fn count_messages(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    messages::table.filter(messages::user_id.eq(user_id)).count().get_result(conn)
}

pub fn list_messages(conn: &mut DbConn, user_id: i64, limit: i64, offset: i64) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::user_id.eq(user_id))
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Message::as_select())
        .load(conn)
}

pub fn message_of(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::id.eq(id))
        .filter(messages::user_id.eq(user_id))
        .select(Message::as_select())
        .first(conn)
        .optional()
}

pub fn mark_read(conn: &mut DbConn, user_id: i64, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::id.eq(id))
            .filter(messages::user_id.eq(user_id))
            .filter(messages::read_at.is_null()),
    )
    .set(messages::read_at.eq(Some(now)))
    .execute(conn)
}

pub fn mark_all_read(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(messages::table.filter(messages::user_id.eq(user_id)).filter(messages::read_at.is_null()))
        .set(messages::read_at.eq(Some(now)))
        .execute(conn)
}

pub fn user_email(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<String>> {
    users::table.find(user_id).select(users::email).first(conn).optional().map(Option::flatten)
}

pub fn insert_outbox(
    conn: &mut DbConn,
    user_id: Option<i64>,
    to: &str,
    subject: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::user_id.eq(user_id),
            email_outbox::to_addr.eq(to),
            email_outbox::subject.eq(subject),
            email_outbox::body_text.eq(body),
            email_outbox::status.eq("queued"),
            email_outbox::created_at.eq(now),
        ))
        .returning(email_outbox::id)
        .get_result(c))
}

/// Marks an outbox email as carrying a secret (its body is blanked once sent).
pub fn mark_scrub(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(email_outbox::table.find(id)).set(email_outbox::scrub_after_send.eq(true)).execute(conn)
}

/// Blanks the body of a sent secret-carrying email.
pub fn scrub_body(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(email_outbox::table.find(id).filter(email_outbox::scrub_after_send.eq(true)))
        .set(email_outbox::body_text.eq("（一次性验证码邮件：已发送，正文不保留）"))
        .execute(conn)
}

pub fn outbox_email(conn: &mut DbConn, id: i64) -> QueryResult<Option<OutboxEmail>> {
    email_outbox::table.find(id).select(OutboxEmail::as_select()).first(conn).optional()
}

pub fn set_outbox_status(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    error: Option<&str>,
    sent_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(email_outbox::table.find(id))
        .set((email_outbox::status.eq(status), email_outbox::last_error.eq(error), email_outbox::sent_at.eq(sent_at)))
        .execute(conn)
}

/// Every kind of message the user has, with how many of each there are and how many unread.
pub fn kind_counts(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(String, i64, i64)>> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::BigInt;
    messages::table
        .filter(messages::user_id.eq(user_id))
        .group_by(messages::kind)
        .select((messages::kind, count_star(), sql::<BigInt>("COUNT(CASE WHEN read_at IS NULL THEN 1 END)")))
        .load(conn)
}

pub fn count_messages_of(conn: &mut DbConn, user_id: i64, kinds: &[String]) -> QueryResult<i64> {
    messages::table.filter(messages::user_id.eq(user_id)).filter(messages::kind.eq_any(kinds)).count().get_result(conn)
}

pub fn list_messages_of(
    conn: &mut DbConn,
    user_id: i64,
    kinds: &[String],
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::user_id.eq(user_id))
        .filter(messages::kind.eq_any(kinds))
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Message::as_select())
        .load(conn)
}

pub fn mark_read_of(conn: &mut DbConn, user_id: i64, kinds: &[String], now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::user_id.eq(user_id))
            .filter(messages::kind.eq_any(kinds))
            .filter(messages::read_at.is_null()),
    )
    .set(messages::read_at.eq(Some(now)))
    .execute(conn)
}

/// All of a user's messages, oldest first (the data export).
pub fn all_messages(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Message>> {
    messages::table.filter(messages::user_id.eq(user_id)).order(messages::id).select(Message::as_select()).load(conn)
}
