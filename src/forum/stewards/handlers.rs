//! A board's mod log (public), its moderators' queue, and the admin appointing moderators.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::error::AppResult;
use crate::forum::moderate::handlers::actor;
use crate::forum::views::{BoardQueuePage, ModLogPage};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

/// `/forum/boards/{id}/log`: every moderation action in the board, and who moderates it.
pub async fn show_log(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, who) = (path.into_inner(), actor(&user));
    let (board, moderators, lines, moderator) = state
        .db
        .run(move |conn| {
            let board = crate::forum::feed::service::board(conn, id)?;
            let moderators =
                service::appointments(conn)?.into_iter().filter(|a| a.board_id == id).map(|a| a.nickname).collect();
            let lines = service::board_log(conn, id)?;
            let moderator = service::may_moderate(conn, who.id, who.admin, id)?;
            Ok((board, moderators, lines, moderator))
        })
        .await?;
    render(&ModLogPage { page, board, moderators, lines, moderator })
}

/// `/forum/boards/{id}/queue`: the board's open reports and held posts, for its moderators
/// (anyone else: 403).
pub async fn show_queue(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, who) = (path.into_inner(), actor(&user));
    let (board, flags) = state
        .db
        .run(move |conn| {
            let board = crate::forum::feed::service::board(conn, id)?;
            service::ensure_moderator(conn, who.id, who.admin, id)?;
            Ok((board, service::board_queue(conn, id)?))
        })
        .await?;
    render(&BoardQueuePage { page, board, flags })
}

#[derive(Deserialize)]
pub struct AppointForm {
    #[serde(default)]
    username: String,
}

/// `POST /admin/forum/boards/{id}/moderators`: appoints a moderator by login name.
pub async fn appoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::ForumBoards>,
    path: web::Path<i64>,
    form: web::Form<AppointForm>,
) -> AppResult<HttpResponse> {
    let (board, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    let who = form.username.chars().take(64).collect::<String>();
    let name = state.db.run(move |conn| service::appoint(conn, aid, board, &who, &ip)).await?;
    session::flash(&session, "success", format!("已任命「{name}」为版主"));
    Ok(see_other(&req, "/admin/forum"))
}

/// `POST /admin/forum/boards/{id}/moderators/{user}/remove`.
pub async fn dismiss(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::ForumBoards>,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let ((board, user), aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::dismiss(conn, aid, board, user, &ip)).await?;
    session::flash(&session, "success", "已撤销版主");
    Ok(see_other(&req, "/admin/forum"))
}
