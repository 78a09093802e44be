use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{chat_messages, chat_threads, second_hand_items};

pub const ON: &str = "on";
pub const SOLD: &str = "sold";
pub const DOWN: &str = "down";
pub const REMOVED: &str = "removed";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = second_hand_items)]
pub struct Item {
    pub id: i64,
    pub seller_id: i64,
    pub title: String,
    pub description: String,
    pub price_cents: i64,
    pub condition: String,
    pub images: String,
    pub pickup_place: String,
    pub status: String,
    pub report_count: i32,
    pub created_at: NaiveDateTime,
}

impl Item {
    pub fn images(&self) -> Vec<String> {
        crate::mall::models::image_list(&self.images)
    }

    pub fn cover(&self) -> String {
        crate::mall::models::first_image(&self.images)
    }

    pub fn condition_label(&self) -> &'static str {
        Condition::parse(&self.condition).map_or("未知", Condition::label)
    }

    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            ON => "在售",
            SOLD => "已售出",
            DOWN => "已下架",
            _ => "已被管理员下架",
        }
    }
}

/// An item with its seller's display name.
#[derive(Clone, Debug)]
pub struct Listed {
    pub item: Item,
    pub seller: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    New,
    LikeNew,
    Good,
    Fair,
}

impl Condition {
    pub const ALL: [Condition; 4] = [Condition::New, Condition::LikeNew, Condition::Good, Condition::Fair];

    pub fn as_str(self) -> &'static str {
        match self {
            Condition::New => "new",
            Condition::LikeNew => "like_new",
            Condition::Good => "good",
            Condition::Fair => "fair",
        }
    }

    pub fn parse(s: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Condition::New => "全新",
            Condition::LikeNew => "几乎全新",
            Condition::Good => "轻微使用痕迹",
            Condition::Fair => "明显使用痕迹",
        }
    }
}

/// A new item, every field already checked.
pub struct NewItem {
    pub title: String,
    pub description: String,
    pub price_cents: i64,
    pub condition: Condition,
    pub pickup_place: String,
    pub images: Vec<String>,
}

impl NewItem {
    /// Checks the form; the message of the first problem is what the seller sees.
    pub fn parse(
        title: &str,
        description: &str,
        price: &str,
        condition: &str,
        pickup: &str,
    ) -> Result<NewItem, String> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 40 {
            return Err("标题需为 1–40 个字".into());
        }
        let description = description.trim();
        if description.is_empty() || description.chars().count() > 1000 {
            return Err("描述需为 1–1000 个字".into());
        }
        let price_cents = crate::mall::models::parse_yuan(price)?;
        if price_cents <= 0 || price_cents > 10_000_000 {
            return Err("价格需在 ¥0.01 到 ¥100000 之间".into());
        }
        let condition = Condition::parse(condition).ok_or("请选择成色")?;
        let pickup = pickup.trim();
        if pickup.is_empty() || pickup.chars().count() > 40 {
            return Err("请填写交易地点（40 字以内）".into());
        }
        Ok(NewItem {
            title: title.into(),
            description: description.into(),
            price_cents,
            condition,
            pickup_place: pickup.into(),
            images: Vec::new(),
        })
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = chat_threads)]
pub struct Thread {
    pub id: i64,
    pub item_id: i64,
    pub buyer_id: i64,
    pub seller_id: i64,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = chat_messages)]
pub struct ChatMessage {
    pub id: i64,
    pub sender_id: i64,
    pub body: String,
    pub created_at: NaiveDateTime,
}
