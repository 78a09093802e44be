//! Admin pages for the mall: the category tree, home banners, product takedown.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::audit;
use crate::error::{AppError, AppResult};
use crate::mall::models::Category;
use crate::mall::service as mall;
use crate::state::AppState;
use crate::web::forms::ReasonForm;
use crate::web::media::{self, Fit};
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

#[derive(Template)]
#[template(path = "admin/mall.html")]
pub struct MallAdminView {
    pub page: Page,
    pub categories: Vec<Category>,
    pub banners: Vec<crate::mall::service::BannerRow>,
    pub q: String,
    pub products: Vec<(i64, String, String, String)>,
}

impl MallAdminView {
    pub fn roots(&self) -> Vec<&Category> {
        self.categories.iter().filter(|c| c.parent_id.is_none()).collect()
    }

    pub fn children(&self, id: &i64) -> Vec<&Category> {
        self.categories.iter().filter(|c| c.parent_id == Some(*id)).collect()
    }
}

#[derive(Deserialize)]
pub struct Query {
    q: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    _a: RequirePerm<need::MallCatalog>,
    page: Page,
    q: web::Query<Query>,
) -> AppResult<HttpResponse> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let t = text.clone();
    let (categories, banners, products) = state
        .db
        .run(move |conn| Ok((mall::categories(conn)?, mall::all_banners(conn)?, mall::find_products(conn, &t)?)))
        .await?;
    render(&MallAdminView { page, categories, banners, q: text, products })
}

fn audited(
    conn: &mut crate::db::DbConn,
    admin: i64,
    action: &str,
    target: &str,
    id: Option<i64>,
    detail: serde_json::Value,
    ip: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        Some(admin),
        action,
        target,
        id.map(|i| i.to_string()).as_deref(),
        &detail.to_string(),
        Some(ip),
    )
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    sort_order: String,
}

pub async fn save_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::MallCatalog>,
    form: web::Form<CategoryForm>,
) -> AppResult<HttpResponse> {
    let id = match form.id.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| AppError::NotFound)?),
    };
    let parent = match form.parent_id.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| AppError::invalid("上级分类无效"))?),
    };
    let sort: i32 = form.sort_order.trim().parse().ok().filter(|n| (0..=999).contains(n)).unwrap_or(0);
    let (admin, ip, name) = (a.0.id, client_ip(&req), form.name.clone());
    state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let saved = mall::save_category(conn, id, parent, &name, sort)?;
                audited(
                    conn,
                    admin,
                    "category.save",
                    "category",
                    Some(saved),
                    serde_json::json!({ "name": name.trim() }),
                    &ip,
                )
            })
        })
        .await?;
    mall.home.clear();
    session::flash(&session, "success", "分类已保存");
    Ok(see_other(&req, "/admin/mall"))
}

/// `POST /admin/mall/banners` (multipart: title, link, sort_order, image; CSRF in the query).
pub async fn add_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::MallCatalog>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let form = media::read_form(form, 1, state.config.upload_max_bytes).await?;
    let title = form.text("title").trim().to_string();
    if title.is_empty() || title.chars().count() > 30 {
        return Err(AppError::invalid("横幅标题需为 1–30 个字"));
    }
    let link = match form.text("link").trim() {
        "" => String::new(),
        raw => crate::web::local_path(raw)
            .ok_or_else(|| AppError::invalid("横幅链接只能是本站页面的路径，以 / 开头，例如 /mall/categories/1"))?
            .to_string(),
    };
    let sort: i32 = form.text("sort_order").trim().parse().ok().filter(|n| (0..=999).contains(n)).unwrap_or(0);
    let Some((_, data)) = form.files.into_iter().find(|(n, _)| n == "image") else {
        return Err(AppError::invalid("请上传横幅图片"));
    };
    let dir = state.media.clone();
    let image = web::block(move || media::store_image(&dir, "banners", "b", &data, Fit::Within(1260))).await??;
    let (admin, ip) = (a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                mall::add_banner(conn, &title, &image, &link, sort)?;
                audited(conn, admin, "banner.add", "banner", None, serde_json::json!({ "title": title }), &ip)
            })
        })
        .await?;
    mall.home.clear();
    session::flash(&session, "success", "横幅已添加");
    Ok(see_other(&req, "/admin/mall"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

pub async fn toggle_banner(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::MallCatalog>,
    path: web::Path<i64>,
    form: web::Form<ActiveForm>,
) -> AppResult<HttpResponse> {
    let (id, active, admin, ip) = (path.into_inner(), form.active == "1", a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                mall::set_banner_active(conn, id, active)?;
                audited(
                    conn,
                    admin,
                    if active { "banner.show" } else { "banner.hide" },
                    "banner",
                    Some(id),
                    serde_json::json!({}),
                    &ip,
                )
            })
        })
        .await?;
    mall.home.clear();
    session::flash(&session, "success", if active { "横幅已显示" } else { "横幅已隐藏" });
    Ok(see_other(&req, "/admin/mall"))
}

pub async fn take_down(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::Takedowns>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let reason = form.reason()?;
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state.db.run(move |conn| mall::take_down(conn, id, &reason, admin, &ip)).await?;
    mall.home.clear();
    session::flash(&session, "success", "商品已下架");
    Ok(see_other(&req, "/admin/mall"))
}
