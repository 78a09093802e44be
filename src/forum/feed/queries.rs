//! Lists of posts: the front page, boards, the ranking, search hits, a user's posts and likes.
//! Every long list is a keyset query on an index named in the forum migration.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::any_of::any_of;
use crate::db::schema::{forum_boards, forum_likes, forum_posts, users};
use crate::db::{DbConn, refdata};
use crate::forum::models::{Board, Cursor, Sort, VISIBLE};

diesel::define_sql_function!(fn substr(s: diesel::sql_types::Text, start: diesel::sql_types::Integer, len: diesel::sql_types::Integer) -> diesel::sql_types::Text);

/// A post in a list, as read: the author's name comes along and is replaced by the thread's
/// pseudonym for anonymous posts before anything is shown (`service::card`).
#[derive(Queryable)]
pub struct CardRow {
    pub id: i64,
    pub board_id: i64,
    pub board: String,
    pub title: String,
    pub body_start: String,
    pub images: String,
    pub anonymous: bool,
    pub author_id: i64,
    pub nickname: String,
    pub avatar: Option<String>,
    pub pinned: bool,
    pub status: String,
    pub like_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub hot_score: f64,
    pub created_at: NaiveDateTime,
    pub last_reply_at: NaiveDateTime,
}

macro_rules! card_query {
    () => {
        card_query!(substr(forum_posts::body, 1, 90))
    };
    ($body:expr) => {
        forum_posts::table.inner_join(forum_boards::table).inner_join(users::table).select((
            forum_posts::id,
            forum_posts::board_id,
            forum_boards::name,
            forum_posts::title,
            $body,
            forum_posts::images,
            forum_posts::anonymous,
            forum_posts::author_id,
            users::nickname,
            users::avatar,
            forum_posts::pinned,
            forum_posts::status,
            forum_posts::like_count,
            forum_posts::comment_count,
            forum_posts::view_count,
            forum_posts::hot_score,
            forum_posts::created_at,
            forum_posts::last_reply_at,
        ))
    };
}

/// Every board in its order, kept in process (`db::refdata`).
fn all_boards(conn: &mut DbConn) -> QueryResult<std::sync::Arc<Vec<Board>>> {
    refdata::cached(conn, refdata::Kind::Boards, "all", |c| {
        forum_boards::table
            .order((forum_boards::sort_order.asc(), forum_boards::id.asc()))
            .select(Board::as_select())
            .load(c)
    })
}

pub fn boards(conn: &mut DbConn, active_only: bool) -> QueryResult<Vec<Board>> {
    Ok(all_boards(conn)?.iter().filter(|b| b.active || !active_only).cloned().collect())
}

pub fn board(conn: &mut DbConn, id: i64) -> QueryResult<Option<Board>> {
    Ok(all_boards(conn)?.iter().find(|b| b.id == id).cloned())
}

/// Visible pinned posts, of one board or of all.
pub fn pinned(conn: &mut DbConn, board_id: Option<i64>) -> QueryResult<Vec<CardRow>> {
    let mut q = card_query!()
        .filter(forum_posts::status.eq(VISIBLE))
        .filter(forum_posts::pinned.eq(true))
        .filter(forum_boards::active.eq(true))
        .order((forum_posts::created_at.desc(), forum_posts::id.desc()))
        .limit(10)
        .into_boxed();
    if let Some(b) = board_id {
        q = q.filter(forum_posts::board_id.eq(b));
    }
    q.load(conn)
}

