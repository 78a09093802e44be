//! The rules of lists: what the front page, a board, the ranking, search and "my" lists show.
//! Only visible posts of active boards, pinned first where pins apply, anonymous authors
//! replaced by their pseudonym before anything leaves this module.

use chrono::TimeDelta;

use super::queries::{self, CardRow};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::forum::models::{Board, Byline, Cursor, Image, PAGE_SIZE, PostCard, Sort};
use crate::forum::text::{self, Pseudonyms};

/// A list row as readers see it.
pub fn card(row: CardRow, names: &Pseudonyms) -> PostCard {
    let by = if row.anonymous {
        Byline { name: names.name(row.id, row.author_id), avatar: None, anonymous: true }
    } else {
        Byline { name: row.nickname, avatar: row.avatar, anonymous: false }
    };
    PostCard {
        id: row.id,
        board_id: row.board_id,
        board: row.board,
        excerpt: text::excerpt(&row.body_start, 60),
        thumbs: Image::list(&row.images).into_iter().take(3).map(|i| i.thumb).collect(),
        title: row.title,
        by,
        pinned: row.pinned,
        status: row.status,
        like_count: row.like_count,
        comment_count: row.comment_count,
        view_count: row.view_count,
        hot_score: row.hot_score,
        created_at: row.created_at,
        last_reply_at: row.last_reply_at,
    }
}

fn cards(rows: Vec<CardRow>, names: &Pseudonyms) -> Vec<PostCard> {
    rows.into_iter().map(|r| card(r, names)).collect()
}

/// One page of a feed and where the next one starts.
pub struct FeedPage {
    pub pinned: Vec<PostCard>,
    pub posts: Vec<PostCard>,
    pub next: Option<String>,
}

fn page_of(rows: Vec<CardRow>, sort: Sort, names: &Pseudonyms) -> (Vec<PostCard>, Option<String>) {
    let full = rows.len() as i64 == PAGE_SIZE;
    let posts = cards(rows, names);
    let next = if full { posts.last().map(|c| Cursor::after(c, sort).encode()) } else { None };
    (posts, next)
}

pub fn boards(conn: &mut DbConn) -> AppResult<Vec<Board>> {
    Ok(queries::boards(conn, true)?)
}

pub fn all_boards(conn: &mut DbConn) -> AppResult<Vec<Board>> {
    Ok(queries::boards(conn, false)?)
}

/// An active board; a missing or closed one is not found.
pub fn board(conn: &mut DbConn, id: i64) -> AppResult<Board> {
    queries::board(conn, id)?.filter(|b| b.active).ok_or(AppError::NotFound)
}

/// The first page of `/forum`: boards, pinned posts, the newest posts.
pub struct Front {
    pub boards: Vec<Board>,
    pub feed: FeedPage,
}

pub fn front_page(conn: &mut DbConn, names: &Pseudonyms) -> AppResult<Front> {
    Ok(Front { boards: boards(conn)?, feed: front(conn, None, names)? })
}

/// The front page: the newest posts of every board after `cursor` (pinned ones on page one).
pub fn front(conn: &mut DbConn, cursor: Option<Cursor>, names: &Pseudonyms) -> AppResult<FeedPage> {
    let pinned = if cursor.is_none() { cards(queries::pinned(conn, None)?, names) } else { Vec::new() };
    let (posts, next) = page_of(queries::feed(conn, None, Sort::Newest, cursor, PAGE_SIZE)?, Sort::Newest, names);
    Ok(FeedPage { pinned, posts, next })
}

/// A board's posts in `sort` order after `cursor` (its pinned posts on page one).
pub fn board_feed(
    conn: &mut DbConn,
    board_id: i64,
    sort: Sort,
    cursor: Option<Cursor>,
    names: &Pseudonyms,
) -> AppResult<FeedPage> {
    let pinned = if cursor.is_none() { cards(queries::pinned(conn, Some(board_id))?, names) } else { Vec::new() };
    let (posts, next) = page_of(queries::feed(conn, Some(board_id), sort, cursor, PAGE_SIZE)?, sort, names);
    Ok(FeedPage { pinned, posts, next })
}

/// The hot lists: posts of the last 24 hours or 7 days by the score the ranking job keeps.
pub fn ranking(conn: &mut DbConn, week: bool, names: &Pseudonyms) -> AppResult<Vec<PostCard>> {
    let since = db::now() - if week { TimeDelta::days(7) } else { TimeDelta::hours(24) };
    Ok(cards(queries::ranking(conn, since, 30)?, names))
}

/// The first few hot posts of the day (the home page).
pub fn hot(conn: &mut DbConn, n: i64, names: &Pseudonyms) -> AppResult<Vec<PostCard>> {
    let since = db::now() - TimeDelta::days(7);
    Ok(cards(queries::ranking(conn, since, n)?, names))
}

/// The visible ones among `ids`, in the order of `ids`, each with its whole body.
pub fn visible_with_bodies(conn: &mut DbConn, ids: &[i64], names: &Pseudonyms) -> AppResult<Vec<(PostCard, String)>> {
    let mut rows = queries::visible_cards(conn, ids)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows
        .into_iter()
        .map(|r| {
            let body = r.body_start.clone();
            (card(r, names), body)
        })
        .collect())
}

/// A user's own posts, newest first (hidden ones too, marked; deleted ones gone).
pub fn mine(conn: &mut DbConn, user: i64, cursor: Option<Cursor>, names: &Pseudonyms) -> AppResult<FeedPage> {
    let (posts, next) = page_of(queries::by_author(conn, user, cursor, PAGE_SIZE)?, Sort::Newest, names);
    Ok(FeedPage { pinned: Vec::new(), posts, next })
}

/// The visible posts a user saved, latest save first; the cursor is a save's id.
pub fn saved(conn: &mut DbConn, user: i64, before: Option<i64>, names: &Pseudonyms) -> AppResult<FeedPage> {
    let saves = crate::forum::saves::page(conn, user, before, PAGE_SIZE)?;
    let next = if saves.len() as i64 == PAGE_SIZE { saves.last().map(|s| s.0.to_string()) } else { None };
    let ids: Vec<i64> = saves.iter().map(|s| s.1).collect();
    let posts = cards(queries::visible_in_order(conn, &ids)?, names);
    Ok(FeedPage { pinned: Vec::new(), posts, next })
}

/// The visible posts a user liked, latest like first; the cursor is a like's id.
pub fn liked(conn: &mut DbConn, user: i64, before: Option<i64>, names: &Pseudonyms) -> AppResult<FeedPage> {
    let (rows, more) = queries::liked_by(conn, user, before, PAGE_SIZE)?;
    let next = more.map(|id| id.to_string());
    let posts = cards(rows, names);
    Ok(FeedPage { pinned: Vec::new(), posts, next })
}
