//! Banning an account (the user and forum moderators, the market's reports): the account's
//! status changes, every session of it ends, and the audit log says who did it.

use diesel::prelude::*;

use super::models::{STATUS_ACTIVE, STATUS_BANNED};
use crate::audit;
use crate::db::schema::users;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// Bans or unbans; a banned user's open sessions end at their next request.
pub fn set_banned(conn: &mut DbConn, admin: i64, user_id: i64, banned: bool, ip: &str) -> AppResult<()> {
    if user_id == admin {
        return Err(AppError::invalid("不能封禁自己"));
    }
    write_tx(conn, |conn| {
        let status = if banned { STATUS_BANNED } else { STATUS_ACTIVE };
        let changed = diesel::update(users::table.find(user_id))
            .set((users::status.eq(status), users::updated_at.eq(db::now())))
            .execute(conn)?;
        if changed != 1 {
            return Err(AppError::NotFound);
        }
        if banned {
            super::sessions::close_all(conn, user_id)?;
        }
        let action = if banned { "user.ban" } else { "user.unban" };
        audit::record(conn, Some(admin), action, "user", Some(&user_id.to_string()), "{}", Some(ip))
    })
}
