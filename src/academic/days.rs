//! Which timetable a date keeps, by the 校历: none on a holiday (假期), another date's on a
//! make-up day (调休: e.g. Saturday 10-10 keeps Friday 10-02's classes), else its own weekday's
//! in its teaching week. The grid, the today card, the feed and the free-room finder all ask
//! here, so a class never meets on 国庆节 in one place and not in another.

use chrono::{Datelike, NaiveDate};

use super::models::{CalendarEvent, Semester};

/// What a date holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassDay {
    /// Classes of weekday `day` (1 = Monday) of teaching `week` meet.
    Teaching { week: i32, day: i32, makeup: bool },
    /// A holiday of the calendar: no classes.
    Holiday(String),
    /// Before the first or after the last teaching week.
    Outside,
}

/// The semester with its holidays and make-up days.
#[derive(Debug, Clone)]
pub struct SchoolDays {
    pub semester: Semester,
    pub events: Vec<CalendarEvent>,
}

impl SchoolDays {
    pub fn new(semester: Semester, events: Vec<CalendarEvent>) -> SchoolDays {
        SchoolDays { semester, events }
    }

    fn teaching(&self, date: NaiveDate) -> Option<(i32, i32)> {
        let week = self.semester.week_of(date);
        let day = i32::try_from(date.weekday().number_from_monday()).unwrap_or(1);
        (1..=self.semester.weeks).contains(&week).then_some((week, day))
    }

    /// The holiday `date` falls on, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&CalendarEvent> {
        self.events.iter().find(|e| e.kind == "holiday" && e.starts_on <= date && date <= e.ends_on)
    }

    /// What `date` holds. A make-up day wins over a holiday that covers it.
    pub fn class_day(&self, date: NaiveDate) -> ClassDay {
        if let Some(follows) =
            self.events.iter().find(|e| e.kind == "makeup" && e.starts_on == date).and_then(|e| e.follows_on)
            && let Some((week, day)) = self.teaching(follows)
        {
            return ClassDay::Teaching { week, day, makeup: true };
        }
        if let Some(h) = self.holiday(date) {
            return ClassDay::Holiday(h.title.clone());
        }
        match self.teaching(date) {
            Some((week, day)) => ClassDay::Teaching { week, day, makeup: false },
            None => ClassDay::Outside,
        }
    }

    /// `(week, day)` whose classes meet on `date`, if any.
    pub fn classes_of(&self, date: NaiveDate) -> Option<(i32, i32)> {
        match self.class_day(date) {
            ClassDay::Teaching { week, day, .. } => Some((week, day)),
            _ => None,
        }
    }

    /// Every date of the semester on which weekday `day` of `week` meets: its own date unless a
    /// holiday, plus any make-up day that follows it.
    pub fn dates_of(&self, week: i32, day: i32) -> Vec<NaiveDate> {
        let own = self.semester.monday_of(week) + chrono::Days::new(u64::try_from(day - 1).unwrap_or(0));
        let mut dates = Vec::new();
        if self.classes_of(own) == Some((week, day)) {
            dates.push(own);
        }
        for e in self.events.iter().filter(|e| e.kind == "makeup" && e.follows_on == Some(own)) {
            if self.classes_of(e.starts_on) == Some((week, day)) && !dates.contains(&e.starts_on) {
                dates.push(e.starts_on);
            }
        }
        dates
    }
}
