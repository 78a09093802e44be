//! The user's own data: the JSON export and account deletion.

use diesel::prelude::*;

use crate::activity::{publish, signup};
use crate::helpers::{DEMO_PASSWORD, spawn_app};

#[test]
fn a_student_exports_her_data_then_deletes_her_account_and_her_seat_passes_on() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "读书会", "1", 48, "");
    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(signup(&student, id, "林晓", &[]).status, 303);
    let waiting = app.new_student("next_in_line");
    assert_eq!(signup(&waiting, id, "候补同学", &[]).status, 303);
    assert_eq!(crate::feedback::send(&student, "other", "想要一个深色模式", &[]).status, 303);

    let export = student.get("/me/export");
    assert_eq!(export.status, 200);
    assert!(export.header("content-disposition").unwrap().contains("attachment"));
    let data = export.json();
    assert_eq!(data["profile"]["student_no"], "2023010101");
    let has = |list: &serde_json::Value, f: &dyn Fn(&serde_json::Value) -> bool| list.as_array().unwrap().iter().any(f);
    assert!(has(&data["activity_registrations"], &|r| r["activity"] == "读书会"));
    assert!(has(&data["feedback"], &|f| f["feedback"]["body"] == "想要一个深色模式"));
    assert!(data["orders"].is_array() && data["messages"].as_array().unwrap().len() >= 2);

    let r = student.submit("/me/delete", "/me/delete", &[("confirm", "好的")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请在输入框中填写“注销”两个字以确认"));
    let r = student.submit("/me/delete", "/me/delete", &[("confirm", "注销")]);
    assert_eq!(r.status, 303);
    assert!(student.get("/").body.contains("账号已注销，感谢你的陪伴"), "told what happened");
    assert_eq!(student.get("/me").status, 303, "signed out");
    assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 401, "and cannot sign in again");

    use campus::db::schema::{activity_registrations as reg, audit_log, users};
    let (nick, phone, status): (String, Option<String>, String) = app.db(|c| {
        users::table
            .filter(users::nickname.eq("已注销用户"))
            .select((users::nickname, users::phone, users::status))
            .first(c)
            .unwrap()
    });
    assert_eq!((nick.as_str(), phone, status.as_str()), ("已注销用户", None, "deleted"));
    let names: Vec<String> =
        app.db(|c| reg::table.filter(reg::activity_id.eq(id)).order(reg::id).select(reg::name).load(c).unwrap());
    assert_eq!(names, ["已注销用户", "候补同学"], "this activity's registrations");
    assert!(waiting.get(&format!("/activities/{id}")).body.contains("已报名"), "the seat passed on");
    let actions: Vec<String> = app.db(|c| audit_log::table.select(audit_log::action).load(c).unwrap());
    assert!(actions.iter().any(|a| a == "privacy.export") && actions.iter().any(|a| a == "privacy.delete"));
}
