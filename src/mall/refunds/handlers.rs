//! The student's refund request.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::error::{AppError, AppResult};
use crate::mall::models::parse_yuan;
use crate::state::AppState;
use crate::web::page::CurrentUser;
use crate::web::{see_other, session};

#[derive(Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

pub async fn request_refund(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
    form: web::Form<RefundForm>,
) -> AppResult<HttpResponse> {
    let reason = form.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::invalid("请填写退款原因（200 字以内）"));
    }
    let amount = match form.amount.trim() {
        "" => None,
        raw => Some(parse_yuan(raw).map_err(AppError::Invalid)?),
    };
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    state.db.run(move |conn| service::request_refund(conn, uid, &n, amount, &reason)).await?;
    session::flash(&session, "success", "退款申请已提交，等待商家处理");
    Ok(see_other(&req, &format!("/mall/orders/{no}")))
}
