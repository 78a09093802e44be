//! Diesel queries of refunds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{orders, refunds, shops, users};
use crate::mall::models::Refund;
use crate::on_backend;

pub fn set_refund_from(conn: &mut DbConn, order_id: i64, from: Option<&str>) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id))).set(orders::refund_from.eq(from)).execute(conn)
}

/// Adds `amount` to what was refunded, never past what was paid; 1 row means it fit.
pub fn add_refunded(conn: &mut DbConn, order_id: i64, amount: i64) -> QueryResult<usize> {
    diesel::update(
        orders::table.filter(orders::id.eq(order_id)).filter((orders::refunded_cents + amount).le(orders::pay_cents)),
    )
    .set(orders::refunded_cents.eq(orders::refunded_cents + amount))
    .execute(conn)
}

pub fn refunds_of(conn: &mut DbConn, order_id: i64) -> QueryResult<Vec<Refund>> {
    refunds::table
        .filter(refunds::order_id.eq(order_id))
        .order(refunds::id.asc())
        .select(Refund::as_select())
        .load(conn)
}

pub fn refund_by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<Refund>> {
    refunds::table.find(id).select(Refund::as_select()).first(conn).optional()
}

pub fn insert_refund(
    conn: &mut DbConn,
    order_id: i64,
    refund_no: &str,
    amount: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(refunds::table)
        .values((
            refunds::order_id.eq(order_id),
            refunds::refund_no.eq(refund_no),
            refunds::amount_cents.eq(amount),
            refunds::reason.eq(reason),
            refunds::status.eq("pending"),
            refunds::created_at.eq(now),
            refunds::updated_at.eq(now),
        ))
        .returning(refunds::id)
        .get_result(c))
}

/// Moves a refund from one of `from` to `to`; 1 row means this caller moved it.
pub fn move_refund(
    conn: &mut DbConn,
    id: i64,
    from: &[&str],
    to: &str,
    reject_reason: Option<&str>,
    provider_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(refunds::table.filter(refunds::id.eq(id)).filter(refunds::status.eq_any(from)))
        .set((
            refunds::status.eq(to),
            refunds::reject_reason.eq(reject_reason),
            refunds::provider_refund_id.eq(provider_id),
            refunds::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn refund_id_by_no(conn: &mut DbConn, refund_no: &str) -> QueryResult<Option<i64>> {
    refunds::table.filter(refunds::refund_no.eq(refund_no)).select(refunds::id).first(conn).optional()
}

/// Counts one call to the provider and keeps its error (none after a call that went through),
/// while the refund is still being processed.
pub fn record_attempt(conn: &mut DbConn, id: i64, error: Option<&str>, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(refunds::table.filter(refunds::id.eq(id)).filter(refunds::status.eq("processing")))
        .set((refunds::attempts.eq(refunds::attempts + 1), refunds::last_error.eq(error), refunds::updated_at.eq(now)))
        .execute(conn)
}

/// Keeps why a refund stopped (the provider's last error or its status).
pub fn set_last_error(conn: &mut DbConn, id: i64, error: &str) -> QueryResult<usize> {
    diesel::update(refunds::table.find(id)).set(refunds::last_error.eq(error)).execute(conn)
}

/// A refund with its order number, shop name, buyer's nickname, last error and last change.
pub type RefundRow = (Refund, String, String, String, Option<String>, NaiveDateTime);

/// Refunds in one of `statuses`, oldest first, with order number, shop and buyer names.
pub fn refunds_in(conn: &mut DbConn, statuses: &[&str], limit: i64) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .inner_join(orders::table.inner_join(shops::table))
        .inner_join(users::table.on(users::id.eq(orders::user_id)))
        .filter(refunds::status.eq_any(statuses))
        .order((refunds::updated_at.asc(), refunds::id.asc()))
        .limit(limit)
        .select((
            Refund::as_select(),
            orders::order_no,
            shops::name,
            users::nickname,
            refunds::last_error,
            refunds::updated_at,
        ))
        .load(conn)
}
