//! The forum's rows, the read models its pages show, and the checked form values.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{forum_boards, forum_comments, forum_posts};

pub const VISIBLE: &str = "visible";
/// Out of sight pending review (enough reports) or hidden by an admin; its author and admins
/// still see it.
pub const HIDDEN: &str = "hidden";
/// Soft-deleted: the page says so, its comments stay readable.
pub const DELETED: &str = "deleted";
/// Held for approval (a new account's first posts, or a board that reviews every post): only
/// its author (who sees "审核中"), the board's moderators and admins see it.
pub const PENDING: &str = "pending";

/// How long the author may still edit a post.
pub const EDIT_WINDOW_MINUTES: i64 = 15;
pub const MAX_IMAGES: usize = 9;
pub const PAGE_SIZE: i64 = 20;

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = forum_boards)]
pub struct Board {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub icon: String,
    pub sort_order: i32,
    pub admin_only: bool,
    pub active: bool,
    /// Opened by an admin to everyone; otherwise only people who passed 学籍认证 write here.
    pub open_to_all: bool,
    /// Every new post waits in the moderation queue until approved.
    pub review_all: bool,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = forum_posts)]
pub struct Post {
    pub id: i64,
    pub board_id: i64,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub images: String,
    pub anonymous: bool,
    pub status: String,
    pub hidden_reason: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub like_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub report_count: i32,
    pub hot_score: f64,
    pub last_reply_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Post {
    pub fn is_visible(&self) -> bool {
        self.status == VISIBLE
    }

    pub fn is_deleted(&self) -> bool {
        self.status == DELETED
    }

    pub fn images(&self) -> Vec<Image> {
        Image::list(&self.images)
    }

    /// Whether the author may still edit it at `now`.
    pub fn editable_at(&self, now: NaiveDateTime) -> bool {
        now - self.created_at <= chrono::TimeDelta::minutes(EDIT_WINDOW_MINUTES)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = forum_comments)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    pub reply_to_id: Option<i64>,
    pub reply_to_name: Option<String>,
    pub body: String,
    pub anonymous: bool,
    pub status: String,
    pub like_count: i64,
    pub reply_count: i64,
    pub created_at: NaiveDateTime,
}

/// One uploaded picture: the re-encoded photo and its square thumbnail.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Image {
    pub full: String,
    pub thumb: String,
}

impl Image {
    pub fn list(json: &str) -> Vec<Image> {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// Who wrote something, as readers may see it. For anonymous writing the name is the
/// thread's pseudonym and nothing else about the author is kept here.
#[derive(Clone, Debug, Serialize)]
pub struct Byline {
    pub name: String,
    pub avatar: Option<String>,
    pub anonymous: bool,
}

impl Byline {
    pub fn initial(&self) -> String {
        if self.anonymous { "匿".into() } else { self.name.chars().next().map(String::from).unwrap_or_default() }
    }
}

/// A post in a list.
#[derive(Clone, Debug, Serialize)]
pub struct PostCard {
    pub id: i64,
    pub board_id: i64,
    pub board: String,
    pub title: String,
    pub excerpt: String,
    pub thumbs: Vec<String>,
    pub by: Byline,
    pub pinned: bool,
    pub status: String,
    pub like_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub hot_score: f64,
    pub created_at: NaiveDateTime,
    pub last_reply_at: NaiveDateTime,
}

/// A comment as the post page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct CommentView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub by: Byline,
    /// The post's author wrote it (shown as 楼主).
    pub by_op: bool,
    /// "回复 @name" for a reply to a reply.
    pub reply_to: Option<String>,
    pub body_html: String,
    pub deleted: bool,
    /// Hidden by a moderator or admin (they may restore it).
    pub hidden: bool,
    pub like_count: i64,
    pub reply_count: i64,
    pub liked: bool,
    pub mine: bool,
    pub created_at: NaiveDateTime,
    pub replies: Vec<CommentView>,
}

impl CommentView {
    /// Whether it has replies beyond those shown under it.
    pub fn more_replies(&self) -> bool {
        self.reply_count > self.replies.len() as i64
    }
}

/// A checked title: 1–50 characters, no control characters.
#[derive(Clone)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Title, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err("请填写标题".into());
        }
        if t.chars().count() > 50 {
            return Err("标题不能超过 50 个字".into());
        }
        if t.chars().any(char::is_control) {
            return Err("标题不能包含控制字符".into());
        }
        Ok(Title(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checked plain text of at most `max` characters: line breaks kept (as `\n`), other control
/// characters dropped, surrounding blank space trimmed.
fn plain_text(raw: &str, max: usize, empty: &str, what: &str) -> Result<String, String> {
    let text: String = raw
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    if text.is_empty() {
        return Err(empty.into());
    }
    if text.chars().count() > max {
        return Err(format!("{what}不能超过 {max} 个字"));
    }
    Ok(text)
}

/// A post's body: 1–3000 characters of plain text.
#[derive(Clone)]
pub struct PostBody(String);

impl PostBody {
    pub const MAX: usize = 3000;

    pub fn parse(raw: &str) -> Result<PostBody, String> {
        plain_text(raw, Self::MAX, "请填写正文", "正文").map(PostBody)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A comment: 1–500 characters of plain text.
pub struct CommentBody(String);

impl CommentBody {
    pub const MAX: usize = 500;

    pub fn parse(raw: &str) -> Result<CommentBody, String> {
        plain_text(raw, Self::MAX, "请填写评论内容", "评论").map(CommentBody)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new post, every field checked (the images are stored separately, then attached).
#[derive(Clone)]
pub struct NewPost {
    pub board_id: i64,
    pub title: Title,
    pub body: PostBody,
    pub anonymous: bool,
    pub images: Vec<Image>,
}

/// How a list of posts is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    LastReply,
    Newest,
    Hot,
}

impl Sort {
    pub fn parse(s: Option<&str>) -> Sort {
        match s {
            Some("newest") => Sort::Newest,
            Some("hot") => Sort::Hot,
            _ => Sort::LastReply,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::LastReply => "reply",
            Sort::Newest => "newest",
            Sort::Hot => "hot",
        }
    }
}

/// A keyset position in a feed: the sort value of the last post shown and its id. Times are
/// microseconds since the epoch; hot scores travel as their exact decimal form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cursor {
    At(NaiveDateTime, i64),
    Score(f64, i64),
    Count(i64, i64),
}

impl Cursor {
    pub fn parse(raw: Option<&str>) -> Option<Cursor> {
        let (kind, rest) = raw?.split_once('_')?;
        let (value, id) = rest.split_once('_')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "t" => {
                let micros: i64 = value.parse().ok()?;
                Some(Cursor::At(chrono::DateTime::from_timestamp_micros(micros)?.naive_utc(), id))
            }
            "s" => value.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| Cursor::Score(v, id)),
            "n" => value.parse().ok().map(|v| Cursor::Count(v, id)),
            _ => None,
        }
    }

    pub fn encode(self) -> String {
        match self {
            Cursor::At(at, id) => format!("t_{}_{id}", at.and_utc().timestamp_micros()),
            Cursor::Score(v, id) => format!("s_{v}_{id}"),
            Cursor::Count(v, id) => format!("n_{v}_{id}"),
        }
    }

    /// Where a list in `sort` order continues after `card`.
    pub fn after(card: &PostCard, sort: Sort) -> Cursor {
        match sort {
            Sort::Newest => Cursor::At(card.created_at, card.id),
            Sort::LastReply => Cursor::At(card.last_reply_at, card.id),
            Sort::Hot => Cursor::Score(card.hot_score, card.id),
        }
    }
}
