//! 学籍认证: campus email code (read from the local SMTP sink), roster match, manual review by an
//! admin, one account per number, and admin unverify.

use diesel::prelude::*;

use crate::academic_import::{import, sample};
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, app, eventually, spawn_app};
use crate::market::{GOOD, png, post};
use crate::passwords::{code_in, decoded, mailed_code, register};

const DOMAIN: &str = "stu.campus.edu";

fn user_row(app: &TestApp, username: &str) -> (Option<String>, bool, Option<String>) {
    use campus::db::schema::{user_auth, users};
    app.db(|c| {
        users::table
            .inner_join(user_auth::table)
            .filter(user_auth::auth_key.eq(username))
            .select((users::student_no, users::verified, users::real_name))
            .first(c)
            .unwrap()
    })
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

fn messages_titled(app: &TestApp, user: i64, title: &str) -> Vec<String> {
    use campus::db::schema::messages as m;
    app.db(|c| m::table.filter(m::user_id.eq(user)).filter(m::title.eq(title)).select(m::body).load(c).unwrap())
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use campus::db::schema::audit_log as a;
    app.db(|c| a::table.filter(a::action.eq(action)).count().get_result(c).unwrap())
}

fn send_code(c: &Client, no: &str) -> crate::helpers::Resp {
    c.submit("/me/verify", "/me/verify/email/send", &[("school_no", no)])
}

fn confirm(c: &Client, no: &str, code: &str) -> crate::helpers::Resp {
    c.submit("/me/verify", "/me/verify/email/check", &[("school_no", no), ("code", code)])
}

#[test]
fn a_new_student_verifies_by_campus_email_code_and_then_sells_second_hand() {
    let (url, inbox) = crate::email::smtp_sink();
    let app = app().smtp(&url).school_mail_domain(DOMAIN).start();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let c = register(&app, "freshman", "");
    assert_eq!(post(&c, &GOOD, &[]).status, 403, "not yet verified");
    assert!(c.get("/me").body.contains("/me/verify"), "linked from 我的");
    let page = c.get("/me/verify");
    assert!(page.body.contains("学校邮箱验证码") && page.body.contains(DOMAIN), "{}", page.body);

    let r = send_code(&c, "2023010102");
    assert_eq!(r.status, 303, "{}", r.body);
    let to = format!("To: 2023010102@{DOMAIN}");
    assert!(eventually(|| inbox.lock().unwrap().iter().any(|m| m.contains(&to))), "mailed to 学号@domain");
    let message = inbox.lock().unwrap().iter().find(|m| m.contains(&to)).unwrap().clone();
    let code = code_in(&decoded(&message));
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert!(c.follow(r.location().unwrap()).body.contains("验证码已发送到"));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = confirm(&c, "2023010102", wrong);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码不正确"));
    let r = confirm(&c, "2023010103", &code);
    assert_eq!(r.status, 422, "a code proves only the number it was sent for");
    assert_eq!(user_row(&app, "freshman").0, None, "nothing linked");

    let r = confirm(&c, "2023010102", &code);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(user_row(&app, "freshman"), (Some("2023010102".into()), true, Some("张伟".into())));
    assert!(c.follow("/me/verify").body.contains("已认证"));
    assert_eq!(audit_count(&app, "identity.verify"), 1);

    // She binds her phone by the code texted to it (the outbox provider), then sells.
    let r = crate::phone::bind(&app, &c, "13612345678");
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c.get("/me/security").body.contains("136****5678"));

    let r = post(&c, &GOOD, &[("images", "book.png", png())]);
    assert_eq!(r.status, 303, "a verified student sells: {}", r.body);
}

#[test]
fn without_a_mail_domain_the_page_says_campus_email_is_off() {
    let app = spawn_app();
    let c = register(&app, "nodomain", "");
    let page = c.get("/me/verify");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("学校邮箱认证未开启"));
    let r = send_code(&c, "2023010102");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("学校邮箱认证未开启"));
    let r = app.client().get("/me/verify");
    assert_eq!(r.status, 303, "sign-in first");
}

