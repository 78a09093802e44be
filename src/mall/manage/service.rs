//! The rules of managing the catalog: a product's listed price is its lowest SKU price, a
//! category tree has two levels, a taken-down product's merchant is told why.

use crate::db::sealed::Sealed;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::mall::checkout::queries::NewOrder;
use crate::mall::models::{Category, PRODUCT_ON, SHOP_OPEN, new_order_no};
use crate::mall::{catalog, checkout, orders};
use crate::notify::{self, MessageKind};

use super::queries;
pub use super::queries::BannerRow;

/// One option of a new product: its name (empty for a product without options), price, stock.
#[derive(Clone)]
pub struct SkuSpec {
    pub name: String,
    pub price_cents: i64,
    pub stock: i64,
}

pub struct ProductSpec {
    pub shop_id: i64,
    pub category_id: i64,
    pub name: String,
    pub description: String,
    pub images: Vec<String>,
    pub original_price_cents: Option<i64>,
    pub skus: Vec<SkuSpec>,
}

/// Creates a product with its SKUs; the listed price is the lowest SKU price.
pub fn create_product(conn: &mut DbConn, spec: &ProductSpec, sales: i64) -> AppResult<i64> {
    if spec.skus.is_empty() {
        return Err(AppError::invalid("至少需要一个规格"));
    }
    let price = spec.skus.iter().map(|s| s.price_cents).min().unwrap_or(0);
    let now = db::now();
    let images = serde_json::to_string(&spec.images).map_err(AppError::internal)?;
    let id = queries::insert_product(
        conn,
        &queries::NewProduct {
            shop_id: spec.shop_id,
            category_id: spec.category_id,
            name: &spec.name,
            description: &spec.description,
            images: &images,
            price_cents: price,
            original_price_cents: spec.original_price_cents,
            sales,
            now,
        },
    )?;
    for (i, sku) in spec.skus.iter().enumerate() {
        queries::insert_sku(conn, id, &sku.name, sku.price_cents, sku.stock, i as i32, now)?;
    }
    Ok(id)
}

/// Opens a shop for `owner_id` (or returns the one they have).
pub fn open_shop(conn: &mut DbConn, owner_id: i64, name: &str, description: &str, location: &str) -> AppResult<i64> {
    if let Some(id) = queries::shop_of_owner(conn, owner_id)? {
        return Ok(id);
    }
    Ok(queries::insert_shop(conn, owner_id, name, description, location, db::now())?)
}

pub fn create_category(conn: &mut DbConn, parent_id: Option<i64>, name: &str, sort_order: i32) -> AppResult<i64> {
    Ok(queries::insert_category(conn, parent_id, name, sort_order, db::now())?)
}

pub fn add_pickup_point(conn: &mut DbConn, name: &str, address: &str) -> AppResult<()> {
    queries::insert_pickup_point(conn, name, address)?;
    Ok(())
}

pub fn add_banner(conn: &mut DbConn, title: &str, image: &str, link: &str, sort_order: i32) -> AppResult<()> {
    queries::insert_banner(conn, title, image, link, sort_order, db::now())?;
    Ok(())
}

pub fn set_product_on_sale(conn: &mut DbConn, product_id: i64, on: bool) -> AppResult<()> {
    write_tx(conn, |conn| {
        queries::set_product_status(conn, product_id, if on { PRODUCT_ON } else { "off" }, db::now())?;
        if on {
            // Back on sale after a takedown: its photos are served again.
            if let Some((product, _, _, _)) = catalog::queries::product(conn, product_id)? {
                let photos = crate::mall::models::image_list(&product.images);
                crate::privacy::restore_photos(conn, photos.iter().map(String::as_str))?;
            }
        }
        Ok(())
    })
}

/// The product photos among `photos` that no order's line shows (a buyer's order keeps the
/// picture of what they bought).
fn photos_no_order_shows(conn: &mut DbConn, photos: &[String]) -> AppResult<Vec<String>> {
    use crate::db::schema::order_items;
    use diesel::prelude::*;
    if photos.is_empty() {
        return Ok(Vec::new());
    }
    let shown: Vec<String> =
        order_items::table.filter(order_items::image.eq_any(photos.to_vec())).select(order_items::image).load(conn)?;
    Ok(photos.iter().filter(|p| !shown.contains(p)).cloned().collect())
}

/// Removed means gone: photos a merchant dropped from a product stop being served and leave
/// the store (those an order shows stay).
pub fn let_go_of_product_photos(conn: &mut DbConn, dropped: &[String]) -> AppResult<()> {
    let gone = photos_no_order_shows(conn, dropped)?;
    crate::privacy::discard_photos(conn, gone.iter().map(String::as_str))
}