/// Visible, unpinned posts in `sort` order after `cursor`, of one board or of every active one.
pub fn feed(
    conn: &mut DbConn,
    board_id: Option<i64>,
    sort: Sort,
    cursor: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<CardRow>> {
    let mut q = card_query!()
        .filter(forum_posts::status.eq(VISIBLE))
        .filter(forum_posts::pinned.eq(false))
        .limit(limit)
        .into_boxed();
    q = match board_id {
        Some(b) => q.filter(forum_posts::board_id.eq(b)),
        None => q.filter(forum_boards::active.eq(true)),
    };
    // Each cursor is written `key <= k AND (key < k OR id < i)`: the same rows as
    // `(key, id) < (k, i)`, with a plain range on `key` that the index can seek to. Written as
    // `key < k OR (key = k AND id < i)`, SQLite walked the board's index from the top, row by row.
    q = match (sort, cursor) {
        (Sort::Newest, Some(Cursor::At(at, id))) => {
            q.filter(forum_posts::created_at.le(at)).filter(forum_posts::created_at.lt(at).or(forum_posts::id.lt(id)))
        }
        (Sort::LastReply, Some(Cursor::At(at, id))) => q
            .filter(forum_posts::last_reply_at.le(at))
            .filter(forum_posts::last_reply_at.lt(at).or(forum_posts::id.lt(id))),
        (Sort::Hot, Some(Cursor::Score(v, id))) => {
            q.filter(forum_posts::hot_score.le(v)).filter(forum_posts::hot_score.lt(v).or(forum_posts::id.lt(id)))
        }
        _ => q,
    };
    q = match sort {
        Sort::Newest => q.order((forum_posts::created_at.desc(), forum_posts::id.desc())),
        Sort::LastReply => q.order((forum_posts::last_reply_at.desc(), forum_posts::id.desc())),
        Sort::Hot => q.order((forum_posts::hot_score.desc(), forum_posts::id.desc())),
    };
    q.load(conn)
}

/// The best-scored visible posts created since `since` (the ranking job keeps the scores).
pub fn ranking(conn: &mut DbConn, since: NaiveDateTime, limit: i64) -> QueryResult<Vec<CardRow>> {
    // On the backend's own connection, so the statement cache finds it by type (see
    // `posts::queries::find`).
    crate::on_backend!(conn, |c| card_query!()
        .filter(forum_posts::status.eq(VISIBLE))
        .filter(forum_posts::created_at.ge(since))
        .filter(forum_boards::active.eq(true))
        .order((forum_posts::hot_score.desc(), forum_posts::id.desc()))
        .limit(limit)
        .load(c))
}

/// Those of `ids` that are visible in an active board (search hits are re-checked here), each
/// with its whole body in `body_start` (search cuts its own snippet from it): one statement.
/// The status is checked here rather than in SQL: with a status condition SQLite's planner
/// walks a status index over every visible post instead of looking up the few ids.
pub fn visible_cards(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<CardRow>> {
    let rows: Vec<CardRow> = crate::on_backend!(conn, |c| card_query!(forum_posts::body)
        .filter(any_of(forum_posts::id, ids))
        .filter(forum_boards::active.eq(true))
        .load(c))?;
    Ok(rows.into_iter().filter(|r| r.status == VISIBLE).collect())
}

/// A user's own posts (any status but deleted), newest first, after `cursor`.
pub fn by_author(conn: &mut DbConn, author: i64, cursor: Option<Cursor>, limit: i64) -> QueryResult<Vec<CardRow>> {
    let mut q = card_query!()
        .filter(forum_posts::author_id.eq(author))
        .filter(forum_posts::status.ne(crate::forum::models::DELETED))
        .order((forum_posts::created_at.desc(), forum_posts::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(Cursor::At(at, id)) = cursor {
        q = q.filter(forum_posts::created_at.le(at)).filter(forum_posts::created_at.lt(at).or(forum_posts::id.lt(id)));
    }
    q.load(conn)
}

/// The cards of these posts in this order, visible ones only (a saved post hidden or deleted
/// since leaves the list).
pub fn visible_in_order(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<CardRow>> {
    let mut cards: Vec<CardRow> =
        crate::on_backend!(conn, |c| card_query!().filter(any_of(forum_posts::id, ids)).load(c))?;
    cards.retain(|c| c.status == VISIBLE);
    Ok(ids
        .iter()
        .filter_map(|post| {
            let at = cards.iter().position(|c| c.id == *post)?;
            Some(cards.swap_remove(at))
        })
        .collect())
}

/// The visible posts a user liked, latest like first, after the like id `before`; and the id of
/// the last like read when there may be more.
pub fn liked_by(
    conn: &mut DbConn,
    user: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<(Vec<CardRow>, Option<i64>)> {
    let mut q = forum_likes::table
        .filter(forum_likes::user_id.eq(user))
        .filter(forum_likes::target_kind.eq(crate::forum::likes::POST))
        .order(forum_likes::id.desc())
        .limit(limit)
        .select((forum_likes::id, forum_likes::target_id))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(forum_likes::id.lt(b));
    }
    let likes: Vec<(i64, i64)> = q.load(conn)?;
    let more = if likes.len() as i64 == limit { likes.last().map(|l| l.0) } else { None };
    let ids: Vec<i64> = likes.iter().map(|l| l.1).collect();
    let mut cards: Vec<CardRow> =
        crate::on_backend!(conn, |c| card_query!().filter(any_of(forum_posts::id, &ids)).load(c))?;
    cards.retain(|c| c.status == VISIBLE);
    let ordered = likes
        .into_iter()
        .filter_map(|(_, post)| {
            let at = cards.iter().position(|c| c.id == post)?;
            Some(cards.swap_remove(at))
        })
        .collect();
    Ok((ordered, more))
}
