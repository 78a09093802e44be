//! The academic pages in headless Chromium at 390×844 (issue 11's "done means"): the student
//! reads this week's timetable and her grades, finds a free room for a club meeting and asks
//! for it; the admin approves it at a desk; she sees it approved and is told. Screens are kept
//! in `artifacts/academic-*.png`.

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

    let date = crate::classrooms::day_c110_free_at_5_6(3);
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

/// Issue 35's journey at 390×844: the today card on `/` → tap the room → its building on the
/// campus map; add an own entry from the timetable (a bad week rule first); the GPA planner
/// with htmx (a target above the scale first); the exams and grades pages and the feed link.
#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_follows_the_today_card_to_the_map_adds_an_entry_and_plans_her_gpa() {
    let app = spawn_app();
    crate::academic_day::a_late_class_every_day(&app);
    let d = Driver::start(390, 844, Some(SAFARI_UA));
    sign_in_as_student(&app, &d);
    d.screenshot("today-card-phone.png");
    check_phone_page(&d, "home with the today card");
    assert!(d.source().contains("<section id=\"today\""));
    d.scroll_to("#today a.today-room");
    d.click("#today a.today-room");
    d.wait_for("the map", |d| d.url().contains("/campus/map?poi="));
    assert!(d.source().contains("第一教学楼"));
    d.screenshot("today-room-map-phone.png");
    check_phone_page(&d, "the room on the map");

    visit_phone(&d, &app.url("/academic/schedule"), "timetable", "today-schedule-phone");
    d.scroll_to("a[href='/academic/schedule/entries/new']");
    d.click("a[href='/academic/schedule/entries/new']");
    d.wait_for("the entry form", |d| d.url().ends_with("/academic/schedule/entries/new"));
    d.type_into("input[name=title]", "英语角");
    d.type_into("input[name=place]", "图书馆一楼");
    d.type_into("input[name=weeks]", "1-25");
    d.screenshot("today-entry-form-phone.png");
    check_phone_page(&d, "entry form");
    d.scroll_to("form.entry-form button[type=submit]");
    d.click("form.entry-form button[type=submit]");
    d.wait_for("the refusal", |d| d.source().contains("超出了本学期的 20 个教学周"));
    d.screenshot("today-entry-refused-phone.png");
    d.clear("input[name=weeks]");
    d.type_into("input[name=weeks]", "13-14");
    d.scroll_to("form.entry-form button[type=submit]");
    d.click("form.entry-form button[type=submit]");
    d.wait_for("the week with the entry", |d| {
        d.url().contains("/academic/schedule?week=") && d.source().contains("英语角")
    });
    assert!(d.source().contains("英语角</span><span class=\"own-tag\">我的</span>"));
    d.screenshot("today-entry-on-grid-phone.png");
    check_phone_page(&d, "grid with an own entry");

    visit_phone(&d, &app.url("/academic/gpa"), "planner", "today-gpa-phone");
    d.type_into("input[name=target]", "4.5");
    d.click("form.gpa-plan button[type=submit]");
    d.wait_for("the refusal", |d| d.source().contains("超过了本校绩点满分"));
    d.clear("input[name=target]");
    d.type_into("input[name=target]", "3.5");
    d.type_into("input[name=s_CS201]", "95");
    d.click("form.gpa-plan button[type=submit]");
    d.wait_for("the plan", |d| {
        d.source().contains("id=\"plan-semester\"") && !d.source().contains("超过了本校绩点满分")
    });
    assert!(d.url().ends_with("/academic/gpa"), "htmx swapped the result in place: {}", d.url());
    d.scroll_to("#gpa-result");
    d.screenshot("today-gpa-result-phone.png");
    check_phone_page(&d, "planner result");

    visit_phone(&d, &app.url("/academic/exams"), "exams", "today-exams-phone");
    visit_phone(&d, &app.url("/academic/grades"), "grades", "today-grades-phone");
    assert!(d.source().contains("new-tag"));
    visit_phone(&d, &app.url("/academic/schedule"), "timetable again", "today-schedule-again-phone");
    d.scroll_to("form[action='/academic/schedule.ics/token'] button");
    d.click("form[action='/academic/schedule.ics/token'] button");
    d.wait_for("the feed link", |d| d.source().contains("webcal://"));
    d.screenshot("today-feed-link-phone.png");
    check_phone_page(&d, "feed link");
    assert_no_problems();
}
