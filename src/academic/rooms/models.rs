//! Rows of classroom booking.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{classroom_bookings, classrooms, users};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = classrooms)]
pub struct Room {
    pub id: i64,
    pub code: String,
    pub building: String,
    pub capacity: i32,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = classroom_bookings)]
pub struct Booking {
    pub id: i64,
    pub classroom_id: i64,
    pub user_id: i64,
    pub on_date: NaiveDate,
    pub period_start: i32,
    pub period_end: i32,
    pub purpose: String,
    pub attendees: i32,
    pub status: String,
    pub reason: Option<String>,
}

/// A booking as the lists show it: with its room and who asked.
#[derive(Queryable, Selectable, Debug, Clone)]
pub struct BookingLine {
    #[diesel(embed)]
    pub booking: Booking,
    #[diesel(select_expression = classrooms::code)]
    pub room: String,
    #[diesel(select_expression = classrooms::building)]
    pub building: String,
    #[diesel(select_expression = users::nickname)]
    pub requester: String,
    #[diesel(select_expression = classroom_bookings::created_at)]
    pub created_at: NaiveDateTime,
}

impl Booking {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "待审批",
            "approved" => "已批准",
            "rejected" => "已驳回",
            _ => "已取消",
        }
    }

    pub fn status_class(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "phase-full",
            "approved" => "phase-open",
            _ => "phase-shut",
        }
    }

    /// `第3–4节` or `第5节`.
    pub fn periods(&self) -> String {
        if self.period_start == self.period_end {
            format!("第{}节", self.period_start)
        } else {
            format!("第{}–{}节", self.period_start, self.period_end)
        }
    }

    pub fn live(&self) -> bool {
        matches!(self.status.as_str(), "pending" | "approved")
    }
}
