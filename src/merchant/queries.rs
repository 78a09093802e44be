use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Application, Coupon, NewApplication, NewCoupon};
use crate::db::DbConn;
use crate::db::schema::{coupons, merchant_applications, order_items, orders, product_skus, products, shops, users};
use crate::db::sealed::Sealed;
use crate::mall::models::{Order, Sku};

pub fn latest_application(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<Application>> {
    merchant_applications::table
        .filter(merchant_applications::user_id.eq(user_id))
        .order(merchant_applications::id.desc())
        .select(Application::as_select())
        .first(conn)
        .optional()
}

pub fn insert_application(
    conn: &mut DbConn,
    user_id: i64,
    a: &NewApplication,
    phone: &Sealed,
    licence: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(merchant_applications::table)
        .values((
            merchant_applications::user_id.eq(user_id),
            merchant_applications::shop_name.eq(&a.shop_name),
            merchant_applications::contact_name.eq(&a.contact_name),
            merchant_applications::contact_phone.eq(phone),
            merchant_applications::location.eq(&a.location),
            merchant_applications::category.eq(&a.category),
            merchant_applications::licence_image.eq(licence),
            merchant_applications::status.eq("pending"),
            merchant_applications::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn applications(conn: &mut DbConn, status: &str) -> QueryResult<Vec<(Application, String)>> {
    merchant_applications::table
        .inner_join(users::table.on(users::id.eq(merchant_applications::user_id)))
        .filter(merchant_applications::status.eq(status))
        .order(merchant_applications::id.asc())
        .limit(200)
        .select((Application::as_select(), users::nickname))
        .load(conn)
}

pub fn application(conn: &mut DbConn, id: i64) -> QueryResult<Option<Application>> {
    merchant_applications::table.find(id).select(Application::as_select()).first(conn).optional()
}

/// Decides a pending application; 1 row means this reviewer decided it.
pub fn decide(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    reason: Option<&str>,
    reviewer: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        merchant_applications::table
            .filter(merchant_applications::id.eq(id))
            .filter(merchant_applications::status.eq("pending")),
    )
    .set((
        merchant_applications::status.eq(status),
        merchant_applications::reject_reason.eq(reason),
        merchant_applications::reviewed_by.eq(reviewer),
        merchant_applications::reviewed_at.eq(now),
    ))
    .execute(conn)
}

pub fn all_shops(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String, String)>> {
    shops::table
        .inner_join(users::table.on(users::id.eq(shops::owner_id)))
        .order(shops::id.asc())
        .select((shops::id, shops::name, shops::status, users::nickname))
        .load(conn)
}

pub fn set_shop_status(conn: &mut DbConn, shop_id: i64, status: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(shops::table.find(shop_id)).set((shops::status.eq(status), shops::updated_at.eq(now))).execute(conn)
}

/// A product row as the merchant's list shows it.
#[derive(Debug, Queryable)]
pub struct ProductRow {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
    pub sales: i64,
    pub status: String,
    pub low_stock_threshold: i64,
}

pub fn shop_products(
    conn: &mut DbConn,
    shop_id: i64,
    q: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ProductRow>> {
    let mut query = products::table
        .filter(products::shop_id.eq(shop_id))
        .order(products::id.desc())
        .limit(limit)
        .offset(offset)
        .select((
            products::id,
            products::name,
            products::price_cents,
            products::sales,
            products::status,
            products::low_stock_threshold,
        ))
        .into_boxed();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(products::name.like(pattern).escape('\\'));
    }
    if let Some(s) = status {
        query = query.filter(products::status.eq(s.to_string()));
    }
    query.load(conn)
}

pub fn skus_of(conn: &mut DbConn, product_ids: &[i64]) -> QueryResult<Vec<Sku>> {
    product_skus::table
        .filter(product_skus::product_id.eq_any(product_ids.to_vec()))
        .order((product_skus::product_id, product_skus::sort_order, product_skus::id))
        .select(Sku::as_select())
        .load(conn)
}

/// The shop a product belongs to (for ownership checks).
pub fn product_shop(conn: &mut DbConn, product_id: i64) -> QueryResult<Option<i64>> {
    products::table.find(product_id).select(products::shop_id).first(conn).optional()
}

pub fn sku_owner(conn: &mut DbConn, sku_id: i64) -> QueryResult<Option<(i64, i64, i64)>> {
    product_skus::table
        .inner_join(products::table)
        .filter(product_skus::id.eq(sku_id))
        .select((products::shop_id, products::id, product_skus::stock))
        .first(conn)
        .optional()
}

/// Sets a SKU's stock to `stock` only if it still holds `expected` (no lost update).
pub fn set_stock(conn: &mut DbConn, sku_id: i64, expected: i64, stock: i64) -> QueryResult<usize> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)).filter(product_skus::stock.eq(expected)))
        .set(product_skus::stock.eq(stock))
        .execute(conn)
}

