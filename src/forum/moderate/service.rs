//! What admins do to posts and comments, from a post's page or from the shared moderation queue
//! (`/admin/moderation`, through `forum::service`): pin, hide, delete, lock comments, move to
//! another board, ban the author from the forum for some days, see who wrote an anonymous post.
//! Each action on a post page is audit-logged and the author is told what happened and why.

use chrono::{NaiveDateTime, TimeDelta};

use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::forum::comments::queries as comments;
use crate::forum::models::{DELETED, HIDDEN, Post, VISIBLE};
use crate::forum::notices;
use crate::forum::posts::queries as posts;
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
    Ban { days: i64, reason: String },
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
        }
    }
}

fn shanghai(at: NaiveDateTime) -> String {
    crate::web::time::minute(at)
}

fn link(id: i64) -> String {
    format!("/forum/posts/{id}")
}

/// Hides a post (from the post page or the queue); the author is told why.
fn hide(conn: &mut DbConn, post: &Post, reason: &str) -> AppResult<()> {
    if posts::set_status(conn, post.id, &[VISIBLE, HIDDEN], HIDDEN, Some(reason), db::now())? != 1 {
        return Err(AppError::conflict("这个帖子已经删除了"));
    }
    posts::close_reports(conn, post.id)?;
    notices::decided(
        conn,
        post.author_id,
        Some(&link(post.id)),
        "你的帖子已被隐藏",
        &format!("「{}」已被管理员隐藏：{reason}", post.title),
    )
}

/// Shows a hidden post again and settles its reports.
fn unhide(conn: &mut DbConn, post: &Post) -> AppResult<()> {
    if post.status == HIDDEN {
        posts::set_status(conn, post.id, &[HIDDEN], VISIBLE, None, db::now())?;
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

/// Carries out `action` on post `id`; audit-logged. Returns what to tell the admin.
pub fn act(conn: &mut DbConn, admin: i64, id: i64, action: &Action, ip: &str) -> AppResult<String> {
    write_tx(conn, |conn| {
        let post = posts::lock(conn, id)?.ok_or(AppError::NotFound)?;
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
                if post.status != HIDDEN {
                    return Err(AppError::conflict("这个帖子没有被隐藏"));
                }
                unhide(conn, &post)?;
                moderation::close_open(conn, moderation::KIND_FORUM_POST, id, "approved", admin)?;
                ("已恢复显示".to_string(), serde_json::json!({}))
            }
            Action::Delete(reason) => {
                if posts::set_status(conn, id, &[VISIBLE, HIDDEN], DELETED, Some(reason), db::now())? != 1 {
                    return Err(AppError::conflict("这个帖子已经删除了"));
                }
                posts::close_reports(conn, id)?;
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
        };
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

/// An admin hides or deletes a comment (`delete` or `hide`); audit-logged, the author told.
/// Returns the post it is on.
pub fn act_on_comment(conn: &mut DbConn, admin: i64, id: i64, delete: bool, reason: &str, ip: &str) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let c = comments::find(conn, id)?.ok_or(AppError::NotFound)?;
        let to = if delete { DELETED } else { HIDDEN };
        if comments::set_status(conn, id, VISIBLE, to)? != 1 {
            return Err(AppError::conflict("这条评论已经处理过了"));
        }
        moderation::close_open(conn, moderation::KIND_FORUM_COMMENT, id, "hidden", admin)?;
        let what = if delete { "删除" } else { "隐藏" };
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

/// The queue's "通过" on a forum flag: a post hidden by reports shows again, its reports are
/// settled; a comment simply stays.
pub fn approve_flagged(conn: &mut DbConn, kind: &str, id: i64) -> AppResult<()> {
    if kind == moderation::KIND_FORUM_POST {
        let post = posts::lock(conn, id)?.ok_or(AppError::NotFound)?;
        if post.status != DELETED {
            unhide(conn, &post)?;
        }
    }
    Ok(())
}

/// The queue's "下架" on a forum flag: the post or comment is hidden, its author told why.
pub fn hide_flagged(conn: &mut DbConn, kind: &str, id: i64, reason: &str) -> AppResult<()> {
    if kind == moderation::KIND_FORUM_POST {
        let post = posts::lock(conn, id)?.ok_or(AppError::NotFound)?;
        if post.status == DELETED {
            return Ok(());
        }
        return hide(conn, &post, reason);
    }
    let c = comments::find(conn, id)?.ok_or(AppError::NotFound)?;
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
