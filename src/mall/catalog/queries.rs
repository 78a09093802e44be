//! Diesel queries of the catalog. Every query that a shopper sees filters on product status and
//! shop status, so a product taken off the shelf or a suspended shop disappears everywhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{banners, product_categories, product_skus, products, shops};
use crate::mall::models::{Category, PRODUCT_ON, Product, ProductCard, SHOP_OPEN, Sku};

/// How a product list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Sales,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl Sort {
    pub fn parse(s: Option<&str>) -> Sort {
        match s {
            Some("price_asc") => Sort::PriceAsc,
            Some("price_desc") => Sort::PriceDesc,
            Some("newest") => Sort::Newest,
            _ => Sort::Sales,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Sales => "sales",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Newest => "newest",
        }
    }
}

pub type CardColumns = (
    products::id,
    products::name,
    products::images,
    products::price_cents,
    products::original_price_cents,
    products::sales,
);

pub const CARD: CardColumns = (
    products::id,
    products::name,
    products::images,
    products::price_cents,
    products::original_price_cents,
    products::sales,
);

/// Every category in its order, kept in process (`db::refdata`).
pub fn categories(conn: &mut DbConn) -> QueryResult<Vec<Category>> {
    let all = crate::db::refdata::cached(conn, crate::db::refdata::Kind::Categories, "all", |c| {
        product_categories::table
            .order((product_categories::sort_order.asc(), product_categories::id.asc()))
            .select(Category::as_select())
            .load(c)
    })?;
    Ok(all.as_ref().clone())
}

pub fn banners(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String, String)>> {
    banners::table
        .filter(banners::active.eq(true))
        .order((banners::sort_order.asc(), banners::id.asc()))
        .select((banners::id, banners::title, banners::image, banners::link))
        .load(conn)
}

/// Products on sale in open shops, in `category_ids` when given, ordered by `sort`, after the
/// keyset `cursor` (the sort value and id of the last card already shown).
pub fn product_cards(
    conn: &mut DbConn,
    category_ids: Option<&[i64]>,
    sort: Sort,
    cursor: Option<(i64, i64)>,
    limit: i64,
) -> QueryResult<Vec<ProductCard>> {
    let mut q = products::table
        .inner_join(shops::table)
        .filter(products::status.eq(PRODUCT_ON))
        .filter(shops::status.eq(SHOP_OPEN))
        .select(CARD)
        .limit(limit)
        .into_boxed();
    if let Some(ids) = category_ids {
        q = q.filter(products::category_id.eq_any(ids.to_vec()));
    }
    q = match (sort, cursor) {
        (Sort::Sales, Some((v, id))) => {
            q.filter(products::sales.le(v)).filter(products::sales.lt(v).or(products::id.lt(id)))
        }
        (Sort::PriceAsc, Some((v, id))) => {
            q.filter(products::price_cents.ge(v)).filter(products::price_cents.gt(v).or(products::id.gt(id)))
        }
        (Sort::PriceDesc, Some((v, id))) => {
            q.filter(products::price_cents.le(v)).filter(products::price_cents.lt(v).or(products::id.lt(id)))
        }
        (Sort::Newest, Some((_, id))) => q.filter(products::id.lt(id)),
        (_, None) => q,
    };
    q = match sort {
        Sort::Sales => q.order((products::sales.desc(), products::id.desc())),
        Sort::PriceAsc => q.order((products::price_cents.asc(), products::id.asc())),
        Sort::PriceDesc => q.order((products::price_cents.desc(), products::id.desc())),
        Sort::Newest => q.order(products::id.desc()),
    };
    q.load(conn)
}

pub fn product(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Product, String, String, String)>> {
    products::table
        .inner_join(shops::table)
        .inner_join(product_categories::table)
        .filter(products::id.eq(id))
        .select((Product::as_select(), shops::name, shops::status, product_categories::name))
        .first(conn)
        .optional()
}

pub fn skus(conn: &mut DbConn, product_id: i64) -> QueryResult<Vec<Sku>> {
    product_skus::table
        .filter(product_skus::product_id.eq(product_id))
        .order((product_skus::sort_order.asc(), product_skus::id.asc()))
        .select(Sku::as_select())
        .load(conn)
}

/// A SKU with what decides whether it can be bought: `(sku, product status, shop status)`.
pub fn sku_for_sale(conn: &mut DbConn, sku_id: i64) -> QueryResult<Option<(Sku, String, String)>> {
    product_skus::table
        .inner_join(products::table.inner_join(shops::table))
        .filter(product_skus::id.eq(sku_id))
        .select((Sku::as_select(), products::status, shops::status))
        .first(conn)
        .optional()
}

/// Takes `quantity` from a SKU's stock if that much is there; 1 row means reserved.
pub fn reserve_stock(conn: &mut DbConn, sku_id: i64, quantity: i64) -> QueryResult<usize> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)).filter(product_skus::stock.ge(quantity)))
        .set(product_skus::stock.eq(product_skus::stock - quantity))
        .execute(conn)
}

pub fn release_stock(conn: &mut DbConn, sku_id: i64, quantity: i64) -> QueryResult<usize> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)))
        .set(product_skus::stock.eq(product_skus::stock + quantity))
        .execute(conn)
}

pub fn add_sales(conn: &mut DbConn, sku_id: i64, product_id: i64, quantity: i64) -> QueryResult<()> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)))
        .set(product_skus::sales.eq(product_skus::sales + quantity))
        .execute(conn)?;
    diesel::update(products::table.filter(products::id.eq(product_id)))
        .set(products::sales.eq(products::sales + quantity))
        .execute(conn)?;
    Ok(())
}

pub fn shop_name(conn: &mut DbConn, shop_id: i64) -> QueryResult<String> {
    shops::table.find(shop_id).select(shops::name).first(conn)
}

pub fn shop_owner(conn: &mut DbConn, shop_id: i64) -> QueryResult<i64> {
    shops::table.find(shop_id).select(shops::owner_id).first(conn)
}

/// One line of a SKU's stock history (reason: sale, cancel, refund, manual).
pub fn log_stock(
    conn: &mut DbConn,
    sku_id: i64,
    product_id: i64,
    actor: Option<i64>,
    delta: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(crate::db::schema::stock_logs::table)
        .values((
            crate::db::schema::stock_logs::sku_id.eq(sku_id),
            crate::db::schema::stock_logs::product_id.eq(product_id),
            crate::db::schema::stock_logs::actor_id.eq(actor),
            crate::db::schema::stock_logs::delta.eq(delta),
            crate::db::schema::stock_logs::reason.eq(reason),
            crate::db::schema::stock_logs::created_at.eq(now),
        ))
        .execute(conn)
}
