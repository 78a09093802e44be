//! Products in bulk: the CSV export, and the CSV/XLSX import with its progress page.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};

use super::shop_of;
use crate::error::{AppError, AppResult};
use crate::merchant::{import, service};
use crate::state::AppState;
use crate::web::media;
use crate::web::page::{Page, RequireMerchant};
use crate::web::{is_htmx, render, see_other};

/// `GET /merchant/products.csv`: every option of every product, for a spreadsheet.
pub async fn export_products(state: web::Data<AppState>, m: RequireMerchant) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let data = state.db.run(move |conn| service::export_csv(conn, shop)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"products.csv\""))
        .body(data))
}

/// `POST /merchant/products/import` (multipart `file`, CSV or XLSX): checks every row now,
/// saves the good ones in the background and sends the merchant to the progress page.
pub async fn import_products(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: RequireMerchant,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let mut form = media::read_form(form, 1, 5 * 1024 * 1024).await?;
    let Some(at) = form.files.iter().position(|(n, _)| n == "file") else {
        return Err(AppError::invalid("请选择要导入的 CSV 或 XLSX 文件"));
    };
    let (_, data) = form.files.swap_remove(at);
    let file_name = form.file_names.swap_remove(at);
    let actor = m.0.id;
    let words = state.words.clone();
    let (id, plan) = state
        .db
        .run(move |conn| {
            let plan = import::plan(conn, &words, import::read_file(&file_name, &data)?)?;
            Ok((import::start(conn, shop, actor, &file_name, &plan)?, plan))
        })
        .await?;
    let st = state.clone();
    actix_web::rt::spawn(async move {
        let done = st.db.run(move |conn| import::run(conn, id, shop, actor, plan)).await;
        if let Err(e) = done {
            tracing::error!(import = id, error = %e, "product import failed");
        }
    });
    Ok(see_other(&req, &format!("/merchant/imports/{id}")))
}

/// `GET /merchant/imports/{id}`: the import's progress, then its report. htmx polls it and gets
/// only the progress section.
pub async fn show_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let id = path.into_inner();
    let job = state.db.run(move |conn| import::find(conn, shop, id)).await?;
    let errors = job.error_rows();
    if is_htmx(&req) {
        return render(&crate::merchant::views::ImportProgress { job: &job, errors: &errors });
    }
    render(&crate::merchant::views::ImportView { page, job: &job, errors: &errors })
}
