//! The rules of the cart: adding, changing and removing lines, capped by stock.

use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::mall::catalog;
use crate::mall::models::{Cart, CartGroup, PRODUCT_ON, SHOP_OPEN, Sku};

use super::queries;

fn sku_on_sale(conn: &mut DbConn, sku_id: i64) -> AppResult<Sku> {
    let (sku, product_status, shop_status) =
        catalog::queries::sku_for_sale(conn, sku_id)?.ok_or_else(|| AppError::invalid("商品不存在或已下架"))?;
    if product_status != PRODUCT_ON || shop_status != SHOP_OPEN {
        return Err(AppError::invalid("商品不存在或已下架"));
    }
    Ok(sku)
}

pub(in crate::mall) fn stock_message(stock: i64) -> String {
    if stock <= 0 { "该商品已售罄".to_string() } else { format!("库存仅剩 {stock} 件") }
}

/// Adds to the cart; the line's total is capped by stock.
pub fn add_to_cart(conn: &mut DbConn, user_id: i64, sku_id: i64, quantity: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        // The line's total is read, then written: one user's adds run one at a time.
        db::lock_user(conn, user_id)?;
        let sku = sku_on_sale(conn, sku_id)?;
        let now = db::now();
        match queries::cart_item_quantity(conn, user_id, sku_id)? {
            Some((item_id, have)) => {
                let want = have + quantity;
                if want > sku.stock {
                    return Err(AppError::invalid(format!("{}，购物车里已有 {have} 件", stock_message(sku.stock))));
                }
                if want > crate::mall::models::Quantity::MAX {
                    return Err(AppError::invalid(format!("单次最多购买 {} 件", crate::mall::models::Quantity::MAX)));
                }
                queries::set_cart_quantity(conn, user_id, item_id, want, now)?;
            }
            None => {
                if quantity > sku.stock {
                    return Err(AppError::invalid(stock_message(sku.stock)));
                }
                queries::insert_cart_item(conn, user_id, sku_id, quantity, now)?;
            }
        }
        Ok(())
    })
}

pub fn set_cart_quantity(conn: &mut DbConn, user_id: i64, item_id: i64, quantity: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let sku_id = queries::cart_item_sku(conn, user_id, item_id)?.ok_or(AppError::NotFound)?;
        let sku = sku_on_sale(conn, sku_id)?;
        if quantity > sku.stock {
            return Err(AppError::invalid(stock_message(sku.stock)));
        }
        queries::set_cart_quantity(conn, user_id, item_id, quantity, db::now())?;
        Ok(())
    })
}

pub fn remove_cart_item(conn: &mut DbConn, user_id: i64, item_id: i64) -> AppResult<()> {
    if queries::delete_cart_item(conn, user_id, item_id)? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The cart grouped by shop, in shop order.
pub fn cart(conn: &mut DbConn, user_id: i64) -> AppResult<Cart> {
    let mut groups: Vec<CartGroup> = Vec::new();
    for line in queries::cart_lines(conn, user_id)? {
        match groups.last_mut() {
            Some(g) if g.shop_id == line.shop_id => g.lines.push(line),
            _ => groups.push(CartGroup { shop_id: line.shop_id, shop_name: line.shop_name.clone(), lines: vec![line] }),
        }
    }
    Ok(Cart { groups })
}

pub fn cart_count(conn: &mut DbConn, user_id: i64) -> AppResult<i64> {
    Ok(queries::cart_count(conn, user_id)?)
}
