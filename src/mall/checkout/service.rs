//! The rules of placing an order and of coupons: claiming one, and applying one at checkout.

use std::time::Duration;

use chrono::TimeDelta;

use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::mall::models::{Delivery, Order, OrderStatus, new_order_no};
use crate::mall::orders::service::JOB_CANCEL_UNPAID;
use crate::mall::{cart, catalog, orders};

use super::queries::{self, NewOrder};

pub fn pickup_points(conn: &mut DbConn) -> AppResult<Vec<(i64, String, String)>> {
    Ok(queries::pickup_points(conn)?)
}

pub struct Checkout {
    /// The idempotency key of the checkout form: one submit, one set of orders.
    pub key: String,
    pub delivery: Delivery,
    pub remark: String,
    /// One of the student's coupons (a `user_coupons` id), for the order of its shop.
    pub coupon: Option<i64>,
}

/// Turns the cart into one order per shop, reserving stock with conditional UPDATEs. Either
/// every line is reserved and every order written, or nothing is. A repeated submit of the same
/// form gets the orders of the first.
pub fn place_order(
    conn: &mut DbConn,
    keys: &Keyring,
    user_id: i64,
    checkout: &Checkout,
    timeout: Duration,
) -> AppResult<Vec<Order>> {
    let attempt = write_tx(conn, |conn| {
        let existing = queries::orders_by_checkout(conn, user_id, &checkout.key)?;
        if !existing.is_empty() {
            return Ok(existing);
        }
        let groups = cart::service::cart(conn, user_id)?.groups;
        if groups.is_empty() {
            return Err(AppError::invalid("购物车是空的，先去逛逛吧"));
        }
        let (delivery_type, point_id, name, phone, address) = match &checkout.delivery {
            Delivery::Pickup { point_id } => {
                let (pname, paddr) =
                    queries::pickup_point(conn, *point_id)?.ok_or_else(|| AppError::invalid("请选择有效的自提点"))?;
                ("pickup", Some(*point_id), String::new(), String::new(), format!("{pname}（{paddr}）"))
            }
            Delivery::Dorm { name, phone, address } => ("dorm", None, name.clone(), phone.clone(), address.clone()),
        };
        let (phone, address) = (keys.seal(col::ORDER_PHONE, &phone), keys.seal(col::ORDER_ADDRESS, &address));
        let now = db::now();
        let run_at = now + TimeDelta::from_std(timeout).unwrap_or(TimeDelta::minutes(30));
        let mut placed = Vec::new();
        let mut line_ids = Vec::new();
        for group in &groups {
            for line in &group.lines {
                if !line.available() {
                    return Err(AppError::conflict(format!(
                        "「{}」已下架或售罄，请从购物车移除后再结算",
                        line.product_name
                    )));
                }
            }
            let order_no = new_order_no(now);
            let order_id = queries::insert_order(
                conn,
                &NewOrder {
                    order_no: &order_no,
                    user_id,
                    shop_id: group.shop_id,
                    total_cents: group.total(),
                    delivery_type,
                    pickup_point_id: point_id,
                    receiver_name: &name,
                    receiver_phone: &phone,
                    address: &address,
                    remark: &checkout.remark,
                    checkout_key: &checkout.key,
                    now,
                },
            )?;
            for line in &group.lines {
                if catalog::queries::reserve_stock(conn, line.sku_id, line.quantity)? != 1 {
                    let left = catalog::queries::sku_for_sale(conn, line.sku_id)?.map_or(0, |(s, _, _)| s.stock);
                    let what = if line.sku_name.is_empty() {
                        line.product_name.clone()
                    } else {
                        format!("{} {}", line.product_name, line.sku_name)
                    };
                    return Err(AppError::conflict(format!(
                        "「{what}」{}，请修改数量",
                        cart::service::stock_message(left)
                    )));
                }
                queries::insert_order_item(conn, order_id, line, &line.cover())?;
                catalog::queries::log_stock(
                    conn,
                    line.sku_id,
                    line.product_id,
                    Some(user_id),
                    -line.quantity,
                    "sale",
                    now,
                )?;
                catalog::service::stock_dropped(conn, line.sku_id, line.stock, line.stock - line.quantity)?;
                line_ids.push(line.id);
            }
            orders::queries::insert_event(
                conn,
                order_id,
                None,
                OrderStatus::Pending.as_str(),
                Some(user_id),
                "提交订单",
                now,
            )?;
            jobs::enqueue(conn, JOB_CANCEL_UNPAID, &serde_json::json!({ "order_id": order_id }), run_at)?;
            placed.push(orders::queries::order_by_id(conn, order_id)?);
        }
        cart::queries::delete_cart_items(conn, user_id, &line_ids)?;
        if let Some(user_coupon) = checkout.coupon {
            apply_coupon(conn, user_id, user_coupon, &mut placed, now)?;
        }
        Ok(placed)
    });
    match attempt {
        // A concurrent submit of the same form won the unique index: answer with its orders.
        Err(e) if e.is_duplicate() => {
            let existing = queries::orders_by_checkout(conn, user_id, &checkout.key)?;
            if existing.is_empty() { Err(e) } else { Ok(existing) }
        }
        other => other,
    }
}

