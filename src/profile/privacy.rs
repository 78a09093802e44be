//! The user's own data: a JSON export of everything we hold about them, and closing the account
//! (anonymised: the person goes, orders stay for the accounts without personal fields). Both
//! are audit-logged. Each module that holds personal data gives its part through its service.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::audit;
use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{client_ip, render, see_other, session};

/// Everything about one user, as plain data.
pub fn export(conn: &mut DbConn, keys: &Keyring, user_id: i64, ip: &str) -> AppResult<serde_json::Value> {
    let u = crate::auth::service::user(conn, user_id)?;
    let phone = keys.show_opt(col::USER_PHONE, u.phone.as_ref());
    let data = serde_json::json!({
        "exported_at": crate::db::now(),
        "profile": {
            "id": u.id, "nickname": u.nickname, "avatar": u.avatar, "phone": phone, "email": u.email,
            "student_no": u.student_no, "real_name": u.real_name, "college": u.college, "major": u.major,
            "class_name": u.class_name, "verified": u.verified, "created_at": u.created_at,
            "last_login_at": u.last_login_at,
        },
        "orders": crate::mall::service::export_orders(conn, keys, user_id)?,
        "activity_registrations": crate::activity::service::export(conn, keys, user_id)?,
        "feedback": crate::feedback::service::export(conn, user_id)?,
        "identity_reviews": crate::identity::service::export(conn, user_id)?,
        "notification_preferences": crate::notify::prefs::export(conn, user_id)?,
        "messages": crate::notify::service::export(conn, user_id)?
            .into_iter()
            .map(|m| serde_json::json!({ "kind": m.kind, "title": m.title, "body": m.body, "created_at": m.created_at, "read_at": m.read_at }))
            .collect::<Vec<_>>(),
    });
    audit::record(conn, Some(user_id), "privacy.export", "user", Some(&user_id.to_string()), "{}", Some(ip))?;
    Ok(data)
}

/// Closes the account: upcoming registrations are withdrawn (their seats pass on), personal
/// fields of registrations and orders are cleared, logins end.
/// Returns the student-card photos to delete once committed.
pub fn delete_account(conn: &mut DbConn, user_id: i64, ip: &str) -> AppResult<Vec<String>> {
    write_tx(conn, |conn| {
        crate::activity::service::forget_user(conn, user_id)?;
        let photos = crate::identity::service::forget_user(conn, user_id)?;
        let orders = crate::mall::service::forget_buyer(conn, user_id)?;
        crate::auth::service::anonymise_account(conn, user_id)?;
        let detail = serde_json::json!({ "orders_kept": orders }).to_string();
        audit::record(conn, Some(user_id), "privacy.delete", "user", Some(&user_id.to_string()), &detail, Some(ip))?;
        Ok(photos)
    })
}

/// `GET /me/export`: the download.
pub async fn download(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (uid, ip) = (user.id, client_ip(&req));
    let keys = state.keys.clone();
    let data = state.db.run(move |conn| write_tx(conn, |conn| export(conn, &keys, uid, &ip))).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"campus-data-{uid}.json\"")))
        .body(body))
}

#[derive(Template)]
#[template(path = "profile/delete.html")]
pub struct DeletePage {
    pub page: Page,
    pub error: Option<String>,
}

pub async fn show_delete(_user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    render(&DeletePage { page, error: None })
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /me/delete`: the user typed 注销 to confirm.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: web::Form<DeleteForm>,
) -> AppResult<HttpResponse> {
    if form.confirm.trim() != "注销" {
        let body = DeletePage { page, error: Some("请在输入框中填写“注销”两个字以确认".into()) }.render()?;
        return Ok(HttpResponse::UnprocessableEntity().content_type("text/html; charset=utf-8").body(body));
    }
    let (uid, ip) = (user.id, client_ip(&req));
    let photos = state.db.run(move |conn| delete_account(conn, uid, &ip)).await?;
    let storage = state.media.clone();
    web::block(move || crate::identity::delete_photos(&storage, &photos)).await?;
    session::sign_out_with_flash(&session, "success", "账号已注销，感谢你的陪伴");
    Ok(see_other(&req, "/"))
}
