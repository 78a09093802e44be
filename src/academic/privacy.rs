//! 教务's part of the personal-data registry (`crate::privacy`). The school's records of a
//! student (roster entry, grades, exams, 综测) are exported to the student but stay with the
//! school when the account closes: closing the account only unlinks them. What the account
//! itself holds goes: the calendar-feed token is deleted, classroom requests not yet past are
//! cancelled (their slots freed) and the purposes written on every request are cleared.

use diesel::prelude::*;

use super::rooms::queries::{APPROVED, PENDING};
use crate::db::schema::{
    academic_imports, calendar_feeds, classroom_bookings, classrooms, courses, evaluations, exams, grades, semesters,
    students, users,
};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::privacy::{Export, Forget, Part};

const SCHOOL: &str = "学校的教务记录（学籍、成绩、考试、综测）由学校保管，注销只解除它与你账号的关联";

/// Semester, course code and name, regular, midterm, final, total.
type GradeRow = (String, String, String, Option<i32>, Option<i32>, Option<i32>, i32);

/// Building, room, date, periods, purpose, head count, status, reason.
type BookingRow = (String, String, chrono::NaiveDate, i32, i32, String, i32, String, Option<String>);

pub fn part() -> Part {
    Part::new("academic")
        .table("students", Export::To("student_record"), Forget::Keep(SCHOOL))
        .table("grades", Export::To("grades"), Forget::Keep(SCHOOL))
        .table("exams", Export::To("exams"), Forget::Keep(SCHOOL))
        .table("evaluations", Export::To("evaluations"), Forget::Keep(SCHOOL))
        .table("calendar_feeds", Export::To("calendar_feed"), Forget::Delete)
        .table(
            "classroom_bookings",
            Export::To("classroom_bookings"),
            Forget::Anonymise("教室借用记录保留（不含用途）；未到日期的申请自动取消"),
        )
        .table(
            "academic_imports",
            Export::To("academic_imports"),
            Forget::Keep("管理员导入教务数据的记录属于学校的工作记录"),
        )
        .export(|conn, who, out| export(conn, who.user_id, out))
        .forget(|conn, who, _, out| {
            let uid = who.user_id;
            diesel::delete(calendar_feeds::table.filter(calendar_feeds::user_id.eq(uid))).execute(conn)?;
            let now = db::now();
            let live: Vec<i64> = classroom_bookings::table
                .filter(classroom_bookings::user_id.eq(uid))
                .filter(classroom_bookings::status.eq_any([PENDING, APPROVED]))
                .filter(classroom_bookings::on_date.ge(crate::web::time::date(now)))
                .select(classroom_bookings::id)
                .load(conn)?;
            for id in &live {
                super::rooms::service::cancel(conn, uid, *id, now)?;
            }
            out.count("classroom_bookings_cancelled", live.len());
            diesel::update(classroom_bookings::table.filter(classroom_bookings::user_id.eq(uid)))
                .set(classroom_bookings::purpose.eq(""))
                .execute(conn)?;
            Ok(())
        })
}

