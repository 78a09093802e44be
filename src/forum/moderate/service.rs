//! What admins do to posts and comments, from a post's page or from the shared moderation queue
//! (`/admin/moderation`, through `forum::service`): pin, hide, delete, lock comments, move to
//! another board, ban the author from the forum for some days, see who wrote an anonymous post.
//! Each action on a post page is audit-logged and the author is told what happened and why.
//! A board's moderators (版主) may pin, lock, hide, restore and warn in their board only; every
//! action on a board's posts and comments lands in its mod log.

use chrono::{NaiveDateTime, TimeDelta};

use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::forum::comments::queries as comments;
use crate::forum::models::{DELETED, HIDDEN, PENDING, Post, VISIBLE};
use crate::forum::notices;
use crate::forum::posts::queries as posts;
use crate::forum::stewards::service as stewards;
use crate::moderation;

/// An admin's action on a post.
#[derive(Clone, Debug)]
pub enum Action {
    Pin,
    Unpin,
    Lock,
    Unlock,
    Hide(String),
    Unhide,
    Delete(String),
    Move(i64),
    Ban {
        days: i64,
        reason: String,
    },
    /// Warns the author (who is told why).
    Warn(String),
}

/// Who is moderating: an admin (with the moderation permission) or a board's moderator.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub id: i64,
    pub admin: bool,
}

impl Action {
    /// Parses the post page's admin form: `action`, and `reason`, `board_id` or `days` as the
    /// action needs.
    pub fn parse(action: &str, reason: &str, board_id: Option<i64>, days: Option<i64>) -> AppResult<Action> {
        let reason = || {
            let r = reason.trim();
            if r.is_empty() || r.chars().count() > 200 {
                Err(AppError::invalid("请填写原因（200 字以内）"))
            } else {
                Ok(r.to_string())
            }
        };
        Ok(match action {
            "pin" => Action::Pin,
            "unpin" => Action::Unpin,
            "lock" => Action::Lock,
            "unlock" => Action::Unlock,
            "hide" => Action::Hide(reason()?),
            "unhide" => Action::Unhide,
            "delete" => Action::Delete(reason()?),
            "warn" => Action::Warn(reason()?),
            "move" => Action::Move(board_id.ok_or_else(|| AppError::invalid("请选择要移动到的版块"))?),
            "ban" => {
                let days =
                    days.filter(|d| (1..=365).contains(d)).ok_or_else(|| AppError::invalid("禁言天数需为 1–365 天"))?;
                Action::Ban { days, reason: reason()? }
            }
            _ => return Err(AppError::invalid("不认识的操作")),
        })
    }

    fn code(&self) -> &'static str {
        match self {
            Action::Pin => "forum.pin",
            Action::Unpin => "forum.unpin",
            Action::Lock => "forum.lock",
            Action::Unlock => "forum.unlock",
            Action::Hide(_) => "forum.hide",
            Action::Unhide => "forum.unhide",
            Action::Delete(_) => "forum.delete",
            Action::Move(_) => "forum.move",
            Action::Ban { .. } => "forum.ban",
            Action::Warn(_) => "forum.warn",
        }
    }

    /// What a board moderator may do (admins may do everything).
    fn for_moderators(&self) -> bool {
        matches!(
            self,
            Action::Pin
                | Action::Unpin
                | Action::Lock
                | Action::Unlock
                | Action::Hide(_)
                | Action::Unhide
                | Action::Warn(_)
        )
    }

    /// The mod log's words for it.
    fn label(&self) -> &'static str {
        match self {
            Action::Pin => "置顶",
            Action::Unpin => "取消置顶",
            Action::Lock => "锁定评论",
            Action::Unlock => "解除锁定",
            Action::Hide(_) => "隐藏帖子",
            Action::Unhide => "恢复显示",
            Action::Delete(_) => "删除帖子",
            Action::Move(_) => "移出版块",
            Action::Ban { .. } => "禁言作者",
            Action::Warn(_) => "警告作者",
        }
    }

    fn reason(&self) -> &str {
        match self {
            Action::Hide(r) | Action::Delete(r) | Action::Warn(r) | Action::Ban { reason: r, .. } => r,
            _ => "",
        }
    }
}

/// Refuses an action on `board` this actor may not take there: another board's moderator and
/// a plain user get a 403, a moderator asking for an admin's action too.
fn authorize(conn: &mut DbConn, actor: Actor, board: i64, action: &Action) -> AppResult<()> {
    stewards::ensure_moderator(conn, actor.id, actor.admin, board)?;
    if !actor.admin && !action.for_moderators() {
        return Err(AppError::Denied("版主只能置顶、锁定、隐藏、恢复和警告，其他操作请联系管理员".into()));
    }
    Ok(())
}

