use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::service;
use super::views::RemindersPage;
use crate::error::{AppError, AppResult};
use crate::notify::prefs::QuietHours;
use crate::notify::reminders;
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{render, see_other, session};

/// `GET /me/reminders`.
pub async fn show_reminders(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let (uid, templates) = (user.id, state.config.wx.templates.clone());
    let o = state.db.run(move |conn| service::overview(conn, &templates, uid)).await?;
    let (quiet_from, quiet_to) = o.quiet.map(|q| (q.from_text(), q.to_text())).unwrap_or_default();
    render(&RemindersPage { page, o, error: None, quiet_from, quiet_to })
}

/// `POST /me/reminders`: every purpose and the quiet hours at once. A time not offered or a
/// bad quiet-hours pair re-renders the page with the reason (422) and saves nothing.
pub async fn save_reminders(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    body: String,
) -> AppResult<HttpResponse> {
    // Checkboxes repeat `{purpose}_channel`, so read the pairs ourselves.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&body).map_err(|_| AppError::invalid("表单内容无效"))?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (quiet_from, quiet_to) = (field("quiet_from"), field("quiet_to"));
    let parsed = reminders::parse_form(&pairs).and_then(|list| Ok((list, QuietHours::parse(&quiet_from, &quiet_to)?)));
    let uid = user.id;
    let (list, quiet) = match parsed {
        Ok(ok) => ok,
        Err(AppError::Invalid(message)) => {
            let templates = state.config.wx.templates.clone();
            let o = state.db.run(move |conn| service::overview(conn, &templates, uid)).await?;
            let html =
                askama::Template::render(&RemindersPage { page, o, error: Some(message), quiet_from, quiet_to })?;
            return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(html));
        }
        Err(e) => return Err(e),
    };
    state.db.run(move |conn| service::save(conn, uid, &list, quiet)).await?;
    session::flash(&session, "success", "提醒设置已保存");
    Ok(see_other(&req, "/me/reminders"))
}
