//! The lists: front page, board, ranking, search, and "我的帖子" / "我的点赞". Each long list
//! scrolls on with htmx: a request with `after` and `HX-Request` gets only the next cards.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::error::AppResult;
use crate::forum::models::{Cursor, Sort};
use crate::forum::views::{BoardPage, FeedFragment, ForumPage, MinePage, RankingPage, SearchPage};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{is_htmx, render, url_encode};

#[derive(Deserialize)]
pub struct FeedQuery {
    sort: Option<String>,
    after: Option<String>,
}

pub async fn show_forum(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    _user: CurrentUser,
    page: Page,
    q: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let f = forum.clone();
    let Some(cursor) = Cursor::parse(q.after.as_deref()) else {
        let front = match forum.lists.front.get() {
            Some(front) => front,
            None => {
                let front = std::sync::Arc::new(state.db.run(move |conn| service::front_page(conn, &f.names)).await?);
                forum.lists.front.put(front.clone());
                front
            }
        };
        let more_url = front.feed.next.as_ref().map(|c| format!("/forum?after={}", url_encode(c)));
        return render(&ForumPage {
            page,
            boards: &front.boards,
            pinned: &front.feed.pinned,
            posts: &front.feed.posts,
            more_url,
        });
    };
    let feed = state.db.run(move |conn| service::front(conn, Some(cursor), &f.names)).await?;
    let more_url = feed.next.map(|c| format!("/forum?after={}", url_encode(&c)));
    if is_htmx(&req) {
        return render(&FeedFragment { posts: feed.posts, more_url });
    }
    render(&ForumPage { page, boards: &[], pinned: &feed.pinned, posts: &feed.posts, more_url })
}

pub async fn show_board(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    _user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sort = Sort::parse(q.sort.as_deref());
    let cursor = Cursor::parse(q.after.as_deref());
    let f = forum.clone();
    let (board, feed) = state
        .db
        .run(move |conn| {
            let board = service::board(conn, id)?;
            Ok((board, service::board_feed(conn, id, sort, cursor, &f.names)?))
        })
        .await?;
    let more_url = feed.next.map(|c| format!("/forum/boards/{id}?sort={}&after={}", sort.as_str(), url_encode(&c)));
    if is_htmx(&req) && cursor.is_some() {
        return render(&FeedFragment { posts: feed.posts, more_url });
    }
    render(&BoardPage { page, board, sort, pinned: feed.pinned, posts: feed.posts, more_url })
}

#[derive(Deserialize)]
pub struct RankingQuery {
    range: Option<String>,
}

pub async fn show_ranking(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    _user: CurrentUser,
    page: Page,
    q: web::Query<RankingQuery>,
) -> AppResult<HttpResponse> {
    let week = q.range.as_deref() == Some("week");
    let shared = if week { &forum.lists.week } else { &forum.lists.day };
    let posts = match shared.get() {
        Some(posts) => posts,
        None => {
            let f = forum.clone();
            let posts = std::sync::Arc::new(state.db.run(move |conn| service::ranking(conn, week, &f.names)).await?);
            shared.put(posts.clone());
            posts
        }
    };
    render(&RankingPage { page, week, posts: &posts })
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

pub async fn search_posts(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    _user: CurrentUser,
    page: Page,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(50).collect();
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=10).contains(p)).unwrap_or(1);
    let (t, index) = (text.clone(), state.search.clone());
    let results = if text.is_empty() {
        crate::forum::search::Results { hits: Vec::new(), has_more: false }
    } else {
        state.db.run(move |conn| crate::forum::search::search(conn, &index, &t, page_no, &forum.names)).await?
    };
    render(&SearchPage { page, q: text, hits: results.hits, page_no, has_more: results.has_more })
}

pub async fn my_posts(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    q: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let (uid, cursor) = (user.id, Cursor::parse(q.after.as_deref()));
    let feed = state.db.run(move |conn| service::mine(conn, uid, cursor, &forum.names)).await?;
    let more_url = feed.next.map(|c| format!("/me/posts?after={}", url_encode(&c)));
    if is_htmx(&req) && cursor.is_some() {
        return render(&FeedFragment { posts: feed.posts, more_url });
    }
    render(&MinePage { page, tab: "posts", posts: feed.posts, comments: Vec::new(), more_url })
}

pub async fn my_likes(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    q: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let before = q.after.as_deref().and_then(|a| a.parse::<i64>().ok());
    let feed = state.db.run(move |conn| service::liked(conn, uid, before, &forum.names)).await?;
    let more_url = feed.next.map(|c| format!("/me/likes?after={c}"));
    if is_htmx(&req) && before.is_some() {
        return render(&FeedFragment { posts: feed.posts, more_url });
    }
    render(&MinePage { page, tab: "likes", posts: feed.posts, comments: Vec::new(), more_url })
}

/// `/me/saved`: the posts the user saved, latest first.
pub async fn my_saved(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    q: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let before = q.after.as_deref().and_then(|a| a.parse::<i64>().ok());
    let feed = state.db.run(move |conn| service::saved(conn, uid, before, &forum.names)).await?;
    let more_url = feed.next.map(|c| format!("/me/saved?after={c}"));
    if is_htmx(&req) && before.is_some() {
        return render(&FeedFragment { posts: feed.posts, more_url });
    }
    render(&MinePage { page, tab: "saved", posts: feed.posts, comments: Vec::new(), more_url })
}
