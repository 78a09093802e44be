//! Indexing products and answering searches: the ordered hits of a search are shared for a few
//! seconds through `SearchCache`, the cards of a page are always read from the database.

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::mall::catalog;
use crate::mall::catalog::service::PAGE_SIZE;
use crate::mall::models::{PRODUCT_ON, ProductCard};
use crate::search::{Doc, SearchIndex};

use super::queries;

const SEARCH_KIND: &str = "product";

fn index_batch(index: &SearchIndex, rows: &[crate::mall::models::IndexRow]) -> AppResult<()> {
    let upserts: Vec<Doc> = rows
        .iter()
        .filter(|r| r.status == PRODUCT_ON)
        .map(|r| Doc { kind: SEARCH_KIND, id: r.id, title: &r.name, body: &r.description })
        .collect();
    let removals: Vec<(&str, i64)> =
        rows.iter().filter(|r| r.status != PRODUCT_ON).map(|r| (SEARCH_KIND, r.id)).collect();
    index.apply(&upserts, &removals).map_err(AppError::internal)
}

/// Brings the product index up to date with every product changed since its watermark.
/// Cheap when nothing changed (one indexed query); safe to run from several instances.
pub fn sync_search_index(conn: &mut DbConn, index: &SearchIndex) -> AppResult<usize> {
    let mut since = index.watermark(SEARCH_KIND);
    let mut total = 0;
    loop {
        let rows = queries::changed_products(conn, since, 1000)?;
        // Rows at exactly the watermark were indexed last time; re-indexing them is harmless.
        let fresh = rows.iter().filter(|r| Some(r.updated_at) != since).count();
        if fresh == 0 {
            return Ok(total);
        }
        index_batch(index, &rows)?;
        total += fresh;
        let last = rows.last().map(|r| r.updated_at);
        if let Some(last) = last {
            index.set_watermark(SEARCH_KIND, last).map_err(AppError::internal)?;
        }
        if rows.len() < 1000 || last == since {
            return Ok(total);
        }
        since = last;
    }
}

/// Rebuilds the product index from scratch (`campus reindex`).
pub fn rebuild_search_index(conn: &mut DbConn, index: &SearchIndex) -> AppResult<usize> {
    index.clear(SEARCH_KIND).map_err(AppError::internal)?;
    let started = db::now();
    let mut after = 0;
    let mut total = 0;
    loop {
        let rows = queries::products_after(conn, after, 2000)?;
        if rows.is_empty() {
            break;
        }
        index_batch(index, &rows)?;
        total += rows.len();
        after = rows.last().map_or(after, |r| r.id);
    }
    index.set_watermark(SEARCH_KIND, started).map_err(AppError::internal)?;
    Ok(total)
}

/// What the search page asks.
pub struct ProductSearch {
    pub q: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub category: Option<i64>,
    pub sort: SearchSort,
    pub page: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchSort {
    Relevance,
    Sales,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl SearchSort {
    pub fn parse(s: Option<&str>) -> SearchSort {
        match s {
            Some("sales") => SearchSort::Sales,
            Some("price_asc") => SearchSort::PriceAsc,
            Some("price_desc") => SearchSort::PriceDesc,
            Some("newest") => SearchSort::Newest,
            _ => SearchSort::Relevance,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SearchSort::Relevance => "relevance",
            SearchSort::Sales => "sales",
            SearchSort::PriceAsc => "price_asc",
            SearchSort::PriceDesc => "price_desc",
            SearchSort::Newest => "newest",
        }
    }
}

/// One search hit, with its name and a piece of its description highlighted (escaped HTML).
pub struct SearchHit {
    pub card: ProductCard,
    pub name_html: String,
    pub snippet_html: String,
}

pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub total: usize,
    pub has_more: bool,
}

/// Finds products by words in their name and description, then applies the visibility rules,
/// filters and order from the database. The ordered ids of a search are shared for a few
/// seconds (see [`crate::mall::SearchCache`]); the cards shown are always read and re-checked for
/// visibility in the database.
pub fn search_products(
    conn: &mut DbConn,
    index: &SearchIndex,
    cache: &crate::mall::SearchCache,
    s: &ProductSearch,
) -> AppResult<SearchResults> {
    let key = crate::mall::SearchKey {
        q: s.q.clone(),
        min: s.min,
        max: s.max,
        category: s.category,
        sort: s.sort,
        generation: index.generation(),
    };
    let ordered = match cache.get(&key) {
        Some(ids) => ids,
        None => {
            let ids = std::sync::Arc::new(ordered_hits(conn, index, s)?);
            cache.put(key, ids.clone());
            ids
        }
    };
    let total = ordered.len();
    let skip = ((s.page - 1) * PAGE_SIZE) as usize;
    let page_ids: Vec<i64> = ordered.iter().skip(skip).take(PAGE_SIZE as usize).copied().collect();
    if page_ids.is_empty() {
        return Ok(SearchResults { hits: Vec::new(), total, has_more: false });
    }
    let mut cards = queries::visible_cards_with_description(conn, &page_ids)?;
    cards.sort_by_key(|(card, _)| page_ids.iter().position(|id| *id == card.id));
    let terms = crate::search::words(&s.q);
    let hits: Vec<SearchHit> = cards
        .into_iter()
        .map(|(card, description)| SearchHit {
            name_html: crate::search::highlight(&card.name, &terms),
            snippet_html: crate::search::snippet(&description, &terms, 40),
            card,
        })
        .collect();
    Ok(SearchResults { has_more: skip + page_ids.len() < total, hits, total })
}

/// Every visible hit of a search, filtered and in the order asked for.
fn ordered_hits(conn: &mut DbConn, index: &SearchIndex, s: &ProductSearch) -> AppResult<Vec<i64>> {
    let categories = match s.category {
        Some(c) => Some(catalog::service::category_and_children(conn, c)?),
        None => None,
    };
    let hits = index.search(SEARCH_KIND, &s.q, 200).map_err(AppError::internal)?;
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let rows = queries::visible_hits(conn, &ids, s.min, s.max, categories.as_deref())?;
    // Scores are positive, so their bit patterns order like the scores themselves.
    let score: std::collections::HashMap<i64, i64> = hits.iter().map(|(id, s)| (*id, i64::from(s.to_bits()))).collect();
    let mut keyed: Vec<((i64, i64), i64)> = rows
        .iter()
        .map(|&(id, price, sales)| {
            let key = match s.sort {
                SearchSort::Relevance => (-score.get(&id).copied().unwrap_or(0), -sales),
                SearchSort::Sales => (-sales, -id),
                SearchSort::PriceAsc => (price, id),
                SearchSort::PriceDesc => (-price, -id),
                // Ids grow with time: the newest product has the largest id.
                SearchSort::Newest => (-id, 0),
            };
            (key, id)
        })
        .collect();
    keyed.sort_unstable();
    Ok(keyed.into_iter().map(|(_, id)| id).collect())
}
