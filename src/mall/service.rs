//! The rules of the mall: what may be bought, how an order is placed, paid, shipped, received,
//! cancelled and refunded. Every order move goes through `transition`, which checks the state
//! machine and moves the row with a conditional UPDATE, so two requests can never both win.

use std::collections::BTreeMap;

use chrono::TimeZone;
use std::time::Duration;

use chrono::TimeDelta;

use super::models::{
    Cart, CartGroup, Category, CategoryNode, Delivery, Order, OrderStatus, OrderSummary, PRODUCT_ON, ProductCard,
    ProductDetail, Refund, SHOP_OPEN, Sku, first_image, new_order_no,
};
use super::queries::{self, NewOrder, Sort};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::notify::{self, MessageKind};
use crate::search::{Doc, SearchIndex};

pub const JOB_CANCEL_UNPAID: &str = "mall.cancel_unpaid";
pub const JOB_AUTO_COMPLETE: &str = "mall.auto_complete";

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

fn sku_on_sale(conn: &mut DbConn, sku_id: i64) -> AppResult<Sku> {
    let (sku, product_status, shop_status) =
        queries::sku_for_sale(conn, sku_id)?.ok_or_else(|| AppError::invalid("商品不存在或已下架"))?;
    if product_status != PRODUCT_ON || shop_status != SHOP_OPEN {
        return Err(AppError::invalid("商品不存在或已下架"));
    }
    Ok(sku)
}

fn stock_message(stock: i64) -> String {
    if stock <= 0 { "该商品已售罄".to_string() } else { format!("库存仅剩 {stock} 件") }
}

