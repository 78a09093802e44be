//! The campus directory (`/academic/contacts`): departments' offices with phone, email, place
//! and hours, as the school imports them (kind `contacts`), searchable by any part of the
//! department, office or place. Staff offices only; no student's phone is ever listed.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::db::DbConn;
use crate::db::schema::campus_contacts;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::render;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = campus_contacts)]
pub struct Contact {
    pub department: String,
    pub office: String,
    pub phone: String,
    pub email: String,
    pub location: String,
    pub hours: String,
}

impl Contact {
    /// The number to dial: digits only (`tel:` links).
    pub fn dial(&self) -> String {
        self.phone.chars().filter(char::is_ascii_digit).collect()
    }
}

/// The offices whose department, office or place contains `q` (all when empty), by department.
pub fn search(conn: &mut DbConn, q: &str) -> AppResult<Vec<Contact>> {
    let mut query = campus_contacts::table
        .select(Contact::as_select())
        .order((campus_contacts::department, campus_contacts::office))
        .limit(200)
        .into_boxed();
    let q = q.trim();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(
            campus_contacts::department
                .like(pattern.clone())
                .escape('\\')
                .or(campus_contacts::office.like(pattern.clone()).escape('\\'))
                .or(campus_contacts::location.like(pattern).escape('\\')),
        );
    }
    Ok(query.load(conn)?)
}

/// The contacts grouped by department, in order.
pub struct Department {
    pub name: String,
    pub offices: Vec<Contact>,
}

fn group(contacts: Vec<Contact>) -> Vec<Department> {
    let mut out: Vec<Department> = Vec::new();
    for c in contacts {
        match out.last_mut() {
            Some(d) if d.name == c.department => d.offices.push(c),
            _ => out.push(Department { name: c.department.clone(), offices: vec![c] }),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "academic/contacts.html")]
pub struct ContactsView {
    pub page: Page,
    pub q: String,
    pub departments: Vec<Department>,
}

#[derive(Deserialize)]
pub struct Query {
    pub q: Option<String>,
}

/// `GET /academic/contacts?q=`.
pub async fn show(
    state: web::Data<AppState>,
    _user: CurrentUser,
    page: Page,
    query: web::Query<Query>,
) -> AppResult<HttpResponse> {
    let q: String = query.into_inner().q.unwrap_or_default().chars().take(40).collect();
    let term = q.clone();
    let contacts = state.db.run(move |conn| search(conn, &term)).await?;
    render(&ContactsView { page, q, departments: group(contacts) })
}