pub fn shop_orders(
    conn: &mut DbConn,
    shop_id: i64,
    statuses: Option<&[&str]>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Order>> {
    let mut q = orders::table
        .filter(orders::shop_id.eq(shop_id))
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Order::as_select())
        .into_boxed();
    if let Some(st) = statuses {
        q = q.filter(orders::status.eq_any(st.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    }
    q.load(conn)
}

/// Paid orders of a shop since `since`: (paid_at, pay_cents) for sales figures.
pub fn paid_since(
    conn: &mut DbConn,
    shop_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, i64, i64)>> {
    orders::table
        .filter(orders::shop_id.eq(shop_id))
        .filter(orders::paid_at.ge(since))
        .filter(orders::status.ne("cancelled"))
        .select((orders::paid_at.assume_not_null(), orders::pay_cents, orders::refunded_cents))
        .load(conn)
}

pub fn status_counts(conn: &mut DbConn, shop_id: i64) -> QueryResult<Vec<(String, i64)>> {
    orders::table
        .filter(orders::shop_id.eq(shop_id))
        .group_by(orders::status)
        .select((orders::status, diesel::dsl::count_star()))
        .load(conn)
}

pub fn low_stock(conn: &mut DbConn, shop_id: i64) -> QueryResult<Vec<(i64, String, String, i64)>> {
    product_skus::table
        .inner_join(products::table)
        .filter(products::shop_id.eq(shop_id))
        .filter(products::status.eq("on"))
        .filter(product_skus::stock.le(products::low_stock_threshold))
        .order(product_skus::stock.asc())
        .limit(20)
        .select((products::id, products::name, product_skus::name, product_skus::stock))
        .load(conn)
}

pub fn order_item_count(conn: &mut DbConn, order_id: i64) -> QueryResult<i64> {
    order_items::table.filter(order_items::order_id.eq(order_id)).count().get_result(conn)
}

pub fn insert_coupon(conn: &mut DbConn, shop_id: i64, c: &NewCoupon, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(coupons::table)
        .values((
            coupons::shop_id.eq(shop_id),
            coupons::title.eq(&c.title),
            coupons::kind.eq(&c.kind),
            coupons::threshold_cents.eq(c.threshold_cents),
            coupons::amount_cents.eq(c.amount_cents),
            coupons::percent_off.eq(c.percent_off),
            coupons::starts_at.eq(c.starts_at),
            coupons::ends_at.eq(c.ends_at),
            coupons::total.eq(c.total),
            coupons::per_user_limit.eq(c.per_user_limit),
            coupons::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn shop_coupons(conn: &mut DbConn, shop_id: i64) -> QueryResult<Vec<Coupon>> {
    coupons::table.filter(coupons::shop_id.eq(shop_id)).order(coupons::id.desc()).select(Coupon::as_select()).load(conn)
}

pub fn product_category(conn: &mut DbConn, product_id: i64) -> QueryResult<i64> {
    products::table.find(product_id).select(products::category_id).first(conn)
}

pub fn product_description(conn: &mut DbConn, product_id: i64) -> QueryResult<String> {
    products::table.find(product_id).select(products::description).first(conn)
}

pub fn product_by_name(conn: &mut DbConn, shop_id: i64, name: &str) -> QueryResult<Option<i64>> {
    products::table
        .filter(products::shop_id.eq(shop_id))
        .filter(products::name.eq(name))
        .select(products::id)
        .first(conn)
        .optional()
}

pub fn set_price_and_stock(conn: &mut DbConn, sku_id: i64, price: i64, stock: i64) -> QueryResult<usize> {
    diesel::update(product_skus::table.find(sku_id))
        .set((product_skus::price_cents.eq(price), product_skus::stock.eq(stock)))
        .execute(conn)
}

/// The listed price is the lowest option price.
pub fn refresh_listed_price(conn: &mut DbConn, product_id: i64) -> QueryResult<usize> {
    let min: Option<i64> = product_skus::table
        .filter(product_skus::product_id.eq(product_id))
        .select(diesel::dsl::min(product_skus::price_cents))
        .first(conn)?;
    diesel::update(products::table.find(product_id))
        .set((products::price_cents.eq(min.unwrap_or(0)), products::updated_at.eq(crate::db::now())))
        .execute(conn)
}

/// The editable fields of one product: (name, category, description, images JSON, original price).
pub fn product_fields(conn: &mut DbConn, product_id: i64) -> QueryResult<(String, i64, String, String, Option<i64>)> {
    products::table
        .find(product_id)
        .select((
            products::name,
            products::category_id,
            products::description,
            products::images,
            products::original_price_cents,
        ))
        .first(conn)
}

pub fn update_product(
    conn: &mut DbConn,
    product_id: i64,
    name: &str,
    category_id: i64,
    description: &str,
    images: &str,
    original: Option<i64>,
) -> QueryResult<usize> {
    diesel::update(products::table.find(product_id))
        .set((
            products::name.eq(name),
            products::category_id.eq(category_id),
            products::description.eq(description),
            products::images.eq(images),
            products::original_price_cents.eq(original),
            products::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)
}

pub fn set_sku_price(conn: &mut DbConn, sku_id: i64, product_id: i64, price: i64) -> QueryResult<usize> {
    diesel::update(
        product_skus::table.filter(product_skus::id.eq(sku_id)).filter(product_skus::product_id.eq(product_id)),
    )
    .set(product_skus::price_cents.eq(price))
    .execute(conn)
}
