//! The mall home, category pages (with htmx infinite scroll) and the product page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, Sort};
use crate::error::AppResult;
use crate::mall::views::{CardsFragment, CategoryView, MallPage, ProductView};
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::{is_htmx, render, url_encode};

pub async fn show_mall(
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    page: Page,
) -> AppResult<HttpResponse> {
    let home = match mall.home.get() {
        Some(home) => home,
        None => {
            let home = std::sync::Arc::new(state.db.run(service::home).await?);
            mall.home.put(home.clone());
            home
        }
    };
    render(&MallPage {
        page,
        banners: &home.banners,
        categories: &home.categories,
        hot: &home.hot,
        newest: &home.newest,
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
    after: Option<String>,
}

pub async fn show_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sort = Sort::parse(q.sort.as_deref());
    let cursor = service::parse_cursor(q.after.as_deref());
    let data = state.db.run(move |conn| service::category_page(conn, id, sort, cursor)).await?;
    let more_url =
        data.next_cursor.map(|c| format!("/mall/categories/{id}?sort={}&after={}", sort.as_str(), url_encode(&c)));
    if is_htmx(&req) && q.after.is_some() {
        return render(&CardsFragment { cards: data.cards, more_url });
    }
    render(&CategoryView {
        page,
        category: data.category,
        parent: data.parent,
        children: data.children,
        sort,
        cards: data.cards,
        more_url,
    })
}

pub async fn show_product(state: web::Data<AppState>, page: Page, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let detail = state.db.run(move |conn| service::product_detail(conn, id)).await?;
    render(&ProductView { page, detail })
}
