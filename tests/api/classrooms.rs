//! Free classrooms and booking: the finder leaves out rooms with a class or an approved
//! booking, a request waits for an admin, approval is once per slot even under a race, and
//! only the requester cancels.

use campus::db::schema::{audit_log, classroom_booking_slots, classroom_bookings, messages};
use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::prelude::*;

use crate::academic_import::import;
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};

fn today() -> NaiveDate {
    campus::web::time::date(campus::db::now())
}

pub fn day(ahead: i64) -> String {
    (today() + TimeDelta::days(ahead)).to_string()
}

/// The first day at least `ahead` days on when C110 has no class at periods 4–7: its classes
/// of the sample timetable (samples/academic/schedules.csv) take 5–6 on Tuesdays and 3–4 on
/// Wednesdays and Thursdays, so a test run a few days before those would find the room taken.
pub fn day_c110_free_at_5_6(ahead: i64) -> NaiveDate {
    let mut date = today() + TimeDelta::days(ahead);
    while matches!(date.weekday(), chrono::Weekday::Tue | chrono::Weekday::Wed | chrono::Weekday::Thu) {
        date += TimeDelta::days(1);
    }
    date
}

/// The id of classroom `code`.
pub fn room(app: &TestApp, code: &str) -> i64 {
    use campus::db::schema::classrooms;
    app.db(|c| classrooms::table.filter(classrooms::code.eq(code)).select(classrooms::id).first(c).unwrap())
}

/// The room codes the finder lists for `query`.
fn free(client: &Client, query: &str) -> Vec<String> {
    // The building's name, percent-encoded like a browser sends it.
    let query: String = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => format!("{k}={}", campus::web::url_encode(v)),
            None => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    let r = client.get(&format!("/academic/classrooms?{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.split("<span class=\"room__code\">").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()).collect()
}

pub fn request(
    client: &Client,
    room: i64,
    date: &str,
    from: &str,
    to: &str,
    purpose: &str,
    attendees: &str,
) -> crate::helpers::Resp {
    client.submit(
        "/academic/classrooms",
        "/academic/bookings",
        &[
            ("classroom_id", &room.to_string()),
            ("date", date),
            ("from", from),
            ("to", to),
            ("purpose", purpose),
            ("attendees", attendees),
        ],
    )
}

fn bookings(app: &TestApp) -> i64 {
    app.db(|c| classroom_bookings::table.count().get_result(c).unwrap())
}

fn latest_booking(app: &TestApp) -> i64 {
    app.db(|c| {
        classroom_bookings::table
            .select(diesel::dsl::max(classroom_bookings::id))
            .first::<Option<i64>>(c)
            .unwrap()
            .unwrap()
    })
}

