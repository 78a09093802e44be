//! Who hears about forum activity, in the message center (kind `forum`) and, for replies, by
//! WeChat subscribe message (purpose `reply`; template keywords `thing1` post title, `thing2`
//! what was said, `thing3` who said it, `time4` when).
//!
//! A post's author hears of comments, a comment's author of replies, each `@昵称` of being
//! mentioned (at most five mentions a text, real active users only). Nobody hears of their own
//! words, nobody hears twice of one comment, and nobody hears of a thread they muted. Writers
//! are named as readers see them: an anonymous writer by the thread's pseudonym, never by name.

use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::forum::posts::queries as posts;
use crate::forum::text;
use crate::notify::{self, MessageKind};

/// At most this many people are mentioned by one text.
pub const MAX_MENTIONS: usize = 5;

/// The active users `text` mentions with `@昵称`, at most [`MAX_MENTIONS`]: `(id, nickname)`.
/// A nickname several people share mentions nobody (we cannot tell whom).
pub fn mentioned(conn: &mut DbConn, text: &str) -> AppResult<Vec<(i64, String)>> {
    let candidates = text::mention_candidates(text, MAX_MENTIONS);
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let all: Vec<String> = candidates.iter().flatten().cloned().collect();
    let found = crate::auth::service::active_users_named(conn, &all)?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for prefixes in &candidates {
        // Longest first: the first prefix that names exactly one person.
        let hit = prefixes.iter().find_map(|p| {
            let owners: Vec<&(i64, String)> = found.iter().filter(|(_, n)| n == p).collect();
            (owners.len() == 1).then(|| owners[0].clone())
        });
        if let Some(user) = hit
            && !out.iter().any(|(id, _)| *id == user.0)
        {
            out.push(user);
        }
    }
    Ok(out)
}

/// What every forum notice names: the thread and the writer as readers see them.
pub struct Thread<'a> {
    pub post_id: i64,
    pub title: &'a str,
    /// The writer's display name in this thread (a pseudonym when anonymous).
    pub writer_name: &'a str,
    pub writer_id: i64,
    pub link: String,
}

fn preview(text: &str) -> String {
    text::excerpt(text, 40)
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Tells `user` something about the thread unless they wrote it or muted the thread. Returns
/// whether they were told.
fn tell(conn: &mut DbConn, user: i64, thread: &Thread, title: &str, body: &str) -> AppResult<bool> {
    if user == thread.writer_id || posts::is_muted(conn, user, thread.post_id)? {
        return Ok(false);
    }
    notify::send(conn, user, MessageKind::Forum, title, body, Some(&thread.link))?;
    Ok(true)
}

fn wechat_reply(conn: &mut DbConn, user: i64, thread: &Thread, said: &str) -> AppResult<()> {
    let when = crate::web::time::minute(db::now());
    notify::wechat::queue(
        conn,
        user,
        "reply",
        &format!("pages/index/index?path={}", crate::web::url_encode(&thread.link)),
        &[
            ("thing1", clip(thread.title, 20)),
            ("thing2", clip(&preview(said), 20)),
            ("thing3", clip(thread.writer_name, 20)),
            ("time4", when),
        ],
    )
}

/// Mentions in a new post.
pub fn post_published(conn: &mut DbConn, thread: &Thread, mentioned: &[(i64, String)]) -> AppResult<()> {
    for (user, _) in mentioned {
        tell(
            conn,
            *user,
            thread,
            "有人提到了你",
            &format!("{} 在帖子「{}」中提到了你", thread.writer_name, thread.title),
        )?;
    }
    Ok(())
}

/// A new comment: the post's author (top-level comment) or the answered comment's author
/// (reply), then the mentioned.
pub fn comment_added(
    conn: &mut DbConn,
    thread: &Thread,
    post_author: i64,
    answered: Option<i64>,
    said: &str,
    mentioned: &[(i64, String)],
) -> AppResult<()> {
    let mut told: Vec<i64> = Vec::new();
    let (first, title) = match answered {
        Some(author) => (author, format!("{} 回复了你", thread.writer_name)),
        None => (post_author, format!("{} 评论了你的帖子", thread.writer_name)),
    };
    let body = format!("「{}」：{}", thread.title, preview(said));
    if tell(conn, first, thread, &title, &body)? {
        wechat_reply(conn, first, thread, said)?;
        told.push(first);
    }
    for (user, _) in mentioned {
        if told.contains(user) {
            continue;
        }
        let body = format!("{} 在「{}」的评论中提到了你：{}", thread.writer_name, thread.title, preview(said));
        if tell(conn, *user, thread, "有人提到了你", &body)? {
            told.push(*user);
        }
    }
    Ok(())
}

/// An admin's decision about someone's post, with the reason.
pub fn decided(conn: &mut DbConn, author: i64, link: Option<&str>, title: &str, body: &str) -> AppResult<()> {
    notify::send(conn, author, MessageKind::Forum, title, body, link)
}
