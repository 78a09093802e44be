//! The rules of comments: two levels (a reply always hangs under a top-level comment of the
//! same post, "回复 @昵称" names whom it answers), the word filter, the rate limit, locked and
//! hidden posts closed to comments, likes, the author's soft delete, and who hears of it.

use chrono::NaiveDateTime;

use super::queries::{self, NewComment, Row};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::forum::likes;
use crate::forum::models::{
    Byline, Comment, CommentBody, CommentView, Cursor, DELETED, HIDDEN, PAGE_SIZE, Post, VISIBLE,
};
use crate::forum::notices::{self, Thread};
use crate::forum::posts::queries as posts;
use crate::forum::posts::service::{
    MAX_COMMENTS, RATE_WINDOW, Viewer, closed_reason, ensure_may_write, ensure_not_banned,
};
use crate::forum::text::{self, Pseudonyms};
use crate::moderation::{self, WordFilter};

/// Replies shown under each top-level comment on the post page; the rest are a tap away.
pub const REPLIES_SHOWN: i64 = 3;

/// A comment as submitted, checked.
pub struct NewCommentForm {
    pub body: CommentBody,
    pub reply_to: Option<i64>,
    pub anonymous: bool,
}

/// How a writer appears in a thread: the thread's pseudonym when anonymous.
fn byline(
    post_id: i64,
    author: i64,
    anonymous: bool,
    nickname: String,
    avatar: Option<String>,
    names: &Pseudonyms,
) -> Byline {
    if anonymous {
        Byline { name: names.name(post_id, author), avatar: None, anonymous: true }
    } else {
        Byline { name: nickname, avatar, anonymous: false }
    }
}

/// Adds a comment or a reply; returns its id.
pub fn add(
    conn: &mut DbConn,
    words: &WordFilter,
    viewer: Viewer,
    post_id: i64,
    form: &NewCommentForm,
    names: &Pseudonyms,
) -> AppResult<i64> {
    let review = moderation::screen(words, conn, form.body.as_str(), "评论")?;
    write_tx(conn, |conn| {
        db::lock_user(conn, viewer.id)?;
        ensure_not_banned(conn, viewer.id)?;
        let now = db::now();
        if queries::commented_since(conn, viewer.id, now - RATE_WINDOW)? >= MAX_COMMENTS {
            return Err(AppError::RateLimited(format!(
                "评论太频繁了：每 10 分钟最多评论 {MAX_COMMENTS} 次，请稍后再试"
            )));
        }
        let post = posts::lock(conn, post_id)?.ok_or(AppError::NotFound)?;
        if post.status == crate::forum::models::PENDING && post.author_id != viewer.id {
            return Err(AppError::NotFound);
        }
        let board = crate::forum::feed::queries::board(conn, post.board_id)?.ok_or(AppError::NotFound)?;
        ensure_may_write(conn, &board, viewer, "在论坛评论")?;
        if post.status != VISIBLE || post.locked {
            return Err(closed_reason(&post, "评论"));
        }
        let answered = match form.reply_to {
            Some(id) => Some(reply_target(conn, &post, id, names)?),
            None => None,
        };
        // The author of an anonymous post stays anonymous in its thread.
        let anonymous = form.anonymous || (post.anonymous && post.author_id == viewer.id);
        let new = NewComment {
            post_id,
            author_id: viewer.id,
            parent_id: answered.as_ref().map(|a| a.parent),
            reply_to_id: answered.as_ref().map(|a| a.id),
            reply_to_name: answered.as_ref().map(|a| a.name.as_str()),
            body: form.body.as_str(),
            anonymous,
        };
        let id = queries::insert(conn, &new, now)?;
        posts::count_comment(conn, post_id, now)?;
        if let Some(a) = &answered {
            queries::count_reply(conn, a.parent)?;
        }
        if let Some(reason) = review {
            let title = text::excerpt(form.body.as_str(), 30);
            moderation::flag(
                conn,
                moderation::KIND_FORUM_COMMENT,
                id,
                Some(viewer.id),
                &title,
                form.body.as_str(),
                &reason,
            )?;
        }
        let writer =
            if anonymous { names.name(post_id, viewer.id) } else { crate::auth::service::names_of(conn, viewer.id)?.0 };
        let thread = Thread {
            post_id,
            title: &post.title,
            writer_name: &writer,
            writer_id: viewer.id,
            link: format!("/forum/posts/{post_id}#c{id}"),
        };
        let mentioned = notices::mentioned(conn, form.body.as_str())?;
        notices::comment_added(
            conn,
            &thread,
            post.author_id,
            answered.map(|a| a.author),
            form.body.as_str(),
            &mentioned,
        )?;
        Ok(id)
    })
}

/// The comment a reply answers.
struct Answered {
    id: i64,
    parent: i64,
    author: i64,
    name: String,
}

