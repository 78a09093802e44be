//! Notifications: the in-app message center, email (queued in `email_outbox`, delivered by the
//! job runner through SMTP or as `.eml` files), WeChat subscribe messages and SMS verification codes
//! (`sms`: Tencent Cloud SMS or the development outbox).
//!
//! `notify::send` is the one door: it writes the message and, when the user has an email address
//! and wants email for that kind of message (`prefs`), queues the email in the same transaction.
//! `wechat::queue` likewise asks `prefs` before it queues a subscribe message.

pub mod email;
pub mod handlers;
pub mod models;
pub mod prefs;
pub mod privacy;
pub mod queries;
pub mod reminders;
pub mod service;
pub mod sms;
pub mod wechat;

pub use service::send;

use std::sync::Arc;

use crate::config::Config;
use crate::settings::Settings;
use crate::wechat::WxClient;

/// Registers notify's job kinds: email delivery and WeChat subscribe messages.
pub fn register_jobs(jobs: &mut crate::jobs::Registry, config: Arc<Config>, settings: Arc<Settings>, wx: WxClient) {
    let (email_config, email_settings) = (config.clone(), settings.clone());
    jobs.register(email::JOB_SEND, move |conn, payload, _| {
        let id = payload["outbox_id"].as_i64().ok_or("payload lacks outbox_id")?;
        let from = email_settings.get(conn).map(|v| v.mail_from).unwrap_or_else(|_| email_config.mail_from.clone());
        email::deliver(&email_config, &from, conn, id)
    });
    jobs.register(wechat::JOB_SEND, move |conn, payload, _| wechat::send(&config.wx, &wx, conn, payload));
    // Keeps this instance's copy of the admin's settings fresh (cheap: cached for seconds).
    jobs.every_tick(move |conn| settings.get(conn).map(|_| ()));
}

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.route("/api/v1/wx/subscribe/templates", web::get().to(handlers::subscribe_templates))
        .route("/api/v1/wx/subscribe", web::post().to(handlers::record_subscription));
}

/// What a message is about; decides whether it also goes out by email by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Welcome,
    Security,
    System,
    /// An order of the student's moved (paid, shipped, refunded).
    Order,
    /// Something a merchant must act on (new order, refund request).
    ShopOrder,
    /// An activity the user signed up for: seat confirmed, promoted from the waitlist,
    /// reminder, a message from the organizer.
    Activity,
    /// An admin answered the user's feedback.
    Feedback,
    /// The forum: a comment on one's post, a reply, a mention, a moderation decision.
    Forum,
    /// The academic pages: a classroom booking decided, a grade changed.
    Academic,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Welcome => "welcome",
            MessageKind::Security => "security",
            MessageKind::System => "system",
            MessageKind::Order => "order",
            MessageKind::ShopOrder => "shop_order",
            MessageKind::Activity => "activity",
            MessageKind::Feedback => "feedback",
            MessageKind::Forum => "forum",
            MessageKind::Academic => "academic",
        }
    }

    /// Whether this kind of message is emailed by default (before the user sets `prefs`).
    pub fn emails(self) -> bool {
        match self {
            MessageKind::Welcome | MessageKind::Security | MessageKind::ShopOrder => true,
            MessageKind::System
            | MessageKind::Order
            | MessageKind::Activity
            | MessageKind::Feedback
            | MessageKind::Forum
            | MessageKind::Academic => false,
        }
    }

    pub fn label(kind: &str) -> &'static str {
        match kind {
            "welcome" => "欢迎",
            "security" => "账号安全",
            "order" => "订单",
            "shop_order" => "店铺订单",
            "activity" => "活动",
            "feedback" => "意见反馈",
            "forum" => "论坛",
            "academic" => "教务",
            _ => "系统通知",
        }
    }
}

/// The tabs of the message center. A kind belongs to one category; kinds other modules add
/// later (`forum_*`, `academic_*`) fall into theirs by prefix, anything unknown is 系统.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    System,
    Order,
    Activity,
    Forum,
    Academic,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::System, Category::Order, Category::Activity, Category::Forum, Category::Academic];

    pub fn of(kind: &str) -> Category {
        match kind {
            "order" | "shop_order" => Category::Order,
            "activity" => Category::Activity,
            k if k.starts_with("forum") => Category::Forum,
            k if k.starts_with("academic") || k == "exam" || k == "grade" => Category::Academic,
            _ => Category::System,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::System => "system",
            Category::Order => "order",
            Category::Activity => "activity",
            Category::Forum => "forum",
            Category::Academic => "academic",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The category of a subscribe message's purpose (`order_paid`, `order_shipped`, `reply`,
    /// `activity`): the switch that governs it on the preferences page.
    pub fn of_purpose(purpose: &str) -> Category {
        match purpose {
            p if p.starts_with("order") => Category::Order,
            "reply" => Category::Forum,
            p => Category::of(p),
        }
    }

    /// What the category holds, in the user's words (the preferences page).
    pub fn hint(self) -> &'static str {
        match self {
            Category::System => "欢迎、账号安全、意见反馈的回复",
            Category::Order => "支付、发货、退款，店铺的新订单",
            Category::Activity => "报名结果、候补转正、活动提醒",
            Category::Forum => "评论、回复和提到我的帖子",
            Category::Academic => "成绩、考试安排",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::System => "系统",
            Category::Order => "订单",
            Category::Activity => "活动",
            Category::Forum => "论坛",
            Category::Academic => "教务",
        }
    }
}