fn shanghai(at: NaiveDateTime) -> String {
    crate::web::time::minute(at)
}

fn link(id: i64) -> String {
    format!("/forum/posts/{id}")
}

/// Hides a post (from the post page or the queue); the author is told why.
fn hide(conn: &mut DbConn, post: &Post, reason: &str) -> AppResult<()> {
    if posts::set_status(conn, post.id, &[VISIBLE, HIDDEN, PENDING], HIDDEN, Some(reason), db::now())? != 1 {
        return Err(AppError::conflict("这个帖子已经删除了"));
    }
    posts::close_reports(conn, post.id)?;
    crate::forum::posts::service::withdraw_photos(conn, post)?;
    notices::decided(
        conn,
        post.author_id,
        Some(&link(post.id)),
        "你的帖子已被隐藏",
        &format!("「{}」已被管理员隐藏：{reason}", post.title),
    )
}

/// Shows a hidden or held post and settles its reports.
fn unhide(conn: &mut DbConn, post: &Post) -> AppResult<()> {
    if post.status == PENDING {
        posts::set_status(conn, post.id, &[PENDING], VISIBLE, None, db::now())?;
        notices::decided(
            conn,
            post.author_id,
            Some(&link(post.id)),
            "你的帖子已通过审核",
            &format!("「{}」已通过审核，大家现在都能看到了。", post.title),
        )?;
    } else if post.status == HIDDEN {
        posts::set_status(conn, post.id, &[HIDDEN], VISIBLE, None, db::now())?;
        crate::forum::posts::service::restore_photos(conn, post)?;
        notices::decided(
            conn,
            post.author_id,
            Some(&link(post.id)),
            "你的帖子已恢复显示",
            &format!("管理员审核了「{}」，帖子已恢复显示。", post.title),
        )?;
    }
    posts::close_reports(conn, post.id)?;
    Ok(())
}

/// Carries out `action` on post `id` for an admin or the board's moderator; audit-logged and
/// written in the board's mod log. Returns what to tell the actor.
pub fn act(conn: &mut DbConn, actor: Actor, id: i64, action: &Action, ip: &str) -> AppResult<String> {
    let admin = actor.id;
    write_tx(conn, |conn| {
        let post = posts::lock(conn, id)?.ok_or(AppError::NotFound)?;
        authorize(conn, actor, post.board_id, action)?;
        let (done, detail) = match action {
            Action::Pin | Action::Unpin => {
                posts::set_pinned(conn, id, matches!(action, Action::Pin))?;
                (if matches!(action, Action::Pin) { "已置顶" } else { "已取消置顶" }.to_string(), serde_json::json!({}))
            }
            Action::Lock | Action::Unlock => {
                let lock = matches!(action, Action::Lock);
                posts::set_locked(conn, id, lock)?;
                if lock {
                    notices::decided(
                        conn,
                        post.author_id,
                        Some(&link(id)),
                        "你的帖子已锁定评论",
                        &format!("管理员锁定了「{}」的评论区。", post.title),
                    )?;
                }
                (if lock { "已锁定评论" } else { "已解除锁定" }.to_string(), serde_json::json!({}))
            }
            Action::Hide(reason) => {
                hide(conn, &post, reason)?;
                moderation::close_open(conn, moderation::KIND_FORUM_POST, id, "hidden", admin)?;
                ("已隐藏".to_string(), serde_json::json!({ "reason": reason }))
            }
            Action::Unhide => {
                if post.status != HIDDEN && post.status != PENDING {
                    return Err(AppError::conflict("这个帖子没有被隐藏"));
                }
                unhide(conn, &post)?;
                moderation::close_open(conn, moderation::KIND_FORUM_POST, id, "approved", admin)?;
                ("已恢复显示".to_string(), serde_json::json!({}))
            }
            Action::Delete(reason) => {
                if posts::set_status(conn, id, &[VISIBLE, HIDDEN, PENDING], DELETED, Some(reason), db::now())? != 1 {
                    return Err(AppError::conflict("这个帖子已经删除了"));
                }
                posts::close_reports(conn, id)?;
                crate::forum::posts::service::withdraw_photos(conn, &post)?;
                moderation::close_open(conn, moderation::KIND_FORUM_POST, id, "hidden", admin)?;
                notices::decided(
                    conn,
                    post.author_id,
                    None,
                    "你的帖子已被删除",
                    &format!("「{}」已被管理员删除：{reason}", post.title),
                )?;
                ("已删除".to_string(), serde_json::json!({ "reason": reason }))
            }
            Action::Move(board) => {
                let to = crate::forum::feed::queries::board(conn, *board)?
                    .filter(|b| b.active)
                    .ok_or_else(|| AppError::invalid("请选择一个有效的版块"))?;
                posts::set_board(conn, id, to.id, db::now())?;
                notices::decided(
                    conn,
                    post.author_id,
                    Some(&link(id)),
                    "你的帖子已移动",
                    &format!("管理员把「{}」移到了「{}」版块。", post.title, to.name),
                )?;
                (format!("已移到「{}」", to.name), serde_json::json!({ "from": post.board_id, "to": to.id }))
            }
            Action::Ban { days, reason } => {
                let until = db::now() + TimeDelta::days(*days);
                posts::ban(conn, post.author_id, until, reason, admin, db::now())?;
                notices::decided(
                    conn,
                    post.author_id,
                    Some(&link(id)),
                    "你已被禁止在论坛发言",
                    &format!("因「{}」：{reason}。禁言至 {}。", post.title, shanghai(until)),
                )?;
                (
                    format!("已禁言作者 {days} 天"),
                    serde_json::json!({ "days": days, "reason": reason, "user": post.author_id }),
                )
            }
            Action::Warn(reason) => {
                stewards::warn(conn, admin, post.board_id, post.author_id, id, &post.title, reason)?;
                (
                    "已警告作者，对方会收到消息".to_string(),
                    serde_json::json!({ "reason": reason, "user": post.author_id }),
                )
            }
        };
        if !matches!(action, Action::Warn(_)) {
            stewards::log(conn, post.board_id, admin, action.label(), "post", id, &post.title, action.reason())?;
        }
        audit::record(
            conn,
            Some(admin),
            action.code(),
            "forum_post",
            Some(&id.to_string()),
            &detail.to_string(),
            Some(ip),
        )?;
        Ok(done)
    })
}

