//! The state every feature module may use: configuration, database and the shared services
//! (settings, the word filter, the search index, the WeChat client, the SMS provider, the limiters).
//! `app.rs` builds it once; each feature module keeps its own state in its own type (for example
//! `mall::State`), registered beside this one, and its handlers take what they need.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::web::ratelimit::RateLimiter;
use crate::wechat::WxClient;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub wx: WxClient,
    pub login_limiter: Arc<RateLimiter>,
    /// Emailed codes (sending and checking), password changes and identity checks: 10 a key in
    /// 15 minutes.
    pub code_limiter: Arc<RateLimiter>,
    /// New accounts from one address: 20 an hour (a campus behind one NAT registers on the
    /// first day of term; a script does not get far).
    pub signup_limiter: Arc<RateLimiter>,
    /// SMS codes asked for from one address: 20 an hour (each costs money and reaches a stranger's
    /// phone); the per-number limits live in the database (`auth::phone::sending`).
    pub sms_limiter: Arc<RateLimiter>,
    /// Orders placed and payments started by one user: 30 each in 10 minutes (far above what a
    /// person does, well below a script hammering a flash sale).
    pub order_limiter: Arc<RateLimiter>,
    /// Where SMS codes go (`CAMPUS_SMS_PROVIDER`).
    pub sms: Arc<dyn crate::notify::sms::SmsProvider>,
    pub search: Arc<crate::search::SearchIndex>,
    pub words: Arc<crate::moderation::WordFilter>,
    pub settings: Arc<crate::settings::Settings>,
    /// The data keys phone numbers and addresses are sealed with.
    pub keys: Arc<crate::db::sealed::Keyring>,
    /// Where uploads live (data dir or S3), `web::storage`.
    pub media: crate::web::storage::Storage,
}
