use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use super::views::{AuditView, DashboardView, UsersView, WordsView};
use crate::auth::models::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

pub async fn dashboard(
    state: web::Data<AppState>,
    a: RequirePerm<need::Dashboard>,
    page: Page,
) -> AppResult<HttpResponse> {
    let with_audit = a.0.can(crate::web::Permission::AuditLog);
    let d = state.db.run(move |conn| service::dashboard(conn, with_audit)).await?;
    let chart =
        crate::merchant::service::bar_chart(&d.registrations, "近30天注册", crate::merchant::service::Unit::People);
    render(&DashboardView { page, d, chart })
}

#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
}

pub async fn list_users(
    state: web::Data<AppState>,
    a: RequirePerm<need::UsersRead>,
    page: Page,
    q: web::Query<UsersQuery>,
) -> AppResult<HttpResponse> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let t = text.clone();
    let users = state.db.run(move |conn| service::users(conn, &t)).await?;
    let manage = a.0.can(crate::web::Permission::UsersManage);
    render(&UsersView { page, q: text, users, manage })
}

pub async fn set_roles(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::UsersManage>,
    path: web::Path<i64>,
    body: String,
) -> AppResult<HttpResponse> {
    let roles = crate::web::forms::checked(&body, "role", Role::parse)?;
    let (admin, id, ip) = (a.0.id, path.into_inner(), client_ip(&req));
    state.db.run(move |conn| service::set_roles(conn, admin, id, &roles, &ip)).await?;
    session::flash(&session, "success", "角色已更新");
    Ok(see_other(&req, "/admin/users"))
}

async fn ban_or_unban(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::UsersManage>,
    id: i64,
    banned: bool,
) -> AppResult<HttpResponse> {
    let (admin, ip) = (a.0.id, client_ip(&req));
    state.db.run(move |conn| service::set_banned(conn, admin, id, banned, &ip)).await?;
    session::flash(&session, "success", if banned { "已封禁，该用户会被立即登出" } else { "已解除封禁" });
    Ok(see_other(&req, "/admin/users"))
}

pub async fn ban(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::UsersManage>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    ban_or_unban(req, state, session, a, path.into_inner(), true).await
}

pub async fn unban(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::UsersManage>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    ban_or_unban(req, state, session, a, path.into_inner(), false).await
}

pub async fn list_words(
    state: web::Data<AppState>,
    _a: RequirePerm<need::SensitiveWords>,
    page: Page,
) -> AppResult<HttpResponse> {
    let words = state.db.run(service::words).await?;
    render(&WordsView { page, words })
}

#[derive(Deserialize)]
pub struct WordForm {
    #[serde(default)]
    word: String,
    #[serde(default)]
    action: String,
}

pub async fn add_word(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::SensitiveWords>,
    form: web::Form<WordForm>,
) -> AppResult<HttpResponse> {
    let block = match form.action.as_str() {
        "block" => true,
        "review" => false,
        _ => return Err(AppError::invalid("请选择处理方式")),
    };
    let (admin, word, ip) = (a.0.id, form.word.clone(), client_ip(&req));
    state.db.run(move |conn| service::add_word(conn, admin, &word, block, &ip)).await?;
    session::flash(&session, "success", "已保存");
    Ok(see_other(&req, "/admin/words"))
}

pub async fn delete_word(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::SensitiveWords>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (admin, id, ip) = (a.0.id, path.into_inner(), client_ip(&req));
    state.db.run(move |conn| service::delete_word(conn, admin, id, &ip)).await?;
    session::flash(&session, "success", "已删除");
    Ok(see_other(&req, "/admin/words"))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    page: Option<String>,
}

pub async fn audit_log(
    state: web::Data<AppState>,
    _a: RequirePerm<need::AuditLog>,
    page: Page,
    q: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let action: String = q.action.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let actor: String = q.actor.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=1000).contains(p)).unwrap_or(1);
    let (a, b) = (action.clone(), actor.clone());
    let entries = state.db.run(move |conn| service::audit_log(conn, &a, &b, page_no)).await?;
    render(&AuditView { page, action, actor, entries, page_no })
}
