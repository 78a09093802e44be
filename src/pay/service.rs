use actix_web::web;

use super::State;
use super::wechat::{PayError, PayParams, RefundNotice, Transaction, WechatPay};
use crate::error::{AppError, AppResult};
use crate::mall::models::OrderStatus;
use crate::mall::service::{self as mall, PayOutcome};
use crate::notify::{self, MessageKind};

fn wechat(state: &State) -> AppResult<std::sync::Arc<WechatPay>> {
    state.wxpay.clone().ok_or_else(|| AppError::invalid("微信支付未开通"))
}

fn upstream(err: PayError) -> AppError {
    tracing::warn!(error = %err, "wechat pay call failed");
    AppError::Upstream("微信支付暂时不可用，请稍后再试".into())
}

/// Prepares a WeChat payment of the user's own pending order; returns `wx.requestPayment` params.
pub async fn prepay(state: &State, user_id: i64, order_no: String) -> AppResult<PayParams> {
    let wx = wechat(state)?;
    let (order, openid, description) = state
        .db
        .run(move |conn| {
            let order = mall::own_order(conn, user_id, &order_no)?;
            if !order.is(OrderStatus::Pending) {
                return Err(AppError::conflict(format!("订单当前为「{}」，不能支付", order.status_label())));
            }
            let openid = crate::auth::service::wechat_openid(conn, user_id)?
                .ok_or_else(|| AppError::invalid("请在微信小程序内完成支付"))?;
            let description = mall::order_description(conn, &order)?;
            Ok((order, openid, description))
        })
        .await?;
    web::block(move || wx.prepay(&order.order_no, &description, order.pay_cents, &openid)).await?.map_err(upstream)
}

/// Applies a verified, decrypted payment: checked against our merchant, app and order first.
/// A duplicate changes nothing. Money for an order already cancelled is reported to admins.
pub async fn apply_transaction(state: &State, tx: Transaction) -> AppResult<()> {
    let wx = wechat(state)?;
    if tx.mchid != wx.mchid() || tx.appid != wx.appid() {
        return Err(AppError::invalid("mchid or appid does not match"));
    }
    if tx.trade_state != "SUCCESS" {
        return Ok(());
    }
    let total = tx.amount.as_ref().map(|a| a.total).ok_or_else(|| AppError::invalid("no amount"))?;
    let transaction_id = tx.transaction_id.clone().ok_or_else(|| AppError::invalid("no transaction_id"))?;
    let order_no = tx.out_trade_no.clone();
    state
        .db
        .run(move |conn| match mall::mark_paid(conn, &order_no, "wechat", &transaction_id, total) {
            Ok(PayOutcome::Paid | PayOutcome::AlreadyPaid) => Ok(()),
            Err(AppError::Conflict(why)) => {
                // Paid after it was cancelled: the money must go back by hand. Tell every admin.
                tracing::error!(order_no = %order_no, transaction_id = %transaction_id, why = %why, "payment for an order that cannot take it");
                for admin in crate::auth::service::admin_ids(conn)? {
                    notify::send(
                        conn,
                        admin,
                        MessageKind::Security,
                        "需要人工退款",
                        &format!("订单 {order_no} 已取消，但收到微信支付 {transaction_id}（{}），请在商户平台退款。", crate::web::filters::format_money(total)),
                        None,
                    )?;
                }
                Ok(())
            }
            Err(e) => Err(e),
        })
        .await
}

/// Applies a verified refund notification.
pub async fn apply_refund_notice(state: &State, notice: RefundNotice) -> AppResult<()> {
    let wx = wechat(state)?;
    if notice.mchid != wx.mchid() {
        return Err(AppError::invalid("mchid does not match"));
    }
    if notice.refund_status != "SUCCESS" {
        tracing::warn!(out_refund_no = %notice.out_refund_no, status = %notice.refund_status, "refund did not succeed");
        return Ok(());
    }
    state.db.run(move |conn| mall::refund_succeeded(conn, &notice.out_refund_no, &notice.refund_id)).await
}

/// Asks WeChat Pay about a pending order and applies a payment it reports (late notification).
pub async fn query_and_apply(state: &State, order_no: String) -> AppResult<bool> {
    let wx = wechat(state)?;
    let tx = web::block(move || wx.query(&order_no)).await?.map_err(upstream)?;
    let paid = tx.trade_state == "SUCCESS";
    apply_transaction(state, tx).await?;
    Ok(paid)
}

/// Carries out an approved refund through the provider that took the money.
pub async fn refund(state: &State, refund_id: i64) -> AppResult<()> {
    let ticket = state.db.run(move |conn| mall::approve_refund(conn, refund_id)).await?;
    match ticket.provider.as_str() {
        "wechat" => {
            let wx = wechat(state)?;
            let (no, rno, amount, total) =
                (ticket.order_no.clone(), ticket.refund_no.clone(), ticket.amount_cents, ticket.total_cents);
            let answer =
                web::block(move || wx.refund(&no, &rno, amount, total, "商家同意退款")).await?.map_err(upstream)?;
            if answer.status == "SUCCESS" {
                let rno = ticket.refund_no.clone();
                state.db.run(move |conn| mall::refund_succeeded(conn, &rno, &answer.refund_id)).await?;
            }
            Ok(())
        }
        _ => {
            let rno = ticket.refund_no.clone();
            state.db.run(move |conn| mall::refund_succeeded(conn, &rno, &format!("MOCK-{rno}"))).await
        }
    }
}

/// Job: close a cancelled order at WeChat Pay so a stale payment page cannot take money.
pub fn close_order(state: &State, order_no: &str) -> Result<(), String> {
    let Some(wx) = state.wxpay.clone() else {
        return Ok(());
    };
    match wx.close(order_no) {
        Ok(()) => Ok(()),
        // Never prepaid at WeChat: nothing to close.
        Err(PayError::Api { code, .. }) if code == "ORDER_NOT_EXIST" || code == "ORDERNOTEXIST" => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
