//! Reminders (`/me/reminders`): settings and their bad input, a class reminder sent once by
//! in-app message and WeChat (one acceptance spent), skipped and recorded without an acceptance
//! or in quiet hours, the exam's evening-before reminder, the job runner sending an exam
//! reminder, grade changes following the 成绩变动 channels, and two instances on one database
//! sending one reminder.
//!
//! The scan takes the time it runs at, so class tests use a fixed moment of the demo semester:
//! 数据结构 (CS201, A203, 王明) meets the demo class on Mondays 08:00; week 13's Monday is
//! 2026-11-30, 08:00 Shanghai = 00:00 UTC.

use std::sync::{Arc, Barrier};

use campus::db::schema::{messages, reminder_log, reminder_prefs, user_auth, users, wx_subscriptions};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, FakeWeChat, TestApp, app, eventually, spawn_app};

const TEMPLATES: [(&str, &str); 4] =
    [("class", "T_CLASS"), ("exam", "T_EXAM"), ("activity", "T_ACT"), ("grade", "T_GRADE")];

/// 2026-11-30 08:00 Shanghai, the start of 数据结构 in week 13.
fn class_start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().and_hms_opt(0, 0, 0).unwrap()
}

fn templates() -> Vec<(String, String)> {
    TEMPLATES.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

fn student_id(app: &TestApp) -> i64 {
    app.db(|c| users::table.filter(users::student_no.eq("2023010101")).select(users::id).first(c).unwrap())
}

/// Makes the demo student a WeChat user (openid `openid-lin`) with `n` acceptances of `template`.
fn wechat_user(app: &TestApp, template: &str, n: i32) -> i64 {
    let id = student_id(app);
    app.db(|c| {
        diesel::insert_into(user_auth::table)
            .values((
                user_auth::user_id.eq(id),
                user_auth::auth_type.eq("wechat"),
                user_auth::auth_key.eq("openid-lin"),
                user_auth::created_at.eq(campus::db::now()),
            ))
            .execute(c)
            .unwrap();
        if n > 0 {
            diesel::insert_into(wx_subscriptions::table)
                .values((
                    wx_subscriptions::user_id.eq(id),
                    wx_subscriptions::template_id.eq(template),
                    wx_subscriptions::remaining.eq(n),
                    wx_subscriptions::updated_at.eq(campus::db::now()),
                ))
                .execute(c)
                .unwrap();
        }
    });
    id
}

fn remaining(app: &TestApp, user: i64, template: &str) -> i32 {
    app.db(|c| {
        wx_subscriptions::table
            .filter(wx_subscriptions::user_id.eq(user))
            .filter(wx_subscriptions::template_id.eq(template))
            .select(wx_subscriptions::remaining)
            .first(c)
            .unwrap_or(0)
    })
}

fn messages_titled(app: &TestApp, user: i64, title: &str) -> i64 {
    app.db(|c| {
        messages::table
            .filter(messages::user_id.eq(user))
            .filter(messages::title.eq(title))
            .count()
            .get_result(c)
            .unwrap()
    })
}

/// The log of one user: (occurrence, outcome, note).
fn log(app: &TestApp, user: i64) -> Vec<(String, String, String)> {
    app.db(|c| {
        reminder_log::table
            .filter(reminder_log::user_id.eq(user))
            .order(reminder_log::id)
            .select((reminder_log::occurrence, reminder_log::outcome, reminder_log::note))
            .load(c)
            .unwrap()
    })
}

fn save(s: &Client, fields: &[(&str, &str)]) -> crate::helpers::Resp {
    s.submit("/me/reminders", "/me/reminders", fields)
}

fn scan(app: &TestApp, now: NaiveDateTime) -> usize {
    app.db(|c| campus::reminders::service::scan(c, &templates(), now).unwrap())
}

#[test]
fn a_class_reminder_goes_out_once_in_app_and_by_wechat_spending_one_acceptance() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).wx_templates(&TEMPLATES).start();
    let s = app.login("student", DEMO_PASSWORD);
    let id = wechat_user(&app, "T_CLASS", 2);
    let page = s.get("/me/reminders");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("微信还可提醒 2 次"), "{}", page.body);
    assert!(page.body.contains("data-subscribe=\"class\""), "the top-up button of the class purpose");
    let r = save(&s, &[("class_lead", "20"), ("class_channel", "in_app"), ("class_channel", "wechat")]);
    assert_eq!(r.status, 303, "{}", r.body);

    // 25 minutes before: not yet. 15 minutes before: due, once however often the scan runs.
    assert_eq!(scan(&app, class_start() - TimeDelta::minutes(25)), 0);
    let now = class_start() - TimeDelta::minutes(15);
    assert_eq!(scan(&app, now), 1);
    assert_eq!(scan(&app, now), 0);
    assert_eq!(scan(&app, now + TimeDelta::minutes(5)), 0);
    // After the start nothing is sent any more (a scan that comes too late stays quiet).
    assert_eq!(scan(&app, class_start() + TimeDelta::minutes(1)), 0);

    assert!(eventually(|| wx.ledger.lock().unwrap().sent.len() == 1));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sent = wx.ledger.lock().unwrap().sent.clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["touser"], "openid-lin");
    assert_eq!(sent[0]["template_id"], "T_CLASS");
    assert_eq!(sent[0]["data"]["thing1"]["value"], "数据结构");
    assert_eq!(sent[0]["data"]["time2"]["value"], "2026-11-30 08:00");
    assert_eq!(sent[0]["data"]["thing3"]["value"], "A203");
    assert_eq!(remaining(&app, id, "T_CLASS"), 1, "one acceptance spent");
    assert_eq!(messages_titled(&app, id, "上课提醒：数据结构"), 1);
    let entries = log(&app, id);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, format!("class:{}:2026-11-30", schedule_id(&app)));
    assert_eq!(entries[0].1, "sent");

    let page = s.get("/me/reminders").body;
    assert!(page.contains("微信还可提醒 1 次"));
    assert!(page.contains("上课提醒：数据结构") && page.contains("已发送"), "{page}");
}

