//! The teacher's pages.

use askama::Template;

use super::queries::{Course, Teacher};
use super::service::{FIELDS, Roster, RosterLine};
use crate::academic::models::Semester;
use crate::academic::service::Timetable;
use crate::academic::views::Formats;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "academic/teacher_schedule.html")]
pub struct TeacherScheduleView {
    pub page: Page,
    pub teacher: Teacher,
    pub table: Option<Timetable>,
}
impl Formats for TeacherScheduleView {}

#[derive(Template)]
#[template(path = "academic/teaching.html")]
pub struct CoursesView {
    pub page: Page,
    pub teacher: Teacher,
    pub semester: Option<Semester>,
    pub courses: Vec<(Course, Vec<String>)>,
}
impl Formats for CoursesView {}

#[derive(Template)]
#[template(path = "academic/roster.html")]
pub struct RosterView {
    pub page: Page,
    pub roster: Roster,
    /// What was typed, when the form comes back with an error.
    pub entered: Vec<(String, String)>,
    pub error: Option<String>,
}
impl Formats for RosterView {}

impl RosterView {
    pub fn fields(&self) -> [(&'static str, &'static str); 4] {
        FIELDS
    }

    /// The value of `field` for `line`'s student: as typed, else as saved.
    pub fn value(&self, field: &str, line: &RosterLine) -> String {
        let key = format!("{field}:{}", line.student.student_no);
        if let Some((_, v)) = self.entered.iter().find(|(k, _)| *k == key) {
            return v.clone();
        }
        let saved = match field {
            "regular" => line.regular,
            "midterm" => line.midterm,
            "final" => line.final_score,
            _ => line.total,
        };
        saved.map(crate::academic::service::tenths).unwrap_or_default()
    }
}

/// An account with the teacher role that is not linked to the staff roster.
#[derive(Template)]
#[template(path = "academic/teacher_not_linked.html")]
pub struct NotLinkedView {
    pub page: Page,
}
