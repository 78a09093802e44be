//! The teacher's week, courses and rosters, and grade entry.

use chrono::NaiveDateTime;

use super::queries::{self, Course, Teacher};
use crate::academic::import::check::Item;
use crate::academic::import::{cells, save};
use crate::academic::models::{Semester, Student};
use crate::academic::queries as academic;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// The semester of today (the one running, else the last begun).
pub fn semester(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<Option<Semester>> {
    academic::semester_on(conn, crate::web::time::date(now))
}

pub struct RosterLine {
    pub student: Student,
    pub regular: Option<i32>,
    pub midterm: Option<i32>,
    pub final_score: Option<i32>,
    pub total: Option<i32>,
}

pub struct Roster {
    pub semester: Semester,
    pub course: Course,
    pub classes: Vec<String>,
    pub lines: Vec<RosterLine>,
}

impl Roster {
    pub fn graded(&self) -> usize {
        self.lines.iter().filter(|l| l.total.is_some()).count()
    }
}

/// The roster of `course` as `teacher` teaches it this semester; a course they do not teach
/// (or no semester) is not found.
pub fn roster(conn: &mut DbConn, teacher: &Teacher, course: i64, now: NaiveDateTime) -> AppResult<Roster> {
    let semester = semester(conn, now)?.ok_or(AppError::NotFound)?;
    let (course, classes) = queries::courses_of(conn, semester.id, teacher.id)?
        .into_iter()
        .find(|(c, _)| c.id == course)
        .ok_or(AppError::NotFound)?;
    let scores = queries::grades_of_course(conn, semester.id, course.id)?;
    let lines = queries::roster(conn, &classes)?
        .into_iter()
        .map(|student| {
            let s = scores.iter().find(|g| g.0 == student.student_no);
            RosterLine {
                regular: s.and_then(|g| g.1),
                midterm: s.and_then(|g| g.2),
                final_score: s.and_then(|g| g.3),
                total: s.map(|g| g.4),
                student,
            }
        })
        .collect();
    Ok(Roster { semester, course, classes, lines })
}

/// The form's fields are `regular:学号`, `midterm:学号`, `final:学号` and `total:学号`.
pub const FIELDS: [(&str, &str); 4] = [("regular", "平时"), ("midterm", "期中"), ("final", "期末"), ("total", "总评")];

/// Saves the grades `form` gives for the roster of `course`: all or nothing, a row with no total
/// (and nothing else) is left ungraded. Returns how many grades were new or changed; each of
/// those students is told (as by an import).
pub fn enter(
    conn: &mut DbConn,
    teacher: &Teacher,
    course: i64,
    form: &[(String, String)],
    now: NaiveDateTime,
) -> AppResult<(Roster, usize)> {
    let roster = roster(conn, teacher, course, now)?;
    for (key, value) in form {
        let Some((field, no)) = key.split_once(':') else { continue };
        if !FIELDS.iter().any(|(f, _)| *f == field) {
            continue;
        }
        if !value.trim().is_empty() && !roster.lines.iter().any(|l| l.student.student_no == no) {
            return Err(AppError::invalid(format!("学号 {no} 不在本课程的名单中")));
        }
    }
    let cell = |field: &str, no: &str| -> &str {
        let key = format!("{field}:{no}");
        form.iter().find(|(k, _)| *k == key).map_or("", |(_, v)| v.as_str())
    };
    let mut items = Vec::new();
    for line in &roster.lines {
        let no = line.student.student_no.as_str();
        let who = format!("{}（{no}）", line.student.name);
        if FIELDS.iter().all(|(f, _)| cell(f, no).trim().is_empty()) {
            continue;
        }
        let part = |field: &str, label: &str| {
            cells::optional_score(cell(field, no)).map_err(|e| AppError::invalid(format!("{who}的{label}成绩：{e}")))
        };
        let total = part("total", "总评")?.ok_or_else(|| AppError::invalid(format!("{who}：请填写总评成绩")))?;
        items.push(Item::Grade {
            no: no.to_string(),
            semester_id: roster.semester.id,
            course_id: roster.course.id,
            regular: part("regular", "平时")?,
            midterm: part("midterm", "期中")?,
            final_score: part("final", "期末")?,
            total,
        });
    }
    let mode = save::Mode { dry: false, alerts: true };
    let changed = write_tx(conn, |c| {
        let mut changed = 0;
        for item in &items {
            if save::save(c, item, mode)? != save::Outcome::Unchanged {
                changed += 1;
            }
        }
        Ok::<_, AppError>(changed)
    })?;
    Ok((roster, changed))
}
