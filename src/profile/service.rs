use super::queries;
use crate::audit;
use crate::auth::models::{Email, Nickname, Phone, User};
use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

pub fn profile(conn: &mut DbConn, user_id: i64) -> AppResult<User> {
    Ok(queries::user(conn, user_id)?)
}

pub struct ContactChange {
    pub nickname: Nickname,
    /// `None` clears the address.
    pub email: Option<Email>,
    /// `None` keeps the number on file.
    pub phone: Option<Phone>,
}

/// Saves nickname, email and phone; a changed email address gets a security notice.
pub fn update_contact(
    conn: &mut DbConn,
    keys: &Keyring,
    user_id: i64,
    change: &ContactChange,
    ip: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = queries::user(conn, user_id)?;
        let email = change.email.as_ref().map(|e| e.as_str().to_string());
        let now = db::now();
        queries::update_contact(conn, user_id, change.nickname.as_str(), email.as_deref(), now)?;
        let known = before.phone.as_ref().and_then(|p| keys.open(col::USER_PHONE, p).ok());
        if let Some(phone) = change.phone.as_ref().filter(|p| known.as_deref() != Some(p.as_str())) {
            let (sealed, index) =
                (keys.seal(col::USER_PHONE, phone.as_str()), keys.blind(col::USER_PHONE, phone.as_str()));
            queries::set_phone(conn, user_id, &sealed, &index, now).map_err(|e| match AppError::from(e) {
                AppError::Duplicate(_) => AppError::conflict("这个手机号已绑定在其他账号上"),
                other => other,
            })?;
        }
        audit::record(conn, Some(user_id), "user.update_profile", "user", Some(&user_id.to_string()), "{}", Some(ip))?;
        if email.is_some() && email != before.email {
            notify::send(
                conn,
                user_id,
                MessageKind::Security,
                "邮箱已更新",
                "你的账号绑定了新的邮箱地址。如果这不是你本人的操作，请尽快联系管理员。",
                Some("/me/settings"),
            )?;
        }
        Ok(())
    })
}

pub fn set_avatar(conn: &mut DbConn, user_id: i64, path: &str) -> AppResult<()> {
    queries::set_avatar(conn, user_id, path, db::now())?;
    Ok(())
}
