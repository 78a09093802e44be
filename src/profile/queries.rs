use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::models::User;
use crate::db::DbConn;
use crate::db::schema::users;

pub fn user(conn: &mut DbConn, id: i64) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

pub fn update_contact(
    conn: &mut DbConn,
    id: i64,
    nickname: &str,
    email: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::nickname.eq(nickname), users::email.eq(email), users::updated_at.eq(now)))
        .execute(conn)
}

pub fn set_avatar(conn: &mut DbConn, id: i64, avatar: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set((users::avatar.eq(avatar), users::updated_at.eq(now))).execute(conn)
}