fn reply_target(conn: &mut DbConn, post: &Post, id: i64, names: &Pseudonyms) -> AppResult<Answered> {
    let (c, nickname, _) = queries::row(conn, id)?.ok_or_else(|| AppError::invalid("要回复的评论不存在"))?;
    if c.post_id != post.id {
        return Err(AppError::invalid("只能回复这个帖子下的评论"));
    }
    if c.status != VISIBLE {
        return Err(AppError::conflict("这条评论已删除，不能回复"));
    }
    let name = if c.anonymous { names.name(post.id, c.author_id) } else { nickname };
    Ok(Answered { id: c.id, parent: c.parent_id.unwrap_or(c.id), author: c.author_id, name })
}

fn view(row: Row, post: &Post, viewer: Viewer, liked: &[i64], names: &Pseudonyms) -> CommentView {
    let (c, nickname, avatar) = row;
    let body_html = match c.status.as_str() {
        DELETED => "该评论已删除".to_string(),
        HIDDEN => "该评论已被管理员隐藏".to_string(),
        _ => text::to_html(&c.body),
    };
    CommentView {
        id: c.id,
        parent_id: c.parent_id,
        // Only an anonymous comment of an anonymous post's author says 楼主: a named one
        // there would tie the name to the post.
        by_op: c.author_id == post.author_id && (c.anonymous || !post.anonymous),
        by: byline(post.id, c.author_id, c.anonymous, nickname, avatar, names),
        reply_to: if c.parent_id.is_some() && c.reply_to_id != c.parent_id { c.reply_to_name.clone() } else { None },
        body_html,
        deleted: c.status != VISIBLE,
        hidden: c.status == HIDDEN,
        like_count: c.like_count,
        reply_count: c.reply_count,
        liked: liked.contains(&c.id),
        mine: c.author_id == viewer.id,
        created_at: c.created_at,
        replies: Vec::new(),
    }
}

/// One page of a post's comments, each with its first replies.
pub struct CommentsPage {
    pub comments: Vec<CommentView>,
    pub next: Option<String>,
}

pub fn page(
    conn: &mut DbConn,
    post: &Post,
    viewer: Viewer,
    by_likes: bool,
    cursor: Option<Cursor>,
    names: &Pseudonyms,
) -> AppResult<CommentsPage> {
    // One statement: the page of top-level comments with their first replies and the viewer's likes.
    let rows = queries::page_with_replies(conn, post.id, by_likes, cursor, PAGE_SIZE, REPLIES_SHOWN, viewer.id)?;
    let mut liked = Vec::new();
    let (mut top, mut replies): (Vec<Row>, Vec<Row>) = (Vec::new(), Vec::new());
    for (c, nickname, avatar, like) in rows {
        if like {
            liked.push(c.id);
        }
        if c.parent_id.is_none() { top.push((c, nickname, avatar)) } else { replies.push((c, nickname, avatar)) }
    }
    if by_likes {
        top.sort_by_key(|c| std::cmp::Reverse((c.0.like_count, c.0.id)));
    } else {
        top.sort_by_key(|c| (c.0.created_at, c.0.id));
    }
    replies.sort_by_key(|c| (c.0.created_at, c.0.id));
    let next = if top.len() as i64 == PAGE_SIZE {
        top.last().map(|(c, _, _)| {
            if by_likes { Cursor::Count(c.like_count, c.id) } else { Cursor::At(c.created_at, c.id) }.encode()
        })
    } else {
        None
    };
    let comments = top
        .into_iter()
        .map(|top| {
            let id = top.0.id;
            let mut v = view(top, post, viewer, &liked, names);
            v.replies = replies
                .iter()
                .filter(|r| r.0.parent_id == Some(id))
                .map(|r| view(r.clone(), post, viewer, &liked, names))
                .collect();
            v
        })
        .collect();
    Ok(CommentsPage { comments, next })
}

/// A top-level comment with every reply (a page of 50 at a time), for its own page.
pub struct Discussion {
    pub comment: CommentView,
    pub post_id: i64,
    pub post_title: String,
    pub replies: Vec<CommentView>,
    pub next: Option<String>,
}

pub fn discussion(
    conn: &mut DbConn,
    id: i64,
    viewer: Viewer,
    cursor: Option<Cursor>,
    names: &Pseudonyms,
) -> AppResult<Discussion> {
    let row = queries::row(conn, id)?.ok_or(AppError::NotFound)?;
    let top_id = row.0.parent_id.unwrap_or(row.0.id);
    let row = if top_id == row.0.id { row } else { queries::row(conn, top_id)?.ok_or(AppError::NotFound)? };
    let (post, _, _) = crate::forum::posts::service::load(conn, row.0.post_id)?;
    if post.status == HIDDEN && post.author_id != viewer.id && !viewer.admin {
        return Err(AppError::NotFound);
    }
    let replies = queries::replies(conn, top_id, cursor, 50)?;
    let next =
        if replies.len() == 50 { replies.last().map(|r| Cursor::At(r.0.created_at, r.0.id).encode()) } else { None };
    let ids: Vec<i64> = std::iter::once(top_id).chain(replies.iter().map(|r| r.0.id)).collect();
    let liked = likes::liked_among(conn, viewer.id, likes::COMMENT, &ids)?;
    let post_title = if post.is_deleted() { "该帖已删除".to_string() } else { post.title.clone() };
    Ok(Discussion {
        comment: view(row, &post, viewer, &liked, names),
        replies: replies.into_iter().map(|r| view(r, &post, viewer, &liked, names)).collect(),
        post_id: post.id,
        post_title,
        next,
    })
}

