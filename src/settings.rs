//! Settings an admin changes at run time (site name, unpaid-order timeout, email sender). They
//! live in the `settings` table and override the environment's defaults; each instance keeps them
//! in process and reloads them as soon as any instance changes them (`db::refdata`).

use std::sync::RwLock;
use std::time::Duration;

use diesel::prelude::*;

use crate::config::Config;
use crate::db::schema::settings;
use crate::db::{self, DbConn, refdata};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug)]
pub struct Values {
    pub site_name: String,
    pub order_timeout: Duration,
    pub mail_from: String,
    /// Open reports that hide a forum post until an admin decides (`report_hide_at`, 3).
    pub report_hide_at: i64,
    /// Admins must sign in with a second factor (`admin_2fa_required`, off).
    pub admin_2fa_required: bool,
    /// A new account's first posts that wait in the moderation queue until approved
    /// (`review_first_posts`, 0: none).
    pub review_first_posts: i64,
}

pub struct Settings {
    defaults: Values,
    /// The values last read, for [`Settings::site_name`] (which has no connection).
    current: RwLock<Values>,
}

impl Settings {
    pub fn new(config: &Config) -> Settings {
        let defaults = Values {
            site_name: config.site_name.clone(),
            order_timeout: config.order_timeout,
            mail_from: config.mail_from.clone(),
            report_hide_at: 3,
            admin_2fa_required: false,
            review_first_posts: 0,
        };
        Settings { current: RwLock::new(defaults.clone()), defaults }
    }

    /// The values in force: this instance's copy, reloaded after any change (`db::refdata`).
    ///
    /// Only a fresh read is remembered for [`Settings::site_name`]: a copy served from the cache
    /// may be one this instance's own save just made old (it is forgotten when the saving
    /// connection goes back to the pool), and must not overwrite what the save remembered.
    pub fn get(&self, conn: &mut DbConn) -> AppResult<Values> {
        let rows = refdata::cached(conn, refdata::Kind::Settings, "rows", |c| {
            let rows = settings::table.select((settings::key, settings::value)).load::<(String, String)>(c)?;
            self.remember(&rows);
            Ok::<_, diesel::result::Error>(rows)
        })?;
        Ok(self.values(&rows))
    }

    /// The values of freshly read `rows`, remembered for [`Settings::site_name`].
    fn remember(&self, rows: &[(String, String)]) {
        let v = self.values(rows);
        if let Ok(mut cur) = self.current.write() {
            *cur = v;
        }
    }

    /// The defaults overridden by the stored `rows`.
    fn values(&self, rows: &[(String, String)]) -> Values {
        let mut v = self.defaults.clone();
        for (k, value) in rows.iter().cloned() {
            match k.as_str() {
                "site_name" => v.site_name = value,
                "order_timeout_mins" => {
                    if let Ok(m) = value.parse::<u64>() {
                        v.order_timeout = Duration::from_secs(m * 60);
                    }
                }
                "mail_from" => v.mail_from = value,
                "admin_2fa_required" => v.admin_2fa_required = value == "1",
                "review_first_posts" => {
                    if let Ok(n) = value.parse::<i64>()
                        && (0..=100).contains(&n)
                    {
                        v.review_first_posts = n;
                    }
                }
                "report_hide_at" => {
                    if let Ok(n) = value.parse::<i64>()
                        && n >= 1
                    {
                        v.report_hide_at = n;
                    }
                }
                _ => {}
            }
        }
        v
    }

    /// After a save in `conn`'s transaction: every instance reloads once it commits; this one's
    /// site name is the saved one at once.
    fn saved(&self, conn: &mut DbConn) -> AppResult<()> {
        refdata::changed(conn, refdata::Kind::Settings)?;
        let rows: Vec<(String, String)> = settings::table.select((settings::key, settings::value)).load(conn)?;
        self.remember(&rows);
        Ok(())
    }

    /// The site name without touching the database (may be a few seconds old).
    pub fn site_name(&self) -> String {
        self.current.read().map(|c| c.site_name.clone()).unwrap_or_else(|_| self.defaults.site_name.clone())
    }

    /// Saves one checked value (a module's own setting) and makes this instance use it at once.
    pub fn save_one(&self, conn: &mut DbConn, key: &str, value: &str) -> AppResult<()> {
        let now = db::now();
        let updated = diesel::update(settings::table.filter(settings::key.eq(key)))
            .set((settings::value.eq(value), settings::updated_at.eq(now)))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(settings::table)
                .values((settings::key.eq(key), settings::value.eq(value), settings::updated_at.eq(now)))
                .execute(conn)?;
        }
        self.saved(conn)
    }

    /// Saves checked values and makes this instance use them at once.
    pub fn save(&self, conn: &mut DbConn, site_name: &str, timeout_mins: u64, mail_from: &str) -> AppResult<()> {
        let site_name = site_name.trim();
        if site_name.is_empty() || site_name.chars().count() > 20 {
            return Err(AppError::invalid("站点名称需为 1–20 个字"));
        }
        if !(5..=24 * 60).contains(&timeout_mins) {
            return Err(AppError::invalid("未支付订单关闭时间需为 5–1440 分钟"));
        }
        mail_from
            .trim()
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| AppError::invalid("发件人格式应为：校园助手 <noreply@example.edu>"))?;
        let now = db::now();
        for (k, v) in [
            ("site_name", site_name.to_string()),
            ("order_timeout_mins", timeout_mins.to_string()),
            ("mail_from", mail_from.trim().to_string()),
        ] {
            // An upsert: two admins saving at once never race into the key.
            crate::on_backend!(conn, |c| diesel::insert_into(settings::table)
                .values((settings::key.eq(k), settings::value.eq(&v), settings::updated_at.eq(now)))
                .on_conflict(settings::key)
                .do_update()
                .set((settings::value.eq(&v), settings::updated_at.eq(now)))
                .execute(c))?;
        }
        self.saved(conn)
    }
}
