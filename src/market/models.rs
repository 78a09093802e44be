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
    pub category: String,
    /// How long a reservation holds the item, as its seller set it.
    pub reserve_hours: i32,
    pub reserved_by: Option<i64>,
    pub reserved_until: Option<NaiveDateTime>,
    /// The code the buyer shows at the handover (only ever shown to the reserving buyer).
    pub handover_code: Option<String>,
    pub buyer_id: Option<i64>,
    pub sold_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
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

    pub fn category_label(&self) -> &'static str {
        Category::parse(&self.category).map_or("其他", Category::label)
    }

    /// Reserved by someone, and the reservation still holds.
    pub fn is_reserved(&self) -> bool {
        self.status == ON && self.reserved_by.is_some() && self.reserved_until.is_some_and(|t| t > crate::db::now())
    }

    /// Past its 30 days without a renewal: out of the list and the search at once.
    pub fn is_expired(&self) -> bool {
        self.status == ON && self.expires_at <= crate::db::now()
    }

    /// On sale, not expired, not held by a reservation: a buyer may reserve it.
    pub fn is_open(&self) -> bool {
        self.status == ON && !self.is_expired() && !self.is_reserved()
    }

    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            ON if self.is_expired() => "已过期",
            ON if self.is_reserved() => "已预订",
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

/// What kind of thing an item is (wanted posts match on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Books,
    Electronics,
    Daily,
    Sports,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Books, Category::Electronics, Category::Daily, Category::Sports, Category::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Books => "books",
            Category::Electronics => "electronics",
            Category::Daily => "daily",
            Category::Sports => "sports",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Books => "教材书籍",
            Category::Electronics => "电子产品",
            Category::Daily => "生活用品",
            Category::Sports => "运动户外",
            Category::Other => "其他",
        }
    }
}

/// The longest a seller lets a reservation hold an item.
pub const MAX_RESERVE_HOURS: i32 = 72;

/// A new item, every field already checked.
pub struct NewItem {
    pub title: String,
    pub description: String,
    pub price_cents: i64,
    pub condition: Condition,
    pub pickup_place: String,
    pub images: Vec<String>,
    pub category: Category,
    pub reserve_hours: i32,
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
            category: Category::Other,
            reserve_hours: 24,
        })
    }

    /// The optional fields: a category (其他 when left out) and how many hours a reservation
    /// holds the item (24 when left out, 1–72).
    pub fn with_options(mut self, category: &str, reserve_hours: &str) -> Result<NewItem, String> {
        if !category.trim().is_empty() {
            self.category = Category::parse(category.trim()).ok_or("请选择分类")?;
        }
        if !reserve_hours.trim().is_empty() {
            self.reserve_hours = reserve_hours
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|h| (1..=MAX_RESERVE_HOURS).contains(h))
                .ok_or("预订保留时长需为 1–72 小时")?;
        }
        Ok(self)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = chat_threads)]
pub struct Thread {
    pub id: i64,
    pub item_id: i64,
    pub buyer_id: i64,
    pub seller_id: i64,
    /// Set when one side closed their account: readable, no more messages.
    pub closed_at: Option<NaiveDateTime>,
    /// The seller's offer of a place and time the buyer picked.
    pub meetup_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = chat_messages)]
pub struct ChatMessage {
    pub id: i64,
    pub sender_id: i64,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// How long a listing stays on sale before it expires (the seller may renew it).
pub const LIFETIME_DAYS: i64 = 30;
