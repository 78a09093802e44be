//! Staff two-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock
//! drift either way) and ten one-time recovery codes.
//!
//! Rules: a code is accepted only for a time step later than the last one accepted
//! (`two_factor.last_step`, moved by a conditional UPDATE), so a code seen over a shoulder or
//! replayed within its window is refused; a recovery code is spent by a conditional UPDATE of its
//! `used_at`, so two sign-ins racing with one code cannot both pass. Recovery codes are random
//! (50 bits) and stored as their SHA-256. Every change bumps `users.updated_at`, so signed-in
//! pages see it at once. Tables: `two_factor`, `two_factor_recovery`.

pub mod pages;

use actix_web::web;
use diesel::prelude::*;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::audit;
use crate::db::schema::{two_factor, two_factor_recovery, users};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::token_hash;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/2fa", web::get().to(pages::show_second_step))
        .route("/login/2fa", web::post().to(pages::submit_second_step))
        .route("/me/2fa", web::get().to(pages::show))
        .route("/me/2fa/start", web::post().to(pages::start))
        .route("/me/2fa/enable", web::post().to(pages::confirm))
        .route("/me/2fa/disable", web::post().to(pages::disable));
}

const STEP_SECS: u64 = 30;
const RECOVERY_CODES: usize = 10;

/// Whether two-factor sign-in is on for the account.
pub fn is_on(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    let n: i64 = two_factor::table
        .filter(two_factor::user_id.eq(user_id))
        .filter(two_factor::confirmed_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

fn totp(secret: &str) -> AppResult<TOTP> {
    let bytes =
        Secret::Encoded(secret.to_string()).to_bytes().map_err(|e| AppError::internal(anyhow::anyhow!("{e:?}")))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, bytes).map_err(|e| AppError::internal(anyhow::anyhow!("{e:?}")))
}

fn now_secs() -> u64 {
    db::now().and_utc().timestamp().max(0) as u64
}

/// The time step a 6-digit `code` belongs to for `secret`, allowing one step of drift.
fn matching_step(secret: &str, code: &str, now: u64) -> AppResult<Option<i64>> {
    let totp = totp(secret)?;
    let current = now / STEP_SECS;
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = totp.generate(step * STEP_SECS);
        // Compared without an early exit, so the time taken says nothing about the digits.
        let differ = expected.bytes().zip(code.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if expected.len() == code.len() && differ == 0 {
            return Ok(Some(step as i64));
        }
    }
    Ok(None)
}

/// What the user typed, without spaces and dashes; a 6-digit code or a recovery code.
enum Code {
    Totp(String),
    Recovery(String),
}

fn parse_code(raw: &str) -> AppResult<Code> {
    let plain: String =
        raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_lowercase();
    if plain.len() == 6 && plain.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Code::Totp(plain))
    } else if plain.len() == 10 && plain.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Code::Recovery(plain))
    } else if plain.is_empty() {
        Err(AppError::invalid("请输入验证器 App 上的 6 位验证码"))
    } else {
        Err(AppError::invalid("验证码应为 6 位数字，或 10 位恢复码"))
    }
}

/// A new random secret, base32 (160 bits, RFC 4226's recommendation).
fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

/// An enrolment in progress: the secret to put in the authenticator app.
pub struct Pending {
    pub secret: String,
}

impl Pending {
    /// The `otpauth://` URI the QR code carries (Key Uri Format, as authenticator apps read it).
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{issuer}:{account}");
        format!(
            "otpauth://totp/{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
            crate::web::url_encode(&label).replace('/', "%2F"),
            self.secret,
            crate::web::url_encode(issuer).replace('/', "%2F"),
        )
    }
}

/// What `/me/2fa` shows.
pub enum Status {
    Off,
    Enrolling(Pending),
    On { recovery_left: i64 },
}

