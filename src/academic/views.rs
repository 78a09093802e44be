//! One askama struct per academic page.

use std::borrow::Borrow;

use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};

use super::gpa::Scale;
use super::import::jobs::ImportJob;
use super::import::{Kind, RowError};
use super::models::Student;
use super::service::{self, Calendar, Timetable, Transcript};
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "academic/import_form.html")]
pub struct ImportFormView {
    pub page: Page,
    pub recent: Vec<ImportJob>,
}

impl ImportFormView {
    pub fn kinds(&self) -> [Kind; 10] {
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

/// Formatting shared by the student pages. Arguments are `Borrow` so a template may pass a
/// value or a reference alike.
pub trait Formats {
    /// `12月2日`.
    fn md<D: Borrow<NaiveDate>>(&self, d: D) -> String {
        service::short_date(d.borrow())
    }

    fn tenths<N: Borrow<i32>>(&self, n: N) -> String {
        service::tenths(*n.borrow())
    }

    /// A score or `—`.
    fn score<N: Borrow<Option<i32>>>(&self, n: N) -> String {
        n.borrow().map_or_else(|| "—".to_string(), service::tenths)
    }

    /// A UTC time as Shanghai `HH:MM`.
    fn hm<T: Borrow<NaiveDateTime>>(&self, t: T) -> String {
        crate::web::time::local(*t.borrow()).format("%H:%M").to_string()
    }
}

#[derive(Template)]
#[template(path = "academic/schedule.html")]
pub struct ScheduleView {
    pub page: Page,
    pub student: Student,
    pub table: Option<Timetable>,
}
impl Formats for ScheduleView {}

#[derive(Template)]
#[template(path = "academic/grades.html")]
pub struct GradesView {
    pub page: Page,
    pub student: Student,
    pub t: Transcript,
    pub scale: Scale,
    /// New and changed grades since the last visit, by [`super::seen::key`].
    pub marks: std::collections::HashMap<String, super::seen::Mark>,
}
impl Formats for GradesView {}

impl GradesView {
    /// `新` or `85 → 90` for a grade new or changed since the last visit.
    pub fn mark(&self, l: &service::GradeLine) -> Option<String> {
        self.marks
            .get(&super::seen::key(l.row.semester_id, &l.row.course_code))
            .map(|m| super::seen::describe(m, l.row.total))
    }

    pub fn marked(&self) -> usize {
        self.marks.len()
    }
}

#[derive(Template)]
#[template(path = "academic/exams.html")]
pub struct ExamsView {
    pub page: Page,
    pub exams: Vec<super::today::ExamSoon>,
}
impl Formats for ExamsView {}

#[derive(Template)]
#[template(path = "academic/student_info.html")]
pub struct StudentInfoView {
    pub page: Page,
    pub student: Student,
}

#[derive(Template)]
#[template(path = "academic/calendar.html")]
pub struct CalendarView {
    pub page: Page,
    pub calendar: Option<Calendar>,
}
impl Formats for CalendarView {}

/// What a user with no linked student record sees: how to link, and the form to do it.
#[derive(Template)]
#[template(path = "academic/not_linked.html")]
pub struct NotLinkedView {
    pub page: Page,
    pub error: Option<String>,
    pub student_no: String,
}

/// The new private feed URL, shown once.
#[derive(Template)]
#[template(path = "academic/feed.html")]
pub struct FeedView {
    pub page: Page,
    pub url: String,
}

impl FeedView {
    /// The same feed as a `webcal://` link, which phones open in their calendar app.
    pub fn webcal(&self) -> String {
        let rest = self.url.split_once("://").map_or(self.url.as_str(), |(_, r)| r);
        format!("webcal://{rest}")
    }
}