#[test]
fn the_finder_leaves_out_rooms_with_a_class_or_an_approved_booking() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let s = app.login("student", DEMO_PASSWORD);
    let page = s.get("/academic/classrooms");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("空教室") && page.body.contains("查找空教室"));
    // A class in C208 (实验楼) a week from today, periods 11-12 of that teaching week only
    // (C110's classes of the sample timetable are all earlier in the day).
    let date = today() + TimeDelta::days(7);
    let week = (date - NaiveDate::from_ymd_opt(2026, 9, 7).unwrap()).num_days().div_euclid(7) + 1;
    let q = |from: i32, to: i32| format!("building=实验楼&date={date}&from={from}&to={to}");
    if (1..=20).contains(&week) {
        let dow = date.weekday().number_from_monday();
        let file = format!(
            "学期,课程代码,教师工号,上课班级,星期,开始节次,结束节次,周次,教室\n2026-2027-1,MA102,T2003,软工2301,{dow},11,12,{week},C208\n"
        );
        import(&admin, "schedules", "one.csv", file.as_bytes());
        assert_eq!(free(&s, &q(11, 12)), ["C110"], "C208 has a class then");
        assert_eq!(free(&s, &q(12, 12)), ["C110"], "overlapping the class's last period");
        assert_eq!(free(&s, &q(1, 2)), ["C110", "C208"]);
        let next_week = date + TimeDelta::days(7);
        let later = format!("building=实验楼&date={next_week}&from=11&to=12");
        if next_week <= today() + TimeDelta::days(30) {
            assert_eq!(free(&s, &later), ["C110", "C208"], "the class meets in week {week} only");
        }
    }
    // The demo's approved booking (A301, tomorrow, 第9-10节) takes the room; the pending one
    // (B206, the day after) does not.
    let tomorrow = |from: i32, to: i32| format!("building=第一教学楼&date={}&from={from}&to={to}", day(1));
    assert!(!free(&s, &tomorrow(10, 11)).contains(&"A301".to_string()));
    assert!(free(&s, &tomorrow(11, 12)).contains(&"A301".to_string()));
    let after = format!("building=第二教学楼&date={}&from=7&to=8", day(2));
    assert!(free(&s, &after).contains(&"B206".to_string()), "a request waiting for approval holds nothing");
    // The demo student's own list shows both.
    let mine = s.get("/academic/bookings");
    assert!(mine.body.contains("A301") && mine.body.contains("已批准"));
    assert!(mine.body.contains("B206") && mine.body.contains("待审批"));
}

