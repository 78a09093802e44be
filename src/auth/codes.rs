//! One-time codes sent by email or SMS (`one_time_codes`): a password reset, the campus mailbox
//! check of student verification, binding a phone, signing in by phone (`phone`). Six digits, good for 10 minutes and 5 tries, used once. Only an HMAC of
//! the code (keyed with the server secret, bound to its purpose and target) is stored, so the table
//! cannot be turned back into codes by trying all million of them.
//!
//! A try is counted in its own committed transaction before the code is compared (a conditional
//! `UPDATE ... WHERE attempts < 5`), so parallel guesses cannot share one try and a failed action
//! after the check cannot roll the count back; using the code is a second conditional `UPDATE ...
//! WHERE used_at IS NULL`, so two requests with the right code cannot both win.

use chrono::TimeDelta;
use diesel::prelude::*;
use ring::hmac;

use crate::db::schema::one_time_codes;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::ratelimit::RateLimiter;

pub const PASSWORD_RESET: &str = "password_reset";
pub const SCHOOL_MAIL: &str = "school_mail";
/// Proves a new phone number before it is bound (the target names the user too).
pub const PHONE_BIND: &str = "phone_bind";
/// Proves the old phone when an account without a password changes its number.
pub const PHONE_OLD: &str = "phone_old";
pub const PHONE_LOGIN: &str = "phone_login";
pub const PHONE_RESET: &str = "phone_reset";
pub const TTL: TimeDelta = TimeDelta::minutes(10);
pub const MAX_TRIES: i32 = 5;

/// What is signed: the code bound to its purpose and target, so a code cannot serve elsewhere.
fn message(purpose: &str, target: &str, code: &str) -> String {
    format!("one-time-code\0{purpose}\0{target}\0{code}")
}

fn tag(key: &[u8], purpose: &str, target: &str, code: &str) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message(purpose, target, code).as_bytes())
}

/// Issues a new code for `(purpose, target)` and returns it (to be mailed, never stored). Earlier
/// codes of the same target stop counting: only the newest is checked.
pub fn issue(conn: &mut DbConn, key: &[u8], purpose: &str, user_id: Option<i64>, target: &str) -> AppResult<String> {
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    let now = db::now();
    diesel::delete(one_time_codes::table.filter(one_time_codes::expires_at.lt(now - TimeDelta::days(1))))
        .execute(conn)?;
    diesel::insert_into(one_time_codes::table)
        .values((
            one_time_codes::purpose.eq(purpose),
            one_time_codes::user_id.eq(user_id),
            one_time_codes::target.eq(target),
            one_time_codes::code_hash.eq(hex::encode(tag(key, purpose, target, &code).as_ref())),
            one_time_codes::attempts.eq(0),
            one_time_codes::expires_at.eq(now + TTL),
            one_time_codes::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(code)
}

/// Checks `code` against the newest unused code of `(purpose, target)` and uses it up when right.
/// Returns the user the code was issued for (`None` when it was issued for nobody in particular).
/// A wrong, expired, spent or exhausted code is `AppError::Invalid` with the reason in Chinese.
/// Runs its own transactions: call it outside of any.
pub fn redeem(conn: &mut DbConn, key: &[u8], purpose: &str, target: &str, code: &str) -> AppResult<Option<i64>> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid("请输入收到的 6 位数字验证码"));
    }
    let outcome: Result<Option<i64>, String> = write_tx(conn, |conn| {
        let now = db::now();
        let row: Option<(i64, Option<i64>, String, i32, chrono::NaiveDateTime)> = one_time_codes::table
            .filter(one_time_codes::purpose.eq(purpose))
            .filter(one_time_codes::target.eq(target))
            .filter(one_time_codes::used_at.is_null())
            .order((one_time_codes::created_at.desc(), one_time_codes::id.desc()))
            .select((
                one_time_codes::id,
                one_time_codes::user_id,
                one_time_codes::code_hash,
                one_time_codes::attempts,
                one_time_codes::expires_at,
            ))
            .first(conn)
            .optional()?;
        let Some((id, user_id, stored, attempts, expires_at)) = row else {
            return Ok::<_, AppError>(Err("验证码错误或已失效，请重新获取".to_string()));
        };
        if expires_at <= now {
            return Ok(Err("验证码已过期（有效期 10 分钟），请重新获取".into()));
        }
        if attempts >= MAX_TRIES {
            return Ok(Err("验证码输错次数过多，已失效，请重新获取".into()));
        }
        let counted = diesel::update(
            one_time_codes::table
                .find(id)
                .filter(one_time_codes::attempts.lt(MAX_TRIES))
                .filter(one_time_codes::used_at.is_null()),
        )
        .set(one_time_codes::attempts.eq(one_time_codes::attempts + 1))
        .execute(conn)?;
        if counted != 1 {
            return Ok(Err("验证码已失效，请重新获取".into()));
        }
        let k = hmac::Key::new(hmac::HMAC_SHA256, key);
        let right =
            hex::decode(&stored).is_ok_and(|t| hmac::verify(&k, message(purpose, target, code).as_bytes(), &t).is_ok());
        if !right {
            let left = MAX_TRIES - attempts - 1;
            return Ok(Err(if left > 0 {
                format!("验证码不正确，还可以再试 {left} 次")
            } else {
                "验证码不正确，已失效，请重新获取".into()
            }));
        }
        let used = diesel::update(one_time_codes::table.find(id).filter(one_time_codes::used_at.is_null()))
            .set(one_time_codes::used_at.eq(now))
            .execute(conn)?;
        if used != 1 {
            return Ok(Err("验证码已被使用，请重新获取".into()));
        }
        Ok(Ok(user_id))
    })?;
    outcome.map_err(AppError::Invalid)
}

/// The limiter keys a guess at `target`'s secret (a student number's ID digits, a code sent to
/// a phone or an address) counts under: the account guessing, the address it guesses from, and
/// the target itself — so neither fresh accounts nor fresh addresses buy more guesses at one
/// target. `target` is normalized the way the check reads it (trimmed, case folded).
pub fn guess_keys(what: &str, user_id: i64, ip: &str, target: &str) -> [String; 3] {
    let target: String = target.trim().chars().take(64).flat_map(char::to_lowercase).collect();
    [format!("{what}:{user_id}"), format!("{what}:ip:{ip}"), format!("{what}:to:{target}")]
}

/// [`limit`] for the [`guess_keys`] of one guess.
pub async fn limit_guess(limiter: &RateLimiter, keys: &[String; 3], what: &str) -> AppResult<()> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    limit(limiter, &keys, what).await
}

/// Takes one attempt for each of `keys` from `limiter`, or refuses with 429 and how long to wait.
/// The one place this module's code paths touch the limiter (it may turn asynchronous).
pub async fn limit(limiter: &RateLimiter, keys: &[&str], what: &str) -> AppResult<()> {
    limiter.try_take(keys).await.map_err(|wait| {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        AppError::RateLimited(format!("{what}过于频繁，请 {minutes} 分钟后再试"))
    })
}
