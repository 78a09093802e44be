//! Settings an admin changes at run time (site name, unpaid-order timeout, email sender). They
//! live in the `settings` table and override the environment's defaults; every instance reloads
//! them from the database at most a few seconds after a change.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::config::Config;
use crate::db::schema::settings;
use crate::db::{self, DbConn};
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
}

pub struct Settings {
    defaults: Values,
    current: RwLock<(Instant, Values)>,
}

const REFRESH: Duration = Duration::from_secs(5);

impl Settings {
    pub fn new(config: &Config) -> Settings {
        let defaults = Values {
            site_name: config.site_name.clone(),
            order_timeout: config.order_timeout,
            mail_from: config.mail_from.clone(),
            report_hide_at: 3,
            admin_2fa_required: false,
        };
        Settings { current: RwLock::new((Instant::now() - REFRESH * 2, defaults.clone())), defaults }
    }

    /// The values in force, reloaded from the database when older than a few seconds.
    pub fn get(&self, conn: &mut DbConn) -> AppResult<Values> {
        if let Ok(cur) = self.current.read()
            && cur.0.elapsed() < REFRESH
        {
            return Ok(cur.1.clone());
        }
        let rows: Vec<(String, String)> = settings::table.select((settings::key, settings::value)).load(conn)?;
        let mut v = self.defaults.clone();
        for (k, value) in rows {
            match k.as_str() {
                "site_name" => v.site_name = value,
                "order_timeout_mins" => {
                    if let Ok(m) = value.parse::<u64>() {
                        v.order_timeout = Duration::from_secs(m * 60);
                    }
                }
                "mail_from" => v.mail_from = value,
                "admin_2fa_required" => v.admin_2fa_required = value == "1",
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
        if let Ok(mut cur) = self.current.write() {
            *cur = (Instant::now(), v.clone());
        }
        Ok(v)
    }

    /// The site name without touching the database (may be a few seconds old).
    pub fn site_name(&self) -> String {
        self.current.read().map(|c| c.1.site_name.clone()).unwrap_or_else(|_| self.defaults.site_name.clone())
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
        if let Ok(mut cur) = self.current.write() {
            cur.0 = Instant::now() - REFRESH * 2;
        }
        self.get(conn)?;
        Ok(())
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
        if let Ok(mut cur) = self.current.write() {
            cur.0 = Instant::now() - REFRESH * 2;
        }
        self.get(conn)?;
        Ok(())
    }
}