/// A completed order of `quantity` of a product's first SKU, written directly (bulk demo data
/// for benchmarks; no stock moves). Skips a product that does not exist.
pub fn record_completed_order(
    conn: &mut DbConn,
    user_id: i64,
    shop_id: i64,
    product_id: i64,
    quantity: i64,
) -> AppResult<()> {
    let Some(sku) = catalog::queries::skus(conn, product_id)?.into_iter().next() else {
        return Ok(());
    };
    let Some((product, _, _, _)) = catalog::queries::product(conn, product_id)? else {
        return Ok(());
    };
    let now = db::now();
    let order_no = new_order_no(now);
    let key = format!("bulk-{order_no}");
    let id = checkout::queries::insert_order(
        conn,
        &NewOrder {
            order_no: &order_no,
            user_id,
            shop_id,
            total_cents: sku.price_cents * quantity,
            delivery_type: "pickup",
            pickup_point_id: None,
            receiver_name: "",
            receiver_phone: &Sealed::default(),
            address: &Sealed::default(),
            remark: "",
            checkout_key: &key,
            now,
        },
    )?;
    let line = crate::mall::models::CartLine {
        id: 0,
        quantity,
        sku_id: sku.id,
        sku_name: sku.name.clone(),
        price_cents: sku.price_cents,
        stock: sku.stock,
        product_id,
        product_name: product.name.clone(),
        images: product.images.clone(),
        product_status: product.status.clone(),
        shop_id,
        shop_name: String::new(),
        shop_status: SHOP_OPEN.into(),
    };
    checkout::queries::insert_order_item(conn, id, &line, &line.cover())?;
    orders::queries::move_status(conn, id, "pending", "completed", now)?;
    orders::queries::insert_event(conn, id, None, "completed", None, "演示数据", now)?;
    Ok(())
}

/// The shop a user owns, if any.
pub fn shop_of(conn: &mut DbConn, owner_id: i64) -> AppResult<Option<i64>> {
    Ok(queries::shop_of_owner(conn, owner_id)?)
}

/// Categories a product can be filed under (the second level).
pub fn leaf_categories(conn: &mut DbConn) -> AppResult<Vec<Category>> {
    Ok(catalog::queries::categories(conn)?.into_iter().filter(|c| c.parent_id.is_some()).collect())
}

/// Banners for the admin editor: (id, title, image, link, order, active).
pub fn all_banners(conn: &mut DbConn) -> AppResult<Vec<queries::BannerRow>> {
    Ok(queries::all_banners(conn)?)
}

pub fn set_banner_active(conn: &mut DbConn, id: i64, active: bool) -> AppResult<()> {
    if queries::set_banner_active(conn, id, active)? != 1 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub fn categories(conn: &mut DbConn) -> AppResult<Vec<Category>> {
    Ok(catalog::queries::categories(conn)?)
}

/// Renames a category; a parent given must be a top-level category (two levels only).
pub fn save_category(
    conn: &mut DbConn,
    id: Option<i64>,
    parent: Option<i64>,
    name: &str,
    sort_order: i32,
) -> AppResult<i64> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 12 {
        return Err(AppError::invalid("分类名称需为 1–12 个字"));
    }
    let all = catalog::queries::categories(conn)?;
    match id {
        Some(id) => {
            if queries::rename_category(conn, id, name, sort_order)? != 1 {
                return Err(AppError::NotFound);
            }
            Ok(id)
        }
        None => {
            if let Some(p) = parent
                && !all.iter().any(|c| c.id == p && c.parent_id.is_none())
            {
                return Err(AppError::invalid("上级分类只能是一级分类"));
            }
            create_category(conn, parent, name, sort_order)
        }
    }
}

pub fn find_products(conn: &mut DbConn, q: &str) -> AppResult<Vec<(i64, String, String, String)>> {
    Ok(queries::find_products(conn, q, 50)?)
}

/// An admin takes a product off the mall; its merchant is told why.
/// Recorded in the audit log and the shop's own log, so the merchant sees the reason beside it.
pub fn take_down(conn: &mut DbConn, product_id: i64, reason: &str, admin: i64, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (product, _, _, _) = catalog::queries::product(conn, product_id)?.ok_or(AppError::NotFound)?;
        queries::set_product_status(conn, product_id, "off", db::now())?;
        // Moderated away: its photos answer 404 until it is back on sale (orders keep theirs).
        let photos = photos_no_order_shows(conn, &crate::mall::models::image_list(&product.images))?;
        crate::privacy::withdraw_photos(conn, photos.iter().map(String::as_str))?;
        crate::audit::record_for_shop(
            conn,
            crate::audit::ShopAction {
                shop_id: product.shop_id,
                actor_id: admin,
                action: "product.takedown",
                target_type: "product",
                target_id: &product_id.to_string(),
                detail: serde_json::json!({ "reason": reason }),
                ip,
            },
        )?;
        let owner = catalog::queries::shop_owner(conn, product.shop_id)?;
        notify::send(
            conn,
            owner,
            MessageKind::ShopOrder,
            "商品已被平台下架",
            &format!("「{}」已被管理员下架：{reason}", product.name),
            Some("/merchant/products"),
        )?;
        Ok(())
    })
}

pub fn all_pickup_points(conn: &mut DbConn) -> AppResult<Vec<(i64, String, String, bool)>> {
    Ok(queries::all_pickup_points(conn)?)
}

pub fn set_pickup_active(conn: &mut DbConn, id: i64, active: bool) -> AppResult<()> {
    if queries::set_pickup_active(conn, id, active)? != 1 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
