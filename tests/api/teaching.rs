//! The teacher's pages: the demo teacher (王明, T2001) sees his teaching week, his courses and
//! their rosters, and enters grades for his own courses only; the students are told once.

use campus::db::schema::{courses, grades, messages};
use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn course(app: &TestApp, code: &str) -> i64 {
    app.db(|c| courses::table.filter(courses::code.eq(code)).select(courses::id).first(c).unwrap())
}

fn grade_messages(app: &TestApp) -> i64 {
    app.db(|c| messages::table.filter(messages::link.eq("/academic/grades")).count().get_result(c).unwrap())
}

fn total_of(app: &TestApp, no: &str, course_id: i64) -> Option<i32> {
    app.db(|c| {
        grades::table
            .filter(grades::student_no.eq(no))
            .filter(grades::course_id.eq(course_id))
            .select(grades::total)
            .first(c)
            .optional()
            .unwrap()
    })
}

#[test]
fn the_teacher_sees_his_own_teaching_week_and_courses() {
    let app = spawn_app();
    let t = app.login("teacher", DEMO_PASSWORD);
    let week = t.get("/academic/teacher-schedule?week=13");
    assert_eq!(week.status, 200);
    assert!(week.body.contains("第13周授课") && week.body.contains("王明"));
    assert!(week.body.contains("数据结构") && week.body.contains("软件工程导论"));
    assert!(!week.body.contains("高等数学"), "another teacher's course is not his");
    assert!(week.body.contains("/academic/teacher-schedule?week=14"), "the pager stays on his week");
    let list = t.get("/academic/teaching");
    assert_eq!(list.status, 200);
    for name in ["数据结构", "软件工程导论", "Web 开发实践"] {
        assert!(list.body.contains(name), "{name}");
    }
    // Students and unlinked teachers.
    let s = app.login("student", DEMO_PASSWORD);
    assert_eq!(s.get("/academic/teacher-schedule").status, 403);
    assert_eq!(s.get("/academic/teaching").status, 403);
    assert!(s.get("/academic/schedule").body.contains("第"), "the student's own timetable is unaffected");
}

#[test]
fn grades_entered_for_his_course_are_saved_once_and_told_once() {
    let app = spawn_app();
    let t = app.login("teacher", DEMO_PASSWORD);
    let cs201 = course(&app, "CS201");
    let page = format!("/academic/teaching/{cs201}");
    let roster = t.get(&page);
    assert_eq!(roster.status, 200);
    assert!(roster.body.contains("林晓") && roster.body.contains("张伟") && roster.body.contains("王芳"));
    let action = format!("{page}/grades");
    let before = grade_messages(&app);
    let ok = t.submit(
        &page,
        &action,
        &[
            ("regular:2023010101", "90"),
            ("midterm:2023010101", "85"),
            ("final:2023010101", "88"),
            ("total:2023010101", "88.5"),
            ("total:2023010102", "良好"),
            ("total:2023010103", ""),
        ],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(total_of(&app, "2023010101", cs201), Some(885));
    assert_eq!(total_of(&app, "2023010102", cs201), Some(850));
    assert_eq!(total_of(&app, "2023010103", cs201), None, "a blank row stays ungraded");
    assert!(t.get(&page).body.contains("已保存 2 名学生的成绩"));
    assert_eq!(grade_messages(&app), before + 1, "only 林晓 has an account to tell");
    // The form comes back filled in; sent again unchanged, nothing changes.
    let filled = t.get(&page).body;
    assert!(filled.contains("name=\"total:2023010101\" value=\"88.5\"") && filled.contains("name=\"regular:2023010101\" value=\"90\""));
    let again = t.submit(
        &page,
        &action,
        &[
            ("regular:2023010101", "90"),
            ("midterm:2023010101", "85"),
            ("final:2023010101", "88"),
            ("total:2023010101", "88.5"),
            ("total:2023010102", "85"),
        ],
    );
    assert_eq!(again.status, 303);
    assert!(t.get(&page).body.contains("成绩没有变化"));
    assert_eq!(grade_messages(&app), before + 1, "the same grades again say nothing");
    // The student sees it.
    let s = app.login("student", DEMO_PASSWORD);
    assert!(s.get("/me/messages?category=academic").body.contains("数据结构"));
}

#[test]
fn a_bad_cell_brings_the_form_back_with_what_was_typed_and_saves_nothing() {
    let app = spawn_app();
    let t = app.login("teacher", DEMO_PASSWORD);
    let cs201 = course(&app, "CS201");
    let page = format!("/academic/teaching/{cs201}");
    let action = format!("{page}/grades");
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("total:2023010101", "95"), ("total:2023010102", "120")], "张伟（2023010102）的总评成绩"),
        (&[("total:2023010101", "95"), ("final:2023010102", "80")], "张伟（2023010102）：请填写总评成绩"),
        (&[("total:2023010101", "abc")], "林晓（2023010101）的总评成绩"),
        (&[("total:2023010101", "95"), ("total:2023020101", "90")], "学号 2023020101 不在本课程的名单中"),
    ];
    for (fields, says) in cases {
        let r = t.submit(&page, &action, fields);
        assert_eq!(r.status, 422, "{says}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        assert!(r.body.contains("value=\"95\"") || fields[0].1 == "abc", "what was typed comes back");
    }
    assert_eq!(total_of(&app, "2023010101", cs201), None, "nothing saved");
    assert_eq!(total_of(&app, "2023010102", cs201), None);
}

#[test]
fn another_teachers_course_is_not_found_and_cannot_be_graded() {
    let app = spawn_app();
    let t = app.login("teacher", DEMO_PASSWORD);
    let ma201 = course(&app, "MA201");
    assert_eq!(t.get(&format!("/academic/teaching/{ma201}")).status, 404);
    let token = t.get("/academic/teaching").csrf();
    let r = t.post_form(
        &format!("/academic/teaching/{ma201}/grades"),
        &[("csrf_token", &token), ("total:2023010101", "60")],
    );
    assert_eq!(r.status, 404);
    assert_eq!(total_of(&app, "2023010101", ma201), None);
    assert_eq!(t.get("/academic/teaching/999999").status, 404);
    // A student cannot post grades at all.
    let s = app.login("student", DEMO_PASSWORD);
    let cs201 = course(&app, "CS201");
    let token = s.get("/academic/grades").csrf();
    let r = s.post_form(&format!("/academic/teaching/{cs201}/grades"), &[("csrf_token", &token), ("total:2023010101", "100")]);
    assert_eq!(r.status, 403);
    assert_eq!(total_of(&app, "2023010101", cs201), None);
}
