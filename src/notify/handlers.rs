use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::web::WebState;
use crate::web::api::{self, ApiUser};

#[derive(Deserialize)]
pub struct TemplatesQuery {
    /// Comma-separated purposes (`class,exam`): only their templates; unset = all.
    #[serde(default)]
    purposes: Option<String>,
}

/// `GET /api/v1/wx/subscribe/templates[?purposes=class,exam]`: the template ids the shell should
/// ask for (it asks WeChat for at most 3 per tap), with the purpose of each.
pub async fn subscribe_templates(
    state: web::Data<WebState>,
    _user: ApiUser,
    query: web::Query<TemplatesQuery>,
) -> HttpResponse {
    let wanted: Option<Vec<&str>> = query.purposes.as_deref().map(|p| p.split(',').map(str::trim).collect());
    let chosen: Vec<&(String, String)> = state
        .config
        .wx
        .templates
        .iter()
        .filter(|(p, _)| wanted.as_ref().is_none_or(|w| w.contains(&p.as_str())))
        .collect();
    let ids: Vec<&str> = chosen.iter().map(|(_, id)| id.as_str()).collect();
    let templates: Vec<serde_json::Value> =
        chosen.iter().map(|(p, id)| serde_json::json!({ "purpose": p, "id": id })).collect();
    api::ok(serde_json::json!({ "template_ids": ids, "templates": templates }))
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