#[test]
fn a_code_expires_and_a_bad_number_is_refused() {
    let app = app().school_mail_domain(DOMAIN).start();
    let c = register(&app, "expiry", "");
    for (no, message) in [("", "请填写学号"), ("12", "学号应为"), ("2023-0101", "学号应为")] {
        let r = send_code(&c, no);
        assert_eq!(r.status, 422, "{no}");
        assert!(r.body.contains(message), "{no}: {}", r.body);
    }
    assert_eq!(send_code(&c, "2023010102").status, 303);
    let code = mailed_code(&app, &format!("2023010102@{DOMAIN}")).unwrap();
    use campus::db::schema::one_time_codes as t;
    app.db(|c| {
        diesel::update(t::table)
            .set(t::expires_at.eq(campus::db::now() - chrono::TimeDelta::seconds(1)))
            .execute(c)
            .unwrap()
    });
    let r = confirm(&c, "2023010102", &code);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码已过期"));
    let r = confirm(&c, "2023010102", "12ab");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("6 位数字验证码"));
    assert_eq!(user_row(&app, "expiry").0, None);
}

#[test]
fn a_roster_match_with_a_wrong_name_is_refused_and_a_taken_number_tells_its_owner() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let c = register(&app, "rostered", "");
    let roster = |c: &Client, no: &str, name: &str, id6: &str| {
        c.submit("/me/verify", "/me/verify/roster", &[("student_no", no), ("name", name), ("id_last6", id6)])
    };
    for (r, message) in [
        (roster(&c, "2023010201", "王芳", "051236"), "学号与姓名不匹配"),
        (roster(&c, "2023010201", "李娜", "999999"), "学号与身份证后六位不匹配"),
        (roster(&c, "2023010201", "", "051236"), "请填写教务处登记的姓名"),
        (roster(&c, "2099999999", "李娜", "051236"), "没有找到学号"),
    ] {
        assert_eq!(r.status, 422, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    assert_eq!(user_row(&app, "rostered").0, None, "a forged match links nothing");

    let r = roster(&c, "2023010201", "李娜", "051236");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(user_row(&app, "rostered"), (Some("2023010201".into()), true, Some("李娜".into())));
    // The roster keeps only a keyed hash of the ID fragment.
    use campus::db::schema::students;
    let stored: Option<String> = app.db(|c| {
        students::table.filter(students::student_no.eq("2023010201")).select(students::id_hash).first(c).unwrap()
    });
    let stored = stored.unwrap();
    assert!(stored.len() == 64 && !stored.contains("051236"));

    let other = register(&app, "latecomer", "");
    let r = roster(&other, "2023010201", "李娜", "051236");
    assert_eq!(r.status, 409);
    assert!(r.body.contains("已关联到另一个账号"));
    assert_eq!(user_row(&app, "latecomer").0, None);
    let owner = user_id(&app, "rostered");
    assert_eq!(messages_titled(&app, owner, "有人尝试认证你的学号").len(), 1, "the first owner is told");
    let r = c.submit(
        "/me/verify",
        "/me/verify/roster",
        &[("student_no", "2023010102"), ("name", "张伟"), ("id_last6", "230412")],
    );
    assert_eq!(r.status, 422, "one number per account");
    assert!(r.body.contains("已经通过认证"));
}

/// Eight accounts each holding a right code for one number confirm at once: one owns it, the
/// others hear it is taken (never a 500).
#[test]
fn accounts_confirming_codes_for_one_number_at_once_leave_exactly_one_owner() {
    let app = app().school_mail_domain(DOMAIN).start();
    let to = format!("2023010102@{DOMAIN}");
    let claimants: Vec<(Client, String)> = (0..8)
        .map(|i| {
            let c = app.new_student(&format!("racer{i}"));
            use campus::db::schema::users;
            let id = user_id(&app, &format!("racer{i}"));
            app.db(|conn| diesel::update(users::table.find(id)).set(users::verified.eq(false)).execute(conn).unwrap());
            assert_eq!(send_code(&c, "2023010102").status, 303);
            let code = mailed_code(&app, &to).unwrap();
            (c, code)
        })
        .collect();
    let results: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = claimants
            .iter()
            .map(|(c, code)| {
                s.spawn(move || {
                    let r = confirm(c, "2023010102", code);
                    (r.status, r.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 303).count(),
        1,
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    for (status, body) in results.iter().filter(|(s, _)| *s != 303) {
        assert_eq!(*status, 409, "{body}");
        assert!(body.contains("已关联到另一个账号"), "{body}");
    }
    use campus::db::schema::users;
    let owners: i64 =
        app.db(|c| users::table.filter(users::student_no.eq("2023010102")).count().get_result(c).unwrap());
    assert_eq!(owners, 1);
}

fn photo_form(no: &str, name: &str, with_photo: bool) -> (String, Vec<u8>) {
    let files = if with_photo { vec![("photo", "card.png", png())] } else { vec![] };
    crate::market::form(&[("school_no", no), ("real_name", name)], &files)
}

fn submit_photo(c: &Client, no: &str, name: &str, with_photo: bool) -> crate::helpers::Resp {
    let token = c.get("/me/verify").csrf();
    let (ct, body) = photo_form(no, name, with_photo);
    c.post_raw(&format!("/me/verify/photo?csrf_token={token}"), &ct, &body)
}

/// How many student-card photos of user `uid` are on disk.
fn card_files(app: &TestApp, uid: i64) -> usize {
    std::fs::read_dir(app.data_dir.join("private/student-cards"))
        .map(|d| d.flatten().filter(|f| f.file_name().to_string_lossy().starts_with(&format!("u{uid}-"))).count())
        .unwrap_or(0)
}

fn pending_review_of(app: &TestApp, uid: i64) -> i64 {
    use campus::db::schema::identity_reviews as r;
    app.db(|c| r::table.filter(r::status.eq("pending")).filter(r::user_id.eq(uid)).select(r::id).first(c).unwrap())
}

#[test]
fn a_student_card_photo_is_reviewed_by_an_admin_and_deleted_after_the_decision() {
    let app = spawn_app();
    let c = register(&app, "cardholder", "");
    let uid = user_id(&app, "cardholder");
    let r = submit_photo(&c, "2023010103", "王芳", false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请上传学生证照片"));
    let r = submit_photo(&c, "2023010103", "", true);
    assert_eq!(r.status, 422);
    assert_eq!(card_files(&app, uid), 0, "nothing half-saved");

    assert_eq!(submit_photo(&c, "2023010103", "王芳", true).status, 303);
    assert_eq!(card_files(&app, uid), 1);
    assert!(c.get("/me/verify").body.contains("正在审核中"));
    let r = submit_photo(&c, "2023010103", "王芳", true);
    assert_eq!(r.status, 409, "one waiting review at a time");
    assert_eq!(card_files(&app, uid), 1, "the refused photo is not kept");
    let id = pending_review_of(&app, uid);
    assert_eq!(c.get(&format!("/admin/verifications/{id}/photo")).status, 403, "admins only");
    assert!(app.client().get("/media/student-cards/x.jpg").status >= 400);

    let admin = app.login("admin", DEMO_PASSWORD);
    let queue = admin.get("/admin/verifications");
    assert!(queue.body.contains("2023010103") && queue.body.contains("王芳"), "{}", queue.body);
    assert!(admin.get("/admin").body.contains("/admin/verifications"), "in the admin nav");
    let (status, ct, _) = admin.download(&format!("/admin/verifications/{id}/photo"));
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    let r = admin.submit("/admin/verifications", &format!("/admin/verifications/{id}/reject"), &[("reason", "")]);
    assert_eq!(r.status, 422, "a rejection needs a reason");
    let r = admin.submit(
        "/admin/verifications",
        &format!("/admin/verifications/{id}/reject"),
        &[("reason", "照片模糊，看不清学号")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(card_files(&app, uid), 0, "deleted after the decision");
    assert!(messages_titled(&app, uid, "学籍认证未通过")[0].contains("照片模糊，看不清学号"));
    assert!(c.get("/me/verify").body.contains("照片模糊"));
    let r = admin.submit("/admin/verifications", &format!("/admin/verifications/{id}/approve"), &[]);
    assert_eq!(r.status, 409, "decided already");

    assert_eq!(submit_photo(&c, "2023010103", "王芳", true).status, 303);
    let id = pending_review_of(&app, uid);
    let r = admin.submit("/admin/verifications", &format!("/admin/verifications/{id}/approve"), &[]);
    assert_eq!(r.status, 303);
    assert_eq!(card_files(&app, uid), 0);
    assert_eq!(user_row(&app, "cardholder"), (Some("2023010103".into()), true, Some("王芳".into())));
    assert_eq!(messages_titled(&app, uid, "学籍认证已通过").len(), 1);
    assert_eq!((audit_count(&app, "identity.reject"), audit_count(&app, "identity.approve")), (1, 1));
}

#[test]
fn an_admin_unverifies_a_number_and_it_can_be_bound_to_another_account() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let first = register(&app, "wrongowner", "");
    let roster = |c: &Client| {
        c.submit(
            "/me/verify",
            "/me/verify/roster",
            &[("student_no", "2023010201"), ("name", "李娜"), ("id_last6", "051236")],
        )
    };
    assert_eq!(roster(&first).status, 303);
    let second = register(&app, "rightowner", "");
    assert_eq!(roster(&second).status, 409);

    let unverify = |no: &str, reason: &str| {
        admin.submit("/admin/verifications", "/admin/verifications/unverify", &[("school_no", no), ("reason", reason)])
    };
    assert_eq!(unverify("2023010201", "").status, 422, "a reason is needed");
    assert_eq!(unverify("2099000000", "查无此人").status, 422);
    assert_eq!(
        first
            .submit("/me/verify", "/admin/verifications/unverify", &[("school_no", "2023010201"), ("reason", "x")])
            .status,
        403
    );
    assert!(user_row(&app, "wrongowner").1, "nothing changed");
    assert_eq!(unverify("2023010201", "本人申诉，学号被误认证").status, 303);
    assert_eq!(user_row(&app, "wrongowner"), (None, false, None));
    assert_eq!(audit_count(&app, "identity.unverify"), 1);
    assert_eq!(messages_titled(&app, user_id(&app, "wrongowner"), "学籍认证已被解除").len(), 1);
    assert_eq!(roster(&second).status, 303);
    assert_eq!(user_row(&app, "rightowner").0.as_deref(), Some("2023010201"));
}

#[test]
fn a_teacher_verifies_with_the_staff_number_against_the_staff_roster() {
    let app = app().school_mail_domain(DOMAIN).start();
    // The demo teacher is linked already (王明, T2001); a new colleague, 李华 (T2002), is not.
    assert_eq!(user_row(&app, "teacher"), (Some("T2001".into()), true, Some("王明".into())));
    app.db(|conn| {
        let now = campus::db::now();
        campus::auth::service::create_account(
            conn,
            &campus::auth::service::AccountSpec {
                username: "lihua",
                password_hash: &campus::auth::password::hash("teach-pass-1").unwrap(),
                roles: &[campus::auth::models::Role::Teacher],
                user: campus::auth::models::NewUser::named("李老师", now),
            },
        )
        .unwrap();
    });
    let t = app.login("lihua", "teach-pass-1");
    let page = t.get("/me/verify");
    assert!(page.body.contains("工号") && !page.body.contains("学籍名册核对"), "no roster match for staff");
    let r = t.submit(
        "/me/verify",
        "/me/verify/roster",
        &[("student_no", "2023010101"), ("name", "林晓"), ("id_last6", "12001X")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("教职工名册没有可核对的身份信息"));
    let r = send_code(&t, "T9999");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("教职工名册中没有工号"));
    assert_eq!(send_code(&t, "T2002").status, 303);
    let code = mailed_code(&app, &format!("T2002@{DOMAIN}")).unwrap();
    assert_eq!(confirm(&t, "T2002", &code).status, 303);
    let (no, verified, name) = user_row(&app, "lihua");
    assert_eq!((no.as_deref(), verified, name.as_deref()), (Some("T2002"), true, Some("李华")));
    // Linked, the teacher's own pages open on his courses.
    let teaching = t.get("/academic/teaching");
    assert_eq!(teaching.status, 200);
    assert!(teaching.body.contains("课程与成绩") && !teaching.body.contains("还没有关联教师工号"));
}

#[test]
fn the_demo_data_has_a_student_card_waiting_for_review() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let queue = admin.get("/admin/verifications");
    assert!(queue.body.contains("校园便利店") && queue.body.contains("2023010301"), "{}", queue.body);
    use campus::db::schema::identity_reviews as r;
    let id: i64 = app.db(|c| r::table.filter(r::status.eq("pending")).select(r::id).first(c).unwrap());
    let (status, ct, bytes) = admin.download(&format!("/admin/verifications/{id}/photo"));
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    assert!(bytes.len() > 1000);
}

#[test]
fn closing_the_account_removes_a_waiting_student_card_and_the_export_lists_it() {
    let app = spawn_app();
    let c = register(&app, "leaver", "");
    let uid = user_id(&app, "leaver");
    assert_eq!(submit_photo(&c, "2023010103", "王芳", true).status, 303);
    let (status, _, data) = c.download("/me/export.json");
    assert_eq!(status, 200);
    let export: serde_json::Value = serde_json::from_slice(&data).unwrap();
    assert_eq!(export["identity_reviews"][0]["school_no"], "2023010103");
    assert_eq!(card_files(&app, uid), 1);
    let r = c.submit("/me/delete", "/me/delete", &[("confirm", "注销")]);
    assert_eq!(r.status, 303);
    assert!(crate::helpers::eventually(|| card_files(&app, uid) == 0), "the photo went with the account");
    use campus::db::schema::identity_reviews as r;
    let left: i64 = app.db(|c| r::table.filter(r::user_id.eq(uid)).count().get_result(c).unwrap());
    assert_eq!(left, 0);
}