/// Adds to the cart; the line's total is capped by stock.
pub fn add_to_cart(conn: &mut DbConn, user_id: i64, sku_id: i64, quantity: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let sku = sku_on_sale(conn, sku_id)?;
        let now = db::now();
        match queries::cart_item_quantity(conn, user_id, sku_id)? {
            Some((item_id, have)) => {
                let want = have + quantity;
                if want > sku.stock {
                    return Err(AppError::invalid(format!("{}，购物车里已有 {have} 件", stock_message(sku.stock))));
                }
                if want > super::models::Quantity::MAX {
                    return Err(AppError::invalid(format!("单次最多购买 {} 件", super::models::Quantity::MAX)));
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

fn is_unique_violation(err: &AppError) -> bool {
    matches!(err, AppError::Internal(e) if matches!(
        e.downcast_ref::<diesel::result::Error>(),
        Some(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
    ))
}

/// Turns the cart into one order per shop, reserving stock with conditional UPDATEs. Either
/// every line is reserved and every order written, or nothing is. A repeated submit of the same
/// form gets the orders of the first.
pub fn place_order(conn: &mut DbConn, user_id: i64, checkout: &Checkout, timeout: Duration) -> AppResult<Vec<Order>> {
    let attempt = write_tx(conn, |conn| {
        let existing = queries::orders_by_checkout(conn, user_id, &checkout.key)?;
        if !existing.is_empty() {
            return Ok(existing);
        }
        let groups = cart(conn, user_id)?.groups;
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
                if queries::reserve_stock(conn, line.sku_id, line.quantity)? != 1 {
                    let left = queries::sku_for_sale(conn, line.sku_id)?.map_or(0, |(s, _, _)| s.stock);
                    let what = if line.sku_name.is_empty() {
                        line.product_name.clone()
                    } else {
                        format!("{} {}", line.product_name, line.sku_name)
                    };
                    return Err(AppError::conflict(format!("「{what}」{}，请修改数量", stock_message(left))));
                }
                queries::insert_order_item(conn, order_id, line, &line.cover())?;
                queries::log_stock(conn, line.sku_id, line.product_id, Some(user_id), -line.quantity, "sale", now)?;
                stock_dropped(conn, line.sku_id, line.stock, line.stock - line.quantity)?;
                line_ids.push(line.id);
            }
            queries::insert_event(conn, order_id, None, OrderStatus::Pending.as_str(), Some(user_id), "提交订单", now)?;
            jobs::enqueue(conn, JOB_CANCEL_UNPAID, &serde_json::json!({ "order_id": order_id }), run_at)?;
            placed.push(queries::order_by_id(conn, order_id)?);
        }
        queries::delete_cart_items(conn, user_id, &line_ids)?;
        if let Some(user_coupon) = checkout.coupon {
            apply_coupon(conn, user_id, user_coupon, &mut placed, now)?;
        }
        Ok(placed)
    });
    match attempt {
        // A concurrent submit of the same form won the unique index: answer with its orders.
        Err(e) if is_unique_violation(&e) => {
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
    *order = queries::order_by_id(conn, order.id)?;
    Ok(())
}

/// Claims a coupon: while any are left, within its window, up to the per-person limit.
pub fn claim_coupon(conn: &mut DbConn, user_id: i64, coupon_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
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

pub type CouponOffer = (crate::merchant::models::Coupon, String);

pub fn open_coupons(conn: &mut DbConn) -> AppResult<Vec<CouponOffer>> {
    Ok(queries::open_coupons(conn, db::now())?)
}

pub fn wallet(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<(i64, crate::merchant::models::Coupon, String)>> {
    Ok(queries::wallet(conn, user_id, db::now())?)
}

/// Moves `order` to `to` if the state machine allows it and nobody moved it first.
fn transition(conn: &mut DbConn, order: &Order, to: OrderStatus, actor: Option<i64>, note: &str) -> AppResult<()> {
    let from = order
        .state()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("order {} has status {}", order.id, order.status)))?;
    if !from.can_become(to) {
        return Err(AppError::conflict(format!("订单当前为「{}」，不能变为「{}」", from.label(), to.label())));
    }
    let now = db::now();
    if queries::move_status(conn, order.id, from.as_str(), to.as_str(), now)? != 1 {
        return Err(AppError::conflict("订单状态已变化，请刷新后重试"));
    }
    queries::stamp(conn, order.id, to.as_str(), now)?;
    queries::insert_event(conn, order.id, Some(from.as_str()), to.as_str(), actor, note, now)?;
    Ok(())
}

fn restore_stock(conn: &mut DbConn, order_id: i64, reason: &str) -> AppResult<()> {
    let now = db::now();
    for item in queries::items_of(conn, &[order_id])? {
        queries::release_stock(conn, item.sku_id, item.quantity)?;
        queries::log_stock(conn, item.sku_id, item.product_id, None, item.quantity, reason, now)?;
    }
    Ok(())
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

/// Cancels a pending order and gives its stock back, exactly once (the status move decides).
pub fn cancel_order(conn: &mut DbConn, order_id: i64, actor: Option<i64>, note: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let order = queries::order_by_id(conn, order_id)?;
        transition(conn, &order, OrderStatus::Cancelled, actor, note)?;
        jobs::enqueue(conn, crate::pay::JOB_CLOSE, &serde_json::json!({ "order_no": order.order_no }), db::now())?;
        queries::return_coupon(conn, order_id)?;
        restore_stock(conn, order_id, "cancel")
    })
}

/// The student's own order by number; anyone else's is not found.
pub fn own_order(conn: &mut DbConn, user_id: i64, order_no: &str) -> AppResult<Order> {
    match queries::order_by_no(conn, order_no)? {
        Some(o) if o.user_id == user_id => Ok(o),
        _ => Err(AppError::NotFound),
    }
}

pub fn cancel_own_order(conn: &mut DbConn, user_id: i64, order_no: &str) -> AppResult<()> {
    let order = own_order(conn, user_id, order_no)?;
    cancel_order(conn, order.id, Some(user_id), "买家取消订单")
}

#[derive(Debug, PartialEq, Eq)]
pub enum PayOutcome {
    Paid,
    AlreadyPaid,
}

/// Records a confirmed payment. Applying the same payment twice changes nothing.
pub fn mark_paid(
    conn: &mut DbConn,
    order_no: &str,
    provider: &str,
    transaction_id: &str,
    amount_cents: i64,
) -> AppResult<PayOutcome> {
    write_tx(conn, |conn| {
        let order = queries::order_by_no(conn, order_no)?.ok_or(AppError::NotFound)?;
        if amount_cents != order.pay_cents {
            return Err(AppError::invalid("支付金额与订单金额不一致"));
        }
        if !order.is(OrderStatus::Pending) {
            return match queries::payment_provider(conn, order.id)? {
                Some((p, tx)) if p == provider && tx.as_deref() == Some(transaction_id) => Ok(PayOutcome::AlreadyPaid),
                _ => Err(AppError::conflict(format!("订单当前为「{}」，不能支付", order.status_label()))),
            };
        }
        transition(conn, &order, OrderStatus::Paid, Some(order.user_id), "支付成功")?;
        queries::insert_payment(conn, order.id, provider, amount_cents, transaction_id, db::now())?;
        for item in queries::items_of(conn, &[order.id])? {
            queries::add_sales(conn, item.sku_id, item.product_id, item.quantity)?;
        }
        let link = format!("/mall/orders/{}", order.order_no);
        notify::send(
            conn,
            order.user_id,
            MessageKind::Order,
            "支付成功",
            &format!("订单 {} 已支付，等待商家发货。", order.order_no),
            Some(&link),
        )?;
        let description: String = order_description(conn, &order)?.chars().take(20).collect();
        notify::wechat::queue(
            conn,
            order.user_id,
            "order_paid",
            &format!("pages/index/index?path={}", crate::web::url_encode(&link)),
            &[
                ("character_string1", order.order_no.clone()),
                ("amount2", crate::web::filters::format_money(order.pay_cents)),
                ("thing3", description),
                ("time4", chrono_tz::Asia::Shanghai.from_utc_datetime(&db::now()).format("%Y-%m-%d %H:%M").to_string()),
            ],
        )?;
        let owner = queries::shop_owner(conn, order.shop_id)?;
        notify::send(
            conn,
            owner,
            MessageKind::ShopOrder,
            "新订单",
            &format!(
                "你有一笔新订单 {}，实付 {}，请尽快发货。",
                order.order_no,
                crate::web::filters::format_money(order.pay_cents)
            ),
            Some("/merchant/orders"),
        )?;
        Ok(PayOutcome::Paid)
    })
}

pub enum Shipping {
    Courier { courier: String, tracking_no: String },
    Pickup,
}

/// The merchant ships (or readies for pickup); the order completes itself after `auto_complete`.
pub fn ship_order(
    conn: &mut DbConn,
    order_id: i64,
    actor: Option<i64>,
    shipping: Shipping,
    auto_complete: Duration,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let order = queries::order_by_id(conn, order_id)?;
        let note = match &shipping {
            Shipping::Courier { courier, tracking_no } => {
                queries::set_shipping(conn, order_id, Some(courier), Some(tracking_no), None)?;
                format!("已发货：{courier} {tracking_no}")
            }
            Shipping::Pickup => {
                use rand::Rng;
                let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
                queries::set_shipping(conn, order_id, None, None, Some(&code))?;
                format!("已备货，凭取货码 {code} 到自提点取货")
            }
        };
        transition(conn, &order, OrderStatus::Shipped, actor, &note)?;
        let run_at = db::now() + TimeDelta::from_std(auto_complete).unwrap_or(TimeDelta::days(7));
        jobs::enqueue(conn, JOB_AUTO_COMPLETE, &serde_json::json!({ "order_id": order_id }), run_at)?;
        let link = format!("/mall/orders/{}", order.order_no);
        notify::send(conn, order.user_id, MessageKind::Order, "订单已发货", &note, Some(&link))?;
        notify::wechat::queue(
            conn,
            order.user_id,
            "order_shipped",
            &format!("pages/index/index?path={}", crate::web::url_encode(&link)),
            &[("character_string1", order.order_no.clone()), ("thing2", note.chars().take(20).collect())],
        )?;
        Ok(())
    })
}

pub fn confirm_receipt(conn: &mut DbConn, user_id: i64, order_no: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let order = own_order(conn, user_id, order_no)?;
        transition(conn, &order, OrderStatus::Completed, Some(user_id), "买家确认收货")
    })
}

