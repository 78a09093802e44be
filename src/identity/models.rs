//! Rows and parsed inputs of identity verification.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::identity_reviews;

/// Which roster a user is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Student,
    Teacher,
}

impl Who {
    /// "学号" or "工号".
    pub fn number_label(self) -> &'static str {
        match self {
            Who::Student => "学号",
            Who::Teacher => "工号",
        }
    }
}

/// A student or staff number: 4–32 letters and digits.
#[derive(Clone, Debug)]
pub struct SchoolNo(String);

impl SchoolNo {
    pub fn parse(raw: &str) -> Result<SchoolNo, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("请填写学号（教职工填工号）".into());
        }
        if !(4..=32).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("学号应为 4–32 位字母或数字".into());
        }
        Ok(SchoolNo(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = identity_reviews)]
pub struct Review {
    pub id: i64,
    pub user_id: i64,
    pub school_no: String,
    pub real_name: String,
    pub photo_file: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

impl Review {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "审核中",
            "approved" => "已通过",
            _ => "未通过",
        }
    }
}

/// One waiting review as the admin queue shows it.
pub struct ReviewLine {
    pub review: Review,
    pub nickname: String,
    /// What the roster says of the number ("林晓 · 计算机学院 软工2301"), if it has it.
    pub roster: Option<String>,
    /// Another account already holds the number.
    pub taken: bool,
}
