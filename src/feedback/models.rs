use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{feedback, feedback_replies};

pub const OPEN: &str = "open";
pub const REPLIED: &str = "replied";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Bug,
    Suggestion,
    Account,
    Other,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Bug, Category::Suggestion, Category::Account, Category::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Bug => "bug",
            Category::Suggestion => "suggestion",
            Category::Account => "account",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Bug => "功能异常",
            Category::Suggestion => "产品建议",
            Category::Account => "账号问题",
            Category::Other => "其他",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = feedback)]
pub struct Feedback {
    pub id: i64,
    pub user_id: i64,
    pub category: String,
    pub body: String,
    pub images: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Feedback {
    pub fn category_label(&self) -> &'static str {
        Category::parse(&self.category).map_or("其他", Category::label)
    }
    pub fn status_label(&self) -> &'static str {
        if self.status == REPLIED { "已回复" } else { "待处理" }
    }
    pub fn images(&self) -> Vec<String> {
        serde_json::from_str(&self.images).unwrap_or_default()
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = feedback_replies)]
pub struct Reply {
    pub id: i64,
    pub author_id: i64,
    pub staff: bool,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A reply's text: 1–1000 characters.
pub fn parse_text(raw: &str, what: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 1000 {
        return Err(format!("{what}需为 1–1000 个字"));
    }
    Ok(s.to_string())
}
