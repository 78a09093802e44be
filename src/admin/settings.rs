//! Admin settings: site name, unpaid-order timeout, email sender, mandatory two-factor sign-in
//! for admins, campus pickup points.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::audit;
use crate::error::{AppError, AppResult};
use crate::mall::service as mall;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsView {
    pub page: Page,
    pub site_name: String,
    pub timeout_mins: u64,
    pub mail_from: String,
    pub admin_2fa_required: bool,
    pub points: Vec<(i64, String, String, bool)>,
}

pub async fn show(state: web::Data<AppState>, _a: RequirePerm<need::Settings>, page: Page) -> AppResult<HttpResponse> {
    let settings = state.settings.clone();
    let (values, points) = state.db.run(move |conn| Ok((settings.get(conn)?, mall::all_pickup_points(conn)?))).await?;
    render(&SettingsView {
        page,
        site_name: values.site_name,
        timeout_mins: values.order_timeout.as_secs() / 60,
        mail_from: values.mail_from,
        admin_2fa_required: values.admin_2fa_required,
        points,
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    site_name: String,
    #[serde(default)]
    order_timeout_mins: String,
    #[serde(default)]
    mail_from: String,
    /// The checkbox: present (`1`) when ticked.
    admin_2fa_required: Option<String>,
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Settings>,
    form: web::Form<SettingsForm>,
) -> AppResult<HttpResponse> {
    let mins: u64 =
        form.order_timeout_mins.trim().parse().map_err(|_| AppError::invalid("未支付订单关闭时间需为 5–1440 分钟"))?;
    let require_2fa = form.admin_2fa_required.is_some();
    if require_2fa && !a.0.two_factor {
        return Err(AppError::invalid("请先为自己的账号开启两步验证（左侧“两步验证”），再要求所有管理员开启"));
    }
    let (admin, ip, form) = (a.0.id, client_ip(&req), form.into_inner());
    let settings = state.settings.clone();
    state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                settings.save(conn, &form.site_name, mins, &form.mail_from)?;
                settings.save_one(conn, "admin_2fa_required", if require_2fa { "1" } else { "0" })?;
                let detail = serde_json::json!({ "site_name": form.site_name.trim(), "order_timeout_mins": mins, "mail_from": form.mail_from.trim(), "admin_2fa_required": require_2fa });
                audit::record(conn, Some(admin), "settings.save", "settings", None, &detail.to_string(), Some(&ip))
            })
        })
        .await?;
    session::flash(&session, "success", "设置已保存");
    Ok(see_other(&req, "/admin/settings"))
}

#[derive(Deserialize)]
pub struct PointForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
}

pub async fn add_point(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Settings>,
    form: web::Form<PointForm>,
) -> AppResult<HttpResponse> {
    let (name, address) = (form.name.trim().to_string(), form.address.trim().to_string());
    if name.is_empty() || name.chars().count() > 20 || address.is_empty() || address.chars().count() > 50 {
        return Err(AppError::invalid("请填写自提点名称（20 字内）和地址（50 字内）"));
    }
    let (admin, ip) = (a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                mall::add_pickup_point(conn, &name, &address)?;
                let detail = serde_json::json!({ "name": name }).to_string();
                audit::record(conn, Some(admin), "pickup_point.add", "pickup_point", None, &detail, Some(&ip))
            })
        })
        .await?;
    session::flash(&session, "success", "自提点已添加");
    Ok(see_other(&req, "/admin/settings"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

pub async fn toggle_point(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Settings>,
    path: web::Path<i64>,
    form: web::Form<ActiveForm>,
) -> AppResult<HttpResponse> {
    let (id, active, admin, ip) = (path.into_inner(), form.active == "1", a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                mall::set_pickup_active(conn, id, active)?;
                let action = if active { "pickup_point.enable" } else { "pickup_point.disable" };
                audit::record(conn, Some(admin), action, "pickup_point", Some(&id.to_string()), "{}", Some(&ip))
            })
        })
        .await?;
    session::flash(&session, "success", if active { "自提点已启用" } else { "自提点已停用" });
    Ok(see_other(&req, "/admin/settings"))
}
