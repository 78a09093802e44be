//! Activities over HTTP: publishing, registering until full, the waitlist and its promotion,
//! check-in by code, the organizer's list, CSV and messages, bad input and other people's data.

use chrono::TimeDelta;
use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, eventually, spawn_app};

/// A multipart body of text fields and files `(field, file name, bytes)`.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----campusLifeBoundary7d2";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (k, name, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form with the CSRF token of `page` in the query string.
pub fn post_multipart(
    c: &Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> Resp {
    let token = c.get(page).csrf();
    let (ct, body) = multipart(fields, files);
    let sep = if action.contains('?') { '&' } else { '?' };
    c.post_raw(&format!("{action}{sep}csrf_token={token}"), &ct, &body)
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 250) as u8, (y % 250) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// `hours` from now, as the organizer form's Shanghai `datetime-local` value.
pub fn local(hours: i64) -> String {
    let t = chrono::Utc::now().naive_utc() + TimeDelta::hours(hours);
    campus::web::time::local(t).format("%Y-%m-%dT%H:%M").to_string()
}

/// Publishes an activity starting in `start_hours` with `capacity` seats; returns its id.
pub fn publish(c: &Client, title: &str, capacity: &str, start_hours: i64, questions: &str) -> i64 {
    let (starts, ends, deadline) = (local(start_hours), local(start_hours + 2), local(start_hours - 1));
    let r = post_multipart(
        c,
        "/activities/new",
        "/activities/new",
        &[
            ("title", title),
            ("category", "lecture"),
            ("host", "计算机学院学生会"),
            ("place", "图书馆报告厅"),
            ("starts_at", &starts),
            ("ends_at", &ends),
            ("deadline", &deadline),
            ("capacity", capacity),
            ("description", "嘉宾分享大模型的最新进展，欢迎各专业同学参加。"),
            ("questions", questions),
        ],
        &[],
    );
    assert_eq!(r.status, 303, "publish failed: {}", r.body);
    r.location().unwrap().trim_start_matches("/activities/").parse().unwrap()
}

pub fn signup(c: &Client, id: i64, name: &str, extra: &[(&str, &str)]) -> Resp {
    let page = format!("/activities/{id}/register");
    let mut fields = vec![("name", name), ("student_no", "2023010199"), ("phone", "13812345678")];
    fields.extend_from_slice(extra);
    c.submit(&page, &page, &fields)
}

fn status_of(app: &TestApp, activity: i64, name: &str) -> String {
    use campus::db::schema::activity_registrations as r;
    app.db(|c| {
        r::table
            .filter(r::activity_id.eq(activity))
            .filter(r::name.eq(name))
            .order(r::id.desc())
            .select(r::status)
            .first(c)
            .unwrap()
    })
}

fn registered(app: &TestApp, id: i64) -> i64 {
    use campus::db::schema::activities as a;
    app.db(|c| a::table.find(id).select(a::registered).first(c).unwrap())
}

fn rows(app: &TestApp, id: i64) -> i64 {
    use campus::db::schema::activity_registrations as r;
    app.db(|c| r::table.filter(r::activity_id.eq(id)).count().get_result(c).unwrap())
}

/// The check-in code on a student's ticket page.
fn code_of(c: &Client, id: i64) -> String {
    let page = c.get(&format!("/activities/{id}/ticket"));
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page.body.find("id=\"checkin-code\">").unwrap() + "id=\"checkin-code\">".len();
    page.body[at..at + 8].to_string()
}

#[test]
fn a_student_fills_the_last_seat_the_next_waits_and_is_promoted_when_someone_cancels() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "大模型前沿讲座", "2", 72, "所在学院\n饮食禁忌（选填）");

    let list = app.client().get("/activities");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("大模型前沿讲座"), "logged-out visitors see the list");
    let detail = app.client().get(&format!("/activities/{id}"));
    assert!(detail.body.contains("剩余 <strong id=\"seats-left\">2</strong>"));
    assert!(detail.body.contains("计算机学院学生会") && detail.body.contains("图书馆报告厅"));

    let (a, b, c) = (app.new_student("stu_a"), app.new_student("stu_b"), app.new_student("stu_c"));
    let r = signup(&a, id, "甲同学", &[("q0", "计算机学院")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some(format!("/activities/{id}/ticket").as_str()));
    assert_eq!(signup(&b, id, "乙同学", &[("q0", "数学学院")]).status, 303);
    let r = signup(&c, id, "丙同学", &[("q0", "外国语学院")]);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some(format!("/activities/{id}").as_str()), "full: the waitlist");
    let page = c.get(&format!("/activities/{id}"));
    assert!(page.body.contains("候补中") && page.body.contains("候补第 1 位"), "{}", page.body);
    assert_eq!(registered(&app, id), 2);
    assert_eq!(status_of(&app, id, "丙同学"), "waitlisted");

    // 甲 cancels: 丙 moves up at once and is told.
    let token = a.get(&format!("/activities/{id}")).csrf();
    let r = a.post_form(&format!("/activities/{id}/cancel"), &[("csrf_token", &token)]);
    assert_eq!(r.status, 303);
    assert_eq!(status_of(&app, id, "甲同学"), "cancelled");
    assert_eq!(status_of(&app, id, "丙同学"), "registered");
    assert_eq!(registered(&app, id), 2, "the seat passed on, not freed");
    let messages = c.get("/me/messages?category=activity");
    assert!(messages.body.contains("候补成功：大模型前沿讲座"), "{}", messages.body);

    // The organizer checks 丙 in with the code from the QR ticket, once.
    let code = code_of(&c, id);
    let svg = c.get(&format!("/activities/{id}/ticket.svg"));
    assert_eq!(svg.status, 200);
    assert!(svg.body.starts_with("<?xml") || svg.body.contains("<svg"));
    let scanned = admin.get(&format!("/activities/{id}/checkin?code={code}"));
    assert!(scanned.body.contains("丙同学"), "the scanned code shows who it is");
    let page = format!("/activities/{id}/checkin");
    let r = admin.submit(&page, &page, &[("code", &code.to_lowercase())]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("丙同学（2023010199）签到成功"));
    let again = admin.submit(&page, &page, &[("code", &code)]);
    assert_eq!(again.status, 409);
    assert!(again.body.contains("签到过了"));

    // Registrants, their CSV, and a message to all of them.
    let list = admin.get(&format!("/activities/{id}/registrants"));
    assert!(list.body.contains("乙同学") && list.body.contains("丙同学") && !list.body.contains("甲同学"));
    let csv = admin.get(&format!("/activities/{id}/registrants.csv"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.contains("姓名,学号,手机号") && csv.body.contains("所在学院"));
    assert!(csv.body.contains("丙同学") && csv.body.contains("已签到") && csv.body.contains("外国语学院"));
    let r = admin.submit(
        &format!("/activities/{id}/registrants"),
        &format!("/activities/{id}/message"),
        &[("body", "请提前十分钟到场，带上学生证")],
    );
    assert_eq!(r.status, 303);
    assert!(b.get("/me/messages").body.contains("请提前十分钟到场"));
    assert!(!a.get("/me/messages").body.contains("请提前十分钟到场"), "who cancelled is not told");
}

