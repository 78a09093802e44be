//! Writing and reading posts: the new-post form (multipart, up to nine photos), the post page,
//! the author's edit and delete, likes, reports and muting.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use serde::Deserialize;

use super::service::{self, Viewer};
use super::submit;
use crate::error::{AppError, AppResult};
use crate::forum::comments::service as comments;
use crate::forum::models::{MAX_IMAGES, NewPost, PostBody, Title};
use crate::forum::views::{CommentDraft, EditPostPage, LikeButton, NewPostPage, PostPage, PostValues, SaveButton};
use crate::state::AppState;
use crate::web::forms::ReasonForm;
use crate::web::media;
use crate::web::page::{CurrentUser, Page};
use crate::web::{is_htmx, render, see_other, session, url_encode};

pub fn viewer(user: &CurrentUser) -> Viewer {
    Viewer { id: user.id, admin: user.can(crate::web::Permission::Moderation) }
}

/// A refusal the writer can act on: shown beside the form, which keeps what they typed.
pub fn refusal(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(_) | AppError::Denied(_) | AppError::RateLimited(_) | AppError::Conflict(_))
}

pub fn html_with(status: StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}

/// Boards the user may post in: not the admins' own, and for someone who has not passed
/// 学籍认证 only those an admin opened to everyone. None at all is the unverified user's
/// refusal, with the way to `/me/verify`.
async fn postable_boards(state: &AppState, who: Viewer) -> AppResult<Vec<crate::forum::models::Board>> {
    let (boards, verified) = state
        .db
        .run(move |conn| Ok((crate::forum::feed::service::boards(conn)?, service::is_verified_writer(conn, who)?)))
        .await?;
    let boards: Vec<_> =
        boards.into_iter().filter(|b| (who.admin || !b.admin_only) && (verified || b.open_to_all)).collect();
    if boards.is_empty() && !verified {
        return Err(AppError::Unverified(
            "在论坛发帖需要先通过学籍认证（本校学生或教师）：这里是只属于本校师生的空间".into(),
        ));
    }
    Ok(boards)
}

#[derive(Deserialize)]
pub struct NewQuery {
    board: Option<i64>,
}

pub async fn show_new_post(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    state.db.run(move |conn| service::ensure_not_banned(conn, uid)).await?;
    let boards = postable_boards(&state, viewer(&user)).await?;
    let values = PostValues { board_id: q.board.unwrap_or(0), ..PostValues::default() };
    render(&NewPostPage { page, boards, values, error: None })
}

