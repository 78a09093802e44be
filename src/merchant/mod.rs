//! The merchant side of the back office (`/merchant`, role merchant, only the merchant's own
//! shop) and merchant onboarding (`/merchant/apply`, reviewed at `/admin/merchants`).
//!
//! Tables: merchant_applications, stock_logs, coupons, user_coupons, product_imports; shops, products and orders
//! belong to the mall, which this module reaches through `mall::service`.

pub mod handlers;
pub mod import;
pub mod models;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/merchant/apply", web::get().to(handlers::show_apply))
        .route("/merchant/apply", web::post().to(handlers::submit_apply))
        .route("/merchant", web::get().to(handlers::dashboard))
        .route("/merchant/products", web::get().to(handlers::list_products))
        .route("/merchant/products.csv", web::get().to(handlers::export_products))
        .route("/merchant/products/import", web::post().to(handlers::import_products))
        .route("/merchant/imports/{id}", web::get().to(handlers::show_import))
        .route("/merchant/products/new", web::get().to(handlers::show_new_product))
        .route("/merchant/products/new", web::post().to(handlers::create_product))
        .route("/merchant/products/{id}/shelf", web::post().to(handlers::toggle_shelf))
        .route("/merchant/products/{id}/edit", web::get().to(handlers::show_edit_product))
        .route("/merchant/products/{id}/edit", web::post().to(handlers::edit_product))
        .route("/merchant/skus/{id}/stock", web::post().to(handlers::update_stock))
        .route("/merchant/orders", web::get().to(handlers::list_orders))
        .route("/merchant/orders/{order_no}", web::get().to(handlers::show_order))
        .route("/merchant/orders/{order_no}/ship", web::post().to(handlers::ship_order))
        .route("/merchant/refunds/{id}/approve", web::post().to(handlers::approve_refund))
        .route("/merchant/refunds/{id}/reject", web::post().to(handlers::reject_refund))
        .route("/merchant/coupons", web::get().to(handlers::list_coupons))
        .route("/merchant/coupons", web::post().to(handlers::create_coupon))
        .route("/admin/merchants", web::get().to(handlers::admin_merchants))
        .route("/admin/merchants/applications/{id}/approve", web::post().to(handlers::admin_approve))
        .route("/admin/merchants/applications/{id}/reject", web::post().to(handlers::admin_reject))
        .route("/admin/shops/{id}/suspend", web::post().to(handlers::admin_suspend))
        .route("/admin/shops/{id}/resume", web::post().to(handlers::admin_resume));
}
