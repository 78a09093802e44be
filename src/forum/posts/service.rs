//! The rules of one post: who may post where and how often (the forum is a verified space:
//! only people who passed 学籍认证 write, unless an admin opened the board to everyone),
//! publishing through the word filter and pre-approval (a new account's first posts, or every
//! post of a board that reviews them, wait as "审核中"), what a reader sees of it, the author's
//! 15-minute edit, soft delete, likes, reports (enough of them hide the post pending review),
//! saving and muting a thread.

use chrono::{NaiveDateTime, TimeDelta};

use super::queries;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::forum::likes;
use crate::forum::models::{Board, Byline, DELETED, HIDDEN, Image, NewPost, PENDING, Post, PostBody, Title, VISIBLE};
use crate::forum::notices::{self, Thread};
use crate::forum::text::{self, Pseudonyms};
use crate::moderation::{self, WordFilter};

/// Posts and comments a user may write within [`RATE_WINDOW`].
pub const MAX_POSTS: i64 = 5;
pub const MAX_COMMENTS: i64 = 30;
pub const RATE_WINDOW: TimeDelta = TimeDelta::minutes(10);

/// Who is looking or acting.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub id: i64,
    pub admin: bool,
}

fn shanghai(at: NaiveDateTime) -> String {
    crate::web::time::minute(at)
}

/// Refuses a user an admin banned from the forum, saying until when.
pub fn ensure_not_banned(conn: &mut DbConn, user: i64) -> AppResult<()> {
    match queries::banned_until(conn, user, db::now())? {
        Some(until) => Err(AppError::Denied(format!("你已被禁止在论坛发言，至 {} 解除", shanghai(until)))),
        None => Ok(()),
    }
}

/// The board a post goes to: it must exist and be open, and an admin-only board takes posts
/// from admins alone.
pub fn board_for_posting(conn: &mut DbConn, board_id: i64, viewer: Viewer) -> AppResult<Board> {
    let board = crate::forum::feed::queries::board(conn, board_id)?
        .filter(|b| b.active)
        .ok_or_else(|| AppError::invalid("请选择一个有效的版块"))?;
    if board.admin_only && !viewer.admin {
        return Err(AppError::Denied(format!("「{}」版块只有管理员可以发帖", board.name)));
    }
    ensure_may_write(conn, &board, viewer, "在论坛发帖")?;
    Ok(board)
}

/// The forum is for people who passed 学籍认证, except in boards an admin opened to everyone.
pub fn ensure_may_write(conn: &mut DbConn, board: &Board, viewer: Viewer, doing: &str) -> AppResult<()> {
    if board.open_to_all || viewer.admin {
        return Ok(());
    }
    crate::auth::service::ensure_verified(conn, viewer.id, doing)
}

/// Whether `viewer` may write anywhere but in boards opened to everyone.
pub fn is_verified_writer(conn: &mut DbConn, viewer: Viewer) -> AppResult<bool> {
    Ok(viewer.admin || crate::auth::service::is_verified_member(conn, viewer.id)?)
}

/// Why a new post waits for approval, if it does: its board reviews every post, or its author
/// has fewer than `first_posts` approved posts. Admins' posts never wait.
fn hold_reason(conn: &mut DbConn, board: &Board, viewer: Viewer, first_posts: i64) -> AppResult<Option<String>> {
    if viewer.admin {
        return Ok(None);
    }
    if board.review_all {
        return Ok(Some(format!("「{}」版块的帖子需审核后显示", board.name)));
    }
    if first_posts > 0 && queries::approved_count(conn, viewer.id)? < first_posts {
        return Ok(Some(format!("新用户的前 {first_posts} 个帖子需审核后显示")));
    }
    Ok(None)
}

/// What the word filter says of a new or edited post: refused naming the word, or a reason
/// to put it before an admin.
pub fn screen(conn: &mut DbConn, words: &WordFilter, title: &str, body: &str) -> AppResult<Option<String>> {
    moderation::screen(words, conn, &format!("{title}\n{body}"), "标题或正文")
}

fn ensure_rate(conn: &mut DbConn, user: i64) -> AppResult<()> {
    if queries::posted_since(conn, user, db::now() - RATE_WINDOW)? >= MAX_POSTS {
        return Err(AppError::RateLimited(format!("发帖太频繁了：每 10 分钟最多发 {MAX_POSTS} 个帖子，请稍后再试")));
    }
    Ok(())
}

