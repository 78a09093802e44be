//! Changing and resetting a password. A change needs the current password and ends every other
//! session of the user; a reset proves the account's email with a one-time code (`codes`) and ends
//! every session. Neither tells a stranger whether an email address has an account.

use diesel::prelude::*;

use super::codes::{self, PASSWORD_RESET};
use super::models::{AUTH_PASSWORD, Email, STATUS_ACTIVE};
use super::{queries, sessions};
use crate::audit;
use crate::db::schema::{user_auth, users};
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

/// The password login of a user: `(auth id, argon2 hash)`; `None` for WeChat-only accounts.
pub fn password_of(conn: &mut DbConn, user_id: i64) -> AppResult<Option<(i64, String)>> {
    let row: Option<(i64, Option<String>)> = user_auth::table
        .filter(user_auth::user_id.eq(user_id))
        .filter(user_auth::auth_type.eq(AUTH_PASSWORD))
        .select((user_auth::id, user_auth::secret_hash))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(id, hash)| hash.map(|h| (id, h))))
}

/// Stores a new password hash (checked against the current password by the caller) and ends every
/// session of the user but `keep` (the cookie id of the session that asked). Returns how many
/// other sessions ended.
pub fn change_password(
    conn: &mut DbConn,
    user_id: i64,
    auth_id: i64,
    new_hash: &str,
    keep: Option<&str>,
    ip: &str,
) -> AppResult<usize> {
    write_tx(conn, |conn| {
        queries::set_secret_hash(conn, auth_id, new_hash)?;
        let ended = sessions::close_others(conn, user_id, keep)?;
        let detail = serde_json::json!({ "other_sessions_ended": ended }).to_string();
        audit::record(
            conn,
            Some(user_id),
            "user.password_change",
            "user",
            Some(&user_id.to_string()),
            &detail,
            Some(ip),
        )?;
        notify::send(
            conn,
            user_id,
            MessageKind::Security,
            "登录密码已修改",
            "你的登录密码刚刚修改成功，其他设备上的登录已全部退出。如果不是你本人操作，请立即通过“忘记密码”重置密码。",
            Some("/me/security"),
        )?;
        Ok(ended)
    })
}

/// Mails a reset code to `email` when an active account with a password login has that address;
/// does nothing otherwise (the caller answers the same either way).
pub fn start_password_reset(conn: &mut DbConn, key: &[u8], email: &Email) -> AppResult<()> {
    let holder: Option<i64> = users::table
        .inner_join(user_auth::table)
        .filter(users::email.eq(email.as_str()))
        .filter(users::status.eq(STATUS_ACTIVE))
        .filter(user_auth::auth_type.eq(AUTH_PASSWORD))
        .select(users::id)
        .order(users::id.asc())
        .first(conn)
        .optional()?;
    let Some(user_id) = holder else {
        return Ok(());
    };
    write_tx(conn, |conn| {
        let code = codes::issue(conn, key, PASSWORD_RESET, Some(user_id), email.as_str())?;
        let username = queries::auth_key_of(conn, user_id, AUTH_PASSWORD)?.unwrap_or_default();
        let body = format!(
            "你正在重置校园助手账号「{username}」的登录密码。\n\n验证码：{code}\n\n验证码 10 分钟内有效，只能使用一次。如果不是你本人操作，请忽略这封邮件，你的密码不会改变。"
        );
        notify::service::queue_secret_email(conn, Some(user_id), email.as_str(), "重置密码验证码", &body)?;
        Ok(())
    })
}

/// Sets a new password for the account whose reset code for `email` is `code`, and ends every
/// session of it. A wrong, expired or used code is `Invalid` and changes nothing.
pub fn finish_password_reset(
    conn: &mut DbConn,
    key: &[u8],
    email: &Email,
    code: &str,
    new_hash: &str,
    ip: &str,
) -> AppResult<()> {
    let user_id = codes::redeem(conn, key, PASSWORD_RESET, email.as_str(), code)?
        .ok_or_else(|| AppError::invalid("验证码错误或已失效，请重新获取"))?;
    reset_to(conn, user_id, new_hash, ip, "email")
}

/// Sets the new password of `user_id`, whose ownership a code sent `by` (`email`, `phone`) just
/// proved, and ends every session of it.
pub fn reset_to(conn: &mut DbConn, user_id: i64, new_hash: &str, ip: &str, by: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (auth_id, _) = password_of(conn, user_id)?.ok_or(AppError::NotFound)?;
        queries::set_secret_hash(conn, auth_id, new_hash)?;
        let ended = sessions::close_all(conn, user_id)?;
        let detail = serde_json::json!({ "sessions_ended": ended, "by": by }).to_string();
        audit::record(
            conn,
            Some(user_id),
            "user.password_reset",
            "user",
            Some(&user_id.to_string()),
            &detail,
            Some(ip),
        )?;
        let way = if by == "phone" { "手机验证码" } else { "邮箱验证码" };
        notify::send(
            conn,
            user_id,
            MessageKind::Security,
            "登录密码已重置",
            &format!("你通过{way}重置了登录密码，所有设备上的登录都已退出。如果不是你本人操作，请立即联系管理员。"),
            Some("/me/security"),
        )?;
        Ok(())
    })
}
