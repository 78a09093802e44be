//! The rules of an order's life: every move goes through `transition`, which checks the state
//! machine and moves the row with a conditional UPDATE, so two requests can never both win.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::TimeDelta;

use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::mall::catalog::service::PAGE_SIZE;
use crate::mall::models::{Order, OrderStatus, OrderSummary, Refund, first_image};
use crate::mall::{catalog, checkout, refunds};
use crate::notify::{self, MessageKind};

use super::queries;

pub const JOB_CANCEL_UNPAID: &str = "mall.cancel_unpaid";
pub const JOB_AUTO_COMPLETE: &str = "mall.auto_complete";

/// Moves `order` to `to` if the state machine allows it and nobody moved it first.
pub(in crate::mall) fn transition(
    conn: &mut DbConn,
    order: &Order,
    to: OrderStatus,
    actor: Option<i64>,
    note: &str,
) -> AppResult<()> {
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

pub(in crate::mall) fn restore_stock(conn: &mut DbConn, order_id: i64, reason: &str) -> AppResult<()> {
    let now = db::now();
    for item in queries::items_of(conn, &[order_id])? {
        catalog::queries::release_stock(conn, item.sku_id, item.quantity)?;
        catalog::queries::log_stock(conn, item.sku_id, item.product_id, None, item.quantity, reason, now)?;
    }
    Ok(())
}

/// Cancels a pending order and gives its stock back, exactly once (the status move decides).
pub fn cancel_order(conn: &mut DbConn, order_id: i64, actor: Option<i64>, note: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let order = queries::order_by_id(conn, order_id)?;
        transition(conn, &order, OrderStatus::Cancelled, actor, note)?;
        jobs::enqueue(
            conn,
            crate::mall::models::JOB_PAY_CLOSE,
            &serde_json::json!({ "order_no": order.order_no }),
            db::now(),
        )?;
        checkout::queries::return_coupon(conn, order_id)?;
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
            catalog::queries::add_sales(conn, item.sku_id, item.product_id, item.quantity)?;
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
                ("time4", crate::web::time::minute(db::now())),
            ],
        )?;
        let owner = catalog::queries::shop_owner(conn, order.shop_id)?;
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
    // No orders, no round trip for their (no) items.
    let lines = if ids.is_empty() { Vec::new() } else { queries::items_of(conn, &ids)? };
    for item in lines {
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
    pub events: Vec<crate::mall::models::OrderEvent>,
    pub refunds: Vec<Refund>,
}

pub fn order_page(conn: &mut DbConn, user_id: i64, order_no: &str) -> AppResult<OrderPage> {
    let order = own_order(conn, user_id, order_no)?;
    let shop_name = catalog::queries::shop_name(conn, order.shop_id)?;
    let items = queries::items_of(conn, &[order.id])?;
    let events = queries::events_of(conn, order.id)?;
    let refunds = refunds::queries::refunds_of(conn, order.id)?;
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

/// What a payment shows as its description: the shop and the first item.
pub fn order_description(conn: &mut DbConn, order: &Order) -> AppResult<String> {
    let shop = catalog::queries::shop_name(conn, order.shop_id)?;
    let items = queries::items_of(conn, &[order.id])?;
    let first = items.first().map(|i| i.product_name.clone()).unwrap_or_default();
    let more = if items.len() > 1 { format!(" 等{}件", items.len()) } else { String::new() };
    let text = format!("{shop}-{first}{more}");
    Ok(text.chars().take(120).collect())
}

/// An order page without the buyer check: for the merchant module, which checks the shop.
pub fn order_page_any(conn: &mut DbConn, order_no: &str) -> AppResult<OrderPage> {
    let order = queries::order_by_no(conn, order_no)?.ok_or(AppError::NotFound)?;
    let shop_name = catalog::queries::shop_name(conn, order.shop_id)?;
    let items = queries::items_of(conn, &[order.id])?;
    let events = queries::events_of(conn, order.id)?;
    let refunds = refunds::queries::refunds_of(conn, order.id)?;
    Ok(OrderPage { summary: OrderSummary { order, shop_name, items }, events, refunds })
}

/// Every order of a user with its lines, as plain data (the privacy export).
pub fn export_orders(conn: &mut DbConn, keys: &Keyring, user_id: i64) -> AppResult<serde_json::Value> {
    let orders = queries::orders_of_user(conn, user_id, None, 10_000, 0)?;
    let ids: Vec<i64> = orders.iter().map(|(o, _)| o.id).collect();
    let items = queries::items_of(conn, &ids)?;
    Ok(serde_json::Value::Array(
        orders
            .into_iter()
            .map(|(o, shop)| {
                let lines: Vec<serde_json::Value> = items
                    .iter()
                    .filter(|i| i.order_id == o.id)
                    .map(|i| serde_json::json!({ "product": i.product_name, "option": i.sku_name, "price_cents": i.price_cents, "quantity": i.quantity }))
                    .collect();
                serde_json::json!({
                    "order_no": o.order_no, "shop": shop, "status": o.status_label(), "total_cents": o.total_cents,
                    "pay_cents": o.pay_cents, "refunded_cents": o.refunded_cents, "receiver_name": o.receiver_name,
                    "receiver_phone": keys.show(col::ORDER_PHONE, &o.receiver_phone),
                    "address": keys.show(col::ORDER_ADDRESS, &o.address), "remark": o.remark,
                    "created_at": o.created_at, "paid_at": o.paid_at, "items": lines,
                })
            })
            .collect(),
    ))
}

/// A deleted account's orders are kept for the accounts, without the person's details.
pub fn forget_buyer(conn: &mut DbConn, user_id: i64) -> AppResult<usize> {
    Ok(queries::forget_buyer(conn, user_id, db::now())?)
}
