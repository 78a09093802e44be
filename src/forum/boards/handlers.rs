//! `/admin/forum`: the boards, in the back office.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, BoardSpec};
use crate::error::AppResult;
use crate::forum::views::AdminBoardsPage;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

pub async fn list_boards(
    state: web::Data<AppState>,
    _a: RequirePerm<need::ForumBoards>,
    page: Page,
) -> AppResult<HttpResponse> {
    let settings = state.settings.clone();
    let (boards, hide_at) = state
        .db
        .run(move |conn| Ok((crate::forum::feed::service::all_boards(conn)?, settings.get(conn)?.report_hide_at)))
        .await?;
    render(&AdminBoardsPage { page, boards, hide_at })
}

#[derive(Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    report_hide_at: String,
}

/// How many open reports hide a post pending review; audit-logged.
pub async fn save_rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::ForumBoards>,
    form: web::Form<RulesForm>,
) -> AppResult<HttpResponse> {
    let n = form
        .report_hide_at
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| crate::error::AppError::invalid("自动隐藏的举报次数需为 1–100"))?;
    let (aid, ip, settings) = (admin.0.id, client_ip(&req), state.settings.clone());
    state.db.run(move |conn| service::save_rules(conn, &settings, aid, n, &ip)).await?;
    session::flash(&session, "success", format!("已保存：被 {n} 位同学举报的帖子会自动隐藏等待审核"));
    Ok(see_other(&req, "/admin/forum"))
}

#[derive(Deserialize)]
pub struct BoardForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    icon: String,
    #[serde(default)]
    sort_order: String,
    admin_only: Option<String>,
    active: Option<String>,
}

impl BoardForm {
    fn spec(&self, new: bool) -> AppResult<BoardSpec> {
        // A new board opens at once; an edited one is open only while its box stays ticked.
        let active = new || self.active.is_some();
        BoardSpec::parse(&self.name, &self.description, &self.icon, &self.sort_order, self.admin_only.is_some(), active)
    }
}

pub async fn create_board(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    admin: RequirePerm<need::ForumBoards>,
    form: web::Form<BoardForm>,
) -> AppResult<HttpResponse> {
    let spec = form.spec(true)?;
    let (aid, ip) = (admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::add(conn, aid, &spec, &ip)).await?;
    forum.lists.clear();
    session::flash(&session, "success", "版块已添加");
    Ok(see_other(&req, "/admin/forum"))
}

pub async fn update_board(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    admin: RequirePerm<need::ForumBoards>,
    path: web::Path<i64>,
    form: web::Form<BoardForm>,
) -> AppResult<HttpResponse> {
    let spec = form.spec(false)?;
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::update(conn, aid, id, &spec, &ip)).await?;
    forum.lists.clear();
    session::flash(&session, "success", "版块已保存");
    Ok(see_other(&req, "/admin/forum"))
}