/// Applies one of the student's coupons to the order of its shop: the server computes the
/// discount, and the coupon is marked used by a conditional UPDATE, so it is used at most once.
fn apply_coupon(
    conn: &mut DbConn,
    user_id: i64,
    user_coupon: i64,
    placed: &mut [Order],
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let wallet = queries::wallet(conn, user_id, now)?;
    let (_, coupon, _) = wallet
        .into_iter()
        .find(|(id, _, _)| *id == user_coupon)
        .ok_or_else(|| AppError::conflict("优惠券不可用（已使用或已过期）"))?;
    let order = placed
        .iter_mut()
        .find(|o| o.shop_id == coupon.shop_id)
        .ok_or_else(|| AppError::invalid("这张优惠券不能用于购物车里的商品"))?;
    let discount = coupon.discount(order.total_cents);
    if discount <= 0 {
        return Err(AppError::invalid(format!("未达到优惠券「{}」的使用门槛", coupon.describe())));
    }
    if queries::use_coupon(conn, user_coupon, user_id, order.id, now)? != 1 {
        return Err(AppError::conflict("优惠券已被使用"));
    }
    queries::apply_discount(conn, order.id, discount, user_coupon)?;
    *order = orders::queries::order_by_id(conn, order.id)?;
    Ok(())
}

/// Claims a coupon: while any are left, within its window, up to the per-person limit.
pub fn claim_coupon(conn: &mut DbConn, user_id: i64, coupon_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        // "At most n per person" is counted, then written: one user's claims run one at a time;
        // the coupon's own stock is the conditional UPDATE below.
        db::lock_user(conn, user_id)?;
        let coupon = queries::coupon(conn, coupon_id)?.ok_or(AppError::NotFound)?;
        if queries::claims_of(conn, coupon_id, user_id)? >= i64::from(coupon.per_user_limit) {
            return Err(AppError::conflict(format!("每人限领 {} 张，你已经领过了", coupon.per_user_limit)));
        }
        if queries::take_coupon(conn, coupon_id, db::now())? != 1 {
            return Err(AppError::conflict("优惠券已领完或不在领取时间内"));
        }
        queries::insert_user_coupon(conn, coupon_id, user_id, db::now())?;
        Ok(())
    })
}

pub type CouponOffer = (crate::mall::coupon::Coupon, String);

pub fn open_coupons(conn: &mut DbConn) -> AppResult<Vec<CouponOffer>> {
    Ok(queries::open_coupons(conn, db::now())?)
}

pub fn wallet(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<(i64, crate::mall::coupon::Coupon, String)>> {
    Ok(queries::wallet(conn, user_id, db::now())?)
}