fn schedule_id(app: &TestApp) -> i64 {
    use campus::db::schema::{course_schedules, courses};
    app.db(|c| {
        course_schedules::table
            .inner_join(courses::table)
            .filter(courses::code.eq("CS201"))
            .filter(course_schedules::class_names.eq("软工2301"))
            .filter(course_schedules::day_of_week.eq(1))
            .select(course_schedules::id)
            .first(c)
            .unwrap()
    })
}

#[test]
fn without_an_acceptance_left_the_wechat_reminder_is_skipped_and_recorded() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).wx_templates(&TEMPLATES).start();
    let s = app.login("student", DEMO_PASSWORD);
    let id = wechat_user(&app, "T_CLASS", 0);
    assert!(s.get("/me/reminders").body.contains("微信还可提醒 0 次"));
    assert_eq!(save(&s, &[("class_lead", "10"), ("class_channel", "wechat")]).status, 303);
    assert_eq!(scan(&app, class_start() - TimeDelta::minutes(5)), 1);
    let entries = log(&app, id);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].1, "no_grant");
    assert!(entries[0].2.contains("订阅次数已用完"), "{entries:?}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(wx.ledger.lock().unwrap().sent.is_empty());
    let page = s.get("/me/reminders").body;
    assert!(page.contains("微信次数用完，已跳过"), "{page}");
    // Decided once: a later scan does not try again.
    assert_eq!(scan(&app, class_start() - TimeDelta::minutes(4)), 0);
}

#[test]
fn quiet_hours_skip_a_due_reminder_and_record_it() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let id = student_id(&app);
    // 07:00–07:50 Shanghai: the 07:45 reminder of the 08:00 class falls inside.
    let r =
        save(&s, &[("class_lead", "20"), ("class_channel", "in_app"), ("quiet_from", "07:00"), ("quiet_to", "07:50")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(scan(&app, class_start() - TimeDelta::minutes(15)), 1);
    assert_eq!(log(&app, id)[0].1, "quiet");
    assert_eq!(messages_titled(&app, id, "上课提醒：数据结构"), 0);
    assert!(s.get("/me/reminders").body.contains("免打扰，已跳过"));

    // Quiet hours across midnight (22:00–07:30) let the 07:50 reminder of next week through.
    let r =
        save(&s, &[("class_lead", "10"), ("class_channel", "in_app"), ("quiet_from", "22:00"), ("quiet_to", "07:30")]);
    assert_eq!(r.status, 303);
    let page = s.get("/me/reminders").body;
    assert!(page.contains("value=\"22:00\"") && page.contains("value=\"07:30\""));
    assert_eq!(scan(&app, class_start() + TimeDelta::days(7) - TimeDelta::minutes(10)), 1);
    assert_eq!(messages_titled(&app, id, "上课提醒：数据结构"), 1);
}

#[test]
fn an_exam_is_reminded_the_evening_before_with_its_room_and_seat() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let id = student_id(&app);
    let r = save(&s, &[("exam_lead", "60"), ("exam_evening", "1"), ("exam_channel", "in_app")]);
    assert_eq!(r.status, 303, "{}", r.body);
    // CS205's exam: 2026-12-10 19:00 Shanghai in C110, seat 31. The evening before, 20:05.
    let eve = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap().and_hms_opt(12, 5, 0).unwrap();
    assert_eq!(scan(&app, eve - TimeDelta::minutes(10)), 0, "19:55 is not the evening yet");
    assert_eq!(scan(&app, eve), 1);
    let body: String = app.db(|c| {
        messages::table
            .filter(messages::user_id.eq(id))
            .filter(messages::title.like("考试提醒%"))
            .select(messages::body)
            .first(c)
            .unwrap()
    });
    assert!(body.contains("C110") && body.contains("座位号 31") && body.contains("12月10日 19:00"), "{body}");
    // The hour-before reminder is its own, on the day.
    let start = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap().and_hms_opt(11, 0, 0).unwrap();
    assert_eq!(scan(&app, start - TimeDelta::minutes(61)), 0);
    assert_eq!(scan(&app, start - TimeDelta::minutes(59)), 1);
    let keys: Vec<String> = log(&app, id).into_iter().map(|l| l.0).collect();
    assert!(keys[0].ends_with(":evening") && keys[1].ends_with(":before"), "{keys:?}");
}

