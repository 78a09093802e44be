//! The rules of browsing: the home page's data, category pages and the product page, plus the
//! low-stock warning sent when a sale or an edit takes a SKU under its threshold.

use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::mall::models::{Category, CategoryNode, PRODUCT_ON, ProductCard, ProductDetail, SHOP_OPEN};
use crate::notify::{self, MessageKind};

use super::queries;
pub use super::queries::Sort;

pub const PAGE_SIZE: i64 = 20;

pub struct Home {
    pub banners: Vec<(i64, String, String, String)>,
    pub categories: Vec<CategoryNode>,
    pub hot: Vec<ProductCard>,
    pub newest: Vec<ProductCard>,
}

pub fn category_tree(conn: &mut DbConn) -> AppResult<Vec<CategoryNode>> {
    let all = queries::categories(conn)?;
    let mut roots: Vec<CategoryNode> = all
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(|c| CategoryNode { category: c.clone(), children: Vec::new() })
        .collect();
    for c in all.iter().filter(|c| c.parent_id.is_some()) {
        if let Some(root) = roots.iter_mut().find(|r| Some(r.category.id) == c.parent_id) {
            root.children.push(c.clone());
        }
    }
    Ok(roots)
}

pub fn home(conn: &mut DbConn) -> AppResult<Home> {
    Ok(Home {
        banners: queries::banners(conn)?,
        categories: category_tree(conn)?,
        hot: queries::product_cards(conn, None, Sort::Sales, None, 6)?,
        newest: queries::product_cards(conn, None, Sort::Newest, None, 6)?,
    })
}

/// A keyset cursor: the sort value and id of the last card shown, as `value_id`.
pub fn parse_cursor(raw: Option<&str>) -> Option<(i64, i64)> {
    let (v, id) = raw?.split_once('_')?;
    Some((v.parse().ok()?, id.parse().ok()?))
}

pub fn cursor_of(card: &ProductCard, sort: Sort) -> String {
    let v = match sort {
        Sort::Sales => card.sales,
        Sort::PriceAsc | Sort::PriceDesc => card.price_cents,
        Sort::Newest => 0,
    };
    format!("{v}_{}", card.id)
}

pub struct CategoryPage {
    pub category: Category,
    pub parent: Option<Category>,
    pub children: Vec<Category>,
    pub cards: Vec<ProductCard>,
    pub next_cursor: Option<String>,
}

/// A category's products (its own and its children's), one page after `cursor`.
pub fn category_page(conn: &mut DbConn, id: i64, sort: Sort, cursor: Option<(i64, i64)>) -> AppResult<CategoryPage> {
    let all = queries::categories(conn)?;
    let category = all.iter().find(|c| c.id == id).cloned().ok_or(AppError::NotFound)?;
    let children: Vec<Category> = all.iter().filter(|c| c.parent_id == Some(id)).cloned().collect();
    let parent = category.parent_id.and_then(|p| all.iter().find(|c| c.id == p).cloned());
    let mut ids = vec![id];
    ids.extend(children.iter().map(|c| c.id));
    let cards = queries::product_cards(conn, Some(&ids), sort, cursor, PAGE_SIZE)?;
    let next_cursor = if cards.len() as i64 == PAGE_SIZE { cards.last().map(|c| cursor_of(c, sort)) } else { None };
    Ok(CategoryPage { category, parent, children, cards, next_cursor })
}

/// The ids of a category and its children, for filters; unknown ids are an input error.
pub fn category_and_children(conn: &mut DbConn, id: i64) -> AppResult<Vec<i64>> {
    let all = queries::categories(conn)?;
    if !all.iter().any(|c| c.id == id) {
        return Err(AppError::invalid("没有这个分类"));
    }
    let mut ids = vec![id];
    ids.extend(all.iter().filter(|c| c.parent_id == Some(id)).map(|c| c.id));
    Ok(ids)
}

/// The product page; a product off the shelf or of a suspended shop is not found.
pub fn product_detail(conn: &mut DbConn, id: i64) -> AppResult<ProductDetail> {
    let (product, shop_name, shop_status, category_name) = queries::product(conn, id)?.ok_or(AppError::NotFound)?;
    let on_sale = product.status == PRODUCT_ON && shop_status == SHOP_OPEN;
    if !on_sale {
        return Err(AppError::NotFound);
    }
    let skus = queries::skus(conn, id)?;
    Ok(ProductDetail { product, skus, shop_name, category_name, on_sale })
}

/// Tells the merchant once, when a SKU's stock falls to or below its product's threshold.
pub fn stock_dropped(conn: &mut DbConn, sku_id: i64, before: i64, after: i64) -> AppResult<()> {
    use crate::db::schema::{product_skus, products, shops};
    use diesel::prelude::*;
    let (threshold, name, sku_name, owner): (i64, String, String, i64) = product_skus::table
        .inner_join(products::table.inner_join(shops::table))
        .filter(product_skus::id.eq(sku_id))
        .select((products::low_stock_threshold, products::name, product_skus::name, shops::owner_id))
        .first(conn)?;
    if before > threshold && after <= threshold {
        let what = if sku_name.is_empty() { name } else { format!("{name}（{sku_name}）") };
        notify::send(
            conn,
            owner,
            MessageKind::ShopOrder,
            "库存预警",
            &format!("「{what}」库存只剩 {after} 件，请及时补货。"),
            Some("/merchant/products"),
        )?;
    }
    Ok(())
}
