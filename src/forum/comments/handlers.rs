//! Comments: writing one (inline with htmx, or a plain form), more of a post's comments, a
//! comment's whole discussion, likes, the author's delete, "我的评论".

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::service::{self, NewCommentForm};
use crate::error::AppResult;
use crate::forum::models::{CommentBody, Cursor};
use crate::forum::posts::handlers::{PostAsk, html_with, post_page, refusal, viewer};
use crate::forum::views::{CommentDraft, CommentFormFragment, CommentsFragment, DiscussionPage, LikeButton, MinePage};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{is_htmx, render, see_other, session, url_encode};

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
    reply_to: Option<String>,
    anonymous: Option<String>,
}

pub async fn submit_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<CommentForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let who = viewer(&user);
    let reply_to = form.reply_to.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(|r| r.parse::<i64>());
    let anonymous = form.anonymous.as_deref().is_some_and(|a| matches!(a, "1" | "on" | "true"));
    let parsed = match reply_to.clone() {
        Some(Err(_)) => Err("要回复的评论不存在".to_string()),
        other => CommentBody::parse(&form.body).map(|body| NewCommentForm {
            body,
            reply_to: other.and_then(Result::ok),
            anonymous,
        }),
    };
    let result = match parsed {
        Ok(new) => {
            let (words, f) = (state.words.clone(), forum.clone());
            state.db.run(move |conn| service::add(conn, &words, who, id, &new, &f.names)).await
        }
        Err(message) => Err(crate::error::AppError::Invalid(message)),
    };
    let e = match result {
        Ok(comment) => return Ok(see_other(&req, &format!("/forum/posts/{id}#c{comment}"))),
        Err(e) if refusal(&e) => e,
        Err(e) => return Err(e),
    };
    // Refused: the form comes back with the words kept and the reason beside them.
    let draft = CommentDraft {
        reply_to: None,
        body: form.body.chars().take(CommentBody::MAX + 100).collect(),
        anonymous,
        error: Some(e.to_string()),
    };
    let answering = reply_to.and_then(Result::ok);

    if is_htmx(&req) {
        let f = forum.clone();
        let label = match answering {
            Some(c) => state.db.run(move |conn| service::reply_label(conn, id, c, &f.names)).await?,
            None => None,
        };
        let draft = CommentDraft { reply_to: label, ..draft };
        return html_with(e.status_code(), &CommentFormFragment { csrf: page.csrf, post_id: id, draft });
    }
    let ask = PostAsk { id, by_likes: false, reply: answering, draft };
    let view = post_page(&state, &forum, &user, page, ask).await?;
    html_with(e.status_code(), &view)
}

#[derive(Deserialize)]
pub struct MoreQuery {
    sort: Option<String>,
    after: Option<String>,
}

/// The next top-level comments of a post (htmx infinite scroll; a plain visit goes to the post).
pub async fn more_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<MoreQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    if !is_htmx(&req) {
        return Ok(see_other(&req, &format!("/forum/posts/{id}")));
    }
    let who = viewer(&user);
    let by_likes = q.sort.as_deref() == Some("likes");
    let cursor = Cursor::parse(q.after.as_deref());
    let (list, moderates) = state
        .db
        .run(move |conn| {
            let (post, row) = crate::forum::posts::service::view(conn, id, who, &forum.names)?;
            Ok((service::page(conn, &row, who, by_likes, cursor, &forum.names)?, post.moderator))
        })
        .await?;
    let sort = if by_likes { "likes" } else { "time" };
    let more_url = list.next.map(|c| format!("/forum/posts/{id}/comments?sort={sort}&after={}", url_encode(&c)));
    render(&CommentsFragment { csrf: page.csrf, post_id: id, comments: list.comments, more_url, moderates })
}

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<String>,
}

pub async fn show_discussion(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<AfterQuery>,
) -> AppResult<HttpResponse> {
    let (id, who) = (path.into_inner(), viewer(&user));
    let cursor = Cursor::parse(q.after.as_deref());
    let d = state.db.run(move |conn| service::discussion(conn, id, who, cursor, &forum.names)).await?;
    render(&DiscussionPage { page, d, admin: who.admin })
}

pub async fn like_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (liked, count) = state.db.run(move |conn| service::like(conn, id, uid)).await?;
    if is_htmx(&req) {
        return render(&LikeButton {
            csrf: session::csrf_token(&session)?,
            action: format!("/forum/comments/{id}/like"),
            liked,
            count,
        });
    }
    Ok(see_other(&req, &format!("/forum/comments/{id}")))
}

pub async fn delete_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let post = state.db.run(move |conn| service::delete(conn, id, uid)).await?;
    session::flash(&session, "success", "评论已删除");
    Ok(see_other(&req, &format!("/forum/posts/{post}")))
}

pub async fn my_comments(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<AfterQuery>,
) -> AppResult<HttpResponse> {
    let (uid, cursor) = (user.id, Cursor::parse(q.after.as_deref()));
    let (comments, next) = state.db.run(move |conn| service::mine(conn, uid, cursor)).await?;
    let more_url = next.map(|c| format!("/me/comments?after={}", url_encode(&c)));
    render(&MinePage { page, tab: "comments", posts: Vec::new(), comments, more_url })
}

/// `POST /forum/comments/{id}/report` (field `reason`).
pub async fn report_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<crate::web::forms::ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::report(conn, id, uid, &why)).await?;
    session::flash(&session, "success", "举报已提交，谢谢你帮助维护社区");
    Ok(see_other(&req, &format!("/forum/comments/{id}")))
}
