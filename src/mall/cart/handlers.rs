//! The cart page and its inline edits (htmx swaps the cart lines).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::error::{AppError, AppResult};
use crate::mall::models::Quantity;
use crate::mall::views::{CartFragment, CartView};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{is_htmx, render, see_other, session};

/// A toast for htmx callers, rendered into the layout's `#toast`.
fn toast(message: &str) -> HttpResponse {
    let html = format!(
        "<div class=\"toast\" role=\"status\">{}</div>",
        askama::filters::escape(message, askama::filters::Html).map(|s| s.to_string()).unwrap_or_default()
    );
    HttpResponse::Ok()
        .insert_header(("HX-Retarget", "#toast"))
        .insert_header(("HX-Reswap", "innerHTML"))
        .content_type("text/html; charset=utf-8")
        .body(html)
}

#[derive(Deserialize)]
pub struct AddToCartForm {
    #[serde(default)]
    sku_id: String,
    #[serde(default)]
    quantity: String,
}

pub async fn add_to_cart(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    form: web::Form<AddToCartForm>,
) -> AppResult<HttpResponse> {
    let sku_id: i64 = form.sku_id.trim().parse().map_err(|_| AppError::invalid("请选择商品规格"))?;
    let quantity = Quantity::parse(&form.quantity).map_err(AppError::Invalid)?;
    let uid = user.id;
    state.db.run(move |conn| service::add_to_cart(conn, uid, sku_id, quantity.get())).await?;
    if is_htmx(&req) {
        return Ok(toast("已加入购物车"));
    }
    session::flash(&session, "success", "已加入购物车");
    Ok(see_other(&req, "/mall/cart"))
}

async fn cart_response(req: &HttpRequest, state: &AppState, page: Page, user_id: i64) -> AppResult<HttpResponse> {
    let cart = state.db.run(move |conn| service::cart(conn, user_id)).await?;
    let csrf = page.csrf.clone();
    if is_htmx(req) {
        return render(&CartFragment { csrf, cart });
    }
    render(&CartView { page, csrf, cart })
}

pub async fn show_cart(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    cart_response(&req, &state, page, user.id).await
}

#[derive(Deserialize)]
pub struct QuantityForm {
    #[serde(default)]
    quantity: String,
}

pub async fn update_cart_line(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<QuantityForm>,
) -> AppResult<HttpResponse> {
    let quantity = Quantity::parse(&form.quantity).map_err(AppError::Invalid)?;
    let (uid, item) = (user.id, path.into_inner());
    state.db.run(move |conn| service::set_cart_quantity(conn, uid, item, quantity.get())).await?;
    if !is_htmx(&req) {
        return Ok(see_other(&req, "/mall/cart"));
    }
    cart_response(&req, &state, page, uid).await
}

pub async fn remove_cart_line(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, item) = (user.id, path.into_inner());
    state.db.run(move |conn| service::remove_cart_item(conn, uid, item)).await?;
    if !is_htmx(&req) {
        return Ok(see_other(&req, "/mall/cart"));
    }
    cart_response(&req, &state, page, uid).await
}
