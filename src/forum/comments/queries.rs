//! Diesel queries of comments: writing, the post page's two levels, counters, a user's own.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{forum_comment_reports, forum_comments, forum_likes, forum_posts, users};
use crate::forum::models::{Comment, Cursor, VISIBLE};
use crate::on_backend;

/// A new comment's fields.
pub struct NewComment<'a> {
    pub post_id: i64,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    pub reply_to_id: Option<i64>,
    pub reply_to_name: Option<&'a str>,
    pub body: &'a str,
    pub anonymous: bool,
}

pub fn insert(conn: &mut DbConn, c: &NewComment, now: NaiveDateTime) -> QueryResult<i64> {
    on_backend!(conn, |db| diesel::insert_into(forum_comments::table)
        .values((
            forum_comments::post_id.eq(c.post_id),
            forum_comments::author_id.eq(c.author_id),
            forum_comments::parent_id.eq(c.parent_id),
            forum_comments::reply_to_id.eq(c.reply_to_id),
            forum_comments::reply_to_name.eq(c.reply_to_name),
            forum_comments::body.eq(c.body),
            forum_comments::anonymous.eq(c.anonymous),
            forum_comments::status.eq(VISIBLE),
            forum_comments::created_at.eq(now),
        ))
        .returning(forum_comments::id)
        .get_result(db))
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Comment>> {
    forum_comments::table.find(id).select(Comment::as_select()).first(conn).optional()
}

/// A comment with its author's nickname and avatar.
pub type Row = (Comment, String, Option<String>);

/// The ids of a page of top-level comments of a post, by time (oldest first) or by likes, after
/// `cursor`, as a subquery.
macro_rules! page_ids {
    ($post_id:expr, $by_likes:expr, $cursor:expr, $limit:expr) => {{
        let mut q = forum_comments::table
            .filter(forum_comments::post_id.eq($post_id))
            .filter(forum_comments::parent_id.is_null())
            .select(forum_comments::id)
            .limit($limit)
            .into_boxed();
        q = match $cursor {
            Some(Cursor::At(at, id)) if !$by_likes => q
                .filter(forum_comments::created_at.ge(at))
                .filter(forum_comments::created_at.gt(at).or(forum_comments::id.gt(id))),
            Some(Cursor::Count(n, id)) if $by_likes => q
                .filter(forum_comments::like_count.le(n))
                .filter(forum_comments::like_count.lt(n).or(forum_comments::id.lt(id))),
            _ => q,
        };
        if $by_likes {
            q.order((forum_comments::like_count.desc(), forum_comments::id.desc()))
        } else {
            q.order((forum_comments::created_at.asc(), forum_comments::id.asc()))
        }
    }};
}

/// A comment as `viewer` sees it: with its author and whether the viewer liked it.
pub type SeenRow = (Comment, String, Option<String>, bool);

/// The post page's comments in one statement: a page of top-level comments ([`page_ids`])
/// and the first `replies_shown` replies of each, each with whether `viewer` liked it. Unordered:
/// the caller groups and orders them.
pub fn page_with_replies(
    conn: &mut DbConn,
    post_id: i64,
    by_likes: bool,
    cursor: Option<Cursor>,
    limit: i64,
    replies_shown: i64,
    viewer: i64,
) -> QueryResult<Vec<SeenRow>> {
    use diesel::dsl::{exists, sql};
    use diesel::sql_types::Bool;
    let liked = exists(
        forum_likes::table
            .filter(forum_likes::user_id.eq(viewer))
            .filter(forum_likes::target_kind.eq(crate::forum::likes::COMMENT))
            .filter(forum_likes::target_id.eq(forum_comments::id)),
    );
    // Replies before this one under the same comment: fewer than `replies_shown` keeps it.
    let early_reply = sql::<Bool>(&format!(
        "(SELECT COUNT(*) FROM forum_comments r2 WHERE r2.parent_id = forum_comments.parent_id \
         AND (r2.created_at < forum_comments.created_at \
         OR (r2.created_at = forum_comments.created_at AND r2.id < forum_comments.id))) < {}",
        replies_shown.max(0)
    ));
    // On the backend's own connection: a boxed subquery is built for one backend.
    on_backend!(conn, |c| forum_comments::table
        .inner_join(users::table)
        .filter(forum_comments::post_id.eq(post_id))
        .filter(
            forum_comments::parent_id
                .is_null()
                .and(forum_comments::id.eq_any(page_ids!(post_id, by_likes, cursor, limit)))
                .or(forum_comments::parent_id
                    .assume_not_null()
                    .eq_any(page_ids!(post_id, by_likes, cursor, limit))
                    .and(early_reply)),
        )
        .select((Comment::as_select(), users::nickname, users::avatar, liked))
        .load(c))
}

/// Replies under a top-level comment, oldest first, after `cursor`.
pub fn replies(conn: &mut DbConn, parent_id: i64, cursor: Option<Cursor>, limit: i64) -> QueryResult<Vec<Row>> {
    let mut q = forum_comments::table
        .inner_join(users::table)
        .filter(forum_comments::parent_id.eq(parent_id))
        .order((forum_comments::created_at.asc(), forum_comments::id.asc()))
        .select((Comment::as_select(), users::nickname, users::avatar))
        .limit(limit)
        .into_boxed();
    if let Some(Cursor::At(at, id)) = cursor {
        q = q
            .filter(forum_comments::created_at.ge(at))
            .filter(forum_comments::created_at.gt(at).or(forum_comments::id.gt(id)));
    }
    q.load(conn)
}

/// One comment with its author.
pub fn row(conn: &mut DbConn, id: i64) -> QueryResult<Option<Row>> {
    forum_comments::table
        .inner_join(users::table)
        .filter(forum_comments::id.eq(id))
        .select((Comment::as_select(), users::nickname, users::avatar))
        .first(conn)
        .optional()
}

pub fn count_reply(conn: &mut DbConn, parent_id: i64) -> QueryResult<usize> {
    diesel::update(forum_comments::table.find(parent_id))
        .set(forum_comments::reply_count.eq(forum_comments::reply_count + 1))
        .execute(conn)
}

/// Moves the like counter of a visible comment; `None` when it is not visible.
pub fn bump_likes(conn: &mut DbConn, id: i64, delta: i64) -> QueryResult<Option<i64>> {
    on_backend!(conn, |c| diesel::update(
        forum_comments::table.filter(forum_comments::id.eq(id)).filter(forum_comments::status.eq(VISIBLE))
    )
    .set(forum_comments::like_count.eq(forum_comments::like_count + delta))
    .returning(forum_comments::like_count)
    .get_result(c)
    .optional())
}

pub fn set_status(conn: &mut DbConn, id: i64, from: &str, to: &str) -> QueryResult<usize> {
    diesel::update(forum_comments::table.filter(forum_comments::id.eq(id)).filter(forum_comments::status.eq(from)))
        .set(forum_comments::status.eq(to))
        .execute(conn)
}

/// Comments by `author` since `since` (the commenting rate limit).
pub fn commented_since(conn: &mut DbConn, author: i64, since: NaiveDateTime) -> QueryResult<i64> {
    forum_comments::table
        .filter(forum_comments::author_id.eq(author))
        .filter(forum_comments::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// A user's own visible comments, newest first, with their post's title and status.
pub fn by_author(
    conn: &mut DbConn,
    author: i64,
    cursor: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<(Comment, String, String)>> {
    let mut q = forum_comments::table
        .inner_join(forum_posts::table)
        .filter(forum_comments::author_id.eq(author))
        .filter(forum_comments::status.eq(VISIBLE))
        .order((forum_comments::created_at.desc(), forum_comments::id.desc()))
        .select((Comment::as_select(), forum_posts::title, forum_posts::status))
        .limit(limit)
        .into_boxed();
    if let Some(Cursor::At(at, id)) = cursor {
        q = q
            .filter(forum_comments::created_at.le(at))
            .filter(forum_comments::created_at.lt(at).or(forum_comments::id.lt(id)));
    }
    q.load(conn)
}

/// Records a comment report unless this reporter already made one (the unique index decides);
/// 0 rows means it was there.
pub fn insert_report(
    conn: &mut DbConn,
    comment: i64,
    reporter: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::on_backend!(conn, |c| diesel::insert_into(forum_comment_reports::table)
        .values((
            forum_comment_reports::comment_id.eq(comment),
            forum_comment_reports::reporter_id.eq(reporter),
            forum_comment_reports::reason.eq(reason),
            forum_comment_reports::created_at.eq(now),
        ))
        .on_conflict((forum_comment_reports::comment_id, forum_comment_reports::reporter_id))
        .do_nothing()
        .execute(c))
}

pub fn reports_by(conn: &mut DbConn, reporter: i64) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    forum_comment_reports::table
        .filter(forum_comment_reports::reporter_id.eq(reporter))
        .order(forum_comment_reports::id)
        .select((forum_comment_reports::comment_id, forum_comment_reports::reason, forum_comment_reports::created_at))
        .load(conn)
}

pub fn forget_reports(conn: &mut DbConn, reporter: i64) -> QueryResult<usize> {
    diesel::delete(forum_comment_reports::table.filter(forum_comment_reports::reporter_id.eq(reporter))).execute(conn)
}
