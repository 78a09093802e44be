//! Grade alerts: when an import creates or changes a student's grade, the user linked to that
//! student number hears about it once — a message (kind `academic`) and, where accepted, a
//! WeChat subscribe message (purpose `grade`), by the channels of the student's 成绩变动
//! reminder settings once saved. An import that changes nothing says nothing,
//! and the message is written in the import's own transaction, so a rolled-back chunk takes
//! its messages with it.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{courses, users};
use crate::error::AppResult;
use crate::notify::{self, MessageKind};

pub fn grade_saved(conn: &mut DbConn, student_no: &str, course_id: i64, total: i32, first: bool) -> AppResult<()> {
    let user: Option<i64> =
        users::table.filter(users::student_no.eq(student_no)).select(users::id).first(conn).optional()?;
    match user {
        Some(user) => tell(conn, user, course_id, total, first),
        None => Ok(()),
    }
}

/// Tells `user` (the account of the grade's student) that a grade was published or changed.
pub fn tell(conn: &mut DbConn, user: i64, course_id: i64, total: i32, first: bool) -> AppResult<()> {
    let course: String = courses::table.find(course_id).select(courses::name).first(conn)?;
    let score = super::service::tenths(total);
    let (title, note) =
        if first { ("新成绩已发布", "成绩已发布") } else { ("成绩有更新", "成绩已更新") };
    let body = format!("{course}：总评 {score} 分。{note}，可在“教务 › 成绩”查看。");
    let title = format!("{title}：{course}");
    let page = "pages/index/index?path=%2Facademic%2Fgrades";
    let fields =
        [("thing1", course.chars().take(20).collect()), ("character_string2", score), ("thing3", note.to_string())];
    // The student's own 成绩变动 reminder settings (`/me/reminders`) decide the channels once
    // saved; before that, the message categories' switches do, as they always did.
    match notify::reminders::saved(conn, user, notify::reminders::Purpose::Grade)? {
        Some(pref) => {
            notify::service::send_via(
                conn,
                user,
                MessageKind::Academic,
                (&title, &body, Some("/academic/grades")),
                pref.in_app,
                pref.email,
            )?;
            if pref.wechat {
                notify::wechat::enqueue_message(conn, user, "grade", page, &fields)?;
            }
            Ok(())
        }
        None => {
            notify::send(conn, user, MessageKind::Academic, &title, &body, Some("/academic/grades"))?;
            notify::wechat::queue(conn, user, "grade", page, &fields)
        }
    }
}
