//! Rows and read models of the academic pages.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use crate::db::schema::{calendar_events, periods, semesters, students};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = semesters)]
pub struct Semester {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub weeks: i32,
}

impl Semester {
    /// The Monday of teaching week `week`.
    pub fn monday_of(&self, week: i32) -> NaiveDate {
        self.starts_on + chrono::Days::new(u64::try_from(week.max(1) - 1).unwrap_or(0) * 7)
    }

    /// The last day of the semester (the Sunday of its last week).
    pub fn ends_on(&self) -> NaiveDate {
        self.monday_of(self.weeks) + chrono::Days::new(6)
    }

    /// The teaching week `day` falls in: 0 before the start, past `weeks` after the end.
    pub fn week_of(&self, day: NaiveDate) -> i32 {
        let days = (day - self.starts_on).num_days();
        if days < 0 { 0 } else { i32::try_from(days / 7 + 1).unwrap_or(i32::MAX) }
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = students)]
pub struct Student {
    pub student_no: String,
    pub name: String,
    pub college: String,
    pub major: String,
    pub class_name: String,
    pub enrol_year: i32,
    pub status: String,
    pub id_hash: Option<String>,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = periods)]
pub struct Period {
    pub number: i32,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

/// One weekly meeting of a course, with what its cell shows.
#[derive(Queryable, Debug, Clone)]
pub struct Meeting {
    pub schedule_id: i64,
    pub course_code: String,
    pub course_name: String,
    pub class_names: String,
    pub day: i32,
    pub start: i32,
    pub end: i32,
    pub weeks: String,
    pub week_mask: i64,
    pub teacher: Option<String>,
    pub room: Option<String>,
    pub building: Option<String>,
}

impl Meeting {
    /// Whether the meeting is for class `class_name` (one of its comma-separated classes).
    pub fn for_class(&self, class_name: &str) -> bool {
        self.class_names.split(',').any(|c| c == class_name)
    }
}

/// One grade as the grades page lists it.
#[derive(Queryable, Debug, Clone)]
pub struct GradeRow {
    pub semester_id: i64,
    pub course_code: String,
    pub course_name: String,
    pub kind: String,
    pub credit_tenths: i32,
    pub regular: Option<i32>,
    pub midterm: Option<i32>,
    pub final_score: Option<i32>,
    pub total: i32,
}

#[derive(Queryable, Debug, Clone)]
pub struct ExamRow {
    pub course_name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub room: String,
    pub seat: String,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = calendar_events)]
pub struct CalendarEvent {
    pub kind: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub follows_on: Option<NaiveDate>,
}

impl CalendarEvent {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "holiday" => "假期",
            "exam_week" => "考试周",
            "makeup" => "调休",
            _ => "重要日期",
        }
    }

    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.starts_on <= to && self.ends_on >= from
    }
}