#[test]
fn bad_registrations_get_a_clear_message_and_store_nothing() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "校园马拉松", "10", 48, "衣服尺码");
    let s = app.new_student("runner");

    let r = signup(&s, id, "", &[("q0", "L")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写姓名"));
    let r = signup(&s, id, "跑者", &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请回答：衣服尺码"));
    let page = format!("/activities/{id}/register");
    let r = s.submit(&page, &page, &[("name", "跑者"), ("student_no", "2023"), ("phone", "12345"), ("q0", "L")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("手机号格式不正确"));
    assert_eq!(rows(&app, id), 0, "nothing stored");

    assert_eq!(signup(&s, id, "跑者", &[("q0", "L")]).status, 303);
    let twice = signup(&s, id, "跑者", &[("q0", "L")]);
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("你已经报过名了"));
    assert_eq!(rows(&app, id), 1);
    assert_eq!(registered(&app, id), 1);

    // After the deadline nobody gets in.
    use campus::db::schema::activities as a;
    app.db(|c| {
        diesel::update(a::table.find(id))
            .set(a::deadline.eq(campus::db::now() - TimeDelta::minutes(1)))
            .execute(c)
            .unwrap()
    });
    let late = app.new_student("late");
    let r = signup(&late, id, "迟到的人", &[("q0", "M")]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("报名已截止"));
    assert_eq!(rows(&app, id), 1);
}

#[test]
fn only_organizers_manage_and_nobody_reaches_anothers_registration() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "志愿者招募", "5", 30, "");
    let student = app.new_student("plain");
    assert_eq!(student.get("/activities/new").status, 403);
    assert_eq!(student.get(&format!("/activities/{id}/registrants")).status, 403);
    assert_eq!(student.get(&format!("/activities/{id}/registrants.csv")).status, 403);
    // Not registered: no ticket, no cancelling someone else's seat.
    assert_eq!(student.get(&format!("/activities/{id}/ticket")).status, 404);
    let other = app.new_student("other");
    assert_eq!(signup(&other, id, "别人", &[]).status, 303);
    let token = student.get("/activities").csrf();
    assert_eq!(student.post_form(&format!("/activities/{id}/cancel"), &[("csrf_token", &token)]).status, 404);
    assert_eq!(status_of(&app, id, "别人"), "registered");

    // An organizer (granted by an admin) runs their own activities, not the admin's.
    let org = app.new_student("clubhead");
    let uid: i64 = app.db(|c| {
        use campus::db::schema::user_auth;
        user_auth::table.filter(user_auth::auth_key.eq("clubhead")).select(user_auth::user_id).first(c).unwrap()
    });
    let r = admin.submit(
        "/admin/users",
        &format!("/admin/users/{uid}/roles"),
        &[("role", "student"), ("role", "organizer")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mine = publish(&org, "吉他社迎新", "20", 30, "");
    assert_eq!(org.get(&format!("/activities/{mine}/registrants")).status, 200);
    assert_eq!(org.get(&format!("/activities/{id}/registrants")).status, 404);
    assert_eq!(org.get(&format!("/activities/{id}/edit")).status, 404);
    // A code of the admin's activity does not check anyone in at the organizer's.
    let code = code_of(&other, id);
    let page = format!("/activities/{mine}/checkin");
    let r = org.submit(&page, &page, &[("code", &code)]);
    assert_eq!(r.status, 422);
    use campus::db::schema::activity_registrations as reg;
    let checked: i64 = app.db(|c| reg::table.filter(reg::checked_in_at.is_not_null()).count().get_result(c).unwrap());
    assert_eq!(checked, 0);
}

#[test]
fn organizer_form_errors_are_explained_and_oversized_posters_refused() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let base = [
        ("title", "摄影展"),
        ("category", "club"),
        ("host", "摄影协会"),
        ("place", "艺术楼"),
        ("capacity", "30"),
        ("description", "作品展出"),
    ];
    let mut fields: Vec<(&str, &str)> = base.to_vec();
    let (s, e, d) = (local(50), local(40), local(30));
    fields.extend([("starts_at", s.as_str()), ("ends_at", e.as_str()), ("deadline", d.as_str())]);
    let r = post_multipart(&admin, "/activities/new", "/activities/new", &fields, &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("结束时间应晚于开始时间"));
    let mut fields: Vec<(&str, &str)> = base.to_vec();
    let (s, e, d) = (local(50), local(52), local(30));
    fields.extend([("starts_at", s.as_str()), ("ends_at", e.as_str()), ("deadline", d.as_str())]);
    let big = vec![0u8; 6 * 1024 * 1024];
    let r = post_multipart(&admin, "/activities/new", "/activities/new", &fields, &[("poster", "big.png", big)]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能超过"), "{}", r.body);
    let r = post_multipart(
        &admin,
        "/activities/new",
        "/activities/new",
        &fields,
        &[("poster", "x.png", b"<script>".to_vec())],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只能上传 JPG 或 PNG 图片"));
    use campus::db::schema::activities;
    let n: i64 = app.db(|c| activities::table.filter(activities::title.eq("摄影展")).count().get_result(c).unwrap());
    assert_eq!(n, 0);
    // With a real poster it goes through, and the capacity cannot drop below the seats taken.
    let r =
        post_multipart(&admin, "/activities/new", "/activities/new", &fields, &[("poster", "p.png", png(800, 450))]);
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r.location().unwrap().trim_start_matches("/activities/").parse().unwrap();
    for i in 0..3 {
        assert_eq!(signup(&app.new_student(&format!("fan{i}")), id, &format!("观众{i}"), &[]).status, 303);
    }
    let mut edit: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| if *k == "capacity" { (*k, "2") } else { (*k, *v) }).collect();
    let edit_url = format!("/activities/{id}/edit");
    let r = post_multipart(&admin, &edit_url, &edit_url, &edit, &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("名额不能少于已报名的 3 人"));
    edit.retain(|(k, _)| *k != "capacity");
    edit.push(("capacity", "40"));
    assert_eq!(post_multipart(&admin, &edit_url, &edit_url, &edit, &[]).status, 303);
}

#[test]
fn the_day_before_everyone_with_a_seat_gets_a_reminder_once() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    // Starts in 30 hours: its reminder is queued for 6 hours from now.
    let id = publish(&admin, "明日讲座", "5", 30, "");
    let s = app.new_student("remindme");
    assert_eq!(signup(&s, id, "提醒我", &[]).status, 303);
    let waiting = app.new_student("waiting");
    use campus::db::schema::activities as a;
    app.db(|c| diesel::update(a::table.find(id)).set(a::capacity.eq(1)).execute(c).unwrap());
    assert_eq!(signup(&waiting, id, "候补者", &[]).status, 303);
    // Run it now, twice over, as two runners that both saw it would.
    let starts: chrono::NaiveDateTime = app.db(|c| a::table.find(id).select(a::starts_at).first(c).unwrap());
    for _ in 0..2 {
        app.db(|c| {
            campus::jobs::enqueue(
                c,
                campus::activity::service::JOB_REMIND,
                &serde_json::json!({ "activity_id": id, "starts_at": starts.and_utc().timestamp() }),
                campus::db::now(),
            )
            .unwrap()
        });
    }
    assert!(eventually(|| s.get("/me/messages").body.contains("活动提醒：明日讲座")));
    use campus::db::schema::jobs;
    assert!(eventually(|| app.db(|c| jobs::table
        .filter(jobs::kind.eq("activity.remind"))
        .filter(jobs::status.eq("done"))
        .count()
        .get_result::<i64>(c)
        .unwrap()
        == 2)));
    assert_eq!(s.get("/me/messages").body.matches("活动提醒：明日讲座").count(), 1);
    assert!(!waiting.get("/me/messages").body.contains("活动提醒"), "the waitlist has no seat to be reminded of");
}

#[test]
fn registrants_download_as_xlsx_that_reads_back_with_the_chinese_text() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "书法社体验课", "1", 48, "所在学院");
    let (a, b) = (app.new_student("brush_a"), app.new_student("brush_b"));
    assert_eq!(signup(&a, id, "王小明", &[("q0", "=1+1 文学院 & <艺术>")]).status, 303);
    assert_eq!(signup(&b, id, "李雷", &[("q0", "外国语学院")]).status, 303);

    let (status, content_type, bytes) = admin.download(&format!("/activities/{id}/registrants.xlsx"));
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(admin.get(&format!("/activities/{id}/registrants")).body.contains("registrants.xlsx"), "linked");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["书法社体验课"]);
    let range = book.worksheet_range("书法社体验课").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0], ["序号", "状态", "姓名", "学号", "手机号", "报名时间", "签到时间", "签到码", "所在学院"]);
    assert_eq!(rows[1][..5], ["1", "已报名", "王小明", "2023010199", "13812345678"]);
    assert_eq!(rows[1][8], "=1+1 文学院 & <艺术>", "text stays text, escaped and read back whole");
    assert_eq!(rows[2][..3], ["2", "候补中", "李雷"]);
    assert_eq!(rows[2][8], "外国语学院");

    // A student may not export; an organizer gets nobody else's activity (not found).
    assert_eq!(a.download(&format!("/activities/{id}/registrants.xlsx")).0, 403);
    let org = app.new_student("otherclub");
    let uid: i64 = app.db(|c| {
        use campus::db::schema::user_auth;
        user_auth::table.filter(user_auth::auth_key.eq("otherclub")).select(user_auth::user_id).first(c).unwrap()
    });
    let r = admin.submit(
        "/admin/users",
        &format!("/admin/users/{uid}/roles"),
        &[("role", "student"), ("role", "organizer")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(org.download(&format!("/activities/{id}/registrants.xlsx")).0, 404);
    assert_eq!(org.download("/activities/999999/registrants.xlsx").0, 404);
}
