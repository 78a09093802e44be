//! The campus itself: news (`/campus/news`) and the map (`/campus/map`).
//!
//! News: admins write articles whose HTML is sanitized when saved (`news::sanitize`: safe tags
//! only, no scripts or event handlers, images only from our own `/media/`), with a cover and a
//! publish time; students read what is published by category. Map: one campus image an admin
//! uploads, points of interest placed on it by percentage (and, for WeChat's own map, by
//! latitude and longitude), a list view and a detail panel with 导航.
//!
//! Tables: campus_news, campus_maps, campus_pois.

pub mod demo;
pub mod map;
pub mod news;
pub mod privacy;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    news::routes(cfg);
    map::routes(cfg);
}
