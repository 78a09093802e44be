//! Sending a code by SMS, with its limits: per address (`sms_limiter`, memory or Redis), and per
//! number one a minute and 10 a day (`sms_sends`, claimed by conditional `UPDATE`s so parallel
//! requests cannot both send). Codes themselves live in `one_time_codes` (`codes`), keyed by an
//! HMAC of the number, never the number.

use actix_web::web;
use chrono::TimeDelta;
use diesel::prelude::*;
use ring::hmac;
use secrecy::ExposeSecret;

use crate::auth::codes::{self, limit};
use crate::auth::models::Phone;
use crate::db::schema::sms_sends;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// One code per number per minute.
pub const RESEND_AFTER: TimeDelta = TimeDelta::seconds(60);
/// Codes per number in a day (a window that starts with the first code).
pub const PER_DAY: i32 = 10;

pub fn secret(state: &AppState) -> Vec<u8> {
    state.config.secret_key.expose_secret().as_bytes().to_vec()
}

fn keyed(key: &[u8], what: &str) -> String {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), what.as_bytes());
    format!("sms:{}", &hex::encode(tag.as_ref())[..40])
}

/// The name codes and send limits of a number go by.
pub fn target(key: &[u8], phone: &Phone) -> String {
    keyed(key, &format!("phone\0{}", phone.as_str()))
}

/// A bind code names its user too: each account asking to bind a number gets its own code, and
/// a code asked for by one account is worthless to another.
pub fn bind_target(key: &[u8], user_id: i64, phone: &Phone) -> String {
    keyed(key, &format!("bind\0{user_id}\0{}", phone.as_str()))
}

/// Takes the number's send slot, or says (429) how long to wait. Runs outside a transaction: each
/// statement stands alone, and of two parallel requests only one conditional `UPDATE` matches.
pub fn claim_slot(conn: &mut DbConn, number: &str) -> AppResult<()> {
    let now = db::now();
    let known = sms_sends::table.find(number).select(sms_sends::target).first::<String>(conn).optional()?.is_some();
    if !known {
        let first = diesel::insert_into(sms_sends::table)
            .values((
                sms_sends::target.eq(number),
                sms_sends::last_sent_at.eq(now),
                sms_sends::window_start.eq(now),
                sms_sends::sent_in_window.eq(1),
            ))
            .execute(conn);
        match first.map_err(AppError::from) {
            Ok(_) => return Ok(()),
            // Another request sent the first code a moment ago: the checks below refuse this one.
            Err(e) if e.is_duplicate() => {}
            Err(e) => return Err(e),
        }
    }
    let (minute_ago, day_ago) = (now - RESEND_AFTER, now - TimeDelta::days(1));
    let new_day = diesel::update(
        sms_sends::table
            .find(number)
            .filter(sms_sends::last_sent_at.le(minute_ago))
            .filter(sms_sends::window_start.le(day_ago)),
    )
    .set((sms_sends::last_sent_at.eq(now), sms_sends::window_start.eq(now), sms_sends::sent_in_window.eq(1)))
    .execute(conn)?;
    if new_day == 1 {
        return Ok(());
    }
    let same_day = diesel::update(
        sms_sends::table
            .find(number)
            .filter(sms_sends::last_sent_at.le(minute_ago))
            .filter(sms_sends::window_start.gt(day_ago))
            .filter(sms_sends::sent_in_window.lt(PER_DAY)),
    )
    .set((sms_sends::last_sent_at.eq(now), sms_sends::sent_in_window.eq(sms_sends::sent_in_window + 1)))
    .execute(conn)?;
    if same_day == 1 {
        return Ok(());
    }
    let last: chrono::NaiveDateTime = sms_sends::table.find(number).select(sms_sends::last_sent_at).first(conn)?;
    if last > minute_ago {
        let wait = (RESEND_AFTER - (now - last)).num_seconds().max(1);
        return Err(AppError::RateLimited(format!("验证码发送太频繁，请 {wait} 秒后再试")));
    }
    Err(AppError::RateLimited(format!("该手机号今天已获取 {PER_DAY} 次验证码，已达上限，请明天再试")))
}

/// Sends a fresh code for `purpose` to `phone`, stored under `code_target` for `user_id`.
/// Limits first (the address, then the number), then the code, then the SMS (blocking, off the
/// async workers). A provider failure is a 502 with words for the user; the cause goes to the log.
pub async fn deliver(
    state: &AppState,
    ip: &str,
    purpose: &'static str,
    user_id: Option<i64>,
    phone: &Phone,
    code_target: String,
) -> AppResult<()> {
    limit(&state.sms_limiter, &[&format!("sms-send:ip:{ip}")], "获取短信验证码").await?;
    let key = secret(state);
    let number = target(&key, phone);
    let code = state
        .db
        .run(move |conn| {
            claim_slot(conn, &number)?;
            codes::issue(conn, &key, purpose, user_id, &code_target)
        })
        .await?;
    let sms = state.sms.clone();
    let to = phone.as_str().to_string();
    let minutes = codes::TTL.num_minutes() as u32;
    let sent = web::block(move || sms.send_code(&to, &code, minutes)).await?;
    sent.map_err(|e| {
        tracing::error!(error = %e, purpose, "sms: verification code not sent");
        AppError::Upstream("短信发送失败，请稍后再试".into())
    })
}
