//! Moderation from a post's page: the post (pin, lock, hide, delete, move, ban or warn the
//! author, see who wrote it) and its comments (hide, delete, restore), by admins anywhere and by
//! a board's moderators in their board; and a board's own queue of open reports and held posts.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, Action, Actor, CommentAction};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::CurrentUser;
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

/// Who moderates: admins with the moderation permission everywhere, moderators in their board
/// (the service checks which board).
pub fn actor(user: &CurrentUser) -> Actor {
    let admin = user.can(crate::web::Permission::Moderation);
    if admin {
        // The audit log says which permission an admin acted under (a moderator under none).
        crate::db::acting::set(crate::web::Permission::Moderation.code());
    }
    Actor { id: user.id, admin }
}

pub async fn manage_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ManageForm>,
) -> AppResult<HttpResponse> {
    let action = Action::parse(&form.action, &form.reason, number(&form.board_id), number(&form.days))?;
    let (id, who, ip) = (path.into_inner(), actor(&user), client_ip(&req));
    let done = state.db.run(move |conn| service::act(conn, who, id, &action, &ip)).await?;
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
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ManageForm>,
) -> AppResult<HttpResponse> {
    let action = CommentAction::parse(&form.action)?;
    let reason = form.reason.trim().to_string();
    if action != CommentAction::Restore && (reason.is_empty() || reason.chars().count() > 200) {
        return Err(AppError::invalid("请填写原因（200 字以内）"));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::invalid("原因不能超过 200 字"));
    }
    let (id, who, ip) = (path.into_inner(), actor(&user), client_ip(&req));
    let post = state.db.run(move |conn| service::act_on_comment(conn, who, id, action, &reason, &ip)).await?;
    let done = match action {
        CommentAction::Delete => "评论已删除",
        CommentAction::Hide => "评论已隐藏",
        CommentAction::Restore => "评论已恢复显示",
    };
    session::flash(&session, "success", done);
    Ok(see_other(&req, &format!("/forum/posts/{post}")))
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /forum/boards/{id}/queue/{flag}`: a moderator approves or hides one open report or
/// held post of their board.
pub async fn decide_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    form: web::Form<DecideForm>,
) -> AppResult<HttpResponse> {
    let (board, flag) = path.into_inner();
    let approve = match form.decision.as_str() {
        "approve" => true,
        "hide" => false,
        _ => return Err(AppError::invalid("请选择“通过”或“隐藏”")),
    };
    let reason = form.reason.trim().to_string();
    if !approve && (reason.is_empty() || reason.chars().count() > 200) {
        return Err(AppError::invalid("隐藏需要填写原因（200 字以内）"));
    }
    let (who, ip) = (actor(&user), client_ip(&req));
    state.db.run(move |conn| service::decide_board_flag(conn, who, board, flag, approve, &reason, &ip)).await?;
    forum.lists.clear();
    session::flash(&session, "success", if approve { "已通过" } else { "已隐藏，作者会收到通知" });
    Ok(see_other(&req, &format!("/forum/boards/{board}/queue")))
}
