//! Password reset by SMS code: the phone half of `/password/forgot` and `/password/reset` (the
//! handlers in `security` pick email or phone). Like the email way, the answer to "send a code"
//! is the same whether or not the number has an account with a password.

use super::queries;
use super::sending::{deliver, secret, target};
use crate::auth::codes::{self, PHONE_RESET, limit};
use crate::auth::models::{Phone, STATUS_ACTIVE};
use crate::auth::passwords;
use crate::db::DbConn;
use crate::db::sealed::Keyring;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The active account with a password login that holds `phone`.
fn reset_holder(conn: &mut DbConn, keys: &Keyring, phone: &str) -> AppResult<Option<i64>> {
    let Some((id, status)) = queries::find_user_by_phone(conn, keys, phone)? else {
        return Ok(None);
    };
    if status != STATUS_ACTIVE {
        return Ok(None);
    }
    Ok(passwords::password_of(conn, id)?.map(|_| id))
}

/// Sends a reset code to `phone` when it belongs to an account that can have one.
pub async fn send_reset_code(state: &AppState, ip: &str, phone: &Phone) -> AppResult<()> {
    let key = secret(state);
    let number = target(&key, phone);
    limit(&state.code_limiter, &[&format!("reset-send:ip:{ip}"), &format!("reset-send:{number}")], "发送验证码")
        .await?;
    let (p, keys) = (phone.as_str().to_string(), state.keys.clone());
    if let Some(user_id) = state.db.run(move |conn| reset_holder(conn, &keys, &p)).await? {
        deliver(state, ip, PHONE_RESET, Some(user_id), phone, number).await?;
    }
    Ok(())
}

/// Sets the new password of the account whose reset code for `phone` is `code`; every session of
/// it ends. A wrong, expired or used code is `Invalid` and changes nothing.
pub async fn reset_password(
    state: &AppState,
    ip: &str,
    phone: &Phone,
    code: String,
    new_hash: String,
) -> AppResult<()> {
    let key = secret(state);
    let number = target(&key, phone);
    limit(&state.code_limiter, &[&format!("reset-check:ip:{ip}"), &format!("reset-check:{number}")], "验证码尝试")
        .await?;
    let (p, ip, keys) = (phone.as_str().to_string(), ip.to_string(), state.keys.clone());
    state
        .db
        .run(move |conn| {
            let user_id = codes::redeem(conn, &key, PHONE_RESET, &number, &code)?
                .ok_or_else(|| AppError::invalid("验证码错误或已失效，请重新获取"))?;
            // The number must still be this account's (it may have moved since the code went out).
            if reset_holder(conn, &keys, &p)? != Some(user_id) {
                return Err(AppError::invalid("验证码错误或已失效，请重新获取"));
            }
            passwords::reset_to(conn, user_id, &new_hash, &ip, "phone")
        })
        .await
}
