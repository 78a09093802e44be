//! The student side of the mall: catalog, cart, checkout, orders, refunds, mock cashier.
//!
//! Split by concern, each folder with its own handlers, service and queries: `catalog/`,
//! `search/`, `cart/`, `checkout/`, `orders/`, `refunds/`, and `manage/` (what the back office and
//! the seed use to set up shops and products). Other modules go through `service`, the facade.
//!
//! Rules: money is integer cents; stock is reserved at checkout with `UPDATE ... WHERE stock >= n`
//! and given back exactly once when an unpaid order is cancelled (the conditional status move
//! decides who gives it back); an order moves only along `OrderStatus::can_become`.
//! Tables: shops, product_categories, products, product_skus, banners, pickup_points,
//! cart_items, orders, order_items, order_events, payments, refunds.

mod cart;
mod catalog;
mod checkout;
pub mod coupon;
mod handlers;
mod manage;
pub mod models;
mod orders;
pub mod privacy;
mod refunds;
mod search;
pub mod service;
pub mod views;

use std::time::Duration;

use actix_web::web;

use crate::state::AppState;

/// The mall's own state: the shared home page and recent searches.
#[derive(Default)]
pub struct State {
    pub home: HomeCache,
    pub search: SearchCache,
}

/// Registers the mall's job kinds: cancelling unpaid orders and completing shipped ones.
pub fn register_jobs(jobs: &mut crate::jobs::Registry) {
    for kind in [service::JOB_CANCEL_UNPAID, service::JOB_AUTO_COMPLETE] {
        jobs.register(kind, move |conn, payload, _| service::run_job(conn, kind, payload));
    }
}

/// The mall home page's data, shared for a moment: it is the same for every student and the
/// busiest page. Product pages and checkout always read the database.
#[derive(Default)]
pub struct HomeCache(std::sync::Mutex<Option<(std::time::Instant, std::sync::Arc<service::Home>)>>);

impl HomeCache {
    const TTL: Duration = Duration::from_secs(2);

    pub fn get(&self) -> Option<std::sync::Arc<service::Home>> {
        let slot = self.0.lock().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, home)| home.clone())
    }

    /// Forget the shared copy (an admin changed what it shows).
    pub fn clear(&self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = None;
        }
    }

    pub fn put(&self, home: std::sync::Arc<service::Home>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((std::time::Instant::now(), home));
        }
    }
}

/// What identifies a search's ordered hits; `generation` is the index's, so a change to the
/// index starts afresh.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SearchKey {
    pub q: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub category: Option<i64>,
    pub sort: service::SearchSort,
    pub generation: u64,
}

type SearchEntries = std::collections::HashMap<SearchKey, (std::time::Instant, std::sync::Arc<Vec<i64>>)>;

/// The ordered, visible product ids of recent searches, shared for a few seconds: the same few
/// words are searched by many students at once, and ordering up to 200 hits by price or sales
/// is most of a search's work. Prices and sales counts in the order may lag by the TTL; the
/// cards of a page are always read from the database and off-shelf products are left out.
#[derive(Default)]
pub struct SearchCache(std::sync::Mutex<SearchEntries>);

impl SearchCache {
    const TTL: Duration = Duration::from_secs(5);
    const MAX_ENTRIES: usize = 4096;

    pub fn get(&self, key: &SearchKey) -> Option<std::sync::Arc<Vec<i64>>> {
        let entries = self.0.lock().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, ids)| ids.clone())
    }

    pub fn put(&self, key: SearchKey, ids: std::sync::Arc<Vec<i64>>) {
        if let Ok(mut entries) = self.0.lock() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < Self::TTL);
                if entries.len() >= Self::MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (std::time::Instant::now(), ids));
        }
    }

    /// Forget everything (the catalog changed in a way a student must see at once).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.0.lock() {
            entries.clear();
        }
    }
}

/// Keeps the product search index current: at once, then every `every`, index what changed in
/// the database (by any instance, any module) since the last look. `caught_up` runs once, after
/// the first pass that succeeds (a new instance's first pass builds its whole copy).
pub fn spawn_search_sync(state: AppState, every: Duration, caught_up: impl FnOnce() + 'static) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        let mut caught_up = Some(caught_up);
        loop {
            tick.tick().await;
            let st = state.clone();
            let started = std::time::Instant::now();
            let done = web::block(move || {
                let mut conn = st.db.get()?;
                service::sync_search_index(&mut conn, &st.search)
            })
            .await;
            match done {
                Ok(Ok(indexed)) => {
                    if let Some(report) = caught_up.take() {
                        tracing::info!(indexed, took = ?started.elapsed(), "search index caught up");
                        report();
                    }
                }
                Ok(Err(e)) => tracing::error!(error = ?e, "search index sync"),
                Err(e) => tracing::error!(error = %e, "search index sync thread"),
            }
        }
    });
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/mall", web::get().to(catalog::handlers::show_mall))
        .route("/mall/search", web::get().to(search::handlers::search))
        .route("/mall/categories/{id}", web::get().to(catalog::handlers::show_category))
        .route("/mall/products/{id}", web::get().to(catalog::handlers::show_product))
        .route("/mall/cart", web::get().to(cart::handlers::show_cart))
        .route("/mall/cart", web::post().to(cart::handlers::add_to_cart))
        .route("/mall/cart/{id}", web::post().to(cart::handlers::update_cart_line))
        .route("/mall/cart/{id}/remove", web::post().to(cart::handlers::remove_cart_line))
        .route("/mall/coupons", web::get().to(checkout::handlers::list_coupons))
        .route("/mall/coupons/{id}/claim", web::post().to(checkout::handlers::claim_coupon))
        .route("/mall/checkout", web::get().to(checkout::handlers::show_checkout))
        .route("/mall/checkout", web::post().to(checkout::handlers::submit_checkout))
        .route("/mall/orders", web::get().to(orders::handlers::list_orders))
        .route("/mall/orders/{order_no}", web::get().to(orders::handlers::show_order))
        .route("/mall/orders/{order_no}/cancel", web::post().to(orders::handlers::cancel_order))
        .route("/mall/orders/{order_no}/confirm", web::post().to(orders::handlers::confirm_order))
        .route("/mall/orders/{order_no}/refund", web::post().to(refunds::handlers::request_refund))
        .route("/pay/mock/{order_no}", web::get().to(orders::handlers::show_mock_cashier))
        .route("/pay/mock/{order_no}", web::post().to(orders::handlers::submit_mock_payment));
}
