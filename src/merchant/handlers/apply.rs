//! Merchant onboarding: the application form with its licence photo.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::unprocessable;
use crate::error::{AppError, AppResult};
use crate::merchant::models::NewApplication;
use crate::merchant::service;
use crate::merchant::views::{ApplyValues, ApplyView};
use crate::state::AppState;
use crate::web::media::{self, Fit};
use crate::web::page::{CurrentUser, Page};
use crate::web::{render, see_other, session};

pub async fn show_apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    if user.is_merchant() {
        return Ok(see_other(&req, "/merchant"));
    }
    let uid = user.id;
    let latest = state.db.run(move |conn| service::latest_application(conn, uid)).await?;
    render(&ApplyView { page, latest, values: ApplyValues::default(), error: None })
}

/// `POST /merchant/apply` (multipart with the licence photo; CSRF token in the query string).
pub async fn submit_apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let form = media::read_form(form, 1, state.config.upload_max_bytes).await?;
    let clip = |k: &str| form.text(k).chars().take(60).collect::<String>();
    let values = ApplyValues {
        shop_name: clip("shop_name"),
        contact_name: clip("contact_name"),
        contact_phone: clip("contact_phone"),
        location: clip("location"),
        category: clip("category"),
    };
    let uid = user.id;
    let latest = state.db.run(move |conn| service::latest_application(conn, uid)).await?;
    let parsed = NewApplication::parse(
        form.text("shop_name"),
        form.text("contact_name"),
        form.text("contact_phone"),
        form.text("location"),
        form.text("category"),
    );
    let app = match parsed {
        Ok(a) => a,
        Err(e) => return unprocessable(&ApplyView { page, latest, values, error: Some(e) }),
    };
    let Some((_, licence)) = form.files.into_iter().find(|(name, _)| name == "licence") else {
        return unprocessable(&ApplyView {
            page, latest, values, error: Some("请上传营业执照或经营许可照片".into())
        });
    };
    let dir = state.media.clone();
    let stored =
        web::block(move || media::store_image(&dir, "licences", &format!("u{uid}"), &licence, Fit::Within(1600)))
            .await?;
    let path = match stored {
        Ok(p) => p,
        Err(AppError::Invalid(e)) => return unprocessable(&ApplyView { page, latest, values, error: Some(e) }),
        Err(e) => return Err(e),
    };
    let keys = state.keys.clone();
    state.db.run(move |conn| service::apply(conn, &keys, uid, &app, &path)).await?;
    session::flash(&session, "success", "申请已提交，审核结果会通过消息和邮件通知你");
    Ok(see_other(&req, "/merchant/apply"))
}