#[test]
fn the_job_runner_sends_a_due_exam_reminder() {
    use campus::db::schema::{courses, exams, semesters};
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let id = student_id(&app);
    assert_eq!(save(&s, &[("exam_lead", "60"), ("exam_channel", "in_app")]).status, 303);
    // An exam 30 minutes from now (real time): due for a 60-minute reminder.
    let now = campus::db::now();
    app.db(|c| {
        let course: i64 = courses::table.filter(courses::code.eq("MA201")).select(courses::id).first(c).unwrap();
        let semester: i64 = semesters::table.select(semesters::id).first(c).unwrap();
        diesel::insert_into(exams::table)
            .values((
                exams::student_no.eq("2023010101"),
                exams::semester_id.eq(semester),
                exams::course_id.eq(course),
                exams::starts_at.eq(now + TimeDelta::minutes(30)),
                exams::ends_at.eq(now + TimeDelta::minutes(150)),
                exams::room.eq("D402"),
                exams::seat.eq("7"),
                exams::created_at.eq(now),
                exams::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap();
        campus::jobs::enqueue(c, campus::reminders::service::JOB_SCAN, &serde_json::json!({}), now).unwrap();
    });
    assert!(eventually(|| log(&app, id).len() == 1), "the runner's scan decided it");
    let exam_messages = || {
        app.db(|c| {
            messages::table
                .filter(messages::user_id.eq(id))
                .filter(messages::title.like("考试提醒%"))
                .select(messages::body)
                .load::<String>(c)
                .unwrap()
        })
    };
    assert!(eventually(|| exam_messages().len() == 1));
    assert!(exam_messages()[0].contains("D402") && exam_messages()[0].contains("座位号 7"));
    // The scan books its own next run.
    assert!(app.db(|c| campus::jobs::is_waiting(c, campus::reminders::service::JOB_SCAN).unwrap()));
}

#[test]
fn a_reminder_time_not_offered_is_refused_in_chinese_and_nothing_is_saved() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let id = student_id(&app);
    let saved = || {
        app.db(|c| reminder_prefs::table.filter(reminder_prefs::user_id.eq(id)).count().get_result::<i64>(c).unwrap())
    };
    for (fields, message) in [
        (vec![("class_lead", "15"), ("class_channel", "in_app")], "上课提醒只能在开始前 10、20、30 或 60 分钟提醒"),
        (
            vec![("activity_lead", "120"), ("activity_channel", "in_app")],
            "活动提醒只能在开始前 10、20、30 或 60 分钟提醒",
        ),
        (vec![("exam_lead", "abc"), ("exam_channel", "email")], "考试提醒只能在开始前 10、20、30 或 60 分钟提醒"),
        (vec![("exam_lead", ""), ("exam_channel", "in_app")], "考试提醒请选择提前多久"),
        (vec![("class_lead", "10"), ("class_channel", "sms")], "未知的提醒方式"),
        (vec![("class_lead", "10"), ("quiet_from", "25:00"), ("quiet_to", "07:00")], "免打扰时段请填写开始和结束时间"),
        (vec![("class_lead", "10"), ("quiet_from", "22:00")], "免打扰时段请填写开始和结束时间"),
        (vec![("class_lead", "10"), ("quiet_from", "22:00"), ("quiet_to", "22:00")], "免打扰的开始和结束时间不能相同"),
    ] {
        let r = save(&s, &fields);
        assert_eq!(r.status, 422, "{fields:?}: {}", r.body);
        assert!(r.body.contains(message), "{fields:?}: {}", r.body);
        assert!(r.body.contains("id=\"form-error\""));
        assert_eq!(saved(), 0, "{fields:?} saved nothing");
    }
    assert!(app.db(|c| campus::notify::prefs::quiet_hours(c, id).unwrap()).is_none());
    // Without the CSRF token: refused too.
    assert_eq!(s.post_form("/me/reminders", &[("class_lead", "10")]).status, 403);
    assert_eq!(saved(), 0);
}

#[test]
fn settings_are_each_users_own_and_signed_out_visitors_are_sent_to_log_in() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let r = save(
        &s,
        &[
            ("class_lead", "30"),
            ("class_channel", "in_app"),
            ("class_channel", "email"),
            ("exam_lead", "60"),
            ("exam_evening", "1"),
            ("exam_channel", "in_app"),
            ("activity_lead", "10"),
            ("grade_channel", "in_app"),
        ],
    );
    assert_eq!(r.status, 303);
    let page = s.get("/me/reminders").body;
    assert!(page.contains("<option value=\"30\" selected>30 分钟</option>"), "{page}");
    assert!(page.contains("<option value=\"60\" selected>60 分钟</option>"));
    assert!(page.contains("id=\"exam-evening\" name=\"exam_evening\" value=\"1\" checked"));
    assert!(page.contains("id=\"class-email\" name=\"class_channel\" value=\"email\" checked"));
    assert!(!page.contains("id=\"activity-in-app\" name=\"activity_channel\" value=\"in_app\" checked"));
    assert!(page.contains("学校还没有开通这类微信提醒"), "no templates configured in this app");
    // Another student sees her own (default, off) settings.
    let other = app.new_student("other_rem");
    let theirs = other.get("/me/reminders").body;
    assert!(!theirs.contains("id=\"class-email\" name=\"class_channel\" value=\"email\" checked"));
    assert!(theirs.contains("<option value=\"20\" selected>20 分钟</option>"));
    assert_eq!(app.client().get("/me/reminders").status, 303);
    // The export holds them; forgetting removes them.
    let id = student_id(&app);
    let data = app.db(|c| campus::reminders::service::export_user(c, id).unwrap());
    assert_eq!(data["reminders"].as_array().unwrap().len(), 4);
    app.db(|c| campus::reminders::service::forget_user(c, id).unwrap());
    assert_eq!(app.db(|c| campus::reminders::service::export_user(c, id).unwrap())["reminders"], serde_json::json!([]));
}

