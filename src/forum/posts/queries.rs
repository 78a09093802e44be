//! Diesel queries of single posts: writing, reading with their board and author, counters,
//! reports, mutes and posting bans.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{
    forum_bans, forum_boards, forum_likes, forum_moderators, forum_mutes, forum_posts, forum_reports, forum_saves,
    users,
};
use crate::forum::models::{Board, NewPost, Post, VISIBLE};
use crate::on_backend;

pub fn insert(
    conn: &mut DbConn,
    author: i64,
    post: &NewPost,
    images: &str,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(forum_posts::table)
        .values((
            forum_posts::board_id.eq(post.board_id),
            forum_posts::author_id.eq(author),
            forum_posts::title.eq(post.title.as_str()),
            forum_posts::body.eq(post.body.as_str()),
            forum_posts::images.eq(images),
            forum_posts::anonymous.eq(post.anonymous),
            forum_posts::status.eq(status),
            forum_posts::last_reply_at.eq(now),
            forum_posts::created_at.eq(now),
            forum_posts::updated_at.eq(now),
        ))
        .returning(forum_posts::id)
        .get_result(c))
}

/// A post with its board and its author's nickname and avatar.
pub type Found = (Post, Board, String, Option<String>);

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Found>> {
    // On the backend's own connection: its statement cache finds the statement by type, where
    // the multi-backend wrapper would write the SQL out to look it up (every post view).
    crate::on_backend!(conn, |c| forum_posts::table
        .inner_join(forum_boards::table)
        .inner_join(users::table)
        .filter(forum_posts::id.eq(id))
        .select((Post::as_select(), Board::as_select(), users::nickname, users::avatar))
        .first(c)
        .optional())
}

/// A post with its board, its author's nickname and avatar, and whether `viewer` liked and
/// muted it: the post page's one statement for its post.
/// The post, its board, the author's nickname and avatar, and the viewer's flags: liked,
/// muted, saved, moderates the post's board.
pub type Seen = (Post, Board, String, Option<String>, bool, bool, bool, bool);

pub fn find_seen_by(conn: &mut DbConn, id: i64, viewer: i64) -> QueryResult<Option<Seen>> {
    use diesel::dsl::exists;
    let liked = exists(
        forum_likes::table
            .filter(forum_likes::user_id.eq(viewer))
            .filter(forum_likes::target_kind.eq(crate::forum::likes::POST))
            .filter(forum_likes::target_id.eq(forum_posts::id)),
    );
    let muted = exists(
        forum_mutes::table.filter(forum_mutes::user_id.eq(viewer)).filter(forum_mutes::post_id.eq(forum_posts::id)),
    );
    let saved = exists(
        forum_saves::table.filter(forum_saves::user_id.eq(viewer)).filter(forum_saves::post_id.eq(forum_posts::id)),
    );
    let moderates = exists(
        forum_moderators::table
            .filter(forum_moderators::user_id.eq(viewer))
            .filter(forum_moderators::board_id.eq(forum_posts::board_id)),
    );
    crate::on_backend!(conn, |c| forum_posts::table
        .inner_join(forum_boards::table)
        .inner_join(users::table)
        .filter(forum_posts::id.eq(id))
        .select((Post::as_select(), Board::as_select(), users::nickname, users::avatar, liked, muted, saved, moderates))
        .first(c)
        .optional())
}

/// The post, locked until the transaction ends on PostgreSQL (SQLite's write transactions
/// already run one at a time): for rules that read the post before changing it (reports
/// counting up to the hiding threshold, admin decisions).
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<Option<Post>> {
    match conn {
        crate::db::DbConn::Pg(c) => {
            forum_posts::table.find(id).select(Post::as_select()).for_update().first(c).optional()
        }
        other => forum_posts::table.find(id).select(Post::as_select()).first(other).optional(),
    }
}

/// Moves the like counter of a visible post; `None` when the post is not visible.
pub fn bump_likes(conn: &mut DbConn, id: i64, delta: i64) -> QueryResult<Option<i64>> {
    on_backend!(conn, |c| diesel::update(
        forum_posts::table.filter(forum_posts::id.eq(id)).filter(forum_posts::status.eq(VISIBLE))
    )
    .set(forum_posts::like_count.eq(forum_posts::like_count + delta))
    .returning(forum_posts::like_count)
    .get_result(c)
    .optional())
}

/// A new comment: one more in the count, and the thread moves up in "last reply" order.
pub fn count_comment(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(forum_posts::table.find(id))
        .set((forum_posts::comment_count.eq(forum_posts::comment_count + 1), forum_posts::last_reply_at.eq(now)))
        .execute(conn)
}

pub fn add_views(conn: &mut DbConn, id: i64, n: i64) -> QueryResult<usize> {
    diesel::update(forum_posts::table.find(id))
        .set(forum_posts::view_count.eq(forum_posts::view_count + n))
        .execute(conn)
}

