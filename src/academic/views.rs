//! One askama struct per academic page.

use askama::Template;

use super::import::jobs::ImportJob;
use super::import::{Kind, RowError};
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "academic/import_form.html")]
pub struct ImportFormView {
    pub page: Page,
    pub recent: Vec<ImportJob>,
}

impl ImportFormView {
    pub fn kinds(&self) -> [Kind; 8] {
        Kind::ALL
    }
}

#[derive(Template)]
#[template(path = "academic/import.html")]
pub struct ImportView<'a> {
    pub page: Page,
    pub job: &'a ImportJob,
    pub errors: &'a [RowError],
}

/// The progress section alone, for the page's htmx polling.
#[derive(Template)]
#[template(path = "academic/import.html", block = "progress")]
pub struct ImportProgress<'a> {
    pub job: &'a ImportJob,
    pub errors: &'a [RowError],
}
