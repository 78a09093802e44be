//! Every read, write and lookup of `users.phone` (and nothing else). The number is stored sealed
//! (`db::sealed`, column `users.phone`) and found through its blind index `users.phone_index`,
//! whose unique index makes a number one account's.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::reseal::col;
use crate::db::schema::users;
use crate::db::sealed::{Keyring, Sealed};
use crate::error::{AppError, AppResult};

/// The account holding `phone`: `(user id, status)`. Asks for the number's index under every
/// key of the ring: a row not yet re-sealed after a rotation carries an older key's index.
pub fn find_user_by_phone(conn: &mut DbConn, keys: &Keyring, phone: &str) -> AppResult<Option<(i64, String)>> {
    let indexes = keys.blind_all(col::USER_PHONE, phone);
    Ok(users::table
        .filter(users::phone_index.eq_any(indexes))
        .select((users::id, users::status))
        .first(conn)
        .optional()?)
}

/// The number bound to `user_id`, if any, opened.
pub fn phone_of(conn: &mut DbConn, keys: &Keyring, user_id: i64) -> AppResult<Option<String>> {
    let sealed: Option<Sealed> = users::table.find(user_id).select(users::phone).first(conn).optional()?.flatten();
    Ok(keys.show_opt(col::USER_PHONE, sealed.as_ref()))
}

/// Binds `phone` to `user_id` (`None` unbinds), sealed, with its index. The unique index on the
/// index decides a race: the loser gets `Conflict` with the words to show.
pub fn set_phone(conn: &mut DbConn, keys: &Keyring, user_id: i64, phone: Option<&str>) -> AppResult<()> {
    let now = crate::db::now();
    let sealed = keys.seal_opt(col::USER_PHONE, phone);
    let index = phone.map(|p| keys.blind(col::USER_PHONE, p));
    match diesel::update(users::table.find(user_id))
        .set((users::phone.eq(sealed.as_ref()), users::phone_index.eq(index), users::updated_at.eq(now)))
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
    diesel::update(users::table.find(user_id))
        .set((users::phone.eq(None::<String>), users::phone_index.eq(None::<String>)))
        .execute(conn)
}