pub fn status(conn: &mut DbConn, user_id: i64) -> AppResult<Status> {
    let row: Option<(String, Option<chrono::NaiveDateTime>)> = two_factor::table
        .find(user_id)
        .select((two_factor::secret, two_factor::confirmed_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Status::Off,
        Some((secret, None)) => Status::Enrolling(Pending { secret }),
        Some((_, Some(_))) => {
            let recovery_left = two_factor_recovery::table
                .filter(two_factor_recovery::user_id.eq(user_id))
                .filter(two_factor_recovery::used_at.is_null())
                .count()
                .get_result(conn)?;
            Status::On { recovery_left }
        }
    })
}

/// Starts (or restarts) an enrolment with a fresh secret; refused when two-factor is on.
pub fn start(conn: &mut DbConn, user_id: i64) -> AppResult<Pending> {
    write_tx(conn, |conn| {
        if is_on(conn, user_id)? {
            return Err(AppError::conflict("两步验证已经开启；如需更换手机，请先关闭再重新开启"));
        }
        let secret = new_secret();
        diesel::delete(two_factor::table.find(user_id)).execute(conn)?;
        diesel::insert_into(two_factor::table)
            .values((
                two_factor::user_id.eq(user_id),
                two_factor::secret.eq(&secret),
                two_factor::last_step.eq(0i64),
                two_factor::created_at.eq(db::now()),
            ))
            .execute(conn)?;
        Ok(Pending { secret })
    })
}

fn bump(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::updated_at.eq(db::now())).execute(conn)
}

/// Accepts a 6-digit code for `step` only if no code was accepted for it or a later step.
fn spend_step(conn: &mut DbConn, user_id: i64, step: i64, confirmed: bool) -> QueryResult<bool> {
    let target = two_factor::table.filter(two_factor::user_id.eq(user_id)).filter(two_factor::last_step.lt(step));
    let n = if confirmed {
        diesel::update(target.filter(two_factor::confirmed_at.is_not_null()))
            .set(two_factor::last_step.eq(step))
            .execute(conn)?
    } else {
        diesel::update(target.filter(two_factor::confirmed_at.is_null()))
            .set((two_factor::last_step.eq(step), two_factor::confirmed_at.eq(db::now())))
            .execute(conn)?
    };
    Ok(n == 1)
}

fn wrong_code() -> AppError {
    AppError::invalid("验证码不正确，请核对手机时间后输入验证器 App 上当前显示的 6 位数字")
}

fn replayed() -> AppError {
    AppError::invalid("这个验证码刚刚已经用过了，请等验证器 App 显示下一个验证码后再输入")
}

/// Confirms an enrolment with the first code from the app; returns the ten recovery codes,
/// which are shown once and kept only as hashes.
pub fn confirm(conn: &mut DbConn, user_id: i64, raw: &str, ip: &str) -> AppResult<Vec<String>> {
    let Code::Totp(code) = parse_code(raw)? else {
        return Err(AppError::invalid("请输入验证器 App 上的 6 位验证码"));
    };
    write_tx(conn, |conn| {
        let Status::Enrolling(pending) = status(conn, user_id)? else {
            return Err(AppError::conflict("没有进行中的开启步骤，请刷新页面重新开始"));
        };
        let step = matching_step(&pending.secret, &code, now_secs())?.ok_or_else(wrong_code)?;
        if !spend_step(conn, user_id, step, false)? {
            return Err(replayed());
        }
        let codes = new_recovery_codes(conn, user_id)?;
        bump(conn, user_id)?;
        audit::record(conn, Some(user_id), "user.2fa_enable", "user", Some(&user_id.to_string()), "{}", Some(ip))?;
        Ok(codes)
    })
}

fn new_recovery_codes(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<String>> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    diesel::delete(two_factor_recovery::table.filter(two_factor_recovery::user_id.eq(user_id))).execute(conn)?;
    let mut rng = rand::rng();
    let now = db::now();
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let code: String = (0..10).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
        diesel::insert_into(two_factor_recovery::table)
            .values((
                two_factor_recovery::user_id.eq(user_id),
                two_factor_recovery::code_hash.eq(token_hash(&code)),
                two_factor_recovery::created_at.eq(now),
            ))
            .execute(conn)?;
        codes.push(format!("{}-{}", &code[..5], &code[5..]));
    }
    Ok(codes)
}

