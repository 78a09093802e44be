//! The rules of board moderators: who may moderate a board, appointing and dismissing them
//! (admins, audit-logged), the board's mod log, warnings, and the part of the shared moderation
//! queue that belongs to one board.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::queries::{self, NewEntry};
use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::moderation::{self, Flag};

/// Whether this person may moderate `board`: admins everywhere, moderators in theirs.
pub fn may_moderate(conn: &mut DbConn, user: i64, admin: bool, board: i64) -> AppResult<bool> {
    Ok(admin || queries::is_moderator(conn, user, board)?)
}

/// Refuses anyone who may not moderate `board` (another board's moderator too).
pub fn ensure_moderator(conn: &mut DbConn, user: i64, admin: bool, board: i64) -> AppResult<()> {
    if may_moderate(conn, user, admin, board)? {
        Ok(())
    } else {
        Err(AppError::Denied("只有这个版块的版主和管理员可以管理这里的内容".into()))
    }
}

/// The boards a user moderates.
pub fn moderated_boards(conn: &mut DbConn, user: i64) -> AppResult<Vec<i64>> {
    Ok(queries::boards_of(conn, user)?)
}

/// A line of the board's mod log, as the log page shows it.
pub struct LogLine {
    pub action: String,
    pub title: String,
    pub link: String,
    pub reason: String,
    pub by: String,
    pub at: NaiveDateTime,
}

/// Writes what a moderator or admin did in `board` (part of the caller's transaction).
#[expect(clippy::too_many_arguments, reason = "one line of the log, every column named")]
pub fn log(
    conn: &mut DbConn,
    board: i64,
    actor: i64,
    action: &str,
    target_kind: &str,
    target_id: i64,
    title: &str,
    reason: &str,
) -> AppResult<()> {
    let title: String = title.chars().take(60).collect();
    let entry = NewEntry { board_id: board, actor_id: actor, action, target_kind, target_id, title: &title, reason };
    queries::log(conn, &entry, db::now())?;
    Ok(())
}

/// The board's latest mod log lines.
pub fn board_log(conn: &mut DbConn, board: i64) -> AppResult<Vec<LogLine>> {
    Ok(queries::board_log(conn, board, 100)?
        .into_iter()
        .map(|(_, action, kind, target, title, reason, at, by)| LogLine {
            action,
            link: if kind == "comment" {
                format!("/forum/comments/{target}")
            } else {
                format!("/forum/posts/{target}")
            },
            title,
            reason,
            by,
            at,
        })
        .collect())
}

/// A board's moderators as the admin page lists them.
pub struct Appointment {
    pub board_id: i64,
    pub user_id: i64,
    pub nickname: String,
}

pub fn appointments(conn: &mut DbConn) -> AppResult<Vec<Appointment>> {
    Ok(queries::all(conn)?
        .into_iter()
        .map(|(board_id, user_id, nickname)| Appointment { board_id, user_id, nickname })
        .collect())
}

/// An admin appoints the account `who` (its login name, or `#id`) moderator of `board`;
/// audit-logged, the new moderator told. Returns the nickname.
pub fn appoint(conn: &mut DbConn, admin: i64, board: i64, who: &str, ip: &str) -> AppResult<String> {
    let who = who.trim();
    if who.is_empty() {
        return Err(AppError::invalid("请填写要任命的用户名"));
    }
    let user = match who.strip_prefix('#').map(str::parse::<i64>) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => None,
        None => crate::auth::service::user_of_login(conn, who)?,
    };
    let not_found = || AppError::invalid(format!("找不到用户「{who}」，请填写对方的登录用户名"));
    let user = user.ok_or_else(not_found)?;
    let (nickname, _) = crate::auth::service::names_of(conn, user).map_err(|_| not_found())?;
    let board_row = crate::forum::feed::queries::board(conn, board)?.ok_or(AppError::NotFound)?;
    if !crate::auth::service::is_verified_member(conn, user)? {
        return Err(AppError::invalid(format!("「{nickname}」还没有通过学籍认证，不能担任版主")));
    }
    write_tx(conn, |conn| {
        if queries::appoint(conn, board, user, admin, db::now())? == 0 {
            return Err(AppError::conflict(format!("「{nickname}」已经是「{}」的版主了", board_row.name)));
        }
        crate::forum::notices::decided(
            conn,
            user,
            Some(&format!("/forum/boards/{board}")),
            "你已被任命为版主",
            &format!(
                "管理员任命你为「{}」版块的版主：你可以置顶、锁定、隐藏和恢复这个版块的帖子，处理它的举报。",
                board_row.name
            ),
        )?;
        let detail = serde_json::json!({ "board": board, "user": user }).to_string();
        audit::record(
            conn,
            Some(admin),
            "forum.moderator_add",
            "forum_board",
            Some(&board.to_string()),
            &detail,
            Some(ip),
        )?;
        Ok(nickname.clone())
    })
}

