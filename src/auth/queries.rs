//! Diesel queries of the auth module. Each takes `&mut DbConn` so services compose them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{NewUser, Role, User, UserAuth};
use crate::db::DbConn;
use crate::db::schema::{auth_tokens, user_auth, user_roles, users};
use crate::on_backend;

pub fn user_by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).optional()
}

pub fn roles_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Role>> {
    let names: Vec<String> =
        user_roles::table.filter(user_roles::user_id.eq(user_id)).select(user_roles::role).load(conn)?;
    let mut roles: Vec<Role> = names.iter().filter_map(|n| Role::parse(n)).collect();
    roles.sort();
    Ok(roles)
}

pub fn insert_user(conn: &mut DbConn, new: &NewUser) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(users::table).values(new).returning(users::id).get_result(c))
}

/// Grants a role (nothing when held already); a new role bumps the user's version so signed-in
/// pages see it on the next request.
pub fn add_role(conn: &mut DbConn, user_id: i64, role: Role) -> QueryResult<()> {
    let added = on_backend!(conn, |c| diesel::insert_into(user_roles::table)
        .values((user_roles::user_id.eq(user_id), user_roles::role.eq(role.as_str())))
        .on_conflict((user_roles::user_id, user_roles::role))
        .do_nothing()
        .execute(c))?;
    if added > 0 {
        diesel::update(users::table.find(user_id)).set(users::updated_at.eq(crate::db::now())).execute(conn)?;
    }
    Ok(())
}

pub fn auth_by_key(conn: &mut DbConn, auth_type: &str, key: &str) -> QueryResult<Option<UserAuth>> {
    user_auth::table
        .filter(user_auth::auth_type.eq(auth_type))
        .filter(user_auth::auth_key.eq(key))
        .select(UserAuth::as_select())
        .first(conn)
        .optional()
}

pub fn insert_auth(
    conn: &mut DbConn,
    user_id: i64,
    auth_type: &str,
    key: &str,
    secret_hash: Option<&str>,
    unionid: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(user_auth::table)
        .values((
            user_auth::user_id.eq(user_id),
            user_auth::auth_type.eq(auth_type),
            user_auth::auth_key.eq(key),
            user_auth::secret_hash.eq(secret_hash),
            user_auth::unionid.eq(unionid),
            user_auth::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_secret_hash(conn: &mut DbConn, auth_id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(user_auth::table.find(auth_id)).set(user_auth::secret_hash.eq(hash)).execute(conn)
}

pub fn touch_login(conn: &mut DbConn, user_id: i64, auth_id: Option<i64>, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(user_id)).set(users::last_login_at.eq(now)).execute(conn)?;
    if let Some(auth_id) = auth_id {
        diesel::update(user_auth::table.find(auth_id)).set(user_auth::last_used_at.eq(now)).execute(conn)?;
    }
    Ok(())
}

pub fn insert_token(
    conn: &mut DbConn,
    hash: &str,
    purpose: &str,
    user_id: i64,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(auth_tokens::table)
        .values((
            auth_tokens::token_hash.eq(hash),
            auth_tokens::purpose.eq(purpose),
            auth_tokens::user_id.eq(user_id),
            auth_tokens::expires_at.eq(expires_at),
            auth_tokens::created_at.eq(now),
        ))
        .execute(conn)
}

/// Marks an unused, unexpired ticket used; 1 row means this caller won the ticket.
pub fn consume_ticket(conn: &mut DbConn, hash: &str, purpose: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        auth_tokens::table
            .filter(auth_tokens::token_hash.eq(hash))
            .filter(auth_tokens::purpose.eq(purpose))
            .filter(auth_tokens::used_at.is_null())
            .filter(auth_tokens::expires_at.gt(now)),
    )
    .set(auth_tokens::used_at.eq(now))
    .execute(conn)
}

pub fn token_user(conn: &mut DbConn, hash: &str, purpose: &str) -> QueryResult<Option<(i64, NaiveDateTime)>> {
    auth_tokens::table
        .filter(auth_tokens::token_hash.eq(hash))
        .filter(auth_tokens::purpose.eq(purpose))
        .select((auth_tokens::user_id, auth_tokens::expires_at))
        .first(conn)
        .optional()
}

pub fn delete_expired_tokens(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(auth_tokens::table.filter(auth_tokens::expires_at.lt(now))).execute(conn)
}

pub fn auth_key_of(conn: &mut DbConn, user_id: i64, auth_type: &str) -> QueryResult<Option<String>> {
    user_auth::table
        .filter(user_auth::user_id.eq(user_id))
        .filter(user_auth::auth_type.eq(auth_type))
        .select(user_auth::auth_key)
        .first(conn)
        .optional()
}

pub fn users_with_role(conn: &mut DbConn, role: Role) -> QueryResult<Vec<i64>> {
    user_roles::table
        .inner_join(users::table)
        .filter(user_roles::role.eq(role.as_str()))
        .filter(users::status.eq(super::models::STATUS_ACTIVE))
        .select(users::id)
        .load(conn)
}

/// Turns an account into a nameless husk nobody can sign in to: personal fields cleared, every
/// login, token and role removed. The row stays so that orders and posts keep their author id.
pub fn anonymise(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::wx_subscriptions;
    diesel::delete(user_auth::table.filter(user_auth::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(auth_tokens::table.filter(auth_tokens::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(
        crate::db::schema::one_time_codes::table.filter(crate::db::schema::one_time_codes::user_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(wx_subscriptions::table.filter(wx_subscriptions::user_id.eq(user_id))).execute(conn)?;
    super::phone::queries::clear_phone(conn, user_id)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::nickname.eq("已注销用户"),
            users::avatar.eq(None::<String>),
            users::email.eq(None::<String>),
            users::student_no.eq(None::<String>),
            users::real_name.eq(None::<String>),
            users::college.eq(None::<String>),
            users::major.eq(None::<String>),
            users::class_name.eq(None::<String>),
            users::verified.eq(false),
            users::status.eq("deleted"),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn active_users_named(conn: &mut DbConn, names: &[String]) -> QueryResult<Vec<(i64, String)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    users::table
        .filter(users::nickname.eq_any(names.to_vec()))
        .filter(users::status.eq(super::models::STATUS_ACTIVE))
        .select((users::id, users::nickname))
        .limit(100)
        .load(conn)
}
