//! The merchant side of the back office (`/merchant`, role merchant, only the merchant's own
//! shop) and merchant onboarding (`/merchant/apply`, reviewed at `/admin/merchants`).
//!
//! Tables: merchant_applications, stock_logs, coupons, user_coupons, product_imports; shops, products and orders
//! belong to the mall, which this module reaches through `mall::service`.

pub mod handlers;
pub mod import;
pub mod models;
pub mod privacy;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/merchant/apply", web::get().to(handlers::apply::show_apply))
        .route("/merchant/apply", web::post().to(handlers::apply::submit_apply))
        .route("/merchant", web::get().to(handlers::dashboard))
        .route("/merchant/log", web::get().to(handlers::activity_log))
        .route("/merchant/products", web::get().to(handlers::products::list_products))
        .route("/merchant/products.csv", web::get().to(handlers::imports::export_products))
        .route("/merchant/products/import", web::post().to(handlers::imports::import_products))
        .route("/merchant/imports/{id}", web::get().to(handlers::imports::show_import))
        .route("/merchant/products/new", web::get().to(handlers::products::show_new_product))
        .route("/merchant/products/new", web::post().to(handlers::products::create_product))
        .route("/merchant/products/{id}/shelf", web::post().to(handlers::products::toggle_shelf))
        .route("/merchant/products/{id}/edit", web::get().to(handlers::products::show_edit_product))
        .route("/merchant/products/{id}/edit", web::post().to(handlers::products::edit_product))
        .route("/merchant/skus/{id}/stock", web::post().to(handlers::products::update_stock))
        .route("/merchant/orders", web::get().to(handlers::orders::list_orders))
        .route("/merchant/orders/{order_no}", web::get().to(handlers::orders::show_order))
        .route("/merchant/orders/{order_no}/ship", web::post().to(handlers::orders::ship_order))
        .route("/merchant/refunds/{id}/approve", web::post().to(handlers::orders::approve_refund))
        .route("/merchant/refunds/{id}/reject", web::post().to(handlers::orders::reject_refund))
        .route("/merchant/coupons", web::get().to(handlers::coupons::list_coupons))
        .route("/merchant/coupons", web::post().to(handlers::coupons::create_coupon))
        .route("/admin/merchants", web::get().to(handlers::admin::admin_merchants))
        .route("/admin/merchants/applications/{id}/approve", web::post().to(handlers::admin::admin_approve))
        .route("/admin/merchants/applications/{id}/reject", web::post().to(handlers::admin::admin_reject))
        .route("/admin/shops/{id}/suspend", web::post().to(handlers::admin::admin_suspend))
        .route("/admin/shops/{id}/resume", web::post().to(handlers::admin::admin_resume));
}