pub fn edit(conn: &mut DbConn, id: i64, title: &str, body: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(forum_posts::table.find(id))
        .set((
            forum_posts::title.eq(title),
            forum_posts::body.eq(body),
            forum_posts::edited_at.eq(now),
            forum_posts::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Moves a post from one of `from` to `to` with a reason; 1 row means it moved. `updated_at`
/// changes so the search index drops or takes back the post.
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        forum_posts::table
            .filter(forum_posts::id.eq(id))
            .filter(forum_posts::status.eq_any(from.iter().map(|s| s.to_string()).collect::<Vec<_>>())),
    )
    .set((forum_posts::status.eq(to), forum_posts::hidden_reason.eq(reason), forum_posts::updated_at.eq(now)))
    .execute(conn)
}

pub fn set_pinned(conn: &mut DbConn, id: i64, pinned: bool) -> QueryResult<usize> {
    diesel::update(forum_posts::table.find(id)).set(forum_posts::pinned.eq(pinned)).execute(conn)
}

pub fn set_locked(conn: &mut DbConn, id: i64, locked: bool) -> QueryResult<usize> {
    diesel::update(forum_posts::table.find(id)).set(forum_posts::locked.eq(locked)).execute(conn)
}

pub fn set_board(conn: &mut DbConn, id: i64, board: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(forum_posts::table.find(id))
        .set((forum_posts::board_id.eq(board), forum_posts::updated_at.eq(now)))
        .execute(conn)
}

/// Posts by `author` since `since` (the posting rate limit).
/// How many of a user's posts were ever shown (for the pre-approval of new accounts).
pub fn approved_count(conn: &mut DbConn, author: i64) -> QueryResult<i64> {
    forum_posts::table
        .filter(forum_posts::author_id.eq(author))
        .filter(forum_posts::status.eq(VISIBLE))
        .count()
        .get_result(conn)
}

pub fn posted_since(conn: &mut DbConn, author: i64, since: NaiveDateTime) -> QueryResult<i64> {
    forum_posts::table
        .filter(forum_posts::author_id.eq(author))
        .filter(forum_posts::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Records a report unless this reporter already made one (the unique index decides); 0 rows
/// means it was there.
pub fn insert_report(
    conn: &mut DbConn,
    post: i64,
    reporter: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    on_backend!(conn, |c| diesel::insert_into(forum_reports::table)
        .values((
            forum_reports::post_id.eq(post),
            forum_reports::reporter_id.eq(reporter),
            forum_reports::reason.eq(reason),
            forum_reports::status.eq("open"),
            forum_reports::created_at.eq(now),
        ))
        .on_conflict((forum_reports::post_id, forum_reports::reporter_id))
        .do_nothing()
        .execute(c))
}

/// One more open report; returns the new count.
pub fn bump_reports(conn: &mut DbConn, id: i64) -> QueryResult<i32> {
    on_backend!(conn, |c| diesel::update(forum_posts::table.filter(forum_posts::id.eq(id)))
        .set(forum_posts::report_count.eq(forum_posts::report_count + 1))
        .returning(forum_posts::report_count)
        .get_result(c))
}

/// Settles a post's open reports (an admin decided).
pub fn close_reports(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(forum_reports::table.filter(forum_reports::post_id.eq(id)).filter(forum_reports::status.eq("open")))
        .set(forum_reports::status.eq("closed"))
        .execute(conn)?;
    diesel::update(forum_posts::table.find(id)).set(forum_posts::report_count.eq(0)).execute(conn)
}

pub fn is_muted(conn: &mut DbConn, user: i64, post: i64) -> QueryResult<bool> {
    crate::on_backend!(conn, |c| diesel::select(diesel::dsl::exists(
        forum_mutes::table.filter(forum_mutes::user_id.eq(user)).filter(forum_mutes::post_id.eq(post)),
    ))
    .get_result(c))
}

/// Mutes or unmutes a thread; the primary key keeps one row however many presses arrive.
pub fn set_muted(conn: &mut DbConn, user: i64, post: i64, muted: bool, now: NaiveDateTime) -> QueryResult<usize> {
    if !muted {
        return diesel::delete(
            forum_mutes::table.filter(forum_mutes::user_id.eq(user)).filter(forum_mutes::post_id.eq(post)),
        )
        .execute(conn);
    }
    on_backend!(conn, |c| diesel::insert_into(forum_mutes::table)
        .values((forum_mutes::user_id.eq(user), forum_mutes::post_id.eq(post), forum_mutes::created_at.eq(now)))
        .on_conflict((forum_mutes::user_id, forum_mutes::post_id))
        .do_nothing()
        .execute(c))
}

/// Until when a user may not post, if a ban is in force at `now`.
pub fn banned_until(conn: &mut DbConn, user: i64, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    forum_bans::table
        .filter(forum_bans::user_id.eq(user))
        .filter(forum_bans::until.gt(now))
        .select(forum_bans::until)
        .first(conn)
        .optional()
}

/// Bans a user from posting until `until` (replacing an earlier ban).
pub fn ban(
    conn: &mut DbConn,
    user: i64,
    until: NaiveDateTime,
    reason: &str,
    admin: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(forum_bans::table.find(user)).execute(conn)?;
    diesel::insert_into(forum_bans::table)
        .values((
            forum_bans::user_id.eq(user),
            forum_bans::until.eq(until),
            forum_bans::reason.eq(reason),
            forum_bans::created_by.eq(admin),
            forum_bans::created_at.eq(now),
        ))
        .execute(conn)
}
