//! Feedback over HTTP: sending with screenshots, an admin's reply reaching the messages, escaping,
//! bad input and other people's threads.

use diesel::prelude::*;

use crate::activity::{multipart, png};
use crate::helpers::{Client, DEMO_PASSWORD, Resp, spawn_app};

pub fn send(c: &Client, category: &str, body: &str, files: &[(&str, &str, Vec<u8>)]) -> Resp {
    let token = c.get("/me/feedback").csrf();
    let (ct, data) = multipart(&[("category", category), ("body", body)], files);
    c.post_raw(&format!("/me/feedback?csrf_token={token}"), &ct, &data)
}

#[test]
fn feedback_with_screenshots_gets_a_reply_in_the_messages() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let shots = vec![("images", "a.png", png(600, 900)), ("images", "b.png", png(600, 900))];
    let r = send(&student, "bug", "课表页面<script>alert(1)</script>打不开", &shots);
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r.location().unwrap().trim_start_matches("/me/feedback/").parse().unwrap();
    let page = student.get(&format!("/me/feedback/{id}"));
    assert!(page.body.contains("课表页面") && !page.body.contains("<script>alert(1)"), "text shown escaped");
    assert_eq!(page.body.matches("class=\"feedback-shot\"").count(), 2);

    let admin = app.login("admin", DEMO_PASSWORD);
    assert!(admin.get("/admin/feedback").body.contains("待处理"));
    let r = admin.submit(
        &format!("/admin/feedback/{id}"),
        &format!("/admin/feedback/{id}/reply"),
        &[("body", "已修复，请更新后再试")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let messages = student.get("/me/messages");
    assert!(messages.body.contains("你的反馈有了回复") && messages.body.contains("已修复，请更新后再试"));
    assert!(student.get(&format!("/me/feedback/{id}")).body.contains("已回复"));
    // The student writes again: open for the admins once more.
    let r =
        student.submit(&format!("/me/feedback/{id}"), &format!("/me/feedback/{id}/reply"), &[("body", "好的，谢谢")]);
    assert_eq!(r.status, 303);
    assert!(admin.get(&format!("/admin/feedback/{id}")).body.contains("好的，谢谢"));
}

#[test]
fn bad_feedback_is_refused_and_threads_stay_private() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let r = send(&student, "bug", "   ", &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("反馈内容需为 1–1000 个字"));
    let r = send(
        &student,
        "bug",
        "太多图",
        &(0..4).map(|i| ("images", ["a.png", "b.png", "c.png", "d.png"][i], png(50, 50))).collect::<Vec<_>>(),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("最多上传 3 张图片"));
    let r = send(&student, "bug", "大图", &[("images", "big.png", vec![7u8; 6 * 1024 * 1024])]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能超过"));
    let r = send(&student, "bug", "假图", &[("images", "fake.png", b"GIF89a not really".to_vec())]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只能上传 JPG 或 PNG 图片"));
    use campus::db::schema::feedback;
    let n: i64 = app.db(|c| feedback::table.count().get_result(c).unwrap());
    assert_eq!(n, 1, "nothing stored beside the demo thread");

    let r = send(&student, "suggestion", "希望增加夜间模式", &[]);
    let id: i64 = r.location().unwrap().trim_start_matches("/me/feedback/").parse().unwrap();
    let other = app.new_student("nosy");
    assert_eq!(other.get(&format!("/me/feedback/{id}")).status, 404);
    let token = other.get("/me/feedback").csrf();
    assert_eq!(
        other.post_form(&format!("/me/feedback/{id}/reply"), &[("csrf_token", &token), ("body", "我也是")]).status,
        404
    );
    assert_eq!(other.get(&format!("/admin/feedback/{id}")).status, 403);
}