fn export(conn: &mut DbConn, uid: i64, out: &mut crate::privacy::ExportOut) -> AppResult<()> {
    let student_no: Option<String> = users::table.find(uid).select(users::student_no).first(conn)?;
    if let Some(no) = student_no {
        let record: Option<(String, String, String, String, String, i32, String)> = students::table
            .filter(students::student_no.eq(&no))
            .select((
                students::student_no,
                students::name,
                students::college,
                students::major,
                students::class_name,
                students::enrol_year,
                students::status,
            ))
            .first(conn)
            .optional()?;
        out.put(
            "student_record",
            record.map_or(serde_json::Value::Null, |(no, name, college, major, class, year, status)| {
                serde_json::json!({ "student_no": no, "name": name, "college": college, "major": major, "class": class, "enrol_year": year, "status": status })
            }),
        );
        let rows: Vec<GradeRow> = grades::table
            .inner_join(courses::table)
            .inner_join(semesters::table)
            .filter(grades::student_no.eq(&no))
            .order((semesters::starts_on, courses::code))
            .select((
                semesters::name,
                courses::code,
                courses::name,
                grades::regular,
                grades::midterm,
                grades::final_score,
                grades::total,
            ))
            .load(conn)?;
        out.put(
            "grades",
            rows.into_iter()
                .map(|(sem, code, course, regular, midterm, fin, total)| serde_json::json!({ "semester": sem, "course_code": code, "course": course, "regular": regular, "midterm": midterm, "final": fin, "total": total }))
                .collect(),
        );
        let rows: Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime, String, String)> = exams::table
            .inner_join(courses::table)
            .filter(exams::student_no.eq(&no))
            .order(exams::starts_at)
            .select((courses::name, exams::starts_at, exams::ends_at, exams::room, exams::seat))
            .load(conn)?;
        out.put(
            "exams",
            rows.into_iter()
                .map(|(course, from, to, room, seat)| serde_json::json!({ "course": course, "starts_at": from, "ends_at": to, "room": room, "seat": seat }))
                .collect(),
        );
        let rows: Vec<(String, i32, i32, i32, i32)> = evaluations::table
            .filter(evaluations::student_no.eq(&no))
            .order(evaluations::year)
            .select((
                evaluations::year,
                evaluations::academic,
                evaluations::moral,
                evaluations::sports,
                evaluations::extra,
            ))
            .load(conn)?;
        out.put(
            "evaluations",
            rows.into_iter()
                .map(|(year, a, m, s, e)| serde_json::json!({ "year": year, "academic": a, "moral": m, "sports": s, "extra": e }))
                .collect(),
        );
    }
    let feed: Option<chrono::NaiveDateTime> = calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(uid))
        .select(calendar_feeds::created_at)
        .first(conn)
        .optional()?;
    out.put("calendar_feed", serde_json::json!({ "subscribed_since": feed }));
    let rows: Vec<BookingRow> = classroom_bookings::table
        .inner_join(classrooms::table)
        .filter(classroom_bookings::user_id.eq(uid))
        .order(classroom_bookings::id)
        .select((
            classrooms::building,
            classrooms::code,
            classroom_bookings::on_date,
            classroom_bookings::period_start,
            classroom_bookings::period_end,
            classroom_bookings::purpose,
            classroom_bookings::attendees,
            classroom_bookings::status,
            classroom_bookings::reason,
        ))
        .load(conn)?;
    out.put(
        "classroom_bookings",
        rows.into_iter()
            .map(|(b, room, day, from, to, purpose, n, status, reason)| serde_json::json!({ "building": b, "room": room, "date": day, "periods": [from, to], "purpose": purpose, "attendees": n, "status": status, "reason": reason }))
            .collect(),
    );
    let imports: Vec<(String, String, chrono::NaiveDateTime)> = academic_imports::table
        .filter(academic_imports::user_id.eq(uid))
        .order(academic_imports::id)
        .select((academic_imports::kind, academic_imports::file_name, academic_imports::created_at))
        .load(conn)?;
    out.put(
        "academic_imports",
        imports.into_iter().map(|(k, f, at)| serde_json::json!({ "kind": k, "file": f, "at": at })).collect(),
    );
    Ok(())
}

/// What the student keeps for herself in 教务: her own timetable entries and which grades she
/// has seen. Both go with the account.
pub fn own_part() -> Part {
    Part::new("academic_own")
        .table("schedule_entries", Export::To("schedule_entries"), Forget::Delete)
        .table("grades_seen", Export::To("grades_seen"), Forget::Delete)
        .export(|conn, who, out| {
            if let serde_json::Value::Object(sections) = super::entries::export_user(conn, who.user_id)? {
                for (key, value) in sections {
                    out.put(&key, value);
                }
            }
            Ok(())
        })
        .forget(|conn, who, _, _| super::entries::forget_user(conn, who.user_id))
}
