//! The academic pages in headless Chromium at 390×844 (issue 11's "done means"): the student
//! reads this week's timetable and her grades, finds a free room for a club meeting and asks
//! for it; the admin approves it at a desk; she sees it approved and is told. Screens are kept
//! in `artifacts/academic-*.png`.

use chrono::TimeDelta;

use crate::browser::{Driver, SAFARI_UA, sign_in_as_student};
use crate::browser_rules::{assert_no_problems, check_desk_page, check_phone_page, visit_phone};
use crate::helpers::{DEMO_PASSWORD, spawn_app};

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_books_a_classroom_that_an_admin_approves() {
    let app = spawn_app();
    let d = Driver::start(390, 844, Some(SAFARI_UA));
    sign_in_as_student(&app, &d);
    visit_phone(&d, &app.url("/academic/schedule?week=13"), "timetable", "academic-schedule-phone");
    assert!(d.source().contains("第13周课表"));
    visit_phone(&d, &app.url("/academic/grades"), "grades", "academic-grades-phone");
    assert!(d.source().contains("GPA") || d.source().contains("绩点"));

    let date = campus::web::time::date(campus::db::now()) + TimeDelta::days(3);
    let finder = app.url(&format!("/academic/classrooms?building=实验楼&date={date}&from=5&to=6"));
    visit_phone(&d, &finder, "free classrooms", "academic-classrooms-phone");
    assert!(d.source().contains("C110"));
    d.scroll_to("details.room summary");
    d.click("details.room summary");
    d.type_into("details.room[open] input[name=purpose]", "摄影协会例会");
    d.type_into("details.room[open] input[name=attendees]", "25");
    d.screenshot("academic-booking-form-phone.png");
    check_phone_page(&d, "booking form");
    d.scroll_to("details.room[open] button[type=submit]");
    d.click("details.room[open] button[type=submit]");
    d.wait_for("my bookings", |d| d.url().ends_with("/academic/bookings") && d.source().contains("摄影协会例会"));
    d.screenshot("academic-bookings-pending-phone.png");
    check_phone_page(&d, "my bookings");
    assert!(d.source().contains("待审批"));

    // The admin, at a desk, approves it.
    let a = Driver::start(1280, 900, None);
    a.goto(&app.url("/login?next=/admin/academic/bookings"));
    a.type_into("input[name=username]", "admin");
    a.type_into("input[name=password]", DEMO_PASSWORD);
    a.click("form[action='/login'] button[type=submit]");
    a.wait_for("the queue", |d| d.url().ends_with("/admin/academic/bookings"));
    assert!(a.source().contains("摄影协会例会"));
    check_desk_page(&a, "booking queue");
    a.screenshot("academic-admin-bookings-desk.png");
    let id: i64 = app.db(|c| {
        use campus::db::schema::classroom_bookings as b;
        use diesel::prelude::*;
        b::table.filter(b::purpose.eq("摄影协会例会")).select(b::id).first(c).unwrap()
    });
    a.click(&format!("#booking-{id} form[action$='/approve'] button[type=submit]"));
    a.wait_for("the approval", |d| d.source().contains("已批准，申请人会收到通知"));

    visit_phone(&d, &app.url("/academic/bookings"), "approved", "academic-bookings-approved-phone");
    assert!(d.source().contains("已批准"));
    visit_phone(&d, &app.url("/me/messages?category=academic"), "academic messages", "academic-messages-phone");
    assert!(d.source().contains("教室预约已批准"));
    visit_phone(&d, &app.url("/academic/evaluation"), "evaluation", "academic-evaluation-phone");
    assert!(d.source().contains("综合得分"));
    visit_phone(&d, &app.url("/academic/contacts"), "contacts", "academic-contacts-phone");
    assert!(d.source().contains("教务处"));
    assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_teacher_enters_grades_on_a_phone() {
    let app = spawn_app();
    let d = Driver::start(390, 844, Some(SAFARI_UA));
    d.goto(&app.url("/login?next=/academic/teaching"));
    d.type_into("input[name=username]", "teacher");
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("his courses", |d| d.url().ends_with("/academic/teaching"));
    d.screenshot("academic-teaching-phone.png");
    check_phone_page(&d, "courses");
    visit_phone(&d, &app.url("/academic/teacher-schedule?week=13"), "teaching week", "academic-teacher-week-phone");
    let cs201: i64 = app.db(|c| {
        use campus::db::schema::courses;
        use diesel::prelude::*;
        courses::table.filter(courses::code.eq("CS201")).select(courses::id).first(c).unwrap()
    });
    visit_phone(&d, &app.url(&format!("/academic/teaching/{cs201}")), "roster", "academic-roster-phone");
    d.type_into("input[name='total:2023010101']", "92");
    d.type_into("input[name='total:2023010102']", "优秀");
    d.scroll_to("form[action$='/grades'] button[type=submit]");
    d.click("form[action$='/grades'] button[type=submit]");
    d.wait_for("the saved grades", |d| d.source().contains("已保存 2 名学生的成绩"));
    d.screenshot("academic-roster-saved-phone.png");
    assert_no_problems();
}
