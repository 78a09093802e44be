//! The search page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::error::AppResult;
use crate::mall::catalog;
use crate::mall::catalog::service::Sort;
use crate::mall::handlers::html_with;
use crate::mall::models::parse_yuan;
use crate::mall::views::SearchView;
use crate::state::AppState;
use crate::web::page::Page;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    min: Option<String>,
    max: Option<String>,
    category: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

fn parse_search(q: &SearchQuery) -> Result<(service::ProductSearch, String, String), String> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(50).collect();
    let price = |raw: &Option<String>, label: &str| -> Result<Option<i64>, String> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => parse_yuan(v).map(Some).map_err(|_| format!("{label}请输入数字，如 10 或 9.9")),
        }
    };
    let min = price(&q.min, "最低价")?;
    let max = price(&q.max, "最高价")?;
    if let (Some(a), Some(b)) = (min, max)
        && a > b
    {
        return Err("最低价不能高于最高价".into());
    }
    let category = match q.category.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| "分类参数无效".to_string())?),
    };
    let page = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=25).contains(p)).unwrap_or(1);
    let show = |v: &Option<String>| v.as_deref().unwrap_or("").trim().chars().take(12).collect::<String>();
    Ok((
        service::ProductSearch {
            q: text,
            min,
            max,
            category,
            sort: service::SearchSort::parse(q.sort.as_deref()),
            page,
        },
        show(&q.min),
        show(&q.max),
    ))
}

/// `GET /mall/search?q=&min=&max=&category=&sort=&page=`.
pub async fn search(
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    page: Page,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let (search, min, max, error) = match parse_search(&q) {
        Ok((s, min, max)) => (s, min, max, None),
        Err(message) => {
            let s = service::ProductSearch {
                q: q.q.clone().unwrap_or_default().chars().take(50).collect(),
                min: None,
                max: None,
                category: None,
                sort: service::SearchSort::Relevance,
                page: 1,
            };
            (s, String::new(), String::new(), Some(message))
        }
    };
    let (st, mall) = (state.clone(), mall.clone());
    let query = service::ProductSearch { q: search.q.clone(), ..search };
    let has_error = error.is_some();
    let (results, categories, suggestions, query) = state
        .db
        .run(move |conn| {
            let results = if has_error || query.q.is_empty() {
                service::SearchResults { hits: Vec::new(), total: 0, has_more: false }
            } else {
                service::search_products(conn, &st.search, &mall.search, &query)?
            };
            let suggestions = if results.total == 0 {
                catalog::queries::product_cards(conn, None, Sort::Sales, None, 6)?
            } else {
                Vec::new()
            };
            // The filter's category list comes from the mall home's shared data.
            let home = match mall.home.get() {
                Some(home) => home,
                None => {
                    let home = std::sync::Arc::new(catalog::service::home(conn)?);
                    mall.home.put(home.clone());
                    home
                }
            };
            let categories = home.categories.clone();
            Ok((results, categories, suggestions, query))
        })
        .await?;
    let view = SearchView {
        page,
        q: query.q,
        min,
        max,
        category: query.category,
        sort: query.sort,
        categories,
        results,
        suggestions,
        page_no: query.page,
        error,
    };
    let status = if view.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html_with(status, &view)
}
