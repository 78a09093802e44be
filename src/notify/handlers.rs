use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::web::WebState;
use crate::web::api::{self, ApiUser};

/// `GET /api/v1/wx/subscribe/templates`: the template ids the shell should ask for.
pub async fn subscribe_templates(state: web::Data<WebState>, _user: ApiUser) -> HttpResponse {
    let ids: Vec<&str> = state.config.wx.templates.iter().map(|(_, id)| id.as_str()).collect();
    api::ok(serde_json::json!({ "template_ids": ids }))
}

#[derive(Deserialize)]
pub struct SubscribeBody {
    #[serde(default)]
    accepted: Vec<String>,
}

/// `POST /api/v1/wx/subscribe` with `{"accepted": [template ids]}` from `wx.requestSubscribeMessage`.
pub async fn record_subscription(
    state: web::Data<WebState>,
    user: ApiUser,
    body: web::Json<SubscribeBody>,
) -> AppResult<HttpResponse> {
    let accepted = body.into_inner().accepted;
    if accepted.len() > 10 || accepted.iter().any(|t| t.is_empty() || t.len() > 64) {
        return Err(AppError::invalid("模板列表无效"));
    }
    let known = state.config.wx.templates.clone();
    let n = state.db.run(move |conn| super::wechat::record_accepted(conn, user.0, &accepted, &known)).await?;
    Ok(api::ok(serde_json::json!({ "recorded": n })))
}
