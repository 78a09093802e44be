//! Diesel queries of the academic pages.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{CalendarEvent, ExamRow, GradeRow, Meeting, Period, Semester, Student};
use std::sync::Arc;

use crate::db::DbConn;
use crate::db::refdata::{self, Kind};
use crate::db::schema::{
    calendar_events, classrooms, course_schedules, courses, exams, grades, periods, semesters, students, teachers,
    users,
};
use crate::error::AppResult;

/// The roster record linked to user `user_id` (by `users.student_no`), in one statement.
pub fn student_of_user(conn: &mut DbConn, user_id: i64) -> AppResult<Option<Student>> {
    let linked = users::table.filter(users::id.eq(user_id)).select(users::student_no).single_value();
    Ok(students::table
        .filter(students::student_no.nullable().eq(linked))
        .select(Student::as_select())
        .first(conn)
        .optional()?)
}

/// The roster record linked to user `user_id` with what she last saw of her grades
/// (`grades_seen`), in one statement.
pub fn student_and_seen_of_user(conn: &mut DbConn, user_id: i64) -> AppResult<Option<(Student, Option<String>)>> {
    use crate::db::schema::grades_seen;
    let linked = users::table.filter(users::id.eq(user_id)).select(users::student_no).single_value();
    let seen = grades_seen::table.filter(grades_seen::user_id.eq(user_id)).select(grades_seen::seen).single_value();
    Ok(students::table
        .filter(students::student_no.nullable().eq(linked))
        .select((Student::as_select(), seen))
        .first(conn)
        .optional()?)
}

pub fn student(conn: &mut DbConn, student_no: &str) -> AppResult<Option<Student>> {
    Ok(students::table
        .filter(students::student_no.eq(student_no))
        .select(Student::as_select())
        .first(conn)
        .optional()?)
}

/// Every semester, oldest first: reference data, kept in process (`db::refdata`).
fn all_semesters(conn: &mut DbConn) -> AppResult<Arc<Vec<Semester>>> {
    Ok(refdata::cached(conn, Kind::Semesters, "all", |c| {
        semesters::table.order((semesters::starts_on.asc(), semesters::id.asc())).select(Semester::as_select()).load(c)
    })?)
}

/// The semester running on `day`, else the last one begun before it, else the first to come.
pub fn semester_on(conn: &mut DbConn, day: NaiveDate) -> AppResult<Option<Semester>> {
    let all = all_semesters(conn)?;
    Ok(all.iter().rev().find(|s| s.starts_on <= day).or_else(|| all.first()).cloned())
}

pub fn semester_by_code(conn: &mut DbConn, code: &str) -> AppResult<Option<Semester>> {
    Ok(all_semesters(conn)?.iter().find(|s| s.code == code).cloned())
}

/// The semesters of `ids`, newest first.
pub fn semesters_by_id(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<Semester>> {
    Ok(all_semesters(conn)?.iter().rev().filter(|s| ids.contains(&s.id)).cloned().collect())
}

pub fn periods(conn: &mut DbConn) -> AppResult<Vec<Period>> {
    let all = refdata::cached(conn, Kind::Periods, "all", |c| {
        periods::table.order(periods::number.asc()).select(Period::as_select()).load(c)
    })?;
    Ok(all.as_ref().clone())
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
                classrooms::building.nullable(),
            ))
    };
}
pub(crate) use meetings_in;

/// The meetings of `semester` for class `class_name`. The `LIKE` narrows the rows; the exact
/// match on the comma-separated list is [`Meeting::for_class`].
///
/// Every class's meetings are kept in process (`db::refdata`, [`Kind::Timetable`]: an import
/// of teachers, courses, rooms or the timetable forgets them), so the timetable, the exams
/// page and the today card do not pay a statement for them.
pub fn meetings_of_class(conn: &mut DbConn, semester: i64, class_name: &str) -> AppResult<Vec<Meeting>> {
    let all = refdata::cached(conn, Kind::Timetable, "all", |c| {
        course_schedules::table
            .select(course_schedules::semester_id)
            .distinct()
            .load::<i64>(c)?
            .into_iter()
            .map(|s| Ok((s, meetings_in!(s).load::<Meeting>(c)?)))
            .collect::<Result<Vec<(i64, Vec<Meeting>)>, diesel::result::Error>>()
    })?;
    Ok(all
        .iter()
        .filter(|(s, _)| *s == semester)
        .flat_map(|(_, rows)| rows.iter().filter(|m| m.for_class(class_name)).cloned())
        .collect())
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

/// The calendar of `semester`, from the whole calendar kept in process (`db::refdata`).
pub fn events_of(conn: &mut DbConn, semester: i64) -> AppResult<Vec<CalendarEvent>> {
    let all = refdata::cached(conn, Kind::Calendar, "all", |c| {
        calendar_events::table
            .order((calendar_events::starts_on, calendar_events::id))
            .select((calendar_events::semester_id, CalendarEvent::as_select()))
            .load::<(i64, CalendarEvent)>(c)
    })?;
    Ok(all.iter().filter(|(s, _)| *s == semester).map(|(_, e)| e.clone()).collect())
}

/// `(code, name, credit tenths)` of the courses `codes`, by code.
pub fn courses_by_code(conn: &mut DbConn, codes: &[String]) -> AppResult<Vec<(String, String, i32)>> {
    Ok(courses::table
        .filter(courses::code.eq_any(codes))
        .order(courses::code)
        .select((courses::code, courses::name, courses::credit_tenths))
        .load(conn)?)
}
