//! The merchant back office's pages, by concern: `apply` (onboarding), `products` (list, new,
//! edit, shelf, inline stock), `imports` (CSV export, CSV/XLSX import), `orders` (shipping and
//! refunds), `coupons`, and `admin` (reviewing applications, suspending shops). What they
//! share lives here, with the dashboard.

pub mod admin;
pub mod apply;
pub mod coupons;
pub mod imports;
pub mod orders;
pub mod products;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::service;
use super::views::{DashboardView, LogView};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::{Page, RequireMerchant};
use crate::web::render;

pub(super) fn unprocessable(template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

pub(super) async fn shop_of(state: &AppState, user_id: i64) -> AppResult<i64> {
    state.db.run(move |conn| service::own_shop(conn, user_id)).await
}

pub async fn dashboard(state: web::Data<AppState>, m: RequireMerchant, page: Page) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let d = state.db.run(move |conn| service::dashboard(conn, shop)).await?;
    let chart = service::bar_chart(&d.daily, "近30天销售额", service::Unit::Money);
    render(&DashboardView { page, d, chart })
}

#[derive(serde::Deserialize)]
pub struct LogQuery {
    page: Option<i64>,
}

/// `GET /merchant/log`: what was done in this shop, by whom, newest first.
pub async fn activity_log(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    q: web::Query<LogQuery>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let lines = state.db.run(move |conn| service::activity_log(conn, shop, page_no)).await?;
    let has_more = lines.len() as i64 == service::LOG_PAGE;
    render(&LogView { page, lines, page_no, has_more })
}
