//! The rules of a refund, from the request to the provider's confirmation.

use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::mall::models::{Order, OrderStatus, Refund, new_order_no};
use crate::mall::orders::service::{own_order, restore_stock, transition};
use crate::mall::{catalog, checkout, orders};
use crate::notify::{self, MessageKind};

use super::queries;

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
        let owner = catalog::queries::shop_owner(conn, order.shop_id)?;
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

/// What the payment provider needs to send a refund, and where the refund stands.
pub struct RefundTicket {
    pub id: i64,
    pub refund_no: String,
    pub order_no: String,
    pub amount_cents: i64,
    pub total_cents: i64,
    pub provider: String,
    pub transaction_id: Option<String>,
    pub status: String,
    pub attempts: i32,
}

/// The ticket of refund `refund_id`.
pub fn refund_ticket(conn: &mut DbConn, refund_id: i64) -> AppResult<RefundTicket> {
    let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
    let order = orders::queries::order_by_id(conn, refund.order_id)?;
    let (provider, transaction_id) = orders::queries::payment_provider(conn, order.id)?
        .ok_or_else(|| AppError::conflict("订单没有支付记录，无法退款"))?;
    Ok(RefundTicket {
        id: refund.id,
        refund_no: refund.refund_no,
        order_no: order.order_no,
        amount_cents: refund.amount_cents,
        total_cents: order.pay_cents,
        provider,
        transaction_id,
        status: refund.status,
        attempts: refund.attempts,
    })
}

/// The ticket of the refund numbered `refund_no` (the provider's `out_refund_no`).
pub fn refund_ticket_by_no(conn: &mut DbConn, refund_no: &str) -> AppResult<RefundTicket> {
    let id = queries::refund_id_by_no(conn, refund_no)?.ok_or(AppError::NotFound)?;
    refund_ticket(conn, id)
}

/// The merchant approves: the refund moves to `processing` and the provider is to be asked.
pub fn approve_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<RefundTicket> {
    write_tx(conn, |conn| {
        queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if queries::move_refund(conn, refund_id, &["pending"], "processing", None, None, db::now())? != 1 {
            return Err(AppError::conflict("该退款申请已处理"));
        }
        refund_ticket(conn, refund_id)
    })
}

/// The provider confirmed the refund: money is counted (never past what was paid) and the
/// order becomes refunded, or goes back where it was after a partial refund. Applying twice
/// changes nothing. A refund an admin was already looking at (failed, abnormal) counts too:
/// the money did move.
pub fn refund_succeeded(conn: &mut DbConn, refund_no: &str, provider_refund_id: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let refund_id = queries::refund_id_by_no(conn, refund_no)?.ok_or(AppError::NotFound)?;
        settle(conn, refund_id, &["processing", "failed", "abnormal"], provider_refund_id, None, "退款成功")
    })
}

/// Moves a refund from one of `from` to `succeeded` and applies it to its order.
pub(super) fn settle(
    conn: &mut DbConn,
    refund_id: i64,
    from: &[&str],
    provider_refund_id: &str,
    actor: Option<i64>,
    note: &str,
) -> AppResult<()> {
    let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
    if refund.status == "succeeded" {
        return Ok(());
    }
    if queries::move_refund(conn, refund_id, from, "succeeded", None, Some(provider_refund_id), db::now())? != 1 {
        return Err(AppError::conflict("退款状态已变化"));
    }
    if queries::add_refunded(conn, refund.order_id, refund.amount_cents)? != 1 {
        return Err(AppError::conflict("退款总额不能超过实付金额"));
    }
    let order = orders::queries::order_by_id(conn, refund.order_id)?;
    let back_to = order.refund_from.as_deref().and_then(OrderStatus::parse).unwrap_or(OrderStatus::Paid);
    if order.refunded_cents >= order.pay_cents {
        transition(conn, &order, OrderStatus::Refunded, actor, note)?;
        checkout::queries::return_coupon(conn, order.id)?;
        if back_to == OrderStatus::Paid {
            // Nothing left the shop: the stock goes back on the shelf.
            restore_stock(conn, order.id, "refund")?;
        }
    } else {
        transition(
            conn,
            &order,
            back_to,
            actor,
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
}

/// The merchant refuses; the order goes back to where it was.
pub fn reject_refund(conn: &mut DbConn, refund_id: i64, actor: Option<i64>, reason: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if queries::move_refund(conn, refund_id, &["pending"], "rejected", Some(reason), None, db::now())? != 1 {
            return Err(AppError::conflict("该退款申请已处理"));
        }
        let order = orders::queries::order_by_id(conn, refund.order_id)?;
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

/// How much a refund asks back (for the merchant's confirmation and log).
pub fn refund_amount(conn: &mut DbConn, refund_id: i64) -> AppResult<i64> {
    Ok(queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?.amount_cents)
}

pub fn order_of_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<Order> {
    let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
    Ok(orders::queries::order_by_id(conn, refund.order_id)?)
}
