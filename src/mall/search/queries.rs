//! Diesel queries of product search: which hits are visible, their cards, and the products the
//! index must catch up on.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{products, shops};
use crate::mall::catalog::queries::CARD;
use crate::mall::models::{IndexRow, PRODUCT_ON, ProductCard, SHOP_OPEN};

/// Which of the given ids (search hits) are on sale and pass the filters, with their sort keys:
/// `(id, price, sales)`. Light on purpose; the page's cards are loaded afterwards.
pub fn visible_hits(
    conn: &mut DbConn,
    ids: &[i64],
    min: Option<i64>,
    max: Option<i64>,
    category_ids: Option<&[i64]>,
) -> QueryResult<Vec<(i64, i64, i64)>> {
    let mut q = products::table
        .inner_join(shops::table)
        .filter(products::id.eq_any(ids.to_vec()))
        .filter(products::status.eq(PRODUCT_ON))
        .filter(shops::status.eq(SHOP_OPEN))
        .select((products::id, products::price_cents, products::sales))
        .into_boxed();
    if let Some(min) = min {
        q = q.filter(products::price_cents.ge(min));
    }
    if let Some(max) = max {
        q = q.filter(products::price_cents.le(max));
    }
    if let Some(cats) = category_ids {
        q = q.filter(products::category_id.eq_any(cats.to_vec()));
    }
    q.load(conn)
}

/// Cards with descriptions for those of the given ids still on sale, in no particular order.
pub fn visible_cards_with_description(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(ProductCard, String)>> {
    products::table
        .inner_join(shops::table)
        .filter(products::id.eq_any(ids.to_vec()))
        .filter(products::status.eq(PRODUCT_ON))
        .filter(shops::status.eq(SHOP_OPEN))
        .select((CARD, products::description))
        .load(conn)
}

/// Products changed at or after `since`, oldest first: what the search index must catch up on.
pub fn changed_products(conn: &mut DbConn, since: Option<NaiveDateTime>, limit: i64) -> QueryResult<Vec<IndexRow>> {
    let mut q = products::table
        .select((products::id, products::name, products::description, products::status, products::updated_at))
        .order((products::updated_at.asc(), products::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(products::updated_at.ge(since));
    }
    q.load(conn)
}

pub fn products_after(conn: &mut DbConn, after_id: i64, limit: i64) -> QueryResult<Vec<IndexRow>> {
    products::table
        .filter(products::id.gt(after_id))
        .select((products::id, products::name, products::description, products::status, products::updated_at))
        .order(products::id.asc())
        .limit(limit)
        .load(conn)
}
