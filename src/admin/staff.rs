//! One user's page in the back office (`/admin/users/{id}`): who they are, their account roles,
//! the admin roles a 超级管理员 assigns, and the reset of a lost two-factor device.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::auth::models::{Role, User};
use crate::auth::{service as accounts, staff, two_factor};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::{AdminRole, RequirePerm, client_ip, filters, need, render, see_other, session};

pub struct UserDetail {
    pub user: User,
    pub username: String,
    pub roles: Vec<Role>,
    pub admin_roles: Vec<AdminRole>,
    pub two_factor: bool,
}

impl UserDetail {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}

fn detail(conn: &mut DbConn, id: i64) -> AppResult<UserDetail> {
    let user = accounts::user(conn, id)?;
    let (_, username) = accounts::names_of(conn, id)?;
    Ok(UserDetail {
        user,
        username,
        roles: staff::account_roles(conn, id)?,
        admin_roles: staff::admin_roles_of(conn, id)?,
        two_factor: two_factor::is_on(conn, id)?,
    })
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserView {
    pub page: Page,
    pub d: UserDetail,
    /// The warnings board moderators gave the user: in front of the admin before a ban.
    pub warnings: Vec<crate::forum::service::Warning>,
}

impl UserView {
    pub fn all_admin_roles(&self) -> [AdminRole; 6] {
        AdminRole::ALL
    }
}

/// `GET /admin/users/{id}`.
pub async fn show_user(
    state: web::Data<AppState>,
    _a: RequirePerm<need::UsersRead>,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (d, warnings) =
        state.db.run(move |conn| Ok((detail(conn, id)?, crate::forum::service::warnings_of(conn, id)?))).await?;
    render(&UserView { page, d, warnings })
}

/// `POST /admin/users/{id}/admin-roles` with repeated `admin_role` fields.
pub async fn set_admin_roles(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::AdminRoles>,
    path: web::Path<i64>,
    body: String,
) -> AppResult<HttpResponse> {
    let mut roles = crate::web::forms::checked(&body, "admin_role", AdminRole::parse)?;
    roles.sort();
    let (by, id, ip) = (a.id(), path.into_inner(), client_ip(&req));
    state.db.run(move |conn| staff::set_admin_roles(conn, by, id, &roles, &ip)).await?;
    session::flash(&session, "success", "管理角色已更新，对方下一次操作起生效");
    Ok(see_other(&req, &format!("/admin/users/{id}")))
}

/// `POST /admin/users/{id}/2fa/reset`: the user lost the device and the recovery codes.
pub async fn reset_two_factor(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::AdminRoles>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (by, id, ip) = (a.id(), path.into_inner(), client_ip(&req));
    state.db.run(move |conn| two_factor::reset(conn, by, id, &ip)).await?;
    session::flash(&session, "success", "已重置两步验证：对方下次只用密码登录，请提醒其重新开启");
    Ok(see_other(&req, &format!("/admin/users/{id}")))
}