#[test]
fn grade_changes_follow_the_saved_channels() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let id = student_id(&app);
    let course: i64 = app.db(|c| {
        use campus::db::schema::courses;
        courses::table.filter(courses::code.eq("CS201")).select(courses::id).first(c).unwrap()
    });
    let grade_messages = || {
        app.db(|c| {
            messages::table
                .filter(messages::user_id.eq(id))
                .filter(messages::title.like("成绩有更新%"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
    };
    // Default: told in the app, as before reminders existed.
    app.db(|c| campus::academic::alerts::grade_saved(c, "2023010101", course, 880, false).unwrap());
    assert_eq!(grade_messages(), 1);
    // Switched off: nothing arrives.
    assert_eq!(save(&s, &[("class_lead", "20")]).status, 303);
    app.db(|c| campus::academic::alerts::grade_saved(c, "2023010101", course, 890, false).unwrap());
    assert_eq!(grade_messages(), 1);
    // In-app again.
    assert_eq!(save(&s, &[("class_lead", "20"), ("grade_channel", "in_app")]).status, 303);
    app.db(|c| campus::academic::alerts::grade_saved(c, "2023010101", course, 900, false).unwrap());
    assert_eq!(grade_messages(), 2);
}

#[test]
fn two_instances_on_one_database_send_a_reminder_once() {
    let wx = FakeWeChat::start();
    let first = app().wechat(&wx.base).wx_templates(&TEMPLATES).start();
    let second = app().same_database_as(&first).wechat(&wx.base).wx_templates(&TEMPLATES).start();
    let s = first.login("student", DEMO_PASSWORD);
    let id = wechat_user(&first, "T_CLASS", 3);
    let r = save(&s, &[("class_lead", "20"), ("class_channel", "in_app"), ("class_channel", "wechat")]);
    assert_eq!(r.status, 303);

    // Eight scans at the same moment, half on each instance's pool.
    let now = class_start() - TimeDelta::minutes(12);
    let barrier = Arc::new(Barrier::new(8));
    let apps = [&first, &second];
    let decided: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (app, barrier) = (apps[i % 2], barrier.clone());
                scope.spawn(move || {
                    let mut conn = app.state.db.get().unwrap();
                    barrier.wait();
                    campus::reminders::service::scan(&mut conn, &templates(), now).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(decided, 1, "one scan decided the reminder");
    assert!(eventually(|| wx.ledger.lock().unwrap().sent.len() == 1));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(wx.ledger.lock().unwrap().sent.len(), 1, "one WeChat message");
    assert_eq!(remaining(&second, id, "T_CLASS"), 2, "one acceptance spent");
    assert_eq!(messages_titled(&second, id, "上课提醒：数据结构"), 1);
    assert_eq!(log(&second, id).len(), 1);
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_sets_class_reminders_on_a_phone() {
    use crate::browser::{Driver, WEBVIEW_UA, sign_in_as_student};
    use crate::browser_rules::{assert_no_problems, js, visit_phone};
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).wx_templates(&TEMPLATES).start();
    wechat_user(&app, "T_CLASS", 2);
    let d = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in_as_student(&app, &d);
    visit_phone(&d, &app.url("/me/reminders"), "the reminder settings", "reminders-phone");
    assert!(d.source().contains("微信还可提醒 2 次"));
    js(&d, "document.querySelector('#class-lead').value = '10'; return true;");
    d.scroll_to("#class-in-app");
    d.click("label[for=class-in-app]");
    d.scroll_to("form.reminder-settings button[type=submit]");
    d.click("form.reminder-settings button[type=submit]");
    d.wait_for("the saved page", |d| d.source().contains("提醒设置已保存"));
    assert_eq!(js(&d, "return document.querySelector('#class-lead').value;"), "10");
    assert_eq!(js(&d, "return document.querySelector('#class-in-app').checked;"), true);
    d.screenshot("reminders-saved-phone.png");
    assert_no_problems();
}

#[test]
fn an_activity_is_reminded_to_those_with_a_seat_not_to_the_waitlist() {
    use campus::db::schema::activities;
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = crate::activity::publish(&admin, "校史馆夜游", "1", 48, "");
    let s = app.login("student", DEMO_PASSWORD);
    assert_eq!(crate::activity::signup(&s, id, "林晓", &[]).status, 303);
    let late = app.new_student("late_rem");
    assert_eq!(crate::activity::signup(&late, id, "晚到同学", &[]).status, 303, "waitlisted");
    for c in [&s, &late] {
        assert_eq!(save(c, &[("activity_lead", "60"), ("activity_channel", "in_app")]).status, 303);
    }
    let starts: NaiveDateTime = app.db(|c| activities::table.find(id).select(activities::starts_at).first(c).unwrap());
    assert_eq!(scan(&app, starts - TimeDelta::minutes(61)), 0);
    assert_eq!(scan(&app, starts - TimeDelta::minutes(30)), 1, "the seat holder only");
    let me = student_id(&app);
    assert_eq!(messages_titled(&app, me, "活动提醒：校史馆夜游"), 1);
    let others: i64 =
        app.db(|c| reminder_log::table.filter(reminder_log::user_id.ne(me)).count().get_result::<i64>(c).unwrap());
    assert_eq!(others, 0, "nothing decided for the waitlisted student");
}

#[test]
fn saves_at_once_from_two_tabs_all_succeed_and_one_wins() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let token = s.get("/me/reminders").csrf();
    let leads = ["10", "20", "30", "60"];
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (s, token) = (&s, token.clone());
                scope.spawn(move || {
                    let fields = [
                        ("csrf_token", token.as_str()),
                        ("class_lead", leads[i % 4]),
                        ("class_channel", "in_app"),
                        ("quiet_from", "22:00"),
                        ("quiet_to", "07:00"),
                    ];
                    s.post_form("/me/reminders", &fields).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let id = student_id(&app);
    let rows: i64 = app.db(|c| {
        reminder_prefs::table
            .filter(reminder_prefs::user_id.eq(id))
            .filter(reminder_prefs::purpose.eq("class"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(rows, 1);
}