/// Who wrote a post (for an anonymous one too); the look itself is audit-logged.
pub fn reveal_author(conn: &mut DbConn, admin: i64, id: i64, ip: &str) -> AppResult<String> {
    write_tx(conn, |conn| {
        let post = posts::find(conn, id)?.ok_or(AppError::NotFound)?.0;
        let (nickname, username) = crate::auth::service::names_of(conn, post.author_id)?;
        audit::record(conn, Some(admin), "forum.reveal_author", "forum_post", Some(&id.to_string()), "{}", Some(ip))?;
        let account = if username.is_empty() { String::new() } else { format!("，账号 {username}") };
        Ok(format!("发帖人：{nickname}（用户 #{}{account}）", post.author_id))
    })
}

/// What is done to a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentAction {
    Hide,
    Delete,
    /// Shows a hidden comment again.
    Restore,
}

impl CommentAction {
    pub fn parse(action: &str) -> AppResult<CommentAction> {
        match action {
            "hide" => Ok(CommentAction::Hide),
            "delete" => Ok(CommentAction::Delete),
            "restore" => Ok(CommentAction::Restore),
            _ => Err(AppError::invalid("不认识的操作")),
        }
    }
}

/// An admin or the board's moderator hides, deletes (admins only) or restores a comment;
/// audit-logged, in the mod log, the author told. Returns the post it is on.
pub fn act_on_comment(
    conn: &mut DbConn,
    actor: Actor,
    id: i64,
    action: CommentAction,
    reason: &str,
    ip: &str,
) -> AppResult<i64> {
    let admin = actor.id;
    write_tx(conn, |conn| {
        let c = comments::find(conn, id)?.ok_or(AppError::NotFound)?;
        let board = stewards::board_of_comment(conn, id)?.ok_or(AppError::NotFound)?;
        stewards::ensure_moderator(conn, actor.id, actor.admin, board)?;
        let excerpt = crate::forum::text::excerpt(&c.body, 20);
        if action == CommentAction::Restore {
            if comments::set_status(conn, id, HIDDEN, VISIBLE)? != 1 {
                return Err(AppError::conflict("这条评论没有被隐藏"));
            }
            stewards::log(conn, board, admin, "恢复评论", "comment", id, &excerpt, reason)?;
            let detail = serde_json::json!({ "reason": reason, "post": c.post_id }).to_string();
            audit::record(
                conn,
                Some(admin),
                "forum.comment_restore",
                "forum_comment",
                Some(&id.to_string()),
                &detail,
                Some(ip),
            )?;
            return Ok(c.post_id);
        }
        let delete = action == CommentAction::Delete;
        if delete && !actor.admin {
            return Err(AppError::Denied("版主只能隐藏评论，删除请联系管理员".into()));
        }
        let to = if delete { DELETED } else { HIDDEN };
        if comments::set_status(conn, id, VISIBLE, to)? != 1 {
            return Err(AppError::conflict("这条评论已经处理过了"));
        }
        moderation::close_open(conn, moderation::KIND_FORUM_COMMENT, id, "hidden", admin)?;
        let what = if delete { "删除" } else { "隐藏" };
        stewards::log(conn, board, admin, &format!("{what}评论"), "comment", id, &excerpt, reason)?;
        notices::decided(
            conn,
            c.author_id,
            Some(&link(c.post_id)),
            &format!("你的评论已被{what}"),
            &format!("你的评论「{}」已被管理员{what}：{reason}", crate::forum::text::excerpt(&c.body, 20)),
        )?;
        let detail = serde_json::json!({ "reason": reason, "post": c.post_id }).to_string();
        let code = if delete { "forum.comment_delete" } else { "forum.comment_hide" };
        audit::record(conn, Some(admin), code, "forum_comment", Some(&id.to_string()), &detail, Some(ip))?;
        Ok(c.post_id)
    })
}

