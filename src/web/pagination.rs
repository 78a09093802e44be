//! Offset pagination for short, bounded lists (`?page=N`); long feeds use keyset queries.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    /// A missing, non-numeric or out-of-range page number means page 1.
    pub fn from_query(q: &PageQuery, per_page: i64) -> PageRequest {
        let page = q
            .page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| (1..=100_000).contains(p))
            .unwrap_or(1);
        PageRequest { page, per_page }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Debug)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl<T> Paginated<T> {
    pub fn new(items: Vec<T>, req: PageRequest, total: i64) -> Paginated<T> {
        Paginated { items, page: req.page, per_page: req.per_page, total }
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    pub fn prev(&self) -> i64 {
        self.page - 1
    }

    pub fn next(&self) -> i64 {
        self.page + 1
    }
}
