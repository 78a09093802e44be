//! Diesel queries of the academic pages.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{CalendarEvent, ExamRow, GradeRow, Meeting, Period, Semester, Student};
use crate::db::DbConn;
use crate::db::schema::{
    calendar_events, classrooms, course_schedules, courses, exams, grades, periods, semesters, students, teachers,
};
use crate::error::AppResult;

pub fn student(conn: &mut DbConn, student_no: &str) -> AppResult<Option<Student>> {
    Ok(students::table
        .filter(students::student_no.eq(student_no))
        .select(Student::as_select())
        .first(conn)
        .optional()?)
}

/// The semester running on `day`, else the last one begun before it, else the first to come.
pub fn semester_on(conn: &mut DbConn, day: NaiveDate) -> AppResult<Option<Semester>> {
    let begun: Vec<Semester> = semesters::table
        .filter(semesters::starts_on.le(day))
        .order(semesters::starts_on.desc())
        .limit(1)
        .select(Semester::as_select())
        .load(conn)?;
    if let Some(s) = begun.into_iter().next() {
        return Ok(Some(s));
    }
    Ok(semesters::table.order(semesters::starts_on.asc()).select(Semester::as_select()).first(conn).optional()?)
}

pub fn semester_by_code(conn: &mut DbConn, code: &str) -> AppResult<Option<Semester>> {
    Ok(semesters::table.filter(semesters::code.eq(code)).select(Semester::as_select()).first(conn).optional()?)
}

pub fn semesters_by_id(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<Semester>> {
    Ok(semesters::table
        .filter(semesters::id.eq_any(ids))
        .order(semesters::starts_on.desc())
        .select(Semester::as_select())
        .load(conn)?)
}

pub fn periods(conn: &mut DbConn) -> AppResult<Vec<Period>> {
    Ok(periods::table.order(periods::number.asc()).select(Period::as_select()).load(conn)?)
}

/// The meetings of a semester with their course, teacher and room, in day and period order, as
/// [`Meeting`]s; callers add their filter (a class, a teacher) and load.
macro_rules! meetings_in {
    ($semester:expr) => {
        course_schedules::table
            .inner_join(courses::table)
            .left_join(teachers::table)
            .left_join(classrooms::table)
            .filter(course_schedules::semester_id.eq($semester))
            .order((course_schedules::day_of_week, course_schedules::period_start, course_schedules::id))
            .select((
                course_schedules::id,
                courses::code,
                courses::name,
                course_schedules::class_names,
                course_schedules::day_of_week,
                course_schedules::period_start,
                course_schedules::period_end,
                course_schedules::weeks,
                course_schedules::week_mask,
                teachers::name.nullable(),
                classrooms::code.nullable(),
            ))
    };
}
pub(crate) use meetings_in;

/// The meetings of `semester` for class `class_name`. The `LIKE` narrows the rows; the exact
/// match on the comma-separated list is [`Meeting::for_class`].
pub fn meetings_of_class(conn: &mut DbConn, semester: i64, class_name: &str) -> AppResult<Vec<Meeting>> {
    let pattern = format!("%{}%", class_name.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let rows: Vec<Meeting> =
        meetings_in!(semester).filter(course_schedules::class_names.like(pattern).escape('\\')).load(conn)?;
    Ok(rows.into_iter().filter(|m| m.for_class(class_name)).collect())
}

pub fn grades_of(conn: &mut DbConn, student_no: &str) -> AppResult<Vec<GradeRow>> {
    Ok(grades::table
        .inner_join(courses::table)
        .filter(grades::student_no.eq(student_no))
        .order((grades::semester_id, courses::code))
        .select((
            grades::semester_id,
            courses::code,
            courses::name,
            courses::kind,
            courses::credit_tenths,
            grades::regular,
            grades::midterm,
            grades::final_score,
            grades::total,
        ))
        .load(conn)?)
}

/// The student's exams that have not ended by `now`, soonest first.
pub fn upcoming_exams(conn: &mut DbConn, student_no: &str, now: NaiveDateTime) -> AppResult<Vec<ExamRow>> {
    Ok(exams::table
        .inner_join(courses::table)
        .filter(exams::student_no.eq(student_no))
        .filter(exams::ends_at.gt(now))
        .order((exams::starts_at, exams::id))
        .select((courses::name, exams::starts_at, exams::ends_at, exams::room, exams::seat))
        .load(conn)?)
}

pub fn events_of(conn: &mut DbConn, semester: i64) -> AppResult<Vec<CalendarEvent>> {
    Ok(calendar_events::table
        .filter(calendar_events::semester_id.eq(semester))
        .order((calendar_events::starts_on, calendar_events::id))
        .select(CalendarEvent::as_select())
        .load(conn)?)
}
