//! `/admin/forum`: the boards, in the back office.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, BoardFlags, BoardSpec};
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
    let (boards, values, moderators) = state
        .db
        .run(move |conn| {
            let boards = crate::forum::feed::service::all_boards(conn)?;
            Ok((boards, settings.get(conn)?, crate::forum::stewards::service::appointments(conn)?))
        })
        .await?;
    let (hide_at, first_posts) = (values.report_hide_at, values.review_first_posts);
    render(&AdminBoardsPage { page, boards, hide_at, first_posts, moderators })
}

#[derive(Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    report_hide_at: String,
    #[serde(default)]
    review_first_posts: String,
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
    let first = match form.review_first_posts.trim() {
        "" => 0,
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=100).contains(n))
            .ok_or_else(|| crate::error::AppError::invalid("新用户需审核的帖子数需为 0–100"))?,
    };
    let (aid, ip, settings) = (admin.0.id, client_ip(&req), state.settings.clone());
    state.db.run(move |conn| service::save_rules(conn, &settings, aid, n, first, &ip)).await?;
    let held = if first > 0 { format!("；新用户的前 {first} 个帖子审核后显示") } else { String::new() };
    session::flash(&session, "success", format!("已保存：被 {n} 位同学举报的帖子会自动隐藏等待审核{held}"));
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
    open_to_all: Option<String>,
    review_all: Option<String>,
}

impl BoardForm {
    fn spec(&self, new: bool) -> AppResult<BoardSpec> {
        // A new board opens at once; an edited one is open only while its box stays ticked.
        let active = new || self.active.is_some();
        let flags = BoardFlags {
            admin_only: self.admin_only.is_some(),
            active,
            open_to_all: self.open_to_all.is_some(),
            review_all: self.review_all.is_some(),
        };
        BoardSpec::parse(&self.name, &self.description, &self.icon, &self.sort_order, flags)
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