/// Likes or takes back the like of a comment of a visible post.
pub fn like(conn: &mut DbConn, id: i64, user: i64) -> AppResult<(bool, i64)> {
    let c = queries::find(conn, id)?.ok_or(AppError::NotFound)?;
    let post = posts::find(conn, c.post_id)?.ok_or(AppError::NotFound)?.0;
    if post.status != VISIBLE {
        return Err(closed_reason(&post, "点赞"));
    }
    likes::toggle(conn, user, likes::COMMENT, id, |conn, delta| {
        queries::bump_likes(conn, id, delta)?.ok_or_else(|| AppError::conflict("评论已删除，不能点赞"))
    })
}

/// The author deletes their comment (soft: replies stay, it reads "该评论已删除"). Returns the
/// post it was on.
pub fn delete(conn: &mut DbConn, id: i64, user: i64) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let c = queries::find(conn, id)?.ok_or(AppError::NotFound)?;
        if c.author_id != user {
            return Err(AppError::Denied("只能删除自己的评论".into()));
        }
        if queries::set_status(conn, id, VISIBLE, DELETED)? != 1 {
            return Err(AppError::conflict("这条评论已经删除了"));
        }
        moderation::close_open(conn, moderation::KIND_FORUM_COMMENT, id, "approved", user)?;
        Ok(c.post_id)
    })
}

/// Reports a comment once per person; the first report of it puts it in the moderation queue
/// (the admins' and its board's moderators'). Only a comment the reporter can read, not their
/// own.
pub fn report(conn: &mut DbConn, id: i64, reporter: i64, reason: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let c = queries::find(conn, id)?.ok_or(AppError::NotFound)?;
        let post = posts::find(conn, c.post_id)?.ok_or(AppError::NotFound)?.0;
        if post.status != VISIBLE && post.status != DELETED {
            return Err(AppError::NotFound);
        }
        if c.status != VISIBLE {
            return Err(AppError::conflict("这条评论已被删除或隐藏，谢谢你的举报"));
        }
        if c.author_id == reporter {
            return Err(AppError::invalid("不能举报自己的评论"));
        }
        if queries::insert_report(conn, id, reporter, reason, db::now())? == 0 {
            return Err(AppError::conflict("你已经举报过这条评论，版主和管理员会尽快处理"));
        }
        let title = text::excerpt(&c.body, 30);
        moderation::flag(
            conn,
            moderation::KIND_FORUM_COMMENT,
            id,
            Some(c.author_id),
            &title,
            &c.body,
            &format!("举报：{reason}"),
        )
    })
}

/// The comments a user reported, for the data export: (comment, reason, at).
pub fn export_user(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let rows = queries::reports_by(conn, user_id)?;
    Ok(serde_json::json!({
        "forum_comment_reports": rows
            .into_iter()
            .map(|(comment, reason, at)| serde_json::json!({ "comment_id": comment, "reason": reason, "at": at }))
            .collect::<Vec<_>>()
    }))
}

/// Removes a closing account's comment reports (the queue entries they raised stay, nameless).
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    queries::forget_reports(conn, user_id)?;
    Ok(())
}

/// One of the user's own comments, for "我的评论".
pub struct MyComment {
    pub id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub excerpt: String,
    pub created_at: NaiveDateTime,
}

pub fn mine(conn: &mut DbConn, user: i64, cursor: Option<Cursor>) -> AppResult<(Vec<MyComment>, Option<String>)> {
    let rows = queries::by_author(conn, user, cursor, PAGE_SIZE)?;
    let next = if rows.len() as i64 == PAGE_SIZE {
        rows.last().map(|r| Cursor::At(r.0.created_at, r.0.id).encode())
    } else {
        None
    };
    let list = rows
        .into_iter()
        .map(|(c, title, status): (Comment, String, String)| MyComment {
            id: c.id,
            post_id: c.post_id,
            post_title: if status == DELETED { "该帖已删除".into() } else { title },
            excerpt: text::excerpt(&c.body, 60),
            created_at: c.created_at,
        })
        .collect();
    Ok((list, next))
}

/// Whom the comment form answers when opened from a comment's "回复": `(id, name)`, if the
/// comment is a visible one of this post.
pub fn reply_label(conn: &mut DbConn, post_id: i64, id: i64, names: &Pseudonyms) -> AppResult<Option<(i64, String)>> {
    Ok(queries::row(conn, id)?.filter(|(c, _, _)| c.post_id == post_id && c.status == VISIBLE).map(
        |(c, nickname, _)| {
            let name = if c.anonymous { names.name(post_id, c.author_id) } else { nickname };
            (c.id, name)
        },
    ))
}
