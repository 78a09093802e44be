//! Admin actions from a post's page: the post (pin, lock, hide, delete, move, ban the author,
//! see who wrote it) and its comments (hide, delete).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, Action};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, see_other, session};

#[derive(Deserialize)]
pub struct ManageForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    board_id: Option<String>,
    days: Option<String>,
}

fn number(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|v| v.trim().parse().ok())
}

pub async fn manage_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    admin: RequirePerm<need::Moderation>,
    path: web::Path<i64>,
    form: web::Form<ManageForm>,
) -> AppResult<HttpResponse> {
    let action = Action::parse(&form.action, &form.reason, number(&form.board_id), number(&form.days))?;
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    let done = state.db.run(move |conn| service::act(conn, aid, id, &action, &ip)).await?;
    forum.lists.clear();
    session::flash(&session, "success", done);
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}

/// Shows an admin who wrote a post (anonymous ones too); the look is audit-logged.
pub async fn reveal_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::Moderation>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    let who = state.db.run(move |conn| service::reveal_author(conn, aid, id, &ip)).await?;
    session::flash(&session, "info", who);
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}

pub async fn manage_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::Moderation>,
    path: web::Path<i64>,
    form: web::Form<ManageForm>,
) -> AppResult<HttpResponse> {
    let delete = match form.action.as_str() {
        "delete" => true,
        "hide" => false,
        _ => return Err(AppError::invalid("不认识的操作")),
    };
    let reason = form.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::invalid("请填写原因（200 字以内）"));
    }
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    let post = state.db.run(move |conn| service::act_on_comment(conn, aid, id, delete, &reason, &ip)).await?;
    session::flash(&session, "success", if delete { "评论已删除" } else { "评论已隐藏" });
    Ok(see_other(&req, &format!("/forum/posts/{post}")))
}
