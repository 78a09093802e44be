//! Diesel queries of the cart.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{cart_items, product_skus, products, shops};
use crate::mall::models::CartLine;

pub fn cart_lines(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<CartLine>> {
    cart_items::table
        .inner_join(product_skus::table.inner_join(products::table.inner_join(shops::table)))
        .filter(cart_items::user_id.eq(user_id))
        .order((shops::id.asc(), cart_items::id.asc()))
        .select((
            cart_items::id,
            cart_items::quantity,
            product_skus::id,
            product_skus::name,
            product_skus::price_cents,
            product_skus::stock,
            products::id,
            products::name,
            products::images,
            products::status,
            shops::id,
            shops::name,
            shops::status,
        ))
        .load(conn)
}

pub fn cart_count(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    cart_items::table.filter(cart_items::user_id.eq(user_id)).count().get_result(conn)
}

pub fn cart_item_quantity(conn: &mut DbConn, user_id: i64, sku_id: i64) -> QueryResult<Option<(i64, i64)>> {
    cart_items::table
        .filter(cart_items::user_id.eq(user_id))
        .filter(cart_items::sku_id.eq(sku_id))
        .select((cart_items::id, cart_items::quantity))
        .first(conn)
        .optional()
}

pub fn cart_item_sku(conn: &mut DbConn, user_id: i64, item_id: i64) -> QueryResult<Option<i64>> {
    cart_items::table
        .filter(cart_items::id.eq(item_id))
        .filter(cart_items::user_id.eq(user_id))
        .select(cart_items::sku_id)
        .first(conn)
        .optional()
}

pub fn insert_cart_item(
    conn: &mut DbConn,
    user_id: i64,
    sku_id: i64,
    quantity: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(cart_items::table)
        .values((
            cart_items::user_id.eq(user_id),
            cart_items::sku_id.eq(sku_id),
            cart_items::quantity.eq(quantity),
            cart_items::created_at.eq(now),
            cart_items::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_cart_quantity(
    conn: &mut DbConn,
    user_id: i64,
    item_id: i64,
    quantity: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(cart_items::table.filter(cart_items::id.eq(item_id)).filter(cart_items::user_id.eq(user_id)))
        .set((cart_items::quantity.eq(quantity), cart_items::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete_cart_item(conn: &mut DbConn, user_id: i64, item_id: i64) -> QueryResult<usize> {
    diesel::delete(cart_items::table.filter(cart_items::id.eq(item_id)).filter(cart_items::user_id.eq(user_id)))
        .execute(conn)
}

pub fn delete_cart_items(conn: &mut DbConn, user_id: i64, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(
        cart_items::table.filter(cart_items::user_id.eq(user_id)).filter(cart_items::id.eq_any(ids.to_vec())),
    )
    .execute(conn)
}
