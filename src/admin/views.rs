use askama::Template;

use super::queries::UserRow;
use super::service::Dashboard;
use crate::audit::AuditLine;
use crate::auth::models::Role;
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardView {
    pub page: Page,
    pub d: Dashboard,
    pub chart: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersView {
    pub page: Page,
    pub q: String,
    pub users: Vec<(UserRow, Vec<Role>)>,
    /// Whether the viewer may change roles and ban (else the list is read-only).
    pub manage: bool,
}

impl UsersView {
    pub fn all_roles(&self) -> [Role; 5] {
        Role::ALL
    }
}

#[derive(Template)]
#[template(path = "admin/words.html")]
pub struct WordsView {
    pub page: Page,
    pub words: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditView {
    pub page: Page,
    pub action: String,
    pub actor: String,
    pub entries: Vec<AuditLine>,
    pub page_no: i64,
}
