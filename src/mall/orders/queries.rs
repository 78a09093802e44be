//! Diesel queries of orders: status moves and their events, reading orders, and payments.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{order_events, order_items, orders, payments, shops};
use crate::mall::models::{Order, OrderEvent, OrderItem};

pub fn insert_event(
    conn: &mut DbConn,
    order_id: i64,
    from: Option<&str>,
    to: &str,
    actor: Option<i64>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::order_id.eq(order_id),
            order_events::from_status.eq(from),
            order_events::to_status.eq(to),
            order_events::actor_id.eq(actor),
            order_events::note.eq(note),
            order_events::created_at.eq(now),
        ))
        .execute(conn)
}

/// Moves an order from `from` to `to` only if it is still in `from`; 1 row means it moved.
pub fn move_status(conn: &mut DbConn, order_id: i64, from: &str, to: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::status.eq(from)))
        .set((orders::status.eq(to), orders::updated_at.eq(now)))
        .execute(conn)
}

pub fn stamp(conn: &mut DbConn, order_id: i64, what: &str, now: NaiveDateTime) -> QueryResult<usize> {
    let target = orders::table.filter(orders::id.eq(order_id));
    match what {
        "paid" => diesel::update(target).set(orders::paid_at.eq(now)).execute(conn),
        "shipped" => diesel::update(target).set(orders::shipped_at.eq(now)).execute(conn),
        "completed" => diesel::update(target).set(orders::completed_at.eq(now)).execute(conn),
        "cancelled" => diesel::update(target).set(orders::cancelled_at.eq(now)).execute(conn),
        _ => Ok(0),
    }
}

pub fn set_shipping(
    conn: &mut DbConn,
    order_id: i64,
    courier: Option<&str>,
    tracking: Option<&str>,
    pickup_code: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id)))
        .set((orders::courier.eq(courier), orders::tracking_no.eq(tracking), orders::pickup_code.eq(pickup_code)))
        .execute(conn)
}

pub fn order_by_no(conn: &mut DbConn, order_no: &str) -> QueryResult<Option<Order>> {
    orders::table.filter(orders::order_no.eq(order_no)).select(Order::as_select()).first(conn).optional()
}

pub fn order_by_id(conn: &mut DbConn, id: i64) -> QueryResult<Order> {
    orders::table.find(id).select(Order::as_select()).first(conn)
}

pub fn orders_of_user(
    conn: &mut DbConn,
    user_id: i64,
    statuses: Option<&[&str]>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(Order, String)>> {
    let mut q = orders::table
        .inner_join(shops::table)
        .filter(orders::user_id.eq(user_id))
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((Order::as_select(), shops::name))
        .into_boxed();
    if let Some(st) = statuses {
        q = q.filter(orders::status.eq_any(st.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    }
    q.load(conn)
}

pub fn items_of(conn: &mut DbConn, order_ids: &[i64]) -> QueryResult<Vec<OrderItem>> {
    order_items::table
        .filter(order_items::order_id.eq_any(order_ids.to_vec()))
        .order(order_items::id)
        .select(OrderItem::as_select())
        .load(conn)
}

pub fn events_of(conn: &mut DbConn, order_id: i64) -> QueryResult<Vec<OrderEvent>> {
    order_events::table
        .filter(order_events::order_id.eq(order_id))
        .order(order_events::id.asc())
        .select(OrderEvent::as_select())
        .load(conn)
}

pub fn insert_payment(
    conn: &mut DbConn,
    order_id: i64,
    provider: &str,
    amount: i64,
    transaction_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(payments::table)
        .values((
            payments::order_id.eq(order_id),
            payments::provider.eq(provider),
            payments::amount_cents.eq(amount),
            payments::status.eq("paid"),
            payments::transaction_id.eq(transaction_id),
            payments::paid_at.eq(now),
            payments::created_at.eq(now),
            payments::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn payment_provider(conn: &mut DbConn, order_id: i64) -> QueryResult<Option<(String, Option<String>)>> {
    payments::table
        .filter(payments::order_id.eq(order_id))
        .filter(payments::status.eq("paid"))
        .select((payments::provider, payments::transaction_id))
        .first(conn)
        .optional()
}

/// Clears the personal fields of a deleted account's orders; the orders stay for the accounts.
pub fn forget_buyer(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::user_id.eq(user_id)))
        .set((
            orders::receiver_name.eq("已注销用户"),
            orders::receiver_phone.eq(""),
            orders::address.eq(""),
            orders::remark.eq(""),
            orders::updated_at.eq(now),
        ))
        .execute(conn)
}
