//! Diesel queries of refunds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{orders, refunds};
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

/// Moves a refund from `from` to `to`; 1 row means this caller moved it.
pub fn move_refund(
    conn: &mut DbConn,
    id: i64,
    from: &str,
    to: &str,
    reject_reason: Option<&str>,
    provider_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(refunds::table.filter(refunds::id.eq(id)).filter(refunds::status.eq(from)))
        .set((
            refunds::status.eq(to),
            refunds::reject_reason.eq(reject_reason),
            refunds::provider_refund_id.eq(provider_id),
            refunds::updated_at.eq(now),
        ))
        .execute(conn)
}