/// An admin dismisses a moderator; audit-logged.
pub fn dismiss(conn: &mut DbConn, admin: i64, board: i64, user: i64, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        if queries::dismiss(conn, board, user)? != 1 {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "board": board, "user": user }).to_string();
        audit::record(
            conn,
            Some(admin),
            "forum.moderator_remove",
            "forum_board",
            Some(&board.to_string()),
            &detail,
            Some(ip),
        )
    })
}

/// A warning as its receiver and the admins see it.
pub struct Warning {
    pub board: String,
    pub reason: String,
    pub post_id: Option<i64>,
    pub at: NaiveDateTime,
}

/// Warns the author of a post in `board` (the caller checked the actor may): stored, logged and
/// the user told why in their messages.
pub fn warn(
    conn: &mut DbConn,
    actor: i64,
    board: i64,
    user: i64,
    post: i64,
    title: &str,
    reason: &str,
) -> AppResult<()> {
    if actor == user {
        return Err(AppError::invalid("不能警告自己"));
    }
    queries::warn(conn, user, board, actor, Some(post), reason, db::now())?;
    crate::forum::notices::decided(
        conn,
        user,
        Some(&format!("/forum/posts/{post}")),
        "你收到了一次版主警告",
        &format!("因为「{title}」：{reason}。请遵守版规，多次警告可能被禁言或封禁。"),
    )?;
    log(conn, board, actor, "警告作者", "post", post, title, reason)
}

pub fn warnings_of(conn: &mut DbConn, user: i64) -> AppResult<Vec<Warning>> {
    Ok(queries::warnings_of(conn, user)?
        .into_iter()
        .map(|(_, board, reason, post_id, at)| Warning { board, reason, post_id, at })
        .collect())
}

/// How many warnings each of these users received.
pub fn warning_counts(conn: &mut DbConn, users: &[i64]) -> AppResult<HashMap<i64, usize>> {
    let mut counts = HashMap::new();
    for u in users {
        if !counts.contains_key(u) {
            let n = queries::warnings_of(conn, *u)?.len();
            counts.insert(*u, n);
        }
    }
    Ok(counts)
}

/// The board of a comment's post.
pub fn board_of_comment(conn: &mut DbConn, comment: i64) -> AppResult<Option<i64>> {
    Ok(queries::boards_of_comments(conn, &[comment])?.first().map(|(_, b)| *b))
}

/// The board a forum flag's thing belongs to.
pub fn board_of_flag(conn: &mut DbConn, flag: &Flag) -> AppResult<Option<i64>> {
    let found = match flag.kind.as_str() {
        moderation::KIND_FORUM_POST => queries::boards_of_posts(conn, &[flag.target_id])?,
        moderation::KIND_FORUM_COMMENT => queries::boards_of_comments(conn, &[flag.target_id])?,
        _ => Vec::new(),
    };
    Ok(found.first().map(|(_, b)| *b))
}

/// The open forum flags (reports, words to review, held posts) of things in `board`.
pub fn board_queue(conn: &mut DbConn, board: i64) -> AppResult<Vec<Flag>> {
    let flags: Vec<Flag> = moderation::open_flags(conn, 500)?
        .into_iter()
        .filter(|f| f.kind == moderation::KIND_FORUM_POST || f.kind == moderation::KIND_FORUM_COMMENT)
        .collect();
    let ids = |kind: &str| flags.iter().filter(|f| f.kind == kind).map(|f| f.target_id).collect::<Vec<_>>();
    let posts: HashMap<i64, i64> =
        queries::boards_of_posts(conn, &ids(moderation::KIND_FORUM_POST))?.into_iter().collect();
    let comments: HashMap<i64, i64> =
        queries::boards_of_comments(conn, &ids(moderation::KIND_FORUM_COMMENT))?.into_iter().collect();
    Ok(flags
        .into_iter()
        .filter(|f| {
            let of = if f.kind == moderation::KIND_FORUM_POST { &posts } else { &comments };
            of.get(&f.target_id) == Some(&board)
        })
        .collect())
}

/// A user's warnings and mod log lines, for the data export.
pub fn export_user(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let (warnings, log) = queries::export(conn, user_id)?;
    Ok(serde_json::json!({
        "forum_warnings": warnings
            .into_iter()
            .map(|(board, reason, at)| serde_json::json!({ "board_id": board, "reason": reason, "at": at }))
            .collect::<Vec<_>>(),
        "forum_mod_log": log
            .into_iter()
            .map(|(action, title, reason, at)| serde_json::json!({ "action": action, "title": title, "reason": reason, "at": at }))
            .collect::<Vec<_>>(),
        "forum_moderator_of": queries::boards_of(conn, user_id)?,
    }))
}

/// Forgets a closing account's appointments and the warnings it received.
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    Ok(queries::forget(conn, user_id)?)
}