/// Asks for a refund of `amount` (all that is left when `None`).
pub fn request_refund(
    conn: &mut DbConn,
    user_id: i64,
    order_no: &str,
    amount: Option<i64>,
    reason: &str,
) -> AppResult<Refund> {
    write_tx(conn, |conn| {
        let order = own_order(conn, user_id, order_no)?;
        let left = order.refundable_cents();
        let amount = amount.unwrap_or(left);
        if amount <= 0 {
            return Err(AppError::invalid("退款金额必须大于 0"));
        }
        if amount > left {
            return Err(AppError::invalid(format!(
                "退款金额不能超过可退金额 {}",
                crate::web::filters::format_money(left)
            )));
        }
        transition(conn, &order, OrderStatus::Refunding, Some(user_id), &format!("申请退款：{reason}"))?;
        queries::set_refund_from(conn, order.id, Some(&order.status))?;
        let refund_no = format!("R{}", new_order_no(db::now()));
        let id = queries::insert_refund(conn, order.id, &refund_no, amount, reason, db::now())?;
        let owner = queries::shop_owner(conn, order.shop_id)?;
        notify::send(
            conn,
            owner,
            MessageKind::ShopOrder,
            "退款申请",
            &format!("订单 {} 申请退款 {}：{reason}", order.order_no, crate::web::filters::format_money(amount)),
            Some("/merchant/orders"),
        )?;
        queries::refund_by_id(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// What the payment provider needs to send a refund.
pub struct RefundTicket {
    pub refund_no: String,
    pub order_no: String,
    pub amount_cents: i64,
    pub total_cents: i64,
    pub provider: String,
    pub transaction_id: Option<String>,
}

/// The merchant approves: the refund moves to `processing` and the provider is to be asked.
pub fn approve_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<RefundTicket> {
    write_tx(conn, |conn| {
        let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if queries::move_refund(conn, refund_id, "pending", "processing", None, None, db::now())? != 1 {
            return Err(AppError::conflict("该退款申请已处理"));
        }
        let order = queries::order_by_id(conn, refund.order_id)?;
        let (provider, transaction_id) = queries::payment_provider(conn, order.id)?
            .ok_or_else(|| AppError::conflict("订单没有支付记录，无法退款"))?;
        Ok(RefundTicket {
            refund_no: refund.refund_no,
            order_no: order.order_no,
            amount_cents: refund.amount_cents,
            total_cents: order.pay_cents,
            provider,
            transaction_id,
        })
    })
}

/// The provider confirmed the refund: money is counted (never past what was paid) and the
/// order becomes refunded, or goes back where it was after a partial refund. Applying twice
/// changes nothing.
pub fn refund_succeeded(conn: &mut DbConn, refund_no: &str, provider_refund_id: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        use crate::db::schema::refunds;
        use diesel::prelude::*;
        let refund_id: i64 = refunds::table
            .filter(refunds::refund_no.eq(refund_no))
            .select(refunds::id)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if refund.status == "succeeded" {
            return Ok(());
        }
        if queries::move_refund(conn, refund_id, "processing", "succeeded", None, Some(provider_refund_id), db::now())?
            != 1
        {
            return Err(AppError::conflict("退款状态已变化"));
        }
        if queries::add_refunded(conn, refund.order_id, refund.amount_cents)? != 1 {
            return Err(AppError::conflict("退款总额不能超过实付金额"));
        }
        let order = queries::order_by_id(conn, refund.order_id)?;
        let back_to = order.refund_from.as_deref().and_then(OrderStatus::parse).unwrap_or(OrderStatus::Paid);
        if order.refunded_cents >= order.pay_cents {
            transition(conn, &order, OrderStatus::Refunded, None, "退款成功")?;
            queries::return_coupon(conn, order.id)?;
            if back_to == OrderStatus::Paid {
                // Nothing left the shop: the stock goes back on the shelf.
                restore_stock(conn, order.id, "refund")?;
            }
        } else {
            transition(
                conn,
                &order,
                back_to,
                None,
                &format!("部分退款 {} 成功", crate::web::filters::format_money(refund.amount_cents)),
            )?;
        }
        let link = format!("/mall/orders/{}", order.order_no);
        notify::send(
            conn,
            order.user_id,
            MessageKind::Order,
            "退款成功",
            &format!("订单 {} 已退款 {}。", order.order_no, crate::web::filters::format_money(refund.amount_cents)),
            Some(&link),
        )?;
        Ok(())
    })
}

/// The merchant refuses; the order goes back to where it was.
pub fn reject_refund(conn: &mut DbConn, refund_id: i64, actor: Option<i64>, reason: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if queries::move_refund(conn, refund_id, "pending", "rejected", Some(reason), None, db::now())? != 1 {
            return Err(AppError::conflict("该退款申请已处理"));
        }
        let order = queries::order_by_id(conn, refund.order_id)?;
        let back_to = order.refund_from.as_deref().and_then(OrderStatus::parse).unwrap_or(OrderStatus::Paid);
        transition(conn, &order, back_to, actor, &format!("商家拒绝退款：{reason}"))?;
        let link = format!("/mall/orders/{}", order.order_no);
        notify::send(
            conn,
            order.user_id,
            MessageKind::Order,
            "退款被拒绝",
            &format!("商家拒绝了退款申请：{reason}"),
            Some(&link),
        )?;
        Ok(())
    })
}

