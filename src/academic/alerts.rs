//! Grade alerts: when an import creates or changes a student's grade, the user linked to that
//! student number hears about it once — a message (kind `academic`) and, where accepted, a
//! WeChat subscribe message (purpose `grade`). An import that changes nothing says nothing,
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
    let Some(user) = user else { return Ok(()) };
    let course: String = courses::table.find(course_id).select(courses::name).first(conn)?;
    let score = super::service::tenths(total);
    let (title, note) = if first { ("新成绩已发布", "成绩已发布") } else { ("成绩有更新", "成绩已更新") };
    let body = format!("{course}：总评 {score} 分。{note}，可在“教务 › 成绩”查看。");
    notify::send(conn, user, MessageKind::Academic, &format!("{title}：{course}"), &body, Some("/academic/grades"))?;
    notify::wechat::queue(
        conn,
        user,
        "grade",
        "pages/index/index?path=%2Facademic%2Fgrades",
        &[("thing1", course.chars().take(20).collect()), ("character_string2", score), ("thing3", note.to_string())],
    )
}
