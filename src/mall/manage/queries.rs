//! Diesel queries of catalog management: writing shops, products, SKUs, categories, banners and
//! pickup points, and the admin's lists of them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{banners, pickup_points, product_categories, product_skus, products, shops};
use crate::mall::models::{PRODUCT_ON, SHOP_OPEN};
use crate::on_backend;

pub fn insert_shop(
    conn: &mut DbConn,
    owner_id: i64,
    name: &str,
    description: &str,
    location: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(shops::table)
        .values((
            shops::owner_id.eq(owner_id),
            shops::name.eq(name),
            shops::description.eq(description),
            shops::location.eq(location),
            shops::status.eq(SHOP_OPEN),
            shops::created_at.eq(now),
            shops::updated_at.eq(now),
        ))
        .returning(shops::id)
        .get_result(c))
}

pub fn shop_of_owner(conn: &mut DbConn, owner_id: i64) -> QueryResult<Option<i64>> {
    shops::table.filter(shops::owner_id.eq(owner_id)).select(shops::id).first(conn).optional()
}

pub fn insert_category(
    conn: &mut DbConn,
    parent_id: Option<i64>,
    name: &str,
    sort_order: i32,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    crate::db::refdata::changed(conn, crate::db::refdata::Kind::Categories)?;
    on_backend!(conn, |c| diesel::insert_into(product_categories::table)
        .values((
            product_categories::parent_id.eq(parent_id),
            product_categories::name.eq(name),
            product_categories::sort_order.eq(sort_order),
            product_categories::created_at.eq(now),
        ))
        .returning(product_categories::id)
        .get_result(c))
}

pub struct NewProduct<'a> {
    pub shop_id: i64,
    pub category_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub images: &'a str,
    pub price_cents: i64,
    pub original_price_cents: Option<i64>,
    pub sales: i64,
    pub now: NaiveDateTime,
}

pub fn insert_product(conn: &mut DbConn, p: &NewProduct) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(products::table)
        .values((
            products::shop_id.eq(p.shop_id),
            products::category_id.eq(p.category_id),
            products::name.eq(p.name),
            products::description.eq(p.description),
            products::images.eq(p.images),
            products::price_cents.eq(p.price_cents),
            products::original_price_cents.eq(p.original_price_cents),
            products::sales.eq(p.sales),
            products::status.eq(PRODUCT_ON),
            products::created_at.eq(p.now),
            products::updated_at.eq(p.now),
        ))
        .returning(products::id)
        .get_result(c))
}

pub fn insert_sku(
    conn: &mut DbConn,
    product_id: i64,
    name: &str,
    price_cents: i64,
    stock: i64,
    sort_order: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(product_skus::table)
        .values((
            product_skus::product_id.eq(product_id),
            product_skus::name.eq(name),
            product_skus::price_cents.eq(price_cents),
            product_skus::stock.eq(stock),
            product_skus::sort_order.eq(sort_order),
            product_skus::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_product_status(conn: &mut DbConn, product_id: i64, status: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(products::table.filter(products::id.eq(product_id)))
        .set((products::status.eq(status), products::updated_at.eq(now)))
        .execute(conn)
}

pub fn insert_pickup_point(conn: &mut DbConn, name: &str, address: &str) -> QueryResult<usize> {
    diesel::insert_into(pickup_points::table)
        .values((pickup_points::name.eq(name), pickup_points::address.eq(address), pickup_points::active.eq(true)))
        .execute(conn)
}

pub fn insert_banner(
    conn: &mut DbConn,
    title: &str,
    image: &str,
    link: &str,
    sort_order: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(banners::table)
        .values((
            banners::title.eq(title),
            banners::image.eq(image),
            banners::link.eq(link),
            banners::sort_order.eq(sort_order),
            banners::active.eq(true),
            banners::created_at.eq(now),
        ))
        .execute(conn)
}

/// A banner as the admin editor lists it: (id, title, image, link, order, active).
pub type BannerRow = (i64, String, String, String, i32, bool);

pub fn all_banners(conn: &mut DbConn) -> QueryResult<Vec<BannerRow>> {
    banners::table
        .order((banners::sort_order.asc(), banners::id.asc()))
        .select((banners::id, banners::title, banners::image, banners::link, banners::sort_order, banners::active))
        .load(conn)
}

pub fn set_banner_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<usize> {
    diesel::update(banners::table.find(id)).set(banners::active.eq(active)).execute(conn)
}

pub fn rename_category(conn: &mut DbConn, id: i64, name: &str, sort_order: i32) -> QueryResult<usize> {
    crate::db::refdata::changed(conn, crate::db::refdata::Kind::Categories)?;
    diesel::update(product_categories::table.find(id))
        .set((product_categories::name.eq(name), product_categories::sort_order.eq(sort_order)))
        .execute(conn)
}

/// Products by name or id across every shop (admin takedown): (id, name, shop, status).
pub fn find_products(conn: &mut DbConn, q: &str, limit: i64) -> QueryResult<Vec<(i64, String, String, String)>> {
    let mut query = products::table
        .inner_join(shops::table)
        .order(products::id.desc())
        .limit(limit)
        .select((products::id, products::name, shops::name, products::status))
        .into_boxed();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(products::name.like(pattern).escape('\\'));
        if let Ok(id) = q.parse::<i64>() {
            query = query.or_filter(products::id.eq(id));
        }
    }
    query.load(conn)
}

pub fn all_pickup_points(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String, bool)>> {
    pickup_points::table
        .order(pickup_points::id)
        .select((pickup_points::id, pickup_points::name, pickup_points::address, pickup_points::active))
        .load(conn)
}

pub fn set_pickup_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<usize> {
    diesel::update(pickup_points::table.find(id)).set(pickup_points::active.eq(active)).execute(conn)
}