#[test]
fn a_request_waits_for_the_admin_whose_approval_takes_the_slot() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let s = app.login("student", DEMO_PASSWORD);
    let c110 = room(&app, "C110");
    let date = day_c110_free_at_5_6(3).to_string();
    let r = request(&s, c110, &date, "5", "6", "社团例会", "20");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/academic/bookings"));
    let id = latest_booking(&app);
    let listed = s.get("/academic/bookings");
    assert!(listed.body.contains("社团例会") && listed.body.contains("待审批"));
    let queue = admin.get("/admin/academic/bookings");
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(&format!("booking-{id}")) && queue.body.contains("社团例会"));

    let ok = admin.submit("/admin/academic/bookings", &format!("/admin/academic/bookings/{id}/approve"), &[]);
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert!(s.get("/academic/bookings").body.contains("已批准"));
    let slots: i64 = app.db(|c| {
        classroom_booking_slots::table.filter(classroom_booking_slots::booking_id.eq(id)).count().get_result(c).unwrap()
    });
    assert_eq!(slots, 2, "one slot row per period");
    let told: i64 = app.db(|c| {
        messages::table
            .filter(messages::title.eq("教室预约已批准"))
            .filter(messages::kind.eq("academic"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert!(told >= 1);
    let audited: i64 = app.db(|c| {
        audit_log::table
            .filter(audit_log::action.eq("booking.approve"))
            .filter(audit_log::target_id.eq(id.to_string()))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(audited, 1);
    assert!(!free(&s, &format!("building=实验楼&date={date}&from=6&to=7")).contains(&"C110".to_string()));

    // The same slot again, by someone else or overlapping: refused, nothing stored.
    let other = app.new_student("rival");
    let before = bookings(&app);
    for (from, to) in [("5", "6"), ("6", "7"), ("4", "5")] {
        let again = request(&other, c110, &date, from, to, "小组讨论", "5");
        assert_eq!(again.status, 409, "{from}-{to}: {}", again.body);
        assert!(again.body.contains("已被预约"), "{}", again.body);
    }
    assert_eq!(bookings(&app), before);
    // A decided request cannot be decided again.
    let twice = admin.submit(
        "/admin/academic/bookings",
        &format!("/admin/academic/bookings/{id}/reject"),
        &[("reason", "重复")],
    );
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("已经处理过"));
}

#[test]
fn a_rejection_needs_a_reason_which_the_student_is_told() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let s = app.login("student", DEMO_PASSWORD);
    let r = request(&s, room(&app, "D305"), &day(4), "1", "2", "班级活动", "40");
    assert_eq!(r.status, 303, "{}", r.body);
    let id = latest_booking(&app);
    let path = format!("/admin/academic/bookings/{id}/reject");
    let blank = admin.submit("/admin/academic/bookings", &path, &[("reason", " ")]);
    assert_eq!(blank.status, 422);
    assert!(blank.body.contains("请填写驳回理由"));
    let done = admin.submit("/admin/academic/bookings", &path, &[("reason", "该教室当天另有考试安排")]);
    assert_eq!(done.status, 303);
    let mine = s.get("/academic/bookings");
    assert!(mine.body.contains("已驳回") && mine.body.contains("驳回理由：该教室当天另有考试安排"));
    let body: String = app.db(|c| {
        messages::table.filter(messages::title.eq("教室预约未获批准")).select(messages::body).first(c).unwrap()
    });
    assert!(body.contains("该教室当天另有考试安排"));
    let late = admin.submit("/admin/academic/bookings", &format!("/admin/academic/bookings/{id}/approve"), &[]);
    assert_eq!(late.status, 409);
    let missing = admin.submit("/admin/academic/bookings", "/admin/academic/bookings/999999/approve", &[]);
    assert_eq!(missing.status, 404);
}

#[test]
fn bad_requests_are_refused_with_the_reason_and_store_nothing() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let c110 = room(&app, "C110");
    let before = bookings(&app);
    let date = day(5);
    let cases: [(&str, &str, &str, &str, &str, u16, &str); 10] = [
        (&day(-1), "1", "2", "例会", "5", 422, "不能预约已经过去的日期"),
        ("2026/12/30", "1", "2", "例会", "5", 422, "日期格式应为"),
        (&day(45), "1", "2", "例会", "5", 422, "天以内"),
        (&date, "4", "2", "例会", "5", 422, "节次应在"),
        (&date, "0", "2", "例会", "5", 422, "节次应在"),
        (&date, "1", "13", "例会", "5", 422, "节次应在"),
        (&date, "1", "2", " ", "5", 422, "请填写用途"),
        (&date, "1", "2", "例会", "0", 422, "人数应在 1 到 50"),
        (&date, "1", "2", "例会", "51", 422, "人数应在 1 到 50"),
        (&date, "1", "2", "例会", "很多", 422, "请填写参加人数"),
    ];
    for (d, from, to, purpose, n, status, says) in cases {
        let r = request(&s, c110, d, from, to, purpose, n);
        assert_eq!(r.status, status, "{d} {from}-{to} {purpose} {n}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    let script = request(&s, c110, &date, "1", "2", "<script>alert(1)</script>", "5");
    assert_eq!(script.status, 303);
    let listed = s.get("/academic/bookings").body;
    assert!(listed.contains("script&#62;alert(1)") && !listed.contains("<script>alert"), "shown as text");
    let unknown = request(&s, 999_999, &date, "1", "2", "例会", "5");
    assert_eq!(unknown.status, 404);
    let again = request(&s, c110, &date, "2", "3", "例会", "5");
    assert_eq!(again.status, 409);
    assert!(again.body.contains("你已经申请过"));
    // At most five waiting at once (the demo student already has one waiting, B206).
    for (i, code) in ["A105", "A302", "B101"].iter().enumerate() {
        let ok = request(&s, room(&app, code), &date, "3", "4", &format!("讨论{i}"), "5");
        assert_eq!(ok.status, 303, "{}", ok.body);
    }
    let sixth = request(&s, room(&app, "D201"), &date, "3", "4", "讨论", "5");
    assert_eq!(sixth.status, 409);
    assert!(sixth.body.contains("待审批的申请"));
    assert_eq!(bookings(&app), before + 4);
    // Not an admin: the queue is closed.
    assert_eq!(s.get("/admin/academic/bookings").status, 403);
    let id = latest_booking(&app);
    assert_eq!(s.submit("/academic/bookings", &format!("/admin/academic/bookings/{id}/approve"), &[]).status, 403);
}

#[test]
fn only_the_requester_cancels_and_cancelling_frees_the_room() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let s = app.login("student", DEMO_PASSWORD);
    let a105 = room(&app, "A105");
    let date = day(6);
    assert_eq!(request(&s, a105, &date, "3", "4", "读书会", "12").status, 303);
    let id = latest_booking(&app);
    assert_eq!(
        admin.submit("/admin/academic/bookings", &format!("/admin/academic/bookings/{id}/approve"), &[]).status,
        303
    );
    let query = format!("building=第一教学楼&date={date}&from=3&to=4");
    assert!(!free(&s, &query).contains(&"A105".to_string()));

    let other = app.new_student("stranger");
    let theirs = other.submit("/academic/classrooms", &format!("/academic/bookings/{id}/cancel"), &[]);
    assert_eq!(theirs.status, 404, "someone else's booking is not found");
    assert!(!free(&s, &query).contains(&"A105".to_string()));

    let mine = s.submit("/academic/bookings", &format!("/academic/bookings/{id}/cancel"), &[]);
    assert_eq!(mine.status, 303);
    assert!(s.get("/academic/bookings").body.contains("已取消"));
    assert!(free(&s, &query).contains(&"A105".to_string()), "the slot is free again");
    let twice = s.submit("/academic/bookings", &format!("/academic/bookings/{id}/cancel"), &[]);
    assert_eq!(twice.status, 409);
    // Freed, the slot can be approved for someone else.
    assert_eq!(request(&other, a105, &date, "3", "4", "社团招新", "10").status, 303);
    let next = latest_booking(&app);
    assert_eq!(
        admin.submit("/admin/academic/bookings", &format!("/admin/academic/bookings/{next}/approve"), &[]).status,
        303
    );
}

#[test]
fn racing_approvals_of_one_slot_leave_exactly_one_booking() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let b101 = room(&app, "B101");
    // A hundred requests for overlapping runs of the same room and day (written straight to the
    // database: the race under test is the approvals).
    let runs = [(3, 4), (4, 5), (4, 4), (2, 4)];
    let student: i64 = app.db(|c| {
        use campus::db::schema::users;
        users::table.filter(users::student_no.eq("2023010101")).select(users::id).first(c).unwrap()
    });
    let day = today() + TimeDelta::days(8);
    let ids: Vec<i64> = (0..100)
        .map(|i| {
            let (from, to) = runs[i % runs.len()];
            let purpose = format!("活动{i}");
            app.db(|c| {
                let b = campus::academic::rooms::queries::NewBooking {
                    room: b101,
                    user: student,
                    day,
                    from,
                    to,
                    purpose: &purpose,
                    attendees: 30,
                };
                campus::academic::rooms::queries::insert(c, &b, campus::db::now()).unwrap()
            })
        })
        .collect();
    let token = admin.get("/admin/academic/bookings").csrf();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| {
                let (admin, token) = (&admin, &token);
                scope.spawn(move || {
                    admin.post_form(&format!("/admin/academic/bookings/{id}/approve"), &[("csrf_token", token)]).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "{statuses:?}");
    let (approved, pending, slots): (i64, i64, i64) = app.db(|c| {
        let approved = classroom_bookings::table
            .filter(classroom_bookings::classroom_id.eq(b101))
            .filter(classroom_bookings::status.eq("approved"))
            .count()
            .get_result(c)
            .unwrap();
        let pending = classroom_bookings::table
            .filter(classroom_bookings::classroom_id.eq(b101))
            .filter(classroom_bookings::status.eq("pending"))
            .count()
            .get_result(c)
            .unwrap();
        let slots = classroom_booking_slots::table
            .filter(classroom_booking_slots::classroom_id.eq(b101))
            .count()
            .get_result(c)
            .unwrap();
        (approved, pending, slots)
    });
    assert_eq!(approved, 1);
    assert_eq!(pending, 99, "the refused approvals changed nothing");
    assert!((1..=3).contains(&slots), "only the winner's periods are held: {slots}");
}