/// Everything that can refuse a post before its pictures are stored: board, ban, rate, words.
/// Returns the review reason, if the post must go before an admin.
pub fn prepare(conn: &mut DbConn, words: &WordFilter, viewer: Viewer, post: &NewPost) -> AppResult<Option<String>> {
    board_for_posting(conn, post.board_id, viewer)?;
    ensure_not_banned(conn, viewer.id)?;
    ensure_rate(conn, viewer.id)?;
    screen(conn, words, post.title.as_str(), post.body.as_str())
}

/// A published post: its id, and whether it waits for approval ("审核中").
pub struct Published {
    pub id: i64,
    pub pending: bool,
}

/// Publishes a post (checked again inside the transaction, where one user's posts queue up
/// behind a lock on the user, so six at once still make five), holds it for approval when the
/// board or the author's newness asks for it (`first_posts`: the admin's setting), files it for
/// review when the word filter asked for it and tells the people it mentions (once approved,
/// for a held post: nobody is sent to a post they cannot open).
pub fn publish(
    conn: &mut DbConn,
    viewer: Viewer,
    post: &NewPost,
    review: Option<&str>,
    first_posts: i64,
    names: &Pseudonyms,
) -> AppResult<Published> {
    let images = serde_json::to_string(&post.images).map_err(AppError::internal)?;
    write_tx(conn, |conn| {
        db::lock_user(conn, viewer.id)?;
        let board = board_for_posting(conn, post.board_id, viewer)?;
        ensure_not_banned(conn, viewer.id)?;
        ensure_rate(conn, viewer.id)?;
        let hold = hold_reason(conn, &board, viewer, first_posts)?;
        let now = db::now();
        let status = if hold.is_some() { PENDING } else { VISIBLE };
        let id = queries::insert(conn, viewer.id, post, &images, status, now)?;
        let author = if post.anonymous { Some(names.name(id, viewer.id)) } else { None };
        let reason = match (&hold, review) {
            (Some(h), Some(r)) => Some(format!("{h}；{r}")),
            (Some(h), None) => Some(h.clone()),
            (None, r) => r.map(str::to_string),
        };
        if let Some(reason) = reason {
            moderation::flag(
                conn,
                moderation::KIND_FORUM_POST,
                id,
                Some(viewer.id),
                post.title.as_str(),
                post.body.as_str(),
                &reason,
            )?;
        }
        if hold.is_some() {
            return Ok(Published { id, pending: true });
        }
        let text = format!("{}\n{}", post.title.as_str(), post.body.as_str());
        let mentioned = notices::mentioned(conn, &text)?;
        if !mentioned.is_empty() {
            let nickname = match &author {
                Some(a) => a.clone(),
                None => crate::auth::service::names_of(conn, viewer.id)?.0,
            };
            let thread = Thread {
                post_id: id,
                title: post.title.as_str(),
                writer_name: &nickname,
                writer_id: viewer.id,
                link: format!("/forum/posts/{id}"),
            };
            notices::post_published(conn, &thread, &mentioned)?;
        }
        Ok(Published { id, pending: false })
    })
}

/// A post as its page shows it. Nothing about an anonymous author but the pseudonym.
pub struct PostView {
    pub id: i64,
    pub board: Board,
    pub title: String,
    pub body_html: String,
    pub images: Vec<Image>,
    pub by: Byline,
    pub status: String,
    pub hidden_reason: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub like_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub created_at: NaiveDateTime,
    pub edited: bool,
    pub liked: bool,
    pub muted: bool,
    pub saved: bool,
    pub mine: bool,
    pub can_edit: bool,
    /// The viewer moderates this post's board (or is an admin).
    pub moderator: bool,
}

impl PostView {
    /// Held for approval: its author sees "审核中".
    pub fn is_pending(&self) -> bool {
        self.status == PENDING
    }

    pub fn is_deleted(&self) -> bool {
        self.status == DELETED
    }

    pub fn is_hidden(&self) -> bool {
        self.status == HIDDEN
    }
}

