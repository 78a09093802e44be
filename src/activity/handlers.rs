//! Student-facing pages: the list, an activity, registering and cancelling, the ticket.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::Category;
use super::service::{self, ListFilter, Outcome, SignupForm};
use super::views::{CardsFragment, DetailView, ListState, ListView, MineView, RegisterView, SignupValues, TicketView};
use crate::db::reseal::col;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, MaybeUser, Page};
use crate::web::{is_htmx, render, see_other, session};

#[derive(Deserialize)]
pub struct ListQuery {
    category: Option<String>,
    q: Option<String>,
    when: Option<String>,
    page: Option<String>,
}

pub async fn list_activities(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    page: Page,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let category = q.category.clone().filter(|c| Category::parse(c).is_some()).unwrap_or_default();
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(30).collect();
    let past = q.when.as_deref() == Some("past");
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=500).contains(p)).unwrap_or(1);
    let filter = ListFilter { category: (!category.is_empty()).then(|| category.clone()), q: text.clone(), past };
    let cards = state.db.read_here(move |conn| service::list(conn, &filter, page_no)).await?;
    let list = ListState { category, q: text, past, page_no };
    let more_url = (cards.len() as i64 == service::PAGE_SIZE).then(|| list.url(&list.category, past, page_no + 1));
    if is_htmx(&req) && page_no > 1 {
        return render(&CardsFragment { cards, more_url });
    }
    let can_organize = user.0.as_ref().is_some_and(|u| u.is_organizer());
    render(&ListView { page, state: list, cards, more_url, can_organize })
}

pub async fn show_activity(
    state: web::Data<AppState>,
    user: MaybeUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, viewer) = (path.into_inner(), user.0.as_ref().map(|u| u.id));
    let d = state.db.read_here(move |conn| service::detail(conn, id, viewer)).await?;
    let can_manage = user.0.as_ref().is_some_and(|u| {
        u.can(crate::web::Permission::Activities) || (u.is_organizer() && u.id == d.activity.organizer_id)
    });
    let can_open = user.0.as_ref().is_some_and(|u| u.can(crate::web::Permission::Activities));
    render(&DetailView { page, d, can_manage, can_open, signed_in: user.0.is_some() })
}

pub async fn show_register(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (activity, profile) = state
        .db
        .run(move |conn| {
            let d = service::detail(conn, id, Some(uid))?;
            service::ensure_may_register(conn, &d.activity, uid)?;
            Ok((d.activity, crate::auth::service::user(conn, uid)?))
        })
        .await?;
    let values = SignupValues {
        name: profile.real_name.unwrap_or_default(),
        student_no: profile.student_no.unwrap_or_default(),
        phone: state.keys.show_opt(col::USER_PHONE, profile.phone.as_ref()).unwrap_or_default(),
        answers: Vec::new(),
    };
    render(&RegisterView { page, activity, values, error: None })
}

/// `POST /activities/{id}/register`: a seat, or a place on the waitlist.
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let field = |k: &str| form.get(k).map(|v| v.chars().take(300).collect::<String>()).unwrap_or_default();
    let answers: Vec<String> = (0..10).map(|i| field(&format!("q{i}"))).collect();
    let signup = SignupForm { name: field("name"), student_no: field("student_no"), phone: field("phone"), answers };
    let values = SignupValues {
        name: signup.name.clone(),
        student_no: signup.student_no.clone(),
        phone: signup.phone.clone(),
        answers: signup.answers.clone(),
    };
    let keys = state.keys.clone();
    match state.db.run(move |conn| service::register(conn, &keys, id, uid, &signup)).await {
        Ok(Outcome::Registered) => {
            session::flash(&session, "success", "报名成功！签到时出示报名凭证上的二维码");
            Ok(see_other(&req, &format!("/activities/{id}/ticket")))
        }
        Ok(Outcome::Waitlisted(n)) => {
            session::flash(&session, "info", format!("名额已满，你已加入候补（第 {n} 位），有人取消时会自动递补"));
            Ok(see_other(&req, &format!("/activities/{id}")))
        }
        Err(AppError::Invalid(message)) if !is_htmx(&req) => {
            let activity = state.db.run(move |conn| Ok(service::detail(conn, id, None)?.activity)).await?;
            let body = RegisterView { page, activity, values, error: Some(message) }.render()?;
            Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(body))
        }
        Err(e) => Err(e),
    }
}

pub async fn cancel_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::cancel(conn, id, uid)).await?;
    session::flash(&session, "success", "已取消报名");
    Ok(see_other(&req, &format!("/activities/{id}")))
}

/// The check-in link a registration's QR code holds.
fn checkin_link(req: &HttpRequest, activity_id: i64, code: &str) -> String {
    let info = req.connection_info();
    format!("{}://{}/activities/{activity_id}/checkin?code={code}", info.scheme(), info.host())
}

pub async fn show_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (activity, reg) = state.db.run(move |conn| service::ticket(conn, id, uid)).await?;
    let qr_svg = super::qr::svg(&checkin_link(&req, id, &reg.code))?;
    render(&TicketView { page, activity, reg, qr_svg })
}

/// `GET /activities/{id}/ticket.svg`: the QR code alone.
pub async fn ticket_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (_, reg) = state.db.run(move |conn| service::ticket(conn, id, uid)).await?;
    let svg = super::qr::svg(&checkin_link(&req, id, &reg.code))?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

pub async fn my_activities(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let rows = state.db.run(move |conn| service::mine(conn, uid, false)).await?;
    render(&MineView { page, rows })
}
