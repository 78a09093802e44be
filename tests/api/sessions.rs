use crate::helpers::{Client, DEMO_PASSWORD, app};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

#[test]
fn a_session_made_on_one_instance_is_accepted_by_another_through_redis() {
    let secret = "s".repeat(64) + &rand::random::<u64>().to_string();
    let first = app().redis(&redis_url(), &secret).start();
    let second = app().redis(&redis_url(), &secret).same_database_as(&first).start();

    let c = first.client();
    let r = c.login("student", DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    assert_eq!(c.get("/me").status, 200);

    // The same cookie, sent to the second instance by a fresh client.
    let other = Client::new(&second.base);
    let r = other.get_with("/me", &[("Cookie", &cookie)]);
    assert_eq!(r.status, 200, "second instance knows the session");
    assert!(r.body.contains("小林同学"));

    // Signing out on the first instance ends the session everywhere: the state lives in Redis,
    // not in the cookie, so replaying the old cookie no longer works.
    let token = c.get("/me").csrf();
    assert_eq!(c.post_form("/logout", &[("csrf_token", &token)]).status, 303);
    let r = other.get_with("/me", &[("Cookie", &cookie)]);
    assert_eq!(r.status, 303);
}

fn cookie_of(r: &crate::helpers::Resp) -> String {
    r.header("set-cookie").unwrap().split(';').next().unwrap().to_string()
}

fn user_id(app: &crate::helpers::TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    use diesel::prelude::*;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

#[test]
fn logout_ends_the_session_even_for_a_copied_cookie() {
    let app = crate::helpers::spawn_app();
    let c = app.client();
    let cookie = cookie_of(&c.login("student", DEMO_PASSWORD));
    let thief = app.client();
    assert_eq!(thief.get_with("/me", &[("Cookie", &cookie)]).status, 200, "the copy works while signed in");
    let token = c.get("/me").csrf();
    assert_eq!(c.post_form("/logout", &[("csrf_token", &token)]).status, 303);
    let r = thief.get_with("/me", &[("Cookie", &cookie)]);
    assert_eq!(r.status, 303, "the server-side record is gone");
    assert!(r.location().unwrap().starts_with("/login"));
}

#[test]
fn signing_out_everywhere_ends_every_device_and_a_ban_ends_them_too() {
    let app = crate::helpers::spawn_app();
    let phone = app.login("student", DEMO_PASSWORD);
    let laptop = app.login("student", DEMO_PASSWORD);
    assert_eq!(laptop.get("/me").status, 200);
    let settings = phone.get("/me/settings");
    assert!(settings.body.contains("退出所有设备"));
    assert_eq!(phone.post_form("/logout/everywhere", &[("csrf_token", &settings.csrf())]).status, 303);
    assert_eq!(laptop.get("/me").status, 303, "the other device is signed out");
    assert_eq!(phone.get("/me").status, 303);

    // A ban ends the sessions the user has open.
    let again = app.login("student", DEMO_PASSWORD);
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = user_id(&app, "student");
    let t = admin.get("/admin/users").csrf();
    assert_eq!(admin.post_form(&format!("/admin/users/{id}/ban"), &[("csrf_token", &t)]).status, 303);
    use campus::db::schema::user_sessions;
    use diesel::prelude::*;
    let open: i64 =
        app.db(|c| user_sessions::table.filter(user_sessions::user_id.eq(id)).count().get_result(c).unwrap());
    assert_eq!(open, 0, "the ban deleted the records");
    assert_eq!(again.get("/me").status, 303);
}

#[test]
fn a_change_to_the_user_shows_on_the_very_next_request() {
    let app = crate::helpers::spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let id = user_id(&app, "student");
    let me = student.get("/me").body;
    assert!(me.contains("小林同学") && !me.contains("商家"));

    // A new role, given by an admin in another session.
    let admin = app.login("admin", DEMO_PASSWORD);
    let t = admin.get("/admin/users").csrf();
    let body = format!("csrf_token={t}&role=student&role=merchant");
    let r = admin.post_raw(&format!("/admin/users/{id}/roles"), "application/x-www-form-urlencoded", body.as_bytes());
    assert_eq!(r.status, 303);
    assert!(student.get("/me").body.contains("学生 · 商家"), "the role counts at once");

    // A new nickname.
    let page = student.get("/me/settings");
    let r = student.post_form(
        "/me/settings",
        &[("csrf_token", &page.csrf()), ("nickname", "林同学改名了"), ("email", ""), ("phone", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(student.get("/me").body.contains("林同学改名了"));

    // A new message: the home page counts it on the next request.
    let unread = |body: &str| -> i64 {
        body.split(" 条未读消息").next().and_then(|h| h.rsplit(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    let before = unread(&student.get("/").body);
    app.db(|c| campus::notify::send(c, id, campus::notify::MessageKind::System, "测试消息", "你好", None).unwrap());
    assert_eq!(unread(&student.get("/").body), before + 1, "the unread count shows the new message");
}

#[test]
fn reading_a_page_does_not_rewrite_the_session_cookie() {
    let app = crate::helpers::spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    c.get("/me");
    let r = c.get("/mall");
    assert_eq!(r.status, 200);
    assert!(r.header("set-cookie").is_none(), "nothing changed, nothing written");
}
