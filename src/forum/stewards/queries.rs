//! Diesel queries of moderators, the mod log and warnings.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{
    forum_boards, forum_comments, forum_mod_log, forum_moderators, forum_posts, forum_warnings, users,
};

pub fn is_moderator(conn: &mut DbConn, user: i64, board: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        forum_moderators::table.filter(forum_moderators::user_id.eq(user)).filter(forum_moderators::board_id.eq(board)),
    ))
    .get_result(conn)
}

/// Boards `user` moderates.
pub fn boards_of(conn: &mut DbConn, user: i64) -> QueryResult<Vec<i64>> {
    forum_moderators::table.filter(forum_moderators::user_id.eq(user)).select(forum_moderators::board_id).load(conn)
}

/// Every appointment: (board, user, nickname), by board then appointment.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64, String)>> {
    forum_moderators::table
        .inner_join(users::table)
        .order((forum_moderators::board_id.asc(), forum_moderators::created_at.asc()))
        .select((forum_moderators::board_id, forum_moderators::user_id, users::nickname))
        .load(conn)
}

/// Appoints; 0 rows when already appointed (the primary key decides).
pub fn appoint(conn: &mut DbConn, board: i64, user: i64, by: i64, now: NaiveDateTime) -> QueryResult<usize> {
    crate::on_backend!(conn, |c| diesel::insert_into(forum_moderators::table)
        .values((
            forum_moderators::board_id.eq(board),
            forum_moderators::user_id.eq(user),
            forum_moderators::appointed_by.eq(by),
            forum_moderators::created_at.eq(now),
        ))
        .on_conflict((forum_moderators::board_id, forum_moderators::user_id))
        .do_nothing()
        .execute(c))
}

pub fn dismiss(conn: &mut DbConn, board: i64, user: i64) -> QueryResult<usize> {
    diesel::delete(
        forum_moderators::table.filter(forum_moderators::board_id.eq(board)).filter(forum_moderators::user_id.eq(user)),
    )
    .execute(conn)
}

/// One line of a mod log as written.
pub struct NewEntry<'a> {
    pub board_id: i64,
    pub actor_id: i64,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: i64,
    pub title: &'a str,
    pub reason: &'a str,
}

pub fn log(conn: &mut DbConn, e: &NewEntry, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(forum_mod_log::table)
        .values((
            forum_mod_log::board_id.eq(e.board_id),
            forum_mod_log::actor_id.eq(e.actor_id),
            forum_mod_log::action.eq(e.action),
            forum_mod_log::target_kind.eq(e.target_kind),
            forum_mod_log::target_id.eq(e.target_id),
            forum_mod_log::title.eq(e.title),
            forum_mod_log::reason.eq(e.reason),
            forum_mod_log::created_at.eq(now),
        ))
        .execute(conn)
}

/// A log line with the actor's nickname: (id, action, target kind, target id, title, reason,
/// at, nickname).
pub type LogRow = (i64, String, String, i64, String, String, NaiveDateTime, String);

pub fn board_log(conn: &mut DbConn, board: i64, limit: i64) -> QueryResult<Vec<LogRow>> {
    forum_mod_log::table
        .inner_join(users::table)
        .filter(forum_mod_log::board_id.eq(board))
        .order(forum_mod_log::id.desc())
        .limit(limit)
        .select((
            forum_mod_log::id,
            forum_mod_log::action,
            forum_mod_log::target_kind,
            forum_mod_log::target_id,
            forum_mod_log::title,
            forum_mod_log::reason,
            forum_mod_log::created_at,
            users::nickname,
        ))
        .load(conn)
}

pub fn warn(
    conn: &mut DbConn,
    user: i64,
    board: i64,
    by: i64,
    post: Option<i64>,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(forum_warnings::table)
        .values((
            forum_warnings::user_id.eq(user),
            forum_warnings::board_id.eq(board),
            forum_warnings::issued_by.eq(by),
            forum_warnings::post_id.eq(post),
            forum_warnings::reason.eq(reason),
            forum_warnings::created_at.eq(now),
        ))
        .execute(conn)
}

/// A warning with its board's name: (id, board name, reason, post, at).
pub type WarningRow = (i64, String, String, Option<i64>, NaiveDateTime);

/// A warning a user received: (board, reason, at).
pub type WarningOfUser = (i64, String, NaiveDateTime);

/// A log line an actor wrote: (action, title, reason, at).
pub type LogOfActor = (String, String, String, NaiveDateTime);

/// A user's warnings, newest first.
pub fn warnings_of(conn: &mut DbConn, user: i64) -> QueryResult<Vec<WarningRow>> {
    forum_warnings::table
        .inner_join(forum_boards::table)
        .filter(forum_warnings::user_id.eq(user))
        .order(forum_warnings::id.desc())
        .select((
            forum_warnings::id,
            forum_boards::name,
            forum_warnings::reason,
            forum_warnings::post_id,
            forum_warnings::created_at,
        ))
        .load(conn)
}

/// The boards of these posts: (post, board).
pub fn boards_of_posts(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    forum_posts::table.filter(forum_posts::id.eq_any(ids)).select((forum_posts::id, forum_posts::board_id)).load(conn)
}

/// The boards of these comments: (comment, board).
pub fn boards_of_comments(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    forum_comments::table
        .inner_join(forum_posts::table)
        .filter(forum_comments::id.eq_any(ids))
        .select((forum_comments::id, forum_posts::board_id))
        .load(conn)
}

/// Warnings a user received and mod log lines a user wrote, for the data export: the
/// warnings as (board, reason, at), the log as (action, title, reason, at).
pub fn export(conn: &mut DbConn, user: i64) -> QueryResult<(Vec<WarningOfUser>, Vec<LogOfActor>)> {
    let warnings = forum_warnings::table
        .filter(forum_warnings::user_id.eq(user))
        .order(forum_warnings::id)
        .select((forum_warnings::board_id, forum_warnings::reason, forum_warnings::created_at))
        .load(conn)?;
    let log = forum_mod_log::table
        .filter(forum_mod_log::actor_id.eq(user))
        .order(forum_mod_log::id)
        .select((forum_mod_log::action, forum_mod_log::title, forum_mod_log::reason, forum_mod_log::created_at))
        .load(conn)?;
    Ok((warnings, log))
}

/// Removes a closing account's appointments and the warnings it received. Warnings it gave
/// and its log lines stay (the board's record), their author shown as the closed account.
pub fn forget(conn: &mut DbConn, user: i64) -> QueryResult<()> {
    diesel::delete(forum_moderators::table.filter(forum_moderators::user_id.eq(user))).execute(conn)?;
    diesel::delete(forum_warnings::table.filter(forum_warnings::user_id.eq(user))).execute(conn)?;
    Ok(())
}