/// Order list tabs.
pub fn tab_statuses(tab: &str) -> Option<&'static [&'static str]> {
    match tab {
        "pending" => Some(&["pending"]),
        "paid" => Some(&["paid"]),
        "shipped" => Some(&["shipped"]),
        "completed" => Some(&["completed"]),
        "refund" => Some(&["refunding", "refunded"]),
        _ => None,
    }
}

pub fn orders_of(conn: &mut DbConn, user_id: i64, tab: &str, page: i64) -> AppResult<Vec<OrderSummary>> {
    let rows = queries::orders_of_user(conn, user_id, tab_statuses(tab), PAGE_SIZE, (page - 1) * PAGE_SIZE)?;
    let ids: Vec<i64> = rows.iter().map(|(o, _)| o.id).collect();
    let mut items: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for item in queries::items_of(conn, &ids)? {
        items.entry(item.order_id).or_default().push(item);
    }
    Ok(rows
        .into_iter()
        .map(|(order, shop_name)| {
            let its = items.remove(&order.id).unwrap_or_default();
            OrderSummary { order, shop_name, items: its }
        })
        .collect())
}

pub struct OrderPage {
    pub summary: OrderSummary,
    pub events: Vec<super::models::OrderEvent>,
    pub refunds: Vec<Refund>,
}

