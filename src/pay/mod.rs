//! Payments. Two providers: the mock cashier for development (`/pay/mock/{order_no}`, in the
//! mall module) and WeChat Pay API v3 for the mini-program (`wechat.rs`). Every confirmed
//! payment goes through `mall::service::mark_paid`, which applies it once; notifications are
//! verified by signature, decrypted, and checked against the order before that.

pub mod handlers;
pub mod service;
pub mod wechat;

use actix_web::web;

pub const JOB_CLOSE: &str = "pay.close";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/pay/prepay", web::post().to(handlers::prepay))
        .route("/api/v1/pay/notify/wechat", web::post().to(handlers::payment_notice))
        .route("/api/v1/pay/notify/wechat-refund", web::post().to(handlers::refund_notice));
}
