use actix_web::web;

use super::State;
use super::wechat::{PayError, PayParams, RefundNotice, Transaction, WechatPay};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::jobs::Job;
use crate::mall::models::{OrderStatus, Refund};
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
                for admin in crate::auth::staff::admins_who_may(conn, crate::web::Permission::Refunds)? {
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

/// Applies a verified refund notification: it must name our merchant and match the stored
/// refund and its order (order number, payment, refund and order amounts in fen), or nothing
/// changes. `ABNORMAL` (the money could not reach the buyer) goes to the admins.
pub async fn apply_refund_notice(state: &State, notice: RefundNotice) -> AppResult<()> {
    let wx = wechat(state)?;
    if notice.mchid != wx.mchid() {
        return Err(AppError::invalid("mchid does not match"));
    }
    state
        .db
        .run(move |conn| {
            let ticket = mall::refund_ticket_by_no(conn, &notice.out_refund_no)?;
            let amount = notice.amount.as_ref().ok_or_else(|| AppError::invalid("no amount"))?;
            let same_payment = match (&notice.transaction_id, &ticket.transaction_id) {
                (Some(theirs), Some(ours)) => theirs == ours,
                _ => true,
            };
            if notice.out_trade_no != ticket.order_no
                || !same_payment
                || amount.refund != ticket.amount_cents
                || amount.total != ticket.total_cents
            {
                return Err(AppError::invalid(format!(
                    "refund {} does not match: order {} refund {} of {}",
                    notice.out_refund_no, notice.out_trade_no, amount.refund, amount.total
                )));
            }
            match notice.refund_status.as_str() {
                "SUCCESS" => mall::refund_succeeded(conn, &notice.out_refund_no, &notice.refund_id),
                "ABNORMAL" => mall::refund_abnormal(conn, &notice.out_refund_no),
                "CLOSED" => mall::refund_stuck(conn, ticket.id, "微信支付已关闭该退款"),
                _ => Ok(()),
            }
        })
        .await
}

/// Asks WeChat Pay about a pending order and applies a payment it reports (late notification).
pub async fn query_and_apply(state: &State, order_no: String) -> AppResult<bool> {
    let wx = wechat(state)?;
    let tx = web::block(move || wx.query(&order_no)).await?.map_err(upstream)?;
    let paid = tx.trade_state == "SUCCESS";
    apply_transaction(state, tx).await?;
    Ok(paid)
}

/// What the merchant's approval started.
pub enum Approval {
    /// The mock cashier paid it back at once.
    Refunded,
    /// Queued for WeChat Pay.
    Processing,
}

/// Carries out an approved refund through the provider that took the money: the mock cashier
/// at once, WeChat Pay through the job queue (retried with backoff; the merchant never waits
/// on WeChat Pay).
pub async fn refund(state: &State, refund_id: i64) -> AppResult<Approval> {
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let ticket = mall::approve_refund(conn, refund_id)?;
                if ticket.provider == "wechat" {
                    enqueue_refund(conn, refund_id)?;
                    Ok(Approval::Processing)
                } else {
                    mall::refund_succeeded(conn, &ticket.refund_no, &format!("MOCK-{}", ticket.refund_no))?;
                    Ok(Approval::Refunded)
                }
            })
        })
        .await
}

/// An admin sends a failed or abnormal refund again, with the same `out_refund_no`.
pub fn retry_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<Refund> {
    write_tx(conn, |conn| {
        let refund = mall::reopen_refund(conn, refund_id)?;
        enqueue_refund(conn, refund_id)?;
        Ok(refund)
    })
}

fn enqueue_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<()> {
    crate::jobs::enqueue_with_attempts(
        conn,
        super::JOB_REFUND,
        &serde_json::json!({ "refund_id": refund_id }),
        db::now(),
        super::REFUND_ATTEMPTS,
    )
}

/// Job: asks the provider for one refund. Every attempt sends the same `out_refund_no`, which
/// WeChat Pay treats as the same refund, so a lost answer never pays twice. After the last
/// attempt the refund is `failed` and the shop and the admins are told.
pub fn send_refund(state: &State, conn: &mut DbConn, refund_id: i64, job: &Job) -> Result<(), String> {
    let ticket = mall::refund_ticket(conn, refund_id).map_err(|e| e.to_string())?;
    if ticket.status != "processing" {
        // Settled meanwhile (notification, an admin): nothing to send.
        return Ok(());
    }
    if ticket.provider != "wechat" {
        let provider_id = format!("MOCK-{}", ticket.refund_no);
        return mall::refund_succeeded(conn, &ticket.refund_no, &provider_id).map_err(|e| e.to_string());
    }
    let answer = match state.wxpay.as_deref() {
        Some(wx) => wx
            .refund(&ticket.order_no, &ticket.refund_no, ticket.amount_cents, ticket.total_cents, "商家同意退款")
            .map_err(|e| e.to_string()),
        None => Err("WeChat Pay is not configured".to_string()),
    };
    let outcome = match answer {
        Ok(answer) => {
            mall::record_refund_attempt(conn, refund_id, None).map_err(|e| e.to_string())?;
            match answer.status.as_str() {
                "SUCCESS" => mall::refund_succeeded(conn, &ticket.refund_no, &answer.refund_id),
                "ABNORMAL" => mall::refund_abnormal(conn, &ticket.refund_no),
                "CLOSED" => mall::refund_stuck(conn, refund_id, "微信支付已关闭该退款"),
                // PROCESSING: the refund notification finishes it.
                _ => Ok(()),
            }
            .map_err(|e| e.to_string())
        }
        Err(error) => {
            mall::record_refund_attempt(conn, refund_id, Some(&error)).map_err(|e| e.to_string())?;
            Err(error)
        }
    };
    if let Err(error) = &outcome
        && job.is_last_attempt()
    {
        tracing::error!(refund_no = %ticket.refund_no, error = %error, "refund failed on its last attempt");
        mall::refund_stuck(conn, refund_id, error).map_err(|e| e.to_string())?;
    }
    outcome
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
