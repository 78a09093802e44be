use askama::Template;

use super::meetups::{Offer, Point};
use super::models::{Category, Condition, Item, Listed};
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
    pub category: String,
    pub reserve_hours: String,
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

    pub fn categories(&self) -> [Category; 5] {
        Category::ALL
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
    pub me: Option<i64>,
    /// The places and times the seller offers.
    pub offers: Vec<Offer>,
    /// (buyer, offer id) picked in the chat: every buyer's for the seller, one's own for a buyer.
    pub picked: Vec<(String, i64)>,
    /// The safe meetup points (for the seller's offer form).
    pub points: Vec<Point>,
    /// The viewer took part in the handover and has not rated it yet.
    pub may_rate: bool,
    /// The viewer favoured this item.
    pub favoured: bool,
}

impl ItemView {
    pub fn is_reserver(&self) -> bool {
        self.me.is_some() && self.listed.item.reserved_by == self.me && self.listed.item.is_reserved()
    }

    pub fn offer_label(&self, id: &i64) -> String {
        self.offers.iter().find(|o| o.id == *id).map(Offer::label).unwrap_or_default()
    }

    pub fn scores(&self) -> [(&'static str, &'static str); 3] {
        super::trade::SCORES
    }

    pub fn expires(&self) -> String {
        super::trade::fmt_time(self.listed.item.expires_at)
    }
}

#[derive(Template)]
#[template(path = "market/thread.html")]
pub struct ThreadView {
    pub page: Page,
    pub conversation: Conversation,
    pub me: i64,
    pub offers: Vec<Offer>,
}

impl ThreadView {
    pub fn is_picked(&self, offer_id: &i64) -> bool {
        self.conversation.thread.meetup_id == Some(*offer_id)
    }
}

#[derive(Template)]
#[template(path = "admin/second_hand.html")]
pub struct AdminView {
    pub page: Page,
    pub reported: Vec<Reported>,
}

#[derive(Template)]
#[template(path = "market/reserve.html")]
pub struct ReserveView {
    pub page: Page,
    pub listed: Listed,
    pub code: String,
    pub qr_svg: String,
}

impl ReserveView {
    pub fn until(&self) -> String {
        self.listed.item.reserved_until.map(super::trade::fmt_time).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "market/handover.html")]
pub struct HandoverView {
    pub page: Page,
    pub listed: Listed,
    /// The reserving buyer's nickname.
    pub buyer: Option<String>,
    pub code: String,
}

#[derive(Template)]
#[template(path = "market/seller.html")]
pub struct SellerView {
    pub page: Page,
    pub standing: super::trade::Standing,
}