/// The queue's "通过" on a forum flag: a post hidden by reports or held for approval shows,
/// its reports are settled; a comment simply stays. In the board's mod log.
pub fn approve_flagged(conn: &mut DbConn, kind: &str, id: i64, actor: i64) -> AppResult<()> {
    if kind == moderation::KIND_FORUM_POST {
        let post = posts::lock(conn, id)?.ok_or(AppError::NotFound)?;
        if post.status != DELETED {
            let action = if post.status == PENDING { "通过审核" } else { "处理举报：保留" };
            unhide(conn, &post)?;
            stewards::log(conn, post.board_id, actor, action, "post", id, &post.title, "")?;
        }
        return Ok(());
    }
    let c = comments::find(conn, id)?.ok_or(AppError::NotFound)?;
    if let Some(board) = stewards::board_of_comment(conn, id)? {
        let excerpt = crate::forum::text::excerpt(&c.body, 20);
        stewards::log(conn, board, actor, "处理举报：保留", "comment", id, &excerpt, "")?;
    }
    Ok(())
}

/// The queue's "下架" on a forum flag: the post or comment is hidden, its author told why. In
/// the board's mod log.
pub fn hide_flagged(conn: &mut DbConn, kind: &str, id: i64, reason: &str, actor: i64) -> AppResult<()> {
    if kind == moderation::KIND_FORUM_POST {
        let post = posts::lock(conn, id)?.ok_or(AppError::NotFound)?;
        if post.status == DELETED {
            return Ok(());
        }
        hide(conn, &post, reason)?;
        return stewards::log(conn, post.board_id, actor, "隐藏帖子", "post", id, &post.title, reason);
    }
    let c = comments::find(conn, id)?.ok_or(AppError::NotFound)?;
    if let Some(board) = stewards::board_of_comment(conn, id)? {
        let excerpt = crate::forum::text::excerpt(&c.body, 20);
        stewards::log(conn, board, actor, "隐藏评论", "comment", id, &excerpt, reason)?;
    }
    if comments::set_status(conn, id, VISIBLE, HIDDEN)? == 1 {
        notices::decided(
            conn,
            c.author_id,
            Some(&link(c.post_id)),
            "你的评论已被隐藏",
            &format!("你的评论「{}」已被管理员隐藏：{reason}", crate::forum::text::excerpt(&c.body, 20)),
        )?;
    }
    Ok(())
}

/// A board moderator (or an admin) decides one open flag of their board from the board's
/// queue, as the admins' queue would: approve or hide. Audit-logged and in the mod log.
pub fn decide_board_flag(
    conn: &mut DbConn,
    actor: Actor,
    board: i64,
    flag_id: i64,
    approve: bool,
    reason: &str,
    ip: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        stewards::ensure_moderator(conn, actor.id, actor.admin, board)?;
        let flag = moderation::flag_by_id(conn, flag_id)?.ok_or(AppError::NotFound)?;
        // A flag of another board (or of another module) is not this board's to decide.
        if stewards::board_of_flag(conn, &flag)? != Some(board) {
            return Err(AppError::NotFound);
        }
        let decision = if approve { "approved" } else { "hidden" };
        moderation::resolve(conn, flag_id, decision, actor.id)?;
        if approve {
            approve_flagged(conn, &flag.kind, flag.target_id, actor.id)?;
        } else {
            hide_flagged(conn, &flag.kind, flag.target_id, reason, actor.id)?;
        }
        let detail =
            serde_json::json!({ "kind": flag.kind, "target": flag.target_id, "board": board, "reason": reason });
        audit::record(
            conn,
            Some(actor.id),
            &format!("moderation.{decision}"),
            "moderation_flag",
            Some(&flag_id.to_string()),
            &detail.to_string(),
            Some(ip),
        )
    })
}
