use askama::Template;

use super::models::{Condition, Item, Listed};
use super::service::{Conversation, Reported};
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "market/list.html")]
pub struct ListView {
    pub page: Page,
    pub q: String,
    pub condition: String,
    pub items: Vec<Listed>,
    pub mine: Vec<Item>,
    pub page_no: i64,
    pub has_more: bool,
}

impl ListView {
    pub fn conditions(&self) -> [Condition; 4] {
        Condition::ALL
    }

    pub fn more_url(&self) -> String {
        format!(
            "/mall/second-hand?q={}&condition={}&page={}",
            crate::web::url_encode(&self.q),
            crate::web::url_encode(&self.condition),
            self.page_no + 1
        )
    }
}

#[derive(Default)]
pub struct ItemValues {
    pub title: String,
    pub description: String,
    pub price: String,
    pub condition: String,
    pub pickup_place: String,
}

#[derive(Template)]
#[template(path = "market/new.html")]
pub struct NewItemView {
    pub page: Page,
    pub values: ItemValues,
    pub error: Option<String>,
}

impl NewItemView {
    pub fn conditions(&self) -> [Condition; 4] {
        Condition::ALL
    }
}

#[derive(Template)]
#[template(path = "market/item.html")]
pub struct ItemView {
    pub page: Page,
    pub listed: Listed,
    pub is_seller: bool,
    /// Why the platform took the item down (shown to its seller only).
    pub removed_reason: Option<String>,
}

#[derive(Template)]
#[template(path = "market/thread.html")]
pub struct ThreadView {
    pub page: Page,
    pub conversation: Conversation,
    pub me: i64,
}

#[derive(Template)]
#[template(path = "admin/second_hand.html")]
pub struct AdminView {
    pub page: Page,
    pub reported: Vec<Reported>,
}
