use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{ChatMessage, Item, NewItem, ON, Thread};
use crate::db::DbConn;
use crate::db::schema::{chat_messages, chat_threads, second_hand_items, second_hand_reports, users};
use crate::on_backend;

pub fn list(
    conn: &mut DbConn,
    q: &str,
    condition: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(Item, String)>> {
    let mut query = second_hand_items::table
        .inner_join(users::table)
        .filter(second_hand_items::status.eq(ON))
        .filter(second_hand_items::expires_at.gt(crate::db::now()))
        .order((second_hand_items::created_at.desc(), second_hand_items::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((Item::as_select(), users::nickname))
        .into_boxed();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(
            second_hand_items::title
                .like(pattern.clone())
                .escape('\\')
                .or(second_hand_items::description.like(pattern).escape('\\')),
        );
    }
    if let Some(c) = condition {
        query = query.filter(second_hand_items::condition.eq(c.to_string()));
    }
    query.load(conn)
}

pub fn of_seller(conn: &mut DbConn, seller_id: i64) -> QueryResult<Vec<Item>> {
    second_hand_items::table
        .filter(second_hand_items::seller_id.eq(seller_id))
        .order(second_hand_items::id.desc())
        .select(Item::as_select())
        .load(conn)
}

pub fn item(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Item, String)>> {
    second_hand_items::table
        .inner_join(users::table)
        .filter(second_hand_items::id.eq(id))
        .select((Item::as_select(), users::nickname))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, seller_id: i64, item: &NewItem, images: &str, now: NaiveDateTime) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(second_hand_items::table)
        .values((
            second_hand_items::seller_id.eq(seller_id),
            second_hand_items::title.eq(&item.title),
            second_hand_items::description.eq(&item.description),
            second_hand_items::price_cents.eq(item.price_cents),
            second_hand_items::condition.eq(item.condition.as_str()),
            second_hand_items::images.eq(images),
            second_hand_items::pickup_place.eq(&item.pickup_place),
            second_hand_items::status.eq(ON),
            second_hand_items::category.eq(item.category.as_str()),
            second_hand_items::reserve_hours.eq(item.reserve_hours),
            second_hand_items::expires_at.eq(now + chrono::TimeDelta::days(super::models::LIFETIME_DAYS)),
            second_hand_items::created_at.eq(now),
            second_hand_items::updated_at.eq(now),
        ))
        .returning(second_hand_items::id)
        .get_result(c))
}

/// Moves an item from one of `from` to `to`; 1 row means it moved.
pub fn set_status(conn: &mut DbConn, id: i64, from: &[&str], to: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        second_hand_items::table
            .filter(second_hand_items::id.eq(id))
            .filter(second_hand_items::status.eq_any(from.iter().map(|s| s.to_string()).collect::<Vec<_>>())),
    )
    .set((second_hand_items::status.eq(to), second_hand_items::updated_at.eq(now)))
    .execute(conn)
}

/// Records a report unless this reporter already made one (the unique index decides, so two
/// at once still make one); 0 rows means it was there.
pub fn insert_report(
    conn: &mut DbConn,
    item_id: i64,
    reporter: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    on_backend!(conn, |c| diesel::insert_into(second_hand_reports::table)
        .values((
            second_hand_reports::item_id.eq(item_id),
            second_hand_reports::reporter_id.eq(reporter),
            second_hand_reports::reason.eq(reason),
            second_hand_reports::created_at.eq(now),
        ))
        .on_conflict((second_hand_reports::item_id, second_hand_reports::reporter_id))
        .do_nothing()
        .execute(c))
}

/// Counts one more report; returns the new count.
pub fn bump_reports(conn: &mut DbConn, item_id: i64) -> QueryResult<i32> {
    on_backend!(conn, |c| diesel::update(second_hand_items::table.filter(second_hand_items::id.eq(item_id)))
        .set(second_hand_items::report_count.eq(second_hand_items::report_count + 1))
        .returning(second_hand_items::report_count)
        .get_result(c))
}

pub fn reported(conn: &mut DbConn) -> QueryResult<Vec<(Item, String)>> {
    second_hand_items::table
        .inner_join(users::table)
        .filter(second_hand_items::report_count.gt(0))
        .filter(second_hand_items::status.ne(super::models::REMOVED))
        .order((second_hand_items::report_count.desc(), second_hand_items::id.desc()))
        .limit(100)
        .select((Item::as_select(), users::nickname))
        .load(conn)
}

pub fn reasons(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<String>> {
    second_hand_reports::table
        .filter(second_hand_reports::item_id.eq(item_id))
        .order(second_hand_reports::id)
        .select(second_hand_reports::reason)
        .load(conn)
}

pub fn thread_of(conn: &mut DbConn, item_id: i64, buyer_id: i64) -> QueryResult<Option<i64>> {
    chat_threads::table
        .filter(chat_threads::item_id.eq(item_id))
        .filter(chat_threads::buyer_id.eq(buyer_id))
        .select(chat_threads::id)
        .first(conn)
        .optional()
}

/// Opens the buyer's thread about an item, or nothing when it exists (the unique index on item
/// and buyer decides); then [`thread_of`] finds it either way.
pub fn insert_thread(
    conn: &mut DbConn,
    item_id: i64,
    buyer_id: i64,
    seller_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    on_backend!(conn, |c| diesel::insert_into(chat_threads::table)
        .values((
            chat_threads::item_id.eq(item_id),
            chat_threads::buyer_id.eq(buyer_id),
            chat_threads::seller_id.eq(seller_id),
            chat_threads::created_at.eq(now),
            chat_threads::updated_at.eq(now),
        ))
        .on_conflict((chat_threads::item_id, chat_threads::buyer_id))
        .do_nothing()
        .execute(c))
}

pub fn thread(conn: &mut DbConn, id: i64) -> QueryResult<Option<Thread>> {
    chat_threads::table.find(id).select(Thread::as_select()).first(conn).optional()
}

pub fn messages(conn: &mut DbConn, thread_id: i64) -> QueryResult<Vec<ChatMessage>> {
    chat_messages::table
        .filter(chat_messages::thread_id.eq(thread_id))
        .order(chat_messages::id.asc())
        .limit(500)
        .select(ChatMessage::as_select())
        .load(conn)
}

pub fn insert_message(
    conn: &mut DbConn,
    thread_id: i64,
    sender: i64,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(chat_threads::table.filter(chat_threads::id.eq(thread_id)))
        .set(chat_threads::updated_at.eq(now))
        .execute(conn)?;
    diesel::insert_into(chat_messages::table)
        .values((
            chat_messages::thread_id.eq(thread_id),
            chat_messages::sender_id.eq(sender),
            chat_messages::body.eq(body),
            chat_messages::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn clear_reports(conn: &mut DbConn, item_id: i64) -> QueryResult<usize> {
    diesel::update(second_hand_items::table.filter(second_hand_items::id.eq(item_id)))
        .set(second_hand_items::report_count.eq(0))
        .execute(conn)
}
