//! Server-side session records (`user_sessions`). The cookie carries a random id; the table keeps
//! only its SHA-256. Every signed-in request checks the record, so logout, a ban and "sign out
//! everywhere" end a session at once, even one whose cookie was copied before.
//!
//! The check is the one database read a signed-in page pays for its user: one statement joining
//! the record and the user (status, `updated_at`) with the unread count as a subquery, which the
//! connection keeps prepared. The slow-changing part of the user (nickname, avatar, roles) is
//! kept per process, keyed by the user's `updated_at`, which every change of those bumps (admin
//! roles and two-factor enrolment included). `last_seen_at` rides along with that read; only when
//! it is older than [`SEEN_EVERY`] does the request write it (after the read, on a writable
//! connection: the read runs on a read-only one).

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
            user_sessions::last_seen_at.eq(now),
            user_sessions::ip.eq(ip),
            user_sessions::user_agent.eq(user_agent.chars().take(200).collect::<String>()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// How stale `last_seen_at` may get: a signed-in request writes it only when it is older than this,
/// so a busy session costs one small write per few minutes, not one per request.
pub const SEEN_EVERY: TimeDelta = TimeDelta::minutes(5);

/// Moves a session's "last seen" to `now`; the condition keeps parallel requests of one session
/// from all writing.
fn touch(conn: &mut DbConn, record: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        user_sessions::table
            .find(token_hash(record))
            .filter(user_sessions::last_seen_at.is_null().or(user_sessions::last_seen_at.lt(now - SEEN_EVERY))),
    )
    .set(user_sessions::last_seen_at.eq(now))
    .execute(conn)
}

/// One live session of a user, as 账号与安全 lists it.
pub struct SessionLine {
    /// The record's key (a hash of the cookie's id, useless as a cookie), for "sign out that device".
    pub id: String,
    pub device: String,
    pub place: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    /// The session this very request came with.
    pub current: bool,
}

/// The live sessions of `user_id`, the current one (`record`) first, then the most recently seen.
pub fn list(conn: &mut DbConn, user_id: i64, record: Option<&str>) -> AppResult<Vec<SessionLine>> {
    type Row = (String, NaiveDateTime, Option<NaiveDateTime>, Option<String>, Option<String>);
    let rows: Vec<Row> = user_sessions::table
        .filter(user_sessions::user_id.eq(user_id))
        .filter(user_sessions::expires_at.gt(db::now()))
        .select((
            user_sessions::id,
            user_sessions::created_at,
            user_sessions::last_seen_at,
            user_sessions::ip,
            user_sessions::user_agent,
        ))
        .load(conn)?;
    let current = record.map(token_hash);
    let mut lines: Vec<SessionLine> = rows
        .into_iter()
        .map(|(id, created_at, seen, ip, agent)| SessionLine {
            current: current.as_deref() == Some(id.as_str()),
            id,
            device: super::devices::device_label(agent.as_deref().unwrap_or_default()),
            place: super::devices::place_label(ip.as_deref().unwrap_or_default()),
            created_at,
            last_seen_at: seen.unwrap_or(created_at).max(created_at),
        })
        .collect();
    lines.sort_by(|a, b| b.current.cmp(&a.current).then(b.last_seen_at.cmp(&a.last_seen_at)));
    Ok(lines)
}

/// Ends session `id` (a record key from [`list`]) of `user_id`; another user's session is not found.
pub fn close_one(conn: &mut DbConn, user_id: i64, id: &str) -> AppResult<()> {
    let n = diesel::delete(user_sessions::table.find(id).filter(user_sessions::user_id.eq(user_id))).execute(conn)?;
    if n == 1 { Ok(()) } else { Err(crate::error::AppError::NotFound) }
}

/// Ends every session of `user_id` but the one with cookie id `keep` (all of them when `None`).
pub fn close_others(conn: &mut DbConn, user_id: i64, keep: Option<&str>) -> AppResult<usize> {
    let keep = keep.map(token_hash).unwrap_or_default();
    Ok(diesel::delete(
        user_sessions::table.filter(user_sessions::user_id.eq(user_id)).filter(user_sessions::id.ne(keep)),
    )
    .execute(conn)?)
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
    last_seen_at: Option<NaiveDateTime>,
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
        .select((user_sessions::expires_at, user_sessions::last_seen_at, users::status, users::updated_at, unread));
    // Straight to the backend's own connection: its statement cache finds this statement by type,
    // where the multi-backend wrapper would write the SQL out each time to look it up.
    /// Expiry, last seen, user status, user version, unread count.
    type Row = (NaiveDateTime, Option<NaiveDateTime>, String, NaiveDateTime, Option<i64>);
    let row: Option<Row> = crate::on_backend!(conn, |c| query.get_result(c).optional())?;
    Ok(row.filter(|(expires_at, ..)| *expires_at > now).map(|(_, last_seen_at, status, version, unread)| Live {
        last_seen_at,
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
    /// Sessions whose `last_seen_at` the last check found stale, waiting for `mark_seen`.
    seen_due: Mutex<std::collections::HashSet<String>>,
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
        let now = db::now();
        if live.last_seen_at.is_none_or(|at| now - at >= SEEN_EVERY)
            && let Ok(mut due) = self.seen_due.lock()
        {
            if due.len() >= Self::MAX_PROFILES {
                due.clear();
            }
            due.insert(record.to_string());
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
            second_factor_due: false,
            unread_messages: live.unread,
        }))
    }

    fn api_user(&self, conn: &mut DbConn, token: &str) -> AppResult<Option<i64>> {
        super::service::api_user(conn, token)
    }

    fn seen_due(&self, record: &str) -> bool {
        self.seen_due.lock().is_ok_and(|mut due| due.remove(record))
    }

    fn mark_seen(&self, conn: &mut DbConn, record: &str) -> AppResult<()> {
        touch(conn, record, db::now())?;
        Ok(())
    }
}