/// `POST /forum/new` (multipart, the CSRF token in the query string).
pub async fn submit_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let who = viewer(&user);
    let form = media::read_form(form, MAX_IMAGES, state.config.upload_max_bytes).await?;
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let board_id = form.text("board_id").trim().parse::<i64>().unwrap_or(0);
    let values = PostValues {
        board_id,
        title: clip(form.text("title"), 100),
        body: clip(form.text("body"), PostBody::MAX + 100),
        anonymous: matches!(form.text("anonymous"), "1" | "on" | "true"),
    };
    let parsed = Title::parse(form.text("title")).and_then(|title| {
        let body = PostBody::parse(form.text("body"))?;
        Ok(NewPost { board_id, title, body, anonymous: values.anonymous, images: Vec::new() })
    });
    let refuse = |page: Page, boards, values, status: StatusCode, message: String| {
        html_with(status, &NewPostPage { page, boards, values, error: Some(message) })
    };
    let boards = postable_boards(&state, who).await?;
    let post = match parsed {
        Ok(post) => post,
        Err(message) => return refuse(page, boards, values, StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    let files: Vec<Vec<u8>> = form.files.into_iter().filter(|(name, _)| name == "images").map(|(_, d)| d).collect();
    let published = match submit::submit(&state, &forum, who, post, files).await {
        Ok(published) => published,
        Err(e) if refusal(&e) => return refuse(page, boards, values, e.status_code(), e.to_string()),
        Err(e) => return Err(e),
    };
    if published.pending {
        session::flash(&session, "info", "已提交，审核中：通过后大家就能看到");
    } else {
        session::flash(&session, "success", "发布成功");
    }
    Ok(see_other(&req, &format!("/forum/posts/{}", published.id)))
}

#[derive(Deserialize)]
pub struct PostQuery {
    sort: Option<String>,
    reply: Option<String>,
}

/// What a post page is asked for: the post, the comments' order, the comment a "回复" link
/// answers, and the comment form's content (a refused comment comes back in it).
pub struct PostAsk {
    pub id: i64,
    pub by_likes: bool,
    pub reply: Option<i64>,
    pub draft: CommentDraft,
}

/// Everything the post page shows.
pub async fn post_page(
    state: &AppState,
    forum: &web::Data<crate::forum::State>,
    user: &CurrentUser,
    page: Page,
    ask: PostAsk,
) -> AppResult<PostPage> {
    let PostAsk { id, by_likes, reply, mut draft } = ask;
    let who = viewer(user);
    let f = forum.clone();
    let (post, list, answered, boards, warnings) = state
        .db
        .run(move |conn| {
            let (post, row) = service::view(conn, id, who, &f.names)?;
            let list = comments::page(conn, &row, who, by_likes, None, &f.names)?;
            let answered = match reply {
                Some(c) => comments::reply_label(conn, id, c, &f.names)?,
                None => None,
            };
            let boards = if who.admin { crate::forum::feed::service::boards(conn)? } else { Vec::new() };
            // Before an admin bans, the author's warnings are in front of them.
            let warnings =
                if who.admin { crate::forum::stewards::service::warnings_of(conn, row.author_id)? } else { Vec::new() };
            Ok((post, list, answered, boards, warnings))
        })
        .await?;
    if draft.reply_to.is_none() {
        draft.reply_to = answered;
    }
    let sort = if by_likes { "likes" } else { "time" };
    let more_url = list.next.map(|c| format!("/forum/posts/{id}/comments?sort={sort}&after={}", url_encode(&c)));
    let views = post.view_count + forum.views.pending(id);
    Ok(PostPage {
        page,
        post,
        views,
        comments: list.comments,
        more_url,
        by_likes,
        draft,
        admin: who.admin,
        boards,
        warnings,
    })
}

pub async fn show_post(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<PostQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let by_likes = q.sort.as_deref() == Some("likes");
    let reply = q.reply.as_deref().and_then(|r| r.parse::<i64>().ok());
    let ask = PostAsk { id, by_likes, reply, draft: CommentDraft::default() };
    let view = post_page(&state, &forum, &user, page, ask).await?;
    forum.views.add(id);
    render(&view)
}

pub async fn show_edit_post(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (title, body) = state.db.run(move |conn| service::edit_form(conn, id, uid)).await?;
    render(&EditPostPage { page, id, title, body, error: None })
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

pub async fn save_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let keep = |page, status, error: String| {
        let (title, body) =
            (form.title.chars().take(100).collect(), form.body.chars().take(PostBody::MAX + 100).collect());
        html_with(status, &EditPostPage { page, id, title, body, error: Some(error) })
    };
    let parsed = Title::parse(&form.title).and_then(|t| Ok((t, PostBody::parse(&form.body)?)));
    let (title, body) = match parsed {
        Ok(v) => v,
        Err(message) => return keep(page, StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    let words = state.words.clone();
    match state.db.run(move |conn| service::edit(conn, &words, id, uid, &title, &body)).await {
        Ok(()) => {}
        Err(e @ (AppError::Invalid(_) | AppError::RateLimited(_))) => {
            return keep(page, e.status_code(), e.to_string());
        }
        Err(e) => return Err(e),
    }
    session::flash(&session, "success", "已保存修改");
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}

pub async fn delete_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::delete(conn, id, uid)).await?;
    forum.lists.clear();
    session::flash(&session, "success", "帖子已删除，评论仍会保留");
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}

pub async fn like_post(
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
            action: format!("/forum/posts/{id}/like"),
            liked,
            count,
        });
    }
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}

pub async fn report_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, uid) = (path.into_inner(), user.id);
    let settings = state.settings.clone();
    let hidden = state
        .db
        .run(move |conn| {
            let hide_at = settings.get(conn)?.report_hide_at;
            service::report(conn, id, uid, &why, hide_at)
        })
        .await?;
    if hidden {
        forum.lists.clear();
    }
    let done = if hidden {
        "举报已提交，该帖已暂时隐藏等待审核"
    } else {
        "举报已提交，谢谢你帮助维护社区"
    };
    session::flash(&session, "success", done);
    // A post hidden by this report is out of the reporter's sight too.
    let to = if hidden { "/forum".to_string() } else { format!("/forum/posts/{id}") };
    Ok(see_other(&req, &to))
}

pub async fn mute_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let muted = state.db.run(move |conn| service::toggle_mute(conn, id, uid)).await?;
    session::flash(&session, "success", if muted { "已关闭这个帖子的消息提醒" } else { "已恢复这个帖子的消息提醒" });
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    save: String,
}

/// `POST /forum/posts/{id}/save` (`save=1` saves, `save=0` takes it back): the button again
/// for htmx, the post page with a note otherwise.
pub async fn save_for_later(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<SaveForm>,
) -> AppResult<HttpResponse> {
    let save = match form.save.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::invalid("请选择收藏或取消收藏")),
    };
    let (id, uid) = (path.into_inner(), user.id);
    let saved = state.db.run(move |conn| crate::forum::saves::set(conn, uid, id, save)).await?;
    if is_htmx(&req) {
        return render(&SaveButton { csrf: session::csrf_token(&session)?, post_id: id, saved });
    }
    session::flash(&session, "success", if saved { "已收藏，可在“我的收藏”里找到" } else { "已取消收藏" });
    Ok(see_other(&req, &format!("/forum/posts/{id}")))
}
