use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::{Category, PoiForm};
use super::service;
use super::views::{AdminMapView, MapView, markers};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::media::{self, Fit};
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

#[derive(Deserialize)]
pub struct MapQuery {
    category: Option<String>,
    q: Option<String>,
    poi: Option<String>,
}

/// `GET /campus/map`: the map with markers, the list under it, and the opened point's panel.
pub async fn show_map(state: web::Data<AppState>, page: Page, q: web::Query<MapQuery>) -> AppResult<HttpResponse> {
    let category = q.category.clone().filter(|c| Category::parse(c).is_some()).unwrap_or_default();
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(30).collect();
    let selected = q.poi.as_deref().and_then(|p| p.parse::<i64>().ok());
    let (c, t) = (category.clone(), text.clone());
    let map = state
        .db
        .read_here(move |conn| service::campus_map(conn, (!c.is_empty()).then_some(c.as_str()), &t, selected))
        .await?;
    let (geometry, markers) = markers(&map);
    render(&MapView { page, map, geometry, markers, category, q: text })
}

#[derive(Deserialize)]
pub struct EditQuery {
    edit: Option<i64>,
}

pub async fn admin_map(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Map>,
    page: Page,
    q: web::Query<EditQuery>,
) -> AppResult<HttpResponse> {
    let edit = q.edit;
    let map = state.db.run(move |conn| service::campus_map(conn, None, "", edit)).await?;
    let (geometry, markers) = markers(&map);
    let editing = map.selected.clone();
    render(&AdminMapView { page, map, geometry, markers, editing, error: None })
}

/// `POST /admin/map/image`: a new campus map image (the points keep their percentages).
pub async fn upload_map(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::Map>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let data = media::read_upload(form, "image", state.config.upload_max_bytes).await?;
    let dir = state.media.clone();
    let (path, (w, h)) =
        web::block(move || media::store_image_sized(&dir, "map", "campus", &data, Fit::Within(2400))).await??;
    let (aid, ip) = (admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::set_map(conn, aid, &path, w as i32, h as i32, &ip)).await?;
    session::flash(&session, "success", "校园地图已更新");
    Ok(see_other(&req, "/admin/map"))
}

pub async fn save_poi(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::Map>,
    page: Page,
    form: web::Form<PoiForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let id = form.id();
    let spec = match form.parse() {
        Ok(spec) => spec,
        Err(message) => {
            let map = state.db.run(move |conn| service::campus_map(conn, None, "", None)).await?;
            let (geometry, markers) = markers(&map);
            let body = AdminMapView { page, map, geometry, markers, editing: None, error: Some(message) }.render()?;
            return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(body));
        }
    };
    let (aid, ip) = (admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::save_poi(conn, aid, id, &spec, &ip)).await?;
    session::flash(&session, "success", "地点已保存");
    Ok(see_other(&req, "/admin/map"))
}

pub async fn delete_poi(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::Map>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (aid, id, ip) = (admin.0.id, path.into_inner(), client_ip(&req));
    state.db.run(move |conn| service::delete_poi(conn, aid, id, &ip)).await?;
    session::flash(&session, "success", "地点已删除");
    Ok(see_other(&req, "/admin/map"))
}
