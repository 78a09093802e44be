use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Feedback, Reply};
use crate::db::DbConn;
use crate::db::schema::{feedback, feedback_replies, users};
use crate::on_backend;

pub fn insert(
    conn: &mut DbConn,
    user_id: i64,
    category: &str,
    body: &str,
    images: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(feedback::table)
        .values((
            feedback::user_id.eq(user_id),
            feedback::category.eq(category),
            feedback::body.eq(body),
            feedback::images.eq(images),
            feedback::status.eq(super::models::OPEN),
            feedback::created_at.eq(now),
            feedback::updated_at.eq(now),
        ))
        .returning(feedback::id)
        .get_result(c))
}

pub fn of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Feedback>> {
    feedback::table
        .filter(feedback::user_id.eq(user_id))
        .order((feedback::created_at.desc(), feedback::id.desc()))
        .select(Feedback::as_select())
        .load(conn)
}

pub fn one(conn: &mut DbConn, id: i64) -> QueryResult<Option<Feedback>> {
    feedback::table.find(id).select(Feedback::as_select()).first(conn).optional()
}

/// For the admins: open ones first, then the most recently active, with the sender's name.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(Feedback, String)>> {
    let mut rows: Vec<(Feedback, String)> = feedback::table
        .inner_join(users::table)
        .order((feedback::updated_at.desc(), feedback::id.desc()))
        .limit(300)
        .select((Feedback::as_select(), users::nickname))
        .load(conn)?;
    rows.sort_by_key(|(f, _)| f.status != super::models::OPEN);
    Ok(rows)
}

pub fn replies(conn: &mut DbConn, feedback_id: i64) -> QueryResult<Vec<Reply>> {
    feedback_replies::table
        .filter(feedback_replies::feedback_id.eq(feedback_id))
        .order(feedback_replies::id)
        .select(Reply::as_select())
        .load(conn)
}

pub fn insert_reply(
    conn: &mut DbConn,
    feedback_id: i64,
    author: i64,
    staff: bool,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(feedback_replies::table)
        .values((
            feedback_replies::feedback_id.eq(feedback_id),
            feedback_replies::author_id.eq(author),
            feedback_replies::staff.eq(staff),
            feedback_replies::body.eq(body),
            feedback_replies::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_status(conn: &mut DbConn, id: i64, status: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(feedback::table.find(id))
        .set((feedback::status.eq(status), feedback::updated_at.eq(now)))
        .execute(conn)
}

pub fn count_open(conn: &mut DbConn) -> QueryResult<i64> {
    feedback::table.filter(feedback::status.eq(super::models::OPEN)).count().get_result(conn)
}

/// The sender of the feedback that holds screenshot `url_path`, if any.
pub fn sender_of_image(conn: &mut DbConn, url_path: &str) -> QueryResult<Option<i64>> {
    feedback::table
        .filter(feedback::images.like(format!("%\"{url_path}\"%")))
        .select(feedback::user_id)
        .first(conn)
        .optional()
}
