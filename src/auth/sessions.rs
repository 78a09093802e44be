//! Server-side session records (`user_sessions`). The cookie carries a random id; the table keeps
//! only its SHA-256. Every signed-in request checks the record, so logout, a ban and "sign out
//! everywhere" end a session at once, even one whose cookie was copied before.
//!
//! The check is the one database read a signed-in page pays for its user: one statement joining
//! the record and the user (status, `updated_at`) with the unread count as a subquery, which the
//! connection keeps prepared. The slow-changing part of the user (nickname, avatar, roles) is
//! kept per process, keyed by the user's `updated_at`, which every change of those bumps (admin
//! roles and two-factor enrolment included).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::models::{Role, STATUS_ACTIVE};
use super::queries;
use crate::db::schema::{messages, user_sessions, users};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::web::{Accounts, AdminRole, CurrentUser, random_token, token_hash};

/// How long a session lives without signing in again (the cookie's own life).
pub const TTL: TimeDelta = TimeDelta::days(14);

/// Opens the record of a new sign-in; returns the id the cookie carries. Expired records of the
/// same user are swept on the way.
pub fn open(conn: &mut DbConn, user_id: i64, ip: &str, user_agent: &str) -> AppResult<String> {
    let id = random_token(24);
    let now = db::now();
    diesel::delete(
        user_sessions::table.filter(user_sessions::user_id.eq(user_id)).filter(user_sessions::expires_at.le(now)),
    )
    .execute(conn)?;
    diesel::insert_into(user_sessions::table)
        .values((
            user_sessions::id.eq(token_hash(&id)),
            user_sessions::user_id.eq(user_id),
            user_sessions::created_at.eq(now),
            user_sessions::expires_at.eq(now + TTL),
            user_sessions::ip.eq(ip),
            user_sessions::user_agent.eq(user_agent.chars().take(200).collect::<String>()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Ends one session (logout).
pub fn close(conn: &mut DbConn, record: &str) -> AppResult<()> {
    diesel::delete(user_sessions::table.find(token_hash(record))).execute(conn)?;
    Ok(())
}

/// Ends every session of a user ("sign out everywhere", a ban); returns how many there were.
pub fn close_all(conn: &mut DbConn, user_id: i64) -> AppResult<usize> {
    Ok(diesel::delete(user_sessions::table.filter(user_sessions::user_id.eq(user_id))).execute(conn)?)
}

/// What one signed-in request reads: the user's status, version and unread message count, if
/// `record` is a live session of `user_id`. One statement (one read transaction, one prepared
/// statement reused): the unread count rides along as a scalar subquery.
struct Live {
    status: String,
    version: NaiveDateTime,
    unread: i64,
}

fn live(conn: &mut DbConn, user_id: i64, record: &str, now: NaiveDateTime) -> QueryResult<Option<Live>> {
    let unread = messages::table
        .filter(messages::user_id.eq(user_id))
        .filter(messages::read_at.is_null())
        .count()
        .single_value();
    let id = token_hash(record);
    let query = user_sessions::table
        .inner_join(users::table)
        .filter(user_sessions::id.eq(&id))
        .filter(user_sessions::user_id.eq(user_id))
        .select((user_sessions::expires_at, users::status, users::updated_at, unread));
    // Straight to the backend's own connection: its statement cache finds this statement by type,
    // where the multi-backend wrapper would write the SQL out each time to look it up.
    let row: Option<(NaiveDateTime, String, NaiveDateTime, Option<i64>)> =
        crate::on_backend!(conn, |c| query.get_result(c).optional())?;
    Ok(row.filter(|(expires_at, ..)| *expires_at > now).map(|(_, status, version, unread)| Live {
        status,
        version,
        unread: unread.unwrap_or(0),
    }))
}

/// What a page shows of its user that changes only when `users.updated_at` does.
struct Profile {
    nickname: String,
    avatar: Option<String>,
    roles: Vec<Role>,
    admin_roles: Vec<AdminRole>,
    two_factor: bool,
}

/// The accounts directory the web plumbing asks who is signed in.
#[derive(Default)]
pub struct Directory {
    profiles: Mutex<HashMap<i64, (NaiveDateTime, Arc<Profile>)>>,
}

impl Directory {
    const MAX_PROFILES: usize = 20_000;

    fn profile(&self, conn: &mut DbConn, user_id: i64, version: NaiveDateTime) -> AppResult<Option<Arc<Profile>>> {
        if let Ok(map) = self.profiles.lock()
            && let Some((at, profile)) = map.get(&user_id)
            && *at == version
        {
            return Ok(Some(profile.clone()));
        }
        let Some(user) = queries::user_by_id(conn, user_id)? else {
            return Ok(None);
        };
        let profile = Arc::new(Profile {
            nickname: user.nickname,
            avatar: user.avatar,
            roles: queries::roles_of(conn, user_id)?,
            admin_roles: super::staff::admin_roles_of(conn, user_id)?,
            two_factor: super::two_factor::is_on(conn, user_id)?,
        });
        if let Ok(mut map) = self.profiles.lock() {
            if map.len() >= Self::MAX_PROFILES {
                map.clear();
            }
            // Keyed by the version read with the session, not the row's: a change between the two
            // reads leaves an entry that the next request's newer version replaces.
            map.insert(user_id, (version, profile.clone()));
        }
        Ok(Some(profile))
    }
}

impl Accounts for Directory {
    fn session_user(&self, conn: &mut DbConn, user_id: i64, record: &str) -> AppResult<Option<CurrentUser>> {
        let Some(live) = live(conn, user_id, record, db::now())? else {
            return Ok(None);
        };
        if live.status != STATUS_ACTIVE {
            return Ok(None);
        }
        let Some(profile) = self.profile(conn, user_id, live.version)? else {
            return Ok(None);
        };
        Ok(Some(CurrentUser {
            id: user_id,
            nickname: profile.nickname.clone(),
            avatar: profile.avatar.clone(),
            roles: profile.roles.clone(),
            admin_roles: profile.admin_roles.clone(),
            two_factor: profile.two_factor,
            unread_messages: live.unread,
        }))
    }

    fn api_user(&self, conn: &mut DbConn, token: &str) -> AppResult<Option<i64>> {
        super::service::api_user(conn, token)
    }
}
