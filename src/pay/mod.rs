//! Payments. Two providers: the mock cashier for development (`/pay/mock/{order_no}`, in the
//! mall module) and WeChat Pay API v3 for the mini-program (`wechat.rs`). Every confirmed
//! payment goes through `mall::service::mark_paid`, which applies it once; notifications are
//! verified by signature, decrypted, and checked against the order before that.
//!
//! Refunds: the mock cashier pays back at once; WeChat Pay refunds go through the job queue
//! (`pay.refund`, up to [`REFUND_ATTEMPTS`] with the queue's backoff, the same `out_refund_no`
//! each time). A refund notification must match the stored refund and its order.

pub mod handlers;
pub mod service;
pub mod wechat;

use std::sync::Arc;

use actix_web::web;

use crate::db::Db;

pub use crate::mall::models::JOB_PAY_CLOSE as JOB_CLOSE;
/// Sends one approved refund to WeChat Pay (payload `refund_id`).
pub const JOB_REFUND: &str = "pay.refund";
/// Attempts of a refund before an admin must look: with the queue's backoff (30 s doubling to
/// an hour) about three hours of WeChat Pay being unreachable.
pub const REFUND_ATTEMPTS: i32 = 10;

/// The payment module's own state: WeChat Pay, when `CAMPUS_WXPAY_MCHID` and its keys are
/// configured, and the throttle of active payment queries.
pub struct State {
    pub db: Db,
    pub wxpay: Option<Arc<wechat::WechatPay>>,
    pub queries: QueryThrottle,
}

impl State {
    /// Builds the WeChat Pay client from the configuration; `wechat` as provider needs one.
    pub fn new(config: &crate::config::Config, db: Db) -> anyhow::Result<State> {
        let wxpay = match &config.wxpay {
            Some(c) => Some(Arc::new(wechat::WechatPay::new(c.clone())?)),
            None if config.pay_provider == "wechat" => {
                anyhow::bail!("CAMPUS_PAY_PROVIDER=wechat needs CAMPUS_WXPAY_* settings")
            }
            None => None,
        };
        Ok(State { db, wxpay, queries: QueryThrottle::default() })
    }
}

/// Payment and refund notifications from WeChat Pay that were not applied (bad signature, bad
/// body, or refused by the service): each one means WeChat Pay will send it again, and a run of
/// them means paid orders are not being marked paid.
pub const NOTIFY_FAILURES: &str = "campus_pay_notify_failures_total";

pub fn declare_metrics(metrics: &crate::web::observe::Metrics) {
    metrics.declare_counter(
        NOTIFY_FAILURES,
        "WeChat Pay notifications not applied, by kind.",
        &["notice=\"payment\"", "notice=\"refund\""],
    );
}

/// Registers the payment module's job kinds.
pub fn register_jobs(jobs: &mut crate::jobs::Registry, state: Arc<State>) {
    let close = state.clone();
    jobs.register(JOB_CLOSE, move |_, payload, _| {
        let order_no = payload["order_no"].as_str().ok_or("payload lacks order_no")?;
        service::close_order(&close, order_no)
    });
    jobs.register(JOB_REFUND, move |conn, payload, job| {
        let refund_id = payload["refund_id"].as_i64().ok_or("payload lacks refund_id")?;
        service::send_refund(&state, conn, refund_id, job)
    });
}

/// At most one active query to WeChat Pay per order every few seconds, however many pages poll.
#[derive(Default)]
pub struct QueryThrottle(std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>);

impl QueryThrottle {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(5);

    /// Whether `order_no` may be queried now (and remembers that it was).
    pub fn allow(&self, order_no: &str) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return false;
        };
        if map.len() > 10_000 {
            map.retain(|_, at| at.elapsed() < Self::EVERY);
        }
        match map.get(order_no) {
            Some(at) if at.elapsed() < Self::EVERY => false,
            _ => {
                map.insert(order_no.to_string(), std::time::Instant::now());
                true
            }
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/mall/orders/{order_no}/status", web::get().to(handlers::order_status))
        .route("/api/v1/pay/prepay", web::post().to(handlers::prepay))
        .route("/api/v1/pay/notify/wechat", web::post().to(handlers::payment_notice))
        .route("/api/v1/pay/notify/wechat-refund", web::post().to(handlers::refund_notice));
}