/// A post and the author's id (for the comment rules; never shown).
pub fn load(conn: &mut DbConn, id: i64) -> AppResult<(Post, Board, Byline)> {
    let (post, board, nickname, avatar) = queries::find(conn, id)?.ok_or(AppError::NotFound)?;
    let by = Byline { name: nickname, avatar, anonymous: false };
    Ok((post, board, by))
}

/// What `viewer` may see of post `id`: hidden and held posts only their author, the board's
/// moderators and admins; deleted posts keep their page (and comments) without their words.
/// With the row, for the comments.
pub fn view(conn: &mut DbConn, id: i64, viewer: Viewer, names: &Pseudonyms) -> AppResult<(PostView, Post)> {
    let (post, board, nickname, avatar, liked, muted, saved, moderates) =
        queries::find_seen_by(conn, id, viewer.id)?.ok_or(AppError::NotFound)?;
    let mine = post.author_id == viewer.id;
    let moderator = viewer.admin || moderates;
    if (post.status == HIDDEN || post.status == PENDING) && !mine && !moderator {
        return Err(AppError::NotFound);
    }
    let by = if post.anonymous {
        Byline { name: names.name(post.id, post.author_id), avatar: None, anonymous: true }
    } else {
        Byline { name: nickname, avatar, anonymous: false }
    };
    let deleted = post.is_deleted();
    let view = PostView {
        id,
        title: if deleted { "该帖已删除".into() } else { post.title.clone() },
        body_html: if deleted { String::new() } else { text::to_html(&post.body) },
        images: if deleted { Vec::new() } else { post.images() },
        by,
        status: post.status.clone(),
        hidden_reason: post.hidden_reason.clone(),
        pinned: post.pinned,
        locked: post.locked,
        like_count: post.like_count,
        comment_count: post.comment_count,
        view_count: post.view_count,
        created_at: post.created_at,
        edited: post.edited_at.is_some(),
        liked,
        muted,
        saved,
        mine,
        can_edit: mine && !deleted && post.editable_at(db::now()),
        moderator,
        board,
    };
    Ok((view, post))
}

/// The author's own post, still editable.
fn own_editable(conn: &mut DbConn, id: i64, user: i64) -> AppResult<Post> {
    let post = queries::lock(conn, id)?.ok_or(AppError::NotFound)?;
    if post.author_id != user || post.status == DELETED {
        return Err(AppError::Denied("只能编辑自己发布的帖子".into()));
    }
    if !post.editable_at(db::now()) {
        return Err(AppError::conflict(format!(
            "帖子发布超过 {} 分钟，已不能编辑",
            crate::forum::models::EDIT_WINDOW_MINUTES
        )));
    }
    Ok(post)
}

/// The title and body the edit form starts from.
pub fn edit_form(conn: &mut DbConn, id: i64, user: i64) -> AppResult<(String, String)> {
    let post = own_editable(conn, id, user)?;
    Ok((post.title, post.body))
}

/// The author changes the words within the edit window; the post shows as edited. The word
/// filter screens the new words as it did the first ones.
pub fn edit(
    conn: &mut DbConn,
    words: &WordFilter,
    id: i64,
    user: i64,
    title: &Title,
    body: &PostBody,
) -> AppResult<()> {
    let review = screen(conn, words, title.as_str(), body.as_str())?;
    write_tx(conn, |conn| {
        own_editable(conn, id, user)?;
        queries::edit(conn, id, title.as_str(), body.as_str(), db::now())?;
        if let Some(reason) = review {
            moderation::flag(
                conn,
                moderation::KIND_FORUM_POST,
                id,
                Some(user),
                title.as_str(),
                body.as_str(),
                &reason,
            )?;
        }
        Ok(())
    })
}

/// The author deletes their post (soft: comments stay readable under "该帖已删除").
pub fn delete(conn: &mut DbConn, id: i64, user: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let post = queries::lock(conn, id)?.ok_or(AppError::NotFound)?;
        if post.author_id != user {
            return Err(AppError::Denied("只能删除自己发布的帖子".into()));
        }
        if queries::set_status(conn, id, &[VISIBLE, HIDDEN, PENDING], DELETED, None, db::now())? != 1 {
            return Err(AppError::conflict("这个帖子已经删除了"));
        }
        moderation::close_open(conn, moderation::KIND_FORUM_POST, id, "approved", user)?;
        withdraw_photos(conn, &post)
    })
}

