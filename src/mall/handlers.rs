//! What the mall's handlers share. The handlers themselves live with their concern
//! (`catalog/`, `search/`, `cart/`, `checkout/`, `orders/`, `refunds/`).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::error::AppResult;

pub(in crate::mall) fn html_with(status: StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}
