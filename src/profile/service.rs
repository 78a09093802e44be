use super::queries;
use crate::audit;
use crate::auth::models::{Email, Nickname, User};
use crate::db::{self, DbConn, write_tx};
use crate::error::AppResult;
use crate::notify::{self, MessageKind};

pub fn profile(conn: &mut DbConn, user_id: i64) -> AppResult<User> {
    Ok(queries::user(conn, user_id)?)
}

pub struct ContactChange {
    pub nickname: Nickname,
    /// `None` clears the address.
    pub email: Option<Email>,
}

/// Saves nickname and email; a changed email address gets a security notice. (The phone number
/// changes only by SMS code, at `/me/phone`.)
pub fn update_contact(conn: &mut DbConn, user_id: i64, change: &ContactChange, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = queries::user(conn, user_id)?;
        let email = change.email.as_ref().map(|e| e.as_str().to_string());
        queries::update_contact(conn, user_id, change.nickname.as_str(), email.as_deref(), db::now())?;
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

/// Sets a new avatar; the old one stops being served at once and leaves the store.
pub fn set_avatar(conn: &mut DbConn, user_id: i64, path: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let old = queries::user(conn, user_id)?.avatar;
        queries::set_avatar(conn, user_id, path, db::now())?;
        if let Some(old) = old.filter(|o| o != path) {
            crate::privacy::discard_photos(conn, [old.as_str()])?;
        }
        Ok(())
    })
}
