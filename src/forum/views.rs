//! The forum's askama templates: one struct per page, and the fragments htmx swaps (the full
//! pages include the same fragment templates).

use askama::Template;

use super::comments::service::{Discussion, MyComment};
use super::models::{Board, CommentView, PostCard, Sort};
use super::posts::service::PostView;
use super::search::Hit;
use super::stewards::service::{LogLine, Warning};
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "forum/index.html")]
pub struct ForumPage<'a> {
    pub page: Page,
    pub boards: &'a [Board],
    pub pinned: &'a [PostCard],
    pub posts: &'a [PostCard],
    pub more_url: Option<String>,
}

/// One page of post cards plus the trigger that loads the next (htmx infinite scroll).
#[derive(Template)]
#[template(path = "forum/_feed.html")]
pub struct FeedFragment {
    pub posts: Vec<PostCard>,
    pub more_url: Option<String>,
}

#[derive(Template)]
#[template(path = "forum/board.html")]
pub struct BoardPage {
    pub page: Page,
    pub board: Board,
    pub sort: Sort,
    pub pinned: Vec<PostCard>,
    pub posts: Vec<PostCard>,
    pub more_url: Option<String>,
}

impl BoardPage {
    /// Whether the "发帖" button belongs here (admin-only boards show it to admins alone).
    pub fn can_post(&self) -> bool {
        !self.board.admin_only || self.page.user.as_ref().is_some_and(|u| u.may("moderation"))
    }
}

#[derive(Template)]
#[template(path = "forum/ranking.html")]
pub struct RankingPage<'a> {
    pub page: Page,
    pub week: bool,
    pub posts: &'a [PostCard],
}

#[derive(Template)]
#[template(path = "forum/search.html")]
pub struct SearchPage {
    pub page: Page,
    pub q: String,
    pub hits: Vec<Hit>,
    pub page_no: i64,
    pub has_more: bool,
}

impl SearchPage {
    pub fn more_url(&self) -> String {
        format!("/forum/search?q={}&page={}", crate::web::url_encode(&self.q), self.page_no + 1)
    }
}

/// What the new-post form holds (kept when the post is refused).
#[derive(Default)]
pub struct PostValues {
    pub board_id: i64,
    pub title: String,
    pub body: String,
    pub anonymous: bool,
}

#[derive(Template)]
#[template(path = "forum/new.html")]
pub struct NewPostPage {
    pub page: Page,
    pub boards: Vec<Board>,
    pub values: PostValues,
    pub error: Option<String>,
}

impl NewPostPage {
    /// The error, if it belongs beside `field` (`board`, `title`, `body`, `images`; `""` for
    /// one that belongs to no field and shows above the form).
    pub fn error_for(&self, field: &str) -> Option<&str> {
        let e = self.error.as_deref()?;
        let owner = if e.contains("版块") {
            "board"
        } else if e.contains("图片") || e.contains("JPG") {
            "images"
        } else if e.contains("标题") {
            "title"
        } else if e.contains("正文") {
            "body"
        } else {
            ""
        };
        (owner == field).then_some(e)
    }
}

#[derive(Template)]
#[template(path = "forum/edit.html")]
pub struct EditPostPage {
    pub page: Page,
    pub id: i64,
    pub title: String,
    pub body: String,
    pub error: Option<String>,
}

/// The comment form: whom it answers, and what was typed when it was refused.
#[derive(Default)]
pub struct CommentDraft {
    pub reply_to: Option<(i64, String)>,
    pub body: String,
    pub anonymous: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "forum/_comment_form.html")]
pub struct CommentFormFragment {
    pub csrf: String,
    pub post_id: i64,
    pub draft: CommentDraft,
}

#[derive(Template)]
#[template(path = "forum/post.html")]
pub struct PostPage {
    pub page: Page,
    pub post: PostView,
    pub views: i64,
    pub comments: Vec<CommentView>,
    pub more_url: Option<String>,
    pub by_likes: bool,
    pub draft: CommentDraft,
    pub admin: bool,
    pub boards: Vec<Board>,
    /// The author's warnings (admins only, before they ban).
    pub warnings: Vec<Warning>,
}

/// More top-level comments of a post (htmx infinite scroll).
#[derive(Template)]
#[template(path = "forum/_comments.html")]
pub struct CommentsFragment {
    pub csrf: String,
    pub post_id: i64,
    pub comments: Vec<CommentView>,
    pub more_url: Option<String>,
    /// The viewer may moderate these comments (admin, or the board's moderator).
    pub moderates: bool,
}

/// A like button after a press.
#[derive(Template)]
#[template(path = "forum/_like.html")]
pub struct LikeButton {
    pub csrf: String,
    pub action: String,
    pub liked: bool,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "forum/discussion.html")]
pub struct DiscussionPage {
    pub page: Page,
    pub d: Discussion,
    pub admin: bool,
}

/// "我的帖子", "我的点赞" (cards) and "我的评论".
#[derive(Template)]
#[template(path = "forum/mine.html")]
pub struct MinePage {
    pub page: Page,
    pub tab: &'static str,
    pub posts: Vec<PostCard>,
    pub comments: Vec<MyComment>,
    pub more_url: Option<String>,
}

#[derive(Template)]
#[template(path = "forum/admin_boards.html")]
pub struct AdminBoardsPage {
    pub page: Page,
    pub boards: Vec<Board>,
    pub hide_at: i64,
    /// A new account's first posts that wait for approval.
    pub first_posts: i64,
    pub moderators: Vec<super::stewards::service::Appointment>,
}

/// The save button (its own fragment: htmx swaps it).
#[derive(Template)]
#[template(path = "forum/_save.html")]
pub struct SaveButton {
    pub csrf: String,
    pub post_id: i64,
    pub saved: bool,
}

/// `/forum/boards/{id}/log`: what the board's moderators and admins did.
#[derive(Template)]
#[template(path = "forum/mod_log.html")]
pub struct ModLogPage {
    pub page: Page,
    pub board: Board,
    pub moderators: Vec<String>,
    pub lines: Vec<LogLine>,
    /// The viewer may moderate this board (sees the way to its queue).
    pub moderator: bool,
}

/// `/forum/boards/{id}/queue`: the board's open reports and held posts, for its moderators.
#[derive(Template)]
#[template(path = "forum/board_queue.html")]
pub struct BoardQueuePage {
    pub page: Page,
    pub board: Board,
    pub flags: Vec<crate::moderation::Flag>,
}
