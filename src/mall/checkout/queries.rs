//! Diesel queries of checkout: pickup points, writing orders and their lines, and coupons.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{order_items, orders, pickup_points, shops};
use crate::db::sealed::Sealed;
use crate::mall::models::{CartLine, Order, SHOP_OPEN};
use crate::on_backend;

pub fn pickup_points(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String)>> {
    pickup_points::table
        .filter(pickup_points::active.eq(true))
        .order(pickup_points::id)
        .select((pickup_points::id, pickup_points::name, pickup_points::address))
        .load(conn)
}

pub fn pickup_point(conn: &mut DbConn, id: i64) -> QueryResult<Option<(String, String)>> {
    pickup_points::table
        .filter(pickup_points::id.eq(id))
        .filter(pickup_points::active.eq(true))
        .select((pickup_points::name, pickup_points::address))
        .first(conn)
        .optional()
}

pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub user_id: i64,
    pub shop_id: i64,
    pub total_cents: i64,
    pub delivery_type: &'a str,
    pub pickup_point_id: Option<i64>,
    pub receiver_name: &'a str,
    pub receiver_phone: &'a Sealed,
    pub address: &'a Sealed,
    pub remark: &'a str,
    pub checkout_key: &'a str,
    pub now: NaiveDateTime,
}

pub fn insert_order(conn: &mut DbConn, o: &NewOrder) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(orders::table)
        .values((
            orders::order_no.eq(o.order_no),
            orders::user_id.eq(o.user_id),
            orders::shop_id.eq(o.shop_id),
            orders::status.eq("pending"),
            orders::total_cents.eq(o.total_cents),
            orders::pay_cents.eq(o.total_cents),
            orders::delivery_type.eq(o.delivery_type),
            orders::pickup_point_id.eq(o.pickup_point_id),
            orders::receiver_name.eq(o.receiver_name),
            orders::receiver_phone.eq(o.receiver_phone),
            orders::address.eq(o.address),
            orders::remark.eq(o.remark),
            orders::checkout_key.eq(o.checkout_key),
            orders::created_at.eq(o.now),
            orders::updated_at.eq(o.now),
        ))
        .returning(orders::id)
        .get_result(c))
}

pub fn insert_order_item(conn: &mut DbConn, order_id: i64, line: &CartLine, image: &str) -> QueryResult<usize> {
    diesel::insert_into(order_items::table)
        .values((
            order_items::order_id.eq(order_id),
            order_items::product_id.eq(line.product_id),
            order_items::sku_id.eq(line.sku_id),
            order_items::product_name.eq(&line.product_name),
            order_items::sku_name.eq(&line.sku_name),
            order_items::image.eq(image),
            order_items::price_cents.eq(line.price_cents),
            order_items::quantity.eq(line.quantity),
        ))
        .execute(conn)
}

pub fn orders_by_checkout(conn: &mut DbConn, user_id: i64, key: &str) -> QueryResult<Vec<Order>> {
    orders::table
        .filter(orders::user_id.eq(user_id))
        .filter(orders::checkout_key.eq(key))
        .order(orders::id)
        .select(Order::as_select())
        .load(conn)
}

/// Coupons on offer now: in their window and not all claimed.
pub fn open_coupons(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<(crate::mall::coupon::Coupon, String)>> {
    use crate::db::schema::coupons;
    coupons::table
        .inner_join(shops::table)
        .filter(coupons::starts_at.le(now))
        .filter(coupons::ends_at.gt(now))
        .filter(coupons::claimed.lt(coupons::total))
        .filter(shops::status.eq(SHOP_OPEN))
        .order(coupons::id.desc())
        .limit(100)
        .select((crate::mall::coupon::Coupon::as_select(), shops::name))
        .load(conn)
}

pub fn coupon(conn: &mut DbConn, id: i64) -> QueryResult<Option<crate::mall::coupon::Coupon>> {
    use crate::db::schema::coupons;
    coupons::table.find(id).select(crate::mall::coupon::Coupon::as_select()).first(conn).optional()
}

pub fn claims_of(conn: &mut DbConn, coupon_id: i64, user_id: i64) -> QueryResult<i64> {
    use crate::db::schema::user_coupons;
    user_coupons::table
        .filter(user_coupons::coupon_id.eq(coupon_id))
        .filter(user_coupons::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

/// Takes one coupon from the stack if any is left; 1 row means claimed.
pub fn take_coupon(conn: &mut DbConn, coupon_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::coupons;
    diesel::update(
        coupons::table
            .filter(coupons::id.eq(coupon_id))
            .filter(coupons::claimed.lt(coupons::total))
            .filter(coupons::starts_at.le(now))
            .filter(coupons::ends_at.gt(now)),
    )
    .set(coupons::claimed.eq(coupons::claimed + 1))
    .execute(conn)
}

pub fn insert_user_coupon(conn: &mut DbConn, coupon_id: i64, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::user_coupons;
    diesel::insert_into(user_coupons::table)
        .values((
            user_coupons::coupon_id.eq(coupon_id),
            user_coupons::user_id.eq(user_id),
            user_coupons::status.eq("unused"),
            user_coupons::claimed_at.eq(now),
        ))
        .execute(conn)
}

/// A user's unused coupons still in their window: (user coupon id, coupon, shop name).
pub fn wallet(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, crate::mall::coupon::Coupon, String)>> {
    use crate::db::schema::{coupons, user_coupons};
    user_coupons::table
        .inner_join(coupons::table.inner_join(shops::table))
        .filter(user_coupons::user_id.eq(user_id))
        .filter(user_coupons::status.eq("unused"))
        .filter(coupons::ends_at.gt(now))
        .filter(coupons::starts_at.le(now))
        .order(user_coupons::id)
        .select((user_coupons::id, crate::mall::coupon::Coupon::as_select(), shops::name))
        .load(conn)
}

/// Marks a user's coupon used by an order; 1 row means this order got it (used at most once).
pub fn use_coupon(
    conn: &mut DbConn,
    user_coupon_id: i64,
    user_id: i64,
    order_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use crate::db::schema::user_coupons;
    diesel::update(
        user_coupons::table
            .filter(user_coupons::id.eq(user_coupon_id))
            .filter(user_coupons::user_id.eq(user_id))
            .filter(user_coupons::status.eq("unused")),
    )
    .set((user_coupons::status.eq("used"), user_coupons::order_id.eq(order_id), user_coupons::used_at.eq(now)))
    .execute(conn)
}

/// Gives an order's coupon back (the order was cancelled or fully refunded).
pub fn return_coupon(conn: &mut DbConn, order_id: i64) -> QueryResult<usize> {
    use crate::db::schema::user_coupons;
    diesel::update(
        user_coupons::table.filter(user_coupons::order_id.eq(order_id)).filter(user_coupons::status.eq("used")),
    )
    .set((
        user_coupons::status.eq("unused"),
        user_coupons::order_id.eq(None::<i64>),
        user_coupons::used_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

pub fn apply_discount(conn: &mut DbConn, order_id: i64, discount: i64, user_coupon_id: i64) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id)))
        .set((
            orders::discount_cents.eq(discount),
            orders::pay_cents.eq(orders::total_cents - discount),
            orders::user_coupon_id.eq(user_coupon_id),
        ))
        .execute(conn)
}