/// How a sign-in's second step passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passed {
    Totp,
    Recovery,
}

/// Checks a code for an account with two-factor on: a TOTP code not used before, or an unused
/// recovery code (spent by this call). Part of the caller's transaction.
fn check(conn: &mut DbConn, user_id: i64, raw: &str) -> AppResult<Passed> {
    let secret: String = two_factor::table
        .filter(two_factor::user_id.eq(user_id))
        .filter(two_factor::confirmed_at.is_not_null())
        .select(two_factor::secret)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::conflict("这个账号没有开启两步验证"))?;
    match parse_code(raw)? {
        Code::Totp(code) => {
            let step = matching_step(&secret, &code, now_secs())?.ok_or_else(wrong_code)?;
            if spend_step(conn, user_id, step, true)? { Ok(Passed::Totp) } else { Err(replayed()) }
        }
        Code::Recovery(code) => {
            let hash = token_hash(&code);
            let spent = diesel::update(
                two_factor_recovery::table
                    .filter(two_factor_recovery::user_id.eq(user_id))
                    .filter(two_factor_recovery::code_hash.eq(&hash))
                    .filter(two_factor_recovery::used_at.is_null()),
            )
            .set(two_factor_recovery::used_at.eq(db::now()))
            .execute(conn)?;
            if spent == 1 {
                return Ok(Passed::Recovery);
            }
            let known: i64 = two_factor_recovery::table
                .filter(two_factor_recovery::user_id.eq(user_id))
                .filter(two_factor_recovery::code_hash.eq(&hash))
                .count()
                .get_result(conn)?;
            Err(AppError::invalid(if known > 0 {
                "这个恢复码已经用过了，每个恢复码只能用一次"
            } else {
                "恢复码不正确，请核对后重新输入"
            }))
        }
    }
}

/// The second step of a sign-in: a code for `user_id`. The audit log records a recovery code's
/// use, since the device may be lost.
pub fn verify_sign_in(conn: &mut DbConn, user_id: i64, raw: &str, ip: &str) -> AppResult<Passed> {
    write_tx(conn, |conn| {
        let passed = check(conn, user_id, raw)?;
        if passed == Passed::Recovery {
            audit::record(
                conn,
                Some(user_id),
                "user.2fa_recovery",
                "user",
                Some(&user_id.to_string()),
                "{}",
                Some(ip),
            )?;
        }
        Ok(passed)
    })
}

fn remove(conn: &mut DbConn, user_id: i64) -> AppResult<usize> {
    diesel::delete(two_factor_recovery::table.filter(two_factor_recovery::user_id.eq(user_id))).execute(conn)?;
    let n = diesel::delete(two_factor::table.find(user_id)).execute(conn)?;
    bump(conn, user_id)?;
    Ok(n)
}

/// Turns two-factor off; needs a current code (or a recovery code).
pub fn disable(conn: &mut DbConn, user_id: i64, raw: &str, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        check(conn, user_id, raw)?;
        remove(conn, user_id)?;
        audit::record(conn, Some(user_id), "user.2fa_disable", "user", Some(&user_id.to_string()), "{}", Some(ip))
    })
}

/// An admin clears another user's two-factor (a lost phone and no recovery code left); the user
/// signs in with the password alone and enrols again.
pub fn reset(conn: &mut DbConn, by: i64, user_id: i64, ip: &str) -> AppResult<()> {
    if by == user_id {
        return Err(AppError::invalid("不能重置自己的两步验证；请在“两步验证”页面用验证码关闭"));
    }
    write_tx(conn, |conn| {
        crate::auth::service::user_exists(conn, user_id)?;
        if remove(conn, user_id)? == 0 {
            return Err(AppError::invalid("该用户没有开启两步验证"));
        }
        audit::record(conn, Some(by), "user.2fa_reset", "user", Some(&user_id.to_string()), "{}", Some(ip))
    })
}
