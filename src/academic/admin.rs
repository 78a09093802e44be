//! The admin's import page: `/admin/academic/import` (the form, the column formats, recent
//! runs), the upload, and each run's progress and report (`/admin/academic/imports/{id}`,
//! polled by htmx while it runs).

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;

use super::import::{self, Kind, jobs};
use super::views::{ImportFormView, ImportProgress, ImportView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tabular;
use crate::web::media;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, is_htmx, render, see_other};

/// `GET /admin/academic/import`.
pub async fn show_import_form(
    state: web::Data<AppState>,
    _admin: RequirePerm<need::Academic>,
    page: Page,
) -> AppResult<HttpResponse> {
    let recent = state.db.run(jobs::recent).await?;
    render(&ImportFormView { page, recent })
}

/// `POST /admin/academic/import` (multipart: `kind`, `file`, `dry_run`): checks every row now,
/// then saves (or, for a dry run, weighs) the good ones in the background and sends the admin
/// to the run's page.
pub async fn start_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: RequirePerm<need::Academic>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let mut form = media::read_form(form, 1, tabular::MAX_FILE_BYTES).await?;
    let kind = Kind::parse(form.text("kind")).ok_or_else(|| AppError::invalid("请选择要导入的数据类型"))?;
    let dry = !form.text("dry_run").is_empty();
    let Some(at) = form.files.iter().position(|(n, _)| n == "file") else {
        return Err(AppError::invalid("请选择要导入的 CSV 或 XLSX 文件"));
    };
    let (_, data) = form.files.swap_remove(at);
    let file_name = form.file_names.swap_remove(at);
    let actor = admin.0.id;
    let key = state.config.secret_key.expose_secret().as_bytes().to_vec();
    let ip = client_ip(&req);
    let (id, plan) = state
        .db
        .run(move |conn| {
            let plan = import::plan(conn, kind, Some(key.as_slice()), &file_name, &data)?;
            let id = jobs::start(conn, actor, &file_name, &plan, dry)?;
            if !dry {
                let detail = serde_json::json!({ "kind": kind.as_str(), "file": file_name, "rows": plan.rows });
                let target = id.to_string();
                crate::audit::record(
                    conn,
                    Some(actor),
                    "academic.import",
                    "academic_import",
                    Some(&target),
                    &detail.to_string(),
                    Some(&ip),
                )?;
            }
            Ok((id, plan))
        })
        .await?;
    let st = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = st.db.run(move |conn| jobs::run(conn, id, plan, dry)).await {
            tracing::error!(import = id, error = %e, "academic import failed");
        }
    });
    Ok(see_other(&req, &format!("/admin/academic/imports/{id}")))
}

/// `GET /admin/academic/imports/{id}`: the run's progress, then its report; htmx polls it and
/// gets only the progress section.
pub async fn show_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequirePerm<need::Academic>,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let job = state.db.run(move |conn| jobs::find(conn, id)).await?;
    let errors = job.error_rows();
    if is_htmx(&req) {
        return render(&ImportProgress { job: &job, errors: &errors });
    }
    render(&ImportView { page, job: &job, errors: &errors })
}
