use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::State;
use super::service;
use super::wechat::{RefundNotice, SignedMessage, Transaction};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::WebState;
use crate::web::api::{self, ApiUser};

#[derive(Deserialize)]
pub struct PrepayBody {
    order_no: Option<String>,
}

/// `POST /api/v1/pay/prepay` (shell token): the signed parameters for `wx.requestPayment`.
pub async fn prepay(
    app: web::Data<AppState>,
    state: web::Data<State>,
    user: ApiUser,
    body: web::Json<PrepayBody>,
) -> AppResult<HttpResponse> {
    let order_no = body.into_inner().order_no.unwrap_or_default();
    if order_no.is_empty() || order_no.len() > 32 || !order_no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::invalid("订单号无效"));
    }
    crate::auth::codes::limit(&app.order_limiter, &[&format!("prepay:{}", user.0)], "发起支付").await?;
    let params = service::prepay(&state, user.0, order_no).await?;
    Ok(api::ok(params))
}

/// What WeChat Pay expects back: 204 for success, 4xx/5xx with a code for "send it again".
fn fail(status: actix_web::http::StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "code": "FAIL", "message": message }))
}

fn signed<'a>(req: &'a HttpRequest, body: &'a str) -> SignedMessage<'a> {
    let h = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    SignedMessage {
        timestamp: h("Wechatpay-Timestamp"),
        nonce: h("Wechatpay-Nonce"),
        signature: h("Wechatpay-Signature"),
        serial: h("Wechatpay-Serial"),
        body,
    }
}

async fn open(state: &State, req: &HttpRequest, body: &web::Bytes) -> Result<String, HttpResponse> {
    let Some(wx) = state.wxpay.clone() else {
        return Err(fail(actix_web::http::StatusCode::NOT_FOUND, "not configured"));
    };
    let text =
        std::str::from_utf8(body).map_err(|_| fail(actix_web::http::StatusCode::BAD_REQUEST, "bad body"))?.to_string();
    let message = signed(req, &text);
    let (timestamp, nonce, signature, serial) = (
        message.timestamp.to_string(),
        message.nonce.to_string(),
        message.signature.to_string(),
        message.serial.to_string(),
    );
    let opened = web::block(move || {
        wx.open_notification(&SignedMessage {
            timestamp: &timestamp,
            nonce: &nonce,
            signature: &signature,
            serial: &serial,
            body: &text,
        })
    })
    .await
    .map_err(|_| fail(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR, "busy"))?;
    match opened {
        Ok((_, plain)) => Ok(plain),
        Err(e) => {
            tracing::warn!(error = %e, "rejected a WeChat Pay notification");
            Err(fail(actix_web::http::StatusCode::UNAUTHORIZED, "signature check failed"))
        }
    }
}

/// Counts a notification that was not applied (see [`super::NOTIFY_FAILURES`]).
fn counted(web_state: &WebState, notice: &str, res: HttpResponse) -> HttpResponse {
    if !res.status().is_success() {
        web_state.metrics.increment(super::NOTIFY_FAILURES, &format!("notice=\"{notice}\""));
    }
    res
}

/// `POST /api/v1/pay/notify/wechat`: a payment result.
pub async fn payment_notice(
    state: web::Data<State>,
    web_state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    counted(&web_state, "payment", apply_payment_notice(&state, &req, &body).await)
}

async fn apply_payment_notice(state: &State, req: &HttpRequest, body: &web::Bytes) -> HttpResponse {
    let plain = match open(state, req, body).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let Ok(tx) = serde_json::from_str::<Transaction>(&plain) else {
        return fail(actix_web::http::StatusCode::BAD_REQUEST, "bad resource");
    };
    match service::apply_transaction(state, tx).await {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => {
            tracing::warn!(error = %e, "payment notification not applied");
            fail(actix_web::http::StatusCode::BAD_REQUEST, &e.to_string())
        }
    }
}

/// `POST /api/v1/pay/notify/wechat-refund`: a refund result.
pub async fn refund_notice(
    state: web::Data<State>,
    web_state: web::Data<WebState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    counted(&web_state, "refund", apply_refund_notice(&state, &req, &body).await)
}

async fn apply_refund_notice(state: &State, req: &HttpRequest, body: &web::Bytes) -> HttpResponse {
    let plain = match open(state, req, body).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let Ok(notice) = serde_json::from_str::<RefundNotice>(&plain) else {
        return fail(actix_web::http::StatusCode::BAD_REQUEST, "bad resource");
    };
    match service::apply_refund_notice(state, notice).await {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => {
            tracing::warn!(error = %e, "refund notification not applied");
            fail(actix_web::http::StatusCode::BAD_REQUEST, &e.to_string())
        }
    }
}

/// `GET /mall/orders/{order_no}/status`, polled by the order page while it waits for payment:
/// 204 while nothing changed, `HX-Refresh` once it did. With WeChat Pay configured the server
/// also asks WeChat Pay itself, in case the notification is late.
pub async fn order_status(
    state: web::Data<AppState>,
    pay: web::Data<State>,
    user: crate::web::CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    let order = state.db.run(move |conn| crate::mall::service::own_order(conn, uid, &n)).await?;
    if !order.is(crate::mall::models::OrderStatus::Pending) {
        return Ok(HttpResponse::Ok().insert_header(("HX-Refresh", "true")).finish());
    }
    if pay.wxpay.is_some() && pay.queries.allow(&no) {
        match service::query_and_apply(&pay, no).await {
            Ok(true) => return Ok(HttpResponse::Ok().insert_header(("HX-Refresh", "true")).finish()),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "active payment query failed"),
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
