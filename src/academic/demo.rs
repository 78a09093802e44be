//! Demo academic data: the sample files of `samples/academic/` (the same files the import
//! tests and the documentation use), loaded through the importer. The current semester
//! (2026-2027-1, from 2026-09-07, 20 weeks) gives the demo student (学号 2023010101, class
//! 软工2301) a full week's timetable, grades over the two semesters before it and exams to
//! come; teacher 王明 (T2001, the demo teacher's name) teaches 数据结构, 软件工程导论 and
//! Web 开发实践. Loading twice changes nothing (the import is an upsert).

use super::import::{self, Kind};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// The sample files in the order their references need.
pub const SAMPLES: [(Kind, &str, &str); 10] = [
    (Kind::Calendar, "calendar.csv", include_str!("../../samples/academic/calendar.csv")),
    (Kind::Courses, "courses.csv", include_str!("../../samples/academic/courses.csv")),
    (Kind::Teachers, "teachers.csv", include_str!("../../samples/academic/teachers.csv")),
    (Kind::Classrooms, "classrooms.csv", include_str!("../../samples/academic/classrooms.csv")),
    (Kind::Students, "students.csv", include_str!("../../samples/academic/students.csv")),
    (Kind::Schedules, "schedules.csv", include_str!("../../samples/academic/schedules.csv")),
    (Kind::Grades, "grades.csv", include_str!("../../samples/academic/grades.csv")),
    (Kind::Exams, "exams.csv", include_str!("../../samples/academic/exams.csv")),
    (Kind::Contacts, "contacts.csv", include_str!("../../samples/academic/contacts.csv")),
    (Kind::Evaluations, "evaluations.csv", include_str!("../../samples/academic/evaluations.csv")),
];

/// Imports every sample file. The students' ID column is skipped: its hash needs the server
/// secret, which demo data does not know (an admin import of the same file sets it).
pub fn seed(conn: &mut DbConn) -> AppResult<()> {
    for (kind, name, text) in SAMPLES {
        let mut plan = import::plan(conn, kind, None, name, text.as_bytes())?;
        plan.alerts = false;
        let report = import::execute(conn, plan, false, &mut |_, _, _| Ok(()))?;
        if let Some((line, column, why)) = report.errors.first() {
            return Err(AppError::internal(anyhow::anyhow!("demo {name} line {line} {column}: {why}")));
        }
    }
    Ok(())
}

/// The demo student's classroom requests, once: one approved for tomorrow evening (so the room
/// shows as taken in the finder), one waiting for the admin the day after.
pub fn bookings(conn: &mut DbConn, student: i64, admin: i64) -> AppResult<()> {
    use super::rooms::{queries, service};
    if !queries::of_user(conn, student)?.is_empty() {
        return Ok(());
    }
    let now = crate::db::now();
    let today = crate::web::time::date(now);
    let wanted =
        [("A301", 1, 9, 10, "社团例会：摄影协会", 30, true), ("B206", 2, 7, 8, "小组讨论：软件工程大作业", 6, false)];
    for (code, days, from, to, purpose, attendees, approve) in wanted {
        let Some(room) = queries::rooms(conn, None)?.into_iter().find(|r| r.code == code) else { continue };
        let day = (today + chrono::TimeDelta::days(days)).to_string();
        let slot = service::Slot::parse(conn, &day, from, to, now)?;
        let request = service::Request { room: room.id, slot, purpose: purpose.to_string(), attendees };
        let id = service::request(conn, student, &request, now)?;
        if approve {
            service::approve(conn, admin, id, now)?;
        }
    }
    Ok(())
}

/// The demo teacher's account is 王明 (T2001) of the staff roster, once.
pub fn teacher(conn: &mut DbConn, user: i64) -> AppResult<()> {
    if super::teaching::queries::teacher_of(conn, user)?.is_none() {
        super::teaching::queries::link(conn, user, "T2001", crate::db::now())?;
    }
    Ok(())
}

/// The demo student's own entries, once: an evening of study on today's weekday (so the today
/// card shows one of hers after the classes) and a Saturday club training by clock time.
pub fn own_entries(conn: &mut DbConn, student: i64) -> AppResult<()> {
    use super::entries::{EntryForm, add_entry};
    let now = crate::db::now();
    let Some(semester) = super::queries::semester_on(conn, super::service::today(now))? else { return Ok(()) };
    if !super::entries::of_user(conn, student, semester.id)?.is_empty() {
        return Ok(());
    }
    let weekday = chrono::Datelike::weekday(&super::service::today(now)).number_from_monday();
    let forms = [
        EntryForm {
            title: "图书馆夜自习".into(),
            place: "图书馆三楼".into(),
            day: weekday.to_string(),
            mode: "periods".into(),
            period_start: "11".into(),
            period_end: "12".into(),
            weeks: "1-16".into(),
            ..EntryForm::default()
        },
        EntryForm {
            title: "羽毛球社训练".into(),
            place: "体育馆".into(),
            day: "6".into(),
            mode: "time".into(),
            starts_at: "09:00".into(),
            ends_at: "11:00".into(),
            weeks: "1-16".into(),
            ..EntryForm::default()
        },
    ];
    for form in forms {
        add_entry(conn, student, &form, now)?;
    }
    Ok(())
}
