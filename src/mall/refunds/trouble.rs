//! Refunds that need a person: every call to the provider failed (`failed`), or WeChat Pay
//! could not pay the money back (`abnormal`, a closed bank card, say). The shop's owner and
//! every admin are told; an admin sends it again or records that the money went back offline.

use chrono::NaiveDateTime;

use super::queries;
use super::service::settle;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::mall::catalog;
use crate::mall::models::{Order, Refund};
use crate::mall::orders;
use crate::notify::{self, MessageKind};
use crate::web::filters::format_money;

/// Counts one call to the provider for a refund still being processed; `error` is why it
/// failed (none when the provider took it).
pub fn record_refund_attempt(conn: &mut DbConn, refund_id: i64, error: Option<&str>) -> AppResult<()> {
    queries::record_attempt(conn, refund_id, error, db::now())?;
    Ok(())
}

/// Every attempt failed: the refund is `failed` and the shop and the admins are told. Only a
/// refund still processing moves; anything else is left as it is.
pub fn refund_stuck(conn: &mut DbConn, refund_id: i64, why: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        if queries::move_refund(conn, refund_id, &["processing"], "failed", None, None, db::now())? != 1 {
            return Ok(());
        }
        queries::set_last_error(conn, refund_id, why)?;
        let (refund, order) = refund_and_order(conn, refund_id)?;
        tell_shop_and_admins(
            conn,
            &order,
            "退款未能完成",
            &format!(
                "订单 {} 的退款 {} 经 {} 次尝试仍未成功，平台管理员会尽快处理。",
                order.order_no,
                format_money(refund.amount_cents),
                refund.attempts
            ),
        )
    })
}

/// WeChat Pay reports the refund `ABNORMAL`: the money could not reach the buyer. Recorded
/// once; a replayed notice changes nothing.
pub fn refund_abnormal(conn: &mut DbConn, refund_no: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let refund_id = queries::refund_id_by_no(conn, refund_no)?.ok_or(AppError::NotFound)?;
        if queries::move_refund(conn, refund_id, &["processing", "failed"], "abnormal", None, None, db::now())? != 1 {
            tracing::warn!(refund_no, "abnormal refund notice for a refund no longer in progress");
            return Ok(());
        }
        queries::set_last_error(conn, refund_id, "微信支付退款异常（如买家银行卡已注销）")?;
        let (refund, order) = refund_and_order(conn, refund_id)?;
        tell_shop_and_admins(
            conn,
            &order,
            "退款异常",
            &format!(
                "订单 {} 的退款 {} 被微信支付退回（退款异常），平台管理员会尽快处理。",
                order.order_no,
                format_money(refund.amount_cents)
            ),
        )
    })
}

/// An admin sends a failed or abnormal refund again: it is `processing` once more. Returns the
/// refund as it was.
pub fn reopen_refund(conn: &mut DbConn, refund_id: i64) -> AppResult<Refund> {
    write_tx(conn, |conn| {
        let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if queries::move_refund(conn, refund_id, &["failed", "abnormal"], "processing", None, None, db::now())? != 1 {
            return Err(AppError::conflict("该退款已不在异常状态"));
        }
        Ok(refund)
    })
}

/// An admin records that a failed or abnormal refund was paid back outside WeChat Pay: the
/// money counts and the order moves as after a success.
pub fn refund_offline(conn: &mut DbConn, refund_id: i64, admin: i64) -> AppResult<Refund> {
    write_tx(conn, |conn| {
        let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
        if !matches!(refund.status.as_str(), "failed" | "abnormal") {
            return Err(AppError::conflict("该退款已不在异常状态"));
        }
        settle(
            conn,
            refund_id,
            &["failed", "abnormal"],
            &format!("OFFLINE-{}", refund.refund_no),
            Some(admin),
            "平台已线下退款",
        )?;
        Ok(refund)
    })
}

/// A refund on the admins' page: what, whose, why it stopped.
pub struct StuckRefund {
    pub refund: Refund,
    pub order_no: String,
    pub shop_name: String,
    pub buyer: String,
    pub last_error: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// Failed and abnormal refunds, oldest first.
pub fn stuck_refunds(conn: &mut DbConn) -> AppResult<Vec<StuckRefund>> {
    Ok(queries::refunds_in(conn, &["failed", "abnormal"], 200)?
        .into_iter()
        .map(|(refund, order_no, shop_name, buyer, last_error, updated_at)| StuckRefund {
            refund,
            order_no,
            shop_name,
            buyer,
            last_error,
            updated_at,
        })
        .collect())
}

fn refund_and_order(conn: &mut DbConn, refund_id: i64) -> AppResult<(Refund, Order)> {
    let refund = queries::refund_by_id(conn, refund_id)?.ok_or(AppError::NotFound)?;
    let order = orders::queries::order_by_id(conn, refund.order_id)?;
    Ok((refund, order))
}

/// The shop's owner (to the order) and every admin who handles refunds (to the refunds page).
fn tell_shop_and_admins(conn: &mut DbConn, order: &Order, title: &str, body: &str) -> AppResult<()> {
    let owner = catalog::queries::shop_owner(conn, order.shop_id)?;
    let link = format!("/merchant/orders/{}", order.order_no);
    notify::send(conn, owner, MessageKind::ShopOrder, title, body, Some(&link))?;
    for admin in crate::auth::staff::admins_who_may(conn, crate::web::Permission::Refunds)? {
        notify::send(conn, admin, MessageKind::ShopOrder, title, body, Some("/admin/refunds"))?;
    }
    Ok(())
}
