//! The forum in JSON (`/api/v1/forum/...`, the envelope of `web::api`), for the mini-program
//! shell (bearer token) or a signed-in page. Authors appear exactly as on the pages: an
//! anonymous one only by the thread's pseudonym, with no id, avatar or link.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::forum::models::Cursor;
use crate::forum::posts::service::Viewer;
use crate::state::AppState;
use crate::web::api::{self, ApiUser};
use crate::web::page::MaybeUser;

fn reader(session: MaybeUser, token: Option<ApiUser>) -> AppResult<Viewer> {
    match (session.0, token) {
        (Some(u), _) => Ok(Viewer { id: u.id, admin: u.can(crate::web::Permission::Moderation) }),
        (None, Some(ApiUser(id))) => Ok(Viewer { id, admin: false }),
        (None, None) => Err(AppError::Unauthorized),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    board: Option<i64>,
    after: Option<String>,
}

/// `GET /api/v1/forum/posts?board=&after=`: newest posts, a keyset page at a time.
pub async fn list_posts(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: MaybeUser,
    token: Option<ApiUser>,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    reader(session, token)?;
    let (board, cursor) = (q.board, Cursor::parse(q.after.as_deref()));
    let feed = state
        .db
        .run(move |conn| match board {
            Some(b) => {
                crate::forum::feed::service::board(conn, b)?;
                let sort = crate::forum::models::Sort::Newest;
                crate::forum::feed::service::board_feed(conn, b, sort, cursor, &forum.names)
            }
            None => crate::forum::feed::service::front(conn, cursor, &forum.names),
        })
        .await?;
    Ok(api::ok(serde_json::json!({ "pinned": feed.pinned, "posts": feed.posts, "next": feed.next })))
}

/// `GET /api/v1/forum/posts/{id}`: a post and its first comments.
pub async fn show_post(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: MaybeUser,
    token: Option<ApiUser>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let who = reader(session, token)?;
    let id = path.into_inner();
    let (post, comments) = state
        .db
        .run(move |conn| {
            let (post, row) = crate::forum::posts::service::view(conn, id, who, &forum.names)?;
            let comments = crate::forum::comments::service::page(conn, &row, who, false, None, &forum.names)?;
            Ok((post, comments))
        })
        .await?;
    Ok(api::ok(serde_json::json!({
        "id": post.id,
        "board": { "id": post.board.id, "name": post.board.name },
        "title": post.title,
        "body_html": post.body_html,
        "images": post.images,
        "author": post.by,
        "status": post.status,
        "pinned": post.pinned,
        "locked": post.locked,
        "like_count": post.like_count,
        "comment_count": post.comment_count,
        "view_count": post.view_count,
        "liked": post.liked,
        "edited": post.edited,
        "created_at": post.created_at,
        "comments": comments.comments,
        "next": comments.next,
    })))
}
