//! Diesel queries of identity verification (`identity_reviews`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::Review;
use crate::db::DbConn;
use crate::db::schema::{identity_reviews, users};
use crate::on_backend;

pub fn insert_review(
    conn: &mut DbConn,
    user_id: i64,
    school_no: &str,
    real_name: &str,
    photo_file: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(identity_reviews::table)
        .values((
            identity_reviews::user_id.eq(user_id),
            identity_reviews::school_no.eq(school_no),
            identity_reviews::real_name.eq(real_name),
            identity_reviews::photo_file.eq(photo_file),
            identity_reviews::status.eq("pending"),
            identity_reviews::created_at.eq(now),
        ))
        .returning(identity_reviews::id)
        .get_result(c))
}

pub fn review(conn: &mut DbConn, id: i64) -> QueryResult<Option<Review>> {
    identity_reviews::table.find(id).select(Review::as_select()).first(conn).optional()
}

pub fn latest_review_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<Review>> {
    identity_reviews::table
        .filter(identity_reviews::user_id.eq(user_id))
        .order((identity_reviews::created_at.desc(), identity_reviews::id.desc()))
        .select(Review::as_select())
        .first(conn)
        .optional()
}

/// Waiting reviews, oldest first, with the applicant's nickname.
pub fn pending_reviews(conn: &mut DbConn) -> QueryResult<Vec<(Review, String)>> {
    identity_reviews::table
        .inner_join(users::table.on(users::id.eq(identity_reviews::user_id)))
        .filter(identity_reviews::status.eq("pending"))
        .order((identity_reviews::created_at.asc(), identity_reviews::id.asc()))
        .select((Review::as_select(), users::nickname))
        .limit(200)
        .load(conn)
}

/// Decides a waiting review; 1 row means this call decided it. The photo reference goes with the
/// decision (the file itself is deleted by the caller).
pub fn decide(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    reason: Option<&str>,
    reviewer: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(identity_reviews::table.find(id).filter(identity_reviews::status.eq("pending")))
        .set((
            identity_reviews::status.eq(status),
            identity_reviews::reason.eq(reason),
            identity_reviews::reviewer_id.eq(reviewer),
            identity_reviews::decided_at.eq(now),
            identity_reviews::photo_file.eq(None::<String>),
        ))
        .execute(conn)
}

pub fn reviews_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Review>> {
    identity_reviews::table
        .filter(identity_reviews::user_id.eq(user_id))
        .order(identity_reviews::id.asc())
        .select(Review::as_select())
        .load(conn)
}

pub fn delete_reviews_of(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(identity_reviews::table.filter(identity_reviews::user_id.eq(user_id))).execute(conn)
}