/// Removed means gone: the photos of a deleted or hidden post answer 404 from the commit on
/// and leave the store after the grace period (`crate::privacy`), unless it is shown again.
pub fn withdraw_photos(conn: &mut DbConn, post: &Post) -> AppResult<()> {
    let images = post.images();
    crate::privacy::withdraw_photos(conn, images.iter().flat_map(|i| [i.full.as_str(), i.thumb.as_str()]))
}

/// A hidden post shown again gets its photos back.
pub fn restore_photos(conn: &mut DbConn, post: &Post) -> AppResult<()> {
    let images = post.images();
    crate::privacy::restore_photos(conn, images.iter().flat_map(|i| [i.full.as_str(), i.thumb.as_str()]))
}

/// Why a post cannot be liked or commented on now.
pub fn closed_reason(post: &Post, doing: &str) -> AppError {
    match post.status.as_str() {
        DELETED => AppError::conflict(format!("帖子已删除，不能{doing}")),
        HIDDEN | PENDING => AppError::conflict(format!("帖子正在审核中，暂时不能{doing}")),
        _ => AppError::conflict(format!("帖子已锁定，不能{doing}")),
    }
}

/// Likes or takes back the like; returns whether the user likes it now and the count.
pub fn like(conn: &mut DbConn, id: i64, user: i64) -> AppResult<(bool, i64)> {
    likes::toggle(conn, user, likes::POST, id, |conn, delta| match queries::bump_likes(conn, id, delta)? {
        Some(count) => Ok(count),
        None => {
            let post = queries::lock(conn, id)?.ok_or(AppError::NotFound)?;
            Err(closed_reason(&post, "点赞"))
        }
    })
}

/// Reports a post once per person. The first report puts it in the moderation queue; at
/// `hide_at` open reports it is hidden pending an admin's review, and its author is told.
/// Returns whether this report hid it.
pub fn report(conn: &mut DbConn, id: i64, reporter: i64, reason: &str, hide_at: i64) -> AppResult<bool> {
    write_tx(conn, |conn| {
        // Reports of one post queue up here, so the count and the queue entry stay exact.
        let post = queries::lock(conn, id)?.ok_or(AppError::NotFound)?;
        match post.status.as_str() {
            VISIBLE => {}
            HIDDEN => return Err(AppError::conflict("这个帖子已在审核中，谢谢你的举报")),
            _ => return Err(AppError::NotFound),
        }
        if post.author_id == reporter {
            return Err(AppError::invalid("不能举报自己的帖子"));
        }
        if queries::insert_report(conn, id, reporter, reason, db::now())? == 0 {
            return Err(AppError::conflict("你已经举报过这个帖子，管理员会尽快处理"));
        }
        let open = queries::bump_reports(conn, id)?;
        let why = format!("举报：{reason}");
        moderation::flag(conn, moderation::KIND_FORUM_POST, id, Some(post.author_id), &post.title, &post.body, &why)?;
        if i64::from(open) < hide_at {
            return Ok(false);
        }
        let hidden_reason = "多位同学举报，等待管理员审核";
        queries::set_status(conn, id, &[VISIBLE], HIDDEN, Some(hidden_reason), db::now())?;
        withdraw_photos(conn, &post)?;
        notices::decided(
            conn,
            post.author_id,
            Some(&format!("/forum/posts/{id}")),
            "你的帖子已暂时隐藏",
            &format!("「{}」被多位同学举报，已暂时隐藏，管理员审核后会告诉你结果。", post.title),
        )?;
        Ok(true)
    })
}

/// Mutes or unmutes a thread for a user (no more notices about it); returns whether muted.
pub fn toggle_mute(conn: &mut DbConn, id: i64, user: i64) -> AppResult<bool> {
    write_tx(conn, |conn| {
        queries::find(conn, id)?.ok_or(AppError::NotFound)?;
        let muted = !queries::is_muted(conn, user, id)?;
        queries::set_muted(conn, user, id, muted, db::now())?;
        Ok(muted)
    })
}

/// Adds counted views (the view counter flushes its batch here).
pub fn add_views(conn: &mut DbConn, batch: &[(i64, i64)]) -> AppResult<()> {
    write_tx(conn, |conn| {
        for (id, n) in batch {
            queries::add_views(conn, *id, *n)?;
        }
        Ok(())
    })
}
