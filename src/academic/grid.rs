//! The timetable as its grid shows it: day heads, cells of meetings, period rows. Plain values,
//! built by `service` (the school's timetable) and `entries` (the student's own entries).

use chrono::NaiveDate;

use super::models::{Period, Semester};

pub struct DayHead {
    pub label: &'static str,
    pub date: NaiveDate,
    pub today: bool,
    /// The holiday of the calendar on this date (no classes).
    pub holiday: Option<String>,
    /// On a make-up day (调休): whose classes meet, e.g. `按10月2日（周五）上课`.
    pub makeup: Option<String>,
}

/// One meeting as its cell shows it; the details open on tap.
pub struct MeetingView {
    pub course_name: String,
    pub course_code: String,
    pub teacher: String,
    pub room: String,
    pub weeks: String,
    pub periods: String,
    pub classes: String,
    /// The student's own entry (its id), not a class of the school's timetable.
    pub own: Option<i64>,
}

/// A cell of the grid: empty (no meetings) or a block of `span` periods.
pub struct GridCell {
    pub span: i32,
    pub today: bool,
    pub meetings: Vec<MeetingView>,
}

impl GridCell {
    pub fn conflict(&self) -> bool {
        self.meetings.len() > 1
    }
}

pub struct PeriodRow {
    pub period: Period,
    pub cells: Vec<GridCell>,
}

pub struct Timetable {
    pub semester: Semester,
    pub week: i32,
    /// Today's teaching week, when today is inside the semester.
    pub current_week: Option<i32>,
    pub days: Vec<DayHead>,
    pub rows: Vec<PeriodRow>,
    pub conflicts: usize,
    /// Of those, the clashes of the student's own entries with classes.
    pub own_conflicts: usize,
    pub meetings: usize,
}

impl Timetable {
    /// Today's week, when another week is shown.
    pub fn back_to(&self) -> Option<i32> {
        self.current_week.filter(|w| *w != self.week)
    }
}

pub const DAY_LABELS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// `第1-2节 08:00–09:40`.
pub fn periods_text(periods: &[Period], start: i32, end: i32) -> String {
    let from = periods.iter().find(|p| p.number == start).map(|p| p.starts_at.format("%H:%M").to_string());
    let to = periods.iter().find(|p| p.number == end).map(|p| p.ends_at.format("%H:%M").to_string());
    match (from, to) {
        (Some(a), Some(b)) => format!("第{start}-{end}节 {a}–{b}"),
        _ => format!("第{start}-{end}节"),
    }
}
