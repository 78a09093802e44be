//! Diesel queries of the teacher's pages.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::academic::models::{Meeting, Student};
use crate::db::DbConn;
use crate::db::schema::{classrooms, course_schedules, courses, grades, students, teachers, users};
use crate::error::AppResult;

#[derive(Queryable, Debug, Clone)]
pub struct Teacher {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub department: String,
}

/// The roster teacher the account `user` is, if linked: a teacher's account holds their staff
/// number where a student's holds the student number (`users.student_no`, unique), set when they
/// verify (`/me/verify`) or by the demo data.
pub fn teacher_of(conn: &mut DbConn, user: i64) -> AppResult<Option<Teacher>> {
    Ok(users::table
        .inner_join(teachers::table.on(users::student_no.eq(teachers::staff_no.nullable())))
        .filter(users::id.eq(user))
        .select((teachers::id, teachers::staff_no, teachers::name, teachers::department))
        .first(conn)
        .optional()?)
}

/// Links account `user`, unlinked so far, to staff number `staff_no` (the demo teacher).
pub fn link(conn: &mut DbConn, user: i64, staff_no: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(users::table.filter(users::id.eq(user)).filter(users::student_no.is_null()))
        .set((users::student_no.eq(staff_no), users::verified.eq(true), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The meetings `teacher` teaches in `semester`.
pub fn meetings_of_teacher(conn: &mut DbConn, semester: i64, teacher: i64) -> AppResult<Vec<Meeting>> {
    Ok(crate::academic::queries::meetings_in!(semester).filter(course_schedules::teacher_id.eq(teacher)).load(conn)?)
}

#[derive(Queryable, Debug, Clone)]
pub struct Course {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub credit_tenths: i32,
}

/// The courses `teacher` teaches in `semester`, each with the classes it is taught to.
pub fn courses_of(conn: &mut DbConn, semester: i64, teacher: i64) -> AppResult<Vec<(Course, Vec<String>)>> {
    let rows: Vec<(Course, String)> = course_schedules::table
        .inner_join(courses::table)
        .filter(course_schedules::semester_id.eq(semester))
        .filter(course_schedules::teacher_id.eq(teacher))
        .order((courses::code, course_schedules::id))
        .select(((courses::id, courses::code, courses::name, courses::credit_tenths), course_schedules::class_names))
        .load(conn)?;
    let mut out: Vec<(Course, Vec<String>)> = Vec::new();
    for (course, names) in rows {
        let at = match out.iter().position(|(c, _)| c.id == course.id) {
            Some(i) => i,
            None => {
                out.push((course, Vec::new()));
                out.len() - 1
            }
        };
        for name in names.split(',').filter(|n| !n.is_empty()) {
            if !out[at].1.iter().any(|n| n == name) {
                out[at].1.push(name.to_string());
            }
        }
    }
    Ok(out)
}

/// The students of `classes`, by class and number.
pub fn roster(conn: &mut DbConn, classes: &[String]) -> AppResult<Vec<Student>> {
    Ok(students::table
        .filter(students::class_name.eq_any(classes))
        .order((students::class_name, students::student_no))
        .select(Student::as_select())
        .load(conn)?)
}

/// A grade as the roster reads it: 学号, regular, midterm, final, total.
pub type Scores = (String, Option<i32>, Option<i32>, Option<i32>, i32);

/// Scores of `course` in `semester`.
pub fn grades_of_course(conn: &mut DbConn, semester: i64, course: i64) -> AppResult<Vec<Scores>> {
    Ok(grades::table
        .filter(grades::semester_id.eq(semester))
        .filter(grades::course_id.eq(course))
        .select((grades::student_no, grades::regular, grades::midterm, grades::final_score, grades::total))
        .load(conn)?)
}