pub fn order_page(conn: &mut DbConn, user_id: i64, order_no: &str) -> AppResult<OrderPage> {
    let order = own_order(conn, user_id, order_no)?;
    let shop_name = queries::shop_name(conn, order.shop_id)?;
    let items = queries::items_of(conn, &[order.id])?;
    let events = queries::events_of(conn, order.id)?;
    let refunds = queries::refunds_of(conn, order.id)?;
    Ok(OrderPage { summary: OrderSummary { order, shop_name, items }, events, refunds })
}

/// Runs a mall job from the queue.
pub fn run_job(conn: &mut DbConn, kind: &str, payload: &serde_json::Value) -> Result<(), String> {
    let order_id = payload["order_id"].as_i64().ok_or("payload lacks order_id")?;
    let order = queries::order_by_id(conn, order_id).map_err(|e| e.to_string())?;
    let result = match kind {
        JOB_CANCEL_UNPAID if order.is(OrderStatus::Pending) => {
            cancel_order(conn, order_id, None, "超时未支付，系统自动取消")
        }
        JOB_AUTO_COMPLETE if order.is(OrderStatus::Shipped) => {
            write_tx(conn, |conn| transition(conn, &order, OrderStatus::Completed, None, "超时自动确认收货"))
        }
        // The order moved on by itself (paid, received, refunded): nothing to do.
        _ => Ok(()),
    };
    match result {
        Ok(()) | Err(AppError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// The cover image shown for an order line.
pub fn line_image(images_json: &str) -> String {
    first_image(images_json)
}

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
    queries::set_product_status(conn, product_id, if on { PRODUCT_ON } else { "off" }, db::now())?;
    Ok(())
}

const SEARCH_KIND: &str = "product";

fn index_batch(index: &SearchIndex, rows: &[super::models::IndexRow]) -> AppResult<()> {
    let upserts: Vec<Doc> = rows
        .iter()
        .filter(|r| r.status == PRODUCT_ON)
        .map(|r| Doc { kind: SEARCH_KIND, id: r.id, title: &r.name, body: &r.description })
        .collect();
    let removals: Vec<(&str, i64)> =
        rows.iter().filter(|r| r.status != PRODUCT_ON).map(|r| (SEARCH_KIND, r.id)).collect();
    index.apply(&upserts, &removals).map_err(AppError::internal)
}

/// Brings the product index up to date with every product changed since its watermark.
/// Cheap when nothing changed (one indexed query); safe to run from several instances.
pub fn sync_search_index(conn: &mut DbConn, index: &SearchIndex) -> AppResult<usize> {
    let mut since = index.watermark(SEARCH_KIND);
    let mut total = 0;
    loop {
        let rows = queries::changed_products(conn, since, 1000)?;
        // Rows at exactly the watermark were indexed last time; re-indexing them is harmless.
        let fresh = rows.iter().filter(|r| Some(r.updated_at) != since).count();
        if fresh == 0 {
            return Ok(total);
        }
        index_batch(index, &rows)?;
        total += fresh;
        let last = rows.last().map(|r| r.updated_at);
        if let Some(last) = last {
            index.set_watermark(SEARCH_KIND, last).map_err(AppError::internal)?;
        }
        if rows.len() < 1000 || last == since {
            return Ok(total);
        }
        since = last;
    }
}

/// Rebuilds the product index from scratch (`campus reindex`).
pub fn rebuild_search_index(conn: &mut DbConn, index: &SearchIndex) -> AppResult<usize> {
    index.clear(SEARCH_KIND).map_err(AppError::internal)?;
    let started = db::now();
    let mut after = 0;
    let mut total = 0;
    loop {
        let rows = queries::products_after(conn, after, 2000)?;
        if rows.is_empty() {
            break;
        }
        index_batch(index, &rows)?;
        total += rows.len();
        after = rows.last().map_or(after, |r| r.id);
    }
    index.set_watermark(SEARCH_KIND, started).map_err(AppError::internal)?;
    Ok(total)
}

/// What the search page asks.
pub struct ProductSearch {
    pub q: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub category: Option<i64>,
    pub sort: SearchSort,
    pub page: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchSort {
    Relevance,
    Sales,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl SearchSort {
    pub fn parse(s: Option<&str>) -> SearchSort {
        match s {
            Some("sales") => SearchSort::Sales,
            Some("price_asc") => SearchSort::PriceAsc,
            Some("price_desc") => SearchSort::PriceDesc,
            Some("newest") => SearchSort::Newest,
            _ => SearchSort::Relevance,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SearchSort::Relevance => "relevance",
            SearchSort::Sales => "sales",
            SearchSort::PriceAsc => "price_asc",
            SearchSort::PriceDesc => "price_desc",
            SearchSort::Newest => "newest",
        }
    }
}

/// One search hit, with its name and a piece of its description highlighted (escaped HTML).
pub struct SearchHit {
    pub card: ProductCard,
    pub name_html: String,
    pub snippet_html: String,
}

pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub total: usize,
    pub has_more: bool,
}

/// A short piece of `text` around the first match, at most `width` characters.
fn snippet(text: &str, terms: &[String], width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower = text.to_lowercase();
    let first = terms
        .iter()
        .filter_map(|t| lower.find(t.as_str()))
        .min()
        .map(|byte| lower[..byte].chars().count())
        .unwrap_or(0);
    let start = first.saturating_sub(width / 3);
    let piece: String = chars.iter().skip(start).take(width).collect();
    let mut s = crate::search::highlight(&piece, terms);
    if start > 0 {
        s.insert(0, '…');
    }
    if start + width < chars.len() {
        s.push('…');
    }
    s
}

/// Finds products by words in their name and description, then applies the visibility rules,
/// filters and order from the database. The ordered ids of a search are shared for a few
/// seconds (see [`super::SearchCache`]); the cards shown are always read and re-checked for
/// visibility in the database.
pub fn search_products(
    conn: &mut DbConn,
    index: &SearchIndex,
    cache: &super::SearchCache,
    s: &ProductSearch,
) -> AppResult<SearchResults> {
    let key = super::SearchKey {
        q: s.q.clone(),
        min: s.min,
        max: s.max,
        category: s.category,
        sort: s.sort,
        generation: index.generation(),
    };
    let ordered = match cache.get(&key) {
        Some(ids) => ids,
        None => {
            let ids = std::sync::Arc::new(ordered_hits(conn, index, s)?);
            cache.put(key, ids.clone());
            ids
        }
    };
    let total = ordered.len();
    let skip = ((s.page - 1) * PAGE_SIZE) as usize;
    let page_ids: Vec<i64> = ordered.iter().skip(skip).take(PAGE_SIZE as usize).copied().collect();
    if page_ids.is_empty() {
        return Ok(SearchResults { hits: Vec::new(), total, has_more: false });
    }
    let mut cards = queries::visible_cards_with_description(conn, &page_ids)?;
    cards.sort_by_key(|(card, _)| page_ids.iter().position(|id| *id == card.id));
    let terms = crate::search::words(&s.q);
    let hits: Vec<SearchHit> = cards
        .into_iter()
        .map(|(card, description)| SearchHit {
            name_html: crate::search::highlight(&card.name, &terms),
            snippet_html: snippet(&description, &terms, 40),
            card,
        })
        .collect();
    Ok(SearchResults { has_more: skip + page_ids.len() < total, hits, total })
}

/// Every visible hit of a search, filtered and in the order asked for.
fn ordered_hits(conn: &mut DbConn, index: &SearchIndex, s: &ProductSearch) -> AppResult<Vec<i64>> {
    let categories = match s.category {
        Some(c) => Some(category_and_children(conn, c)?),
        None => None,
    };
    let hits = index.search(SEARCH_KIND, &s.q, 200).map_err(AppError::internal)?;
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let rows = queries::visible_hits(conn, &ids, s.min, s.max, categories.as_deref())?;
    // Scores are positive, so their bit patterns order like the scores themselves.
    let score: std::collections::HashMap<i64, i64> = hits.iter().map(|(id, s)| (*id, i64::from(s.to_bits()))).collect();
    let mut keyed: Vec<((i64, i64), i64)> = rows
        .iter()
        .map(|&(id, price, sales)| {
            let key = match s.sort {
                SearchSort::Relevance => (-score.get(&id).copied().unwrap_or(0), -sales),
                SearchSort::Sales => (-sales, -id),
                SearchSort::PriceAsc => (price, id),
                SearchSort::PriceDesc => (-price, -id),
                // Ids grow with time: the newest product has the largest id.
                SearchSort::Newest => (-id, 0),
            };
            (key, id)
        })
        .collect();
    keyed.sort_unstable();
    Ok(keyed.into_iter().map(|(_, id)| id).collect())
}

/// What a payment shows as its description: the shop and the first item.
pub fn order_description(conn: &mut DbConn, order: &Order) -> AppResult<String> {
    let shop = queries::shop_name(conn, order.shop_id)?;
    let items = queries::items_of(conn, &[order.id])?;
    let first = items.first().map(|i| i.product_name.clone()).unwrap_or_default();
    let more = if items.len() > 1 { format!(" 等{}件", items.len()) } else { String::new() };
    let text = format!("{shop}-{first}{more}");
    Ok(text.chars().take(120).collect())
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
    let Some(sku) = queries::skus(conn, product_id)?.into_iter().next() else {
        return Ok(());
    };
    let Some((product, _, _, _)) = queries::product(conn, product_id)? else {
        return Ok(());
    };
    let now = db::now();
    let order_no = new_order_no(now);
    let key = format!("bulk-{order_no}");
    let id = queries::insert_order(
        conn,
        &NewOrder {
            order_no: &order_no,
            user_id,
            shop_id,
            total_cents: sku.price_cents * quantity,
            delivery_type: "pickup",
            pickup_point_id: None,
            receiver_name: "",
            receiver_phone: "",
            address: "东区菜鸟驿站",
            remark: "",
            checkout_key: &key,
            now,
        },
    )?;
    let line = super::models::CartLine {
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
    queries::insert_order_item(conn, id, &line, &line.cover())?;
    queries::move_status(conn, id, "pending", "completed", now)?;
    queries::insert_event(conn, id, None, "completed", None, "演示数据", now)?;
    Ok(())
}

/// The shop a user owns, if any.
pub fn shop_of(conn: &mut DbConn, owner_id: i64) -> AppResult<Option<i64>> {
    Ok(queries::shop_of_owner(conn, owner_id)?)
}

/// An order page without the buyer check: for the merchant module, which checks the shop.
pub fn order_page_any(conn: &mut DbConn, order_no: &str) -> AppResult<OrderPage> {
    let order = queries::order_by_no(conn, order_no)?.ok_or(AppError::NotFound)?;
    let shop_name = queries::shop_name(conn, order.shop_id)?;
    let items = queries::items_of(conn, &[order.id])?;
    let events = queries::events_of(conn, order.id)?;
    let refunds = queries::refunds_of(conn, order.id)?;
    Ok(OrderPage { summary: OrderSummary { order, shop_name, items }, events, refunds })
}

pub fn order_of_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<Order> {
    let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
    Ok(queries::order_by_id(conn, refund.order_id)?)
}

/// Categories a product can be filed under (the second level).
pub fn leaf_categories(conn: &mut DbConn) -> AppResult<Vec<Category>> {
    Ok(queries::categories(conn)?.into_iter().filter(|c| c.parent_id.is_some()).collect())
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
    Ok(queries::categories(conn)?)
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
    let all = queries::categories(conn)?;
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
pub fn take_down(conn: &mut DbConn, product_id: i64, reason: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (product, _, _, _) = queries::product(conn, product_id)?.ok_or(AppError::NotFound)?;
        queries::set_product_status(conn, product_id, "off", db::now())?;
        let owner = queries::shop_owner(conn, product.shop_id)?;
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
