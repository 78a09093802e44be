//! The user's own data: the export (`/me/export`: a zip of `data.json` and the person's own
//! photos; `/me/export.json`: the JSON alone) and closing the account (`/me/delete`). Both walk
//! the personal-data registry (`crate::privacy`, filled in `app.rs`), never a list of modules
//! here, and both are audit-logged. Closing is one transaction over every module; the photos
//! it gives up answer 404 at once and leave the store by a retrying job.

use std::io::Write;

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::audit;
use crate::db::sealed::Keyring;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::privacy::{Leave, Registry, Subject};
use crate::state::AppState;
use crate::web::media;
use crate::web::page::{CurrentUser, Page};
use crate::web::storage::Storage;
use crate::web::{client_ip, render, see_other, session};

/// Everything about one user: the JSON and the store paths of their photos.
pub fn export(
    conn: &mut DbConn,
    registry: &Registry,
    keys: &Keyring,
    user_id: i64,
    ip: &str,
) -> AppResult<(serde_json::Value, Vec<String>)> {
    write_tx(conn, |conn| {
        let out = registry.export(conn, &Subject { user_id, keys })?;
        let mut data = serde_json::Map::new();
        data.insert("exported_at".into(), serde_json::json!(crate::db::now()));
        for (key, value) in out.sections() {
            data.insert(key.clone(), value.clone());
        }
        let photos: Vec<String> = out.photos().cloned().collect();
        audit::record(conn, Some(user_id), "privacy.export", "user", Some(&user_id.to_string()), "{}", Some(ip))?;
        Ok((serde_json::Value::Object(data), photos))
    })
}

/// The zip: `data.json`, then `photos/<folder>/<name>` for each photo still in the store.
fn zip_export(storage: &Storage, data: &serde_json::Value, photos: &[String]) -> AppResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("data.json", deflate).map_err(AppError::internal)?;
    zip.write_all(&serde_json::to_vec_pretty(data).map_err(AppError::internal)?).map_err(AppError::internal)?;
    // JPEGs do not shrink: stored as they are.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for path in photos {
        let Some((area, rel)) = media::split_store_path(path) else { continue };
        let Some(bytes) = storage.get_blocking(area, rel)? else { continue };
        zip.start_file(format!("photos/{rel}"), stored).map_err(AppError::internal)?;
        zip.write_all(&bytes).map_err(AppError::internal)?;
    }
    Ok(zip.finish().map_err(AppError::internal)?.into_inner())
}

/// `GET /me/export`: the zip download.
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    registry: web::Data<Registry>,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    let (uid, ip) = (user.id, client_ip(&req));
    let keys = state.keys.clone();
    let (data, photos) = state.db.run(move |conn| export(conn, &registry, &keys, uid, &ip)).await?;
    let storage = state.media.clone();
    let body = web::block(move || zip_export(&storage, &data, &photos)).await??;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"campus-data-{uid}.zip\"")))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body))
}

/// `GET /me/export.json`: the same data without the photos.
pub async fn download_json(
    req: HttpRequest,
    state: web::Data<AppState>,
    registry: web::Data<Registry>,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    let (uid, ip) = (user.id, client_ip(&req));
    let keys = state.keys.clone();
    let (data, _) = state.db.run(move |conn| export(conn, &registry, &keys, uid, &ip)).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"campus-data-{uid}.json\"")))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body))
}

/// Closes the account: every part of the registry forgets in one transaction, audit-logged
/// with what was done.
pub fn delete_account(
    conn: &mut DbConn,
    registry: &Registry,
    keys: &Keyring,
    user_id: i64,
    leave: Leave,
    ip: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let out = registry.forget(conn, &Subject { user_id, keys }, leave)?;
        let mut detail = serde_json::Map::new();
        for (what, n) in out.counts() {
            detail.insert(what.clone(), serde_json::json!(n));
        }
        detail.insert("photos_deleted".into(), serde_json::json!(out.photo_count()));
        let content = if leave == Leave::Remove { "remove" } else { "anonymise" };
        detail.insert("content".into(), serde_json::json!(content));
        let detail = serde_json::Value::Object(detail).to_string();
        audit::record(conn, Some(user_id), "privacy.delete", "user", Some(&user_id.to_string()), &detail, Some(ip))?;
        Ok(())
    })
}

#[derive(Template)]
#[template(path = "profile/delete.html")]
pub struct DeletePage {
    pub page: Page,
    pub error: Option<String>,
    /// What stays, and why: one line per reason.
    pub kept: Vec<String>,
    pub anonymise: bool,
}

impl DeletePage {
    fn new(page: Page, registry: &Registry, error: Option<String>, anonymise: bool) -> DeletePage {
        let mut kept: Vec<String> = Vec::new();
        for k in registry.kept() {
            if !kept.iter().any(|r| r == k.reason) {
                kept.push(k.reason.to_string());
            }
        }
        DeletePage { page, error, kept, anonymise }
    }
}

pub async fn show_delete(_user: CurrentUser, page: Page, registry: web::Data<Registry>) -> AppResult<HttpResponse> {
    render(&DeletePage::new(page, &registry, None, false))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
    /// `remove` (default) or `anonymise`: what becomes of the posts and comments.
    #[serde(default)]
    content: String,
}

/// `POST /me/delete`: the user typed 注销 to confirm and chose what becomes of their posts.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    registry: web::Data<Registry>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: web::Form<DeleteForm>,
) -> AppResult<HttpResponse> {
    let refuse = |page: Page, message: String, anonymise: bool| -> AppResult<HttpResponse> {
        let body = DeletePage::new(page, &registry, Some(message), anonymise).render()?;
        Ok(HttpResponse::UnprocessableEntity().content_type("text/html; charset=utf-8").body(body))
    };
    let leave = match Leave::parse(&form.content) {
        Ok(leave) => leave,
        Err(message) => return refuse(page, message, false),
    };
    if form.confirm.trim() != "注销" {
        return refuse(page, "请在输入框中填写“注销”两个字以确认".into(), leave == Leave::Anonymise);
    }
    let (uid, ip) = (user.id, client_ip(&req));
    let keys = state.keys.clone();
    let parts = registry.clone();
    state.db.run(move |conn| delete_account(conn, &parts, &keys, uid, leave, &ip)).await?;
    session::sign_out_with_flash(&session, "success", "账号已注销，感谢你的陪伴");
    Ok(see_other(&req, "/"))
}
