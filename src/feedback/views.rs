use askama::Template;

use super::models::{Category, Feedback};
use super::service::Thread;
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "feedback/mine.html")]
pub struct MineView {
    pub page: Page,
    pub items: Vec<Feedback>,
    pub category: String,
    pub body: String,
    pub error: Option<String>,
}

impl MineView {
    pub fn categories(&self) -> [Category; 4] {
        Category::ALL
    }
}

#[derive(Template)]
#[template(path = "feedback/thread.html")]
pub struct ThreadView {
    pub page: Page,
    pub t: Thread,
}

#[derive(Template)]
#[template(path = "feedback/admin_list.html")]
pub struct AdminListView {
    pub page: Page,
    pub items: Vec<(Feedback, String)>,
}

#[derive(Template)]
#[template(path = "feedback/admin_thread.html")]
pub struct AdminThreadView {
    pub page: Page,
    pub t: Thread,
}
