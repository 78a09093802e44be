//! Every read, write and lookup of `users.phone` (and nothing else): the one file to change when
//! the number is stored differently (encrypted, with a blind index for lookups).

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::users;
use crate::error::{AppError, AppResult};

/// The account holding `phone`: `(user id, status)`.
pub fn find_user_by_phone(conn: &mut DbConn, phone: &str) -> AppResult<Option<(i64, String)>> {
    Ok(users::table.filter(users::phone.eq(phone)).select((users::id, users::status)).first(conn).optional()?)
}

/// The number bound to `user_id`, if any.
pub fn phone_of(conn: &mut DbConn, user_id: i64) -> AppResult<Option<String>> {
    Ok(users::table.find(user_id).select(users::phone).first::<Option<String>>(conn).optional()?.flatten())
}

/// Binds `phone` to `user_id` (`None` unbinds). The unique index on the number decides a race:
/// the loser gets `Conflict` with the words to show.
pub fn set_phone(conn: &mut DbConn, user_id: i64, phone: Option<&str>) -> AppResult<()> {
    let now = crate::db::now();
    match diesel::update(users::table.find(user_id))
        .set((users::phone.eq(phone), users::updated_at.eq(now)))
        .execute(conn)
    {
        Ok(1) => Ok(()),
        Ok(_) => Err(AppError::NotFound),
        Err(e) => match AppError::from(e) {
            dup if dup.is_duplicate() => Err(AppError::conflict("该手机号已绑定其他账号，请换一个手机号")),
            other => Err(other),
        },
    }
}

/// Forgets the number of an account being deleted (it may then be bound by someone else).
pub fn clear_phone(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::phone.eq(None::<String>)).execute(conn)
}
