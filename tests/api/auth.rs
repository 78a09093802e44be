use campus::config::Config;
use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, app, spawn_app};

fn user_count(app: &crate::helpers::TestApp) -> i64 {
    use campus::db::schema::users;
    app.db(|c| users::table.count().get_result(c).unwrap())
}

#[test]
fn register_then_login_then_logout() {
    let app = spawn_app();
    let c = app.client();
    let r = c.submit(
        "/register",
        "/register",
        &[
            ("username", "Zhang_San"),
            ("password", "secret123"),
            ("password2", "secret123"),
            ("nickname", "张三"),
            ("email", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/"));
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("你好，张三"));
    assert!(home.body.contains("注册成功"), "flash shown once");
    assert!(!c.get("/").body.contains("注册成功"), "flash gone on the next page");

    let r = c.submit("/me", "/logout", &[]);
    assert_eq!(r.status, 303);
    let r = c.get("/me");
    assert_eq!(r.status, 303);
    assert!(r.location().unwrap().starts_with("/login?next=/me"));

    // Usernames are case-insensitive.
    let r = c.login("zhang_san", "secret123");
    assert_eq!(r.status, 303);
    assert_eq!(c.get("/me").status, 200);
}

#[test]
fn wrong_password_is_refused_with_a_clear_message() {
    let app = spawn_app();
    let c = app.client();
    let r = c.login("student", "wrong-password1");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("用户名或密码错误"));
    assert!(r.body.contains("value=\"student\""), "the username stays filled in");
    let r = c.login("nobody_here", "whatever123");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("用户名或密码错误"));
    assert_eq!(c.get("/me").status, 303, "still signed out");
}

#[test]
fn login_is_rate_limited_after_five_failures() {
    let app = spawn_app();
    let c = app.client();
    for _ in 0..5 {
        assert_eq!(c.login("student", "bad-password1").status, 401);
    }
    let r = c.login("student", "bad-password1");
    assert_eq!(r.status, 429);
    assert!(r.body.contains("登录失败次数过多"));
    let r = c.login("student", DEMO_PASSWORD);
    assert_eq!(r.status, 429, "even the right password waits");
    assert_eq!(c.get("/me").status, 303);
}

#[test]
fn session_id_is_rotated_at_login() {
    let app = spawn_app();
    let c = app.client();
    let before = c.get("/login");
    let cookie_before = before.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let r = c.login("student", DEMO_PASSWORD);
    let cookie_after = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    assert_ne!(cookie_before, cookie_after);
    let set_cookie = r.header("set-cookie").unwrap().to_lowercase();
    assert!(set_cookie.contains("httponly") && set_cookie.contains("samesite=lax"));
}

#[test]
fn register_rejects_bad_input_and_stores_nothing() {
    let app = spawn_app();
    let c = app.client();
    let before = user_count(&app);
    let long = "a".repeat(40);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("username", ""), ("password", ""), ("password2", ""), ("nickname", "")], "请输入用户名"),
        (
            vec![("username", &long), ("password", "secret123"), ("password2", "secret123"), ("nickname", "x")],
            "用户名需为 3–32 个字符",
        ),
        (
            vec![
                ("username", "a' OR 1=1 --"),
                ("password", "secret123"),
                ("password2", "secret123"),
                ("nickname", "x"),
            ],
            "用户名只能包含字母、数字和下划线",
        ),
        (
            vec![("username", "okname"), ("password", "short1"), ("password2", "short1"), ("nickname", "x")],
            "密码需为 8–72 个字符",
        ),
        (
            vec![("username", "okname"), ("password", "onlyletters"), ("password2", "onlyletters"), ("nickname", "x")],
            "密码需同时包含字母和数字",
        ),
        (
            vec![("username", "okname"), ("password", "secret123"), ("password2", "secret124"), ("nickname", "x")],
            "两次输入的密码不一致",
        ),
        (
            vec![("username", "okname"), ("password", "secret123"), ("password2", "secret123"), ("nickname", &long)],
            "昵称不能超过 20 个字",
        ),
        (
            vec![
                ("username", "okname"),
                ("password", "secret123"),
                ("password2", "secret123"),
                ("nickname", "x"),
                ("email", "not-an-email"),
            ],
            "邮箱格式不正确",
        ),
    ];
    for (fields, message) in cases {
        let r = c.submit("/register", "/register", &fields);
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "expected {message} for {fields:?}");
    }
    // A form that is not even the right shape.
    let token = c.get("/register").csrf();
    let r = c.post_raw(
        "/register",
        "application/x-www-form-urlencoded",
        format!("csrf_token={token}&username=%ZZ").as_bytes(),
    );
    assert!(r.status == 422 || r.status == 400, "{}", r.status);
    assert_eq!(user_count(&app), before, "nothing stored");
}

#[test]
fn duplicate_username_is_a_conflict() {
    let app = spawn_app();
    let c = app.client();
    let r = c.submit(
        "/register",
        "/register",
        &[("username", "STUDENT"), ("password", "secret123"), ("password2", "secret123"), ("nickname", "x")],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("该用户名已被注册"));
}

#[test]
fn html_and_sql_in_fields_are_stored_verbatim_and_shown_escaped() {
    let app = spawn_app();
    let c = app.client();
    let nasty = "<script>x</script>'; DROP TABLE users;--";
    let nickname: String = nasty.chars().take(20).collect();
    let r = c.submit(
        "/register",
        "/register",
        &[("username", "robert"), ("password", "secret123"), ("password2", "secret123"), ("nickname", &nickname)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let home = c.get("/");
    assert!(!home.body.contains("<script>x</script>"));
    assert!(home.body.contains("&#60;script&#62;") || home.body.contains("&lt;script&gt;"));
    use campus::db::schema::users;
    let stored: String =
        app.db(|conn| users::table.order(users::id.desc()).select(users::nickname).first(conn).unwrap());
    assert_eq!(stored, nickname);
}

#[test]
fn student_gets_403_on_admin_and_admin_gets_the_dashboard() {
    let app = spawn_app();
    let anonymous = app.client().get("/admin");
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.location(), Some("/login?next=/admin"));

    let student = app.login("student", DEMO_PASSWORD);
    let r = student.get("/admin");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("没有权限"));

    let admin = app.login("admin", DEMO_PASSWORD);
    let r = admin.get("/admin");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("用户总数"));
    assert!(r.body.contains("登录") && r.body.contains("用户「"), "audit log shows the logins, named");
}

#[test]
fn dev_login_works_only_when_enabled() {
    let app = spawn_app();
    let c = app.client();
    let r = c.submit("/login", "/login/dev", &[("as", "student")]);
    assert_eq!(r.status, 404);

    let app = app_with_dev_login();
    let c = app.client();
    let page = c.get("/login");
    assert!(page.body.contains("一键登录演示账号"));
    let r = c.submit("/login", "/login/dev", &[("as", "student")]);
    assert_eq!(r.status, 303);
    assert!(c.get("/").body.contains("小林同学"));
    let admin = app.client();
    let r = admin.submit("/login", "/login/dev", &[("as", "admin")]);
    assert_eq!(r.location(), Some("/admin"));
    let r = app.client().submit("/login", "/login/dev", &[("as", "root")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("未知的演示身份"));
}

fn app_with_dev_login() -> crate::helpers::TestApp {
    app().dev_login().start()
}

#[test]
fn dev_login_is_refused_off_loopback() {
    let mut config = Config::for_data_dir(std::path::Path::new("/tmp"), "sqlite://x.db");
    config.dev_login = true;
    config.bind = "127.0.0.1:8080".into();
    assert!(config.dev_login_allowed());
    config.bind = "0.0.0.0:8080".into();
    assert!(!config.dev_login_allowed());
    config.bind = "10.1.2.3:8080".into();
    assert!(!config.dev_login_allowed());
    config.bind = "127.0.0.1:8080".into();
    config.trust_proxy = true;
    assert!(!config.dev_login_allowed(), "behind nginx a loopback address is public");
}

#[test]
fn a_banned_user_is_signed_out_and_cannot_sign_in() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    assert_eq!(c.get("/me").status, 200);
    use campus::db::schema::{user_auth, users};
    app.db(|conn| {
        let id: i64 =
            user_auth::table.filter(user_auth::auth_key.eq("student")).select(user_auth::user_id).first(conn).unwrap();
        diesel::update(users::table.find(id)).set(users::status.eq("banned")).execute(conn).unwrap();
    });
    assert_eq!(c.get("/me").status, 303, "the open session ends");
    let r = app.client().login("student", DEMO_PASSWORD);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("该账号已被封禁"));
}

#[test]
fn login_never_redirects_off_site() {
    let app = spawn_app();
    let c = app.client();
    let token = c.get("/login").csrf();
    let r = c.post_form(
        "/login",
        &[("username", "student"), ("password", DEMO_PASSWORD), ("next", "//evil.example/x"), ("csrf_token", &token)],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/"));
}

#[test]
fn behind_a_trusted_proxy_the_forwarded_address_is_audited_and_throttled() {
    let app = crate::helpers::app().trust_proxy().start();
    let c = app.client();
    let token = c.get("/login").csrf();
    let login = |password: &str, ip: &str| {
        c.post_form_with(
            "/login",
            &[("username", "student"), ("password", password), ("csrf_token", &token)],
            &[("X-Forwarded-For", ip)],
        )
    };
    assert_eq!(login(DEMO_PASSWORD, "203.0.113.7").status, 303);
    use campus::db::schema::audit_log;
    let ip: Option<String> = app.db(|conn| {
        audit_log::table.filter(audit_log::action.eq("user.login")).select(audit_log::ip).first(conn).unwrap()
    });
    assert_eq!(ip.as_deref(), Some("203.0.113.7"));
    // A second visitor from another address fails five times and is throttled for every account.
    let d = app.client();
    let token = d.get("/login").csrf();
    let attempt = |username: &str| {
        d.post_form_with(
            "/login",
            &[("username", username), ("password", "nope-nope1"), ("csrf_token", &token)],
            &[("X-Forwarded-For", "198.51.100.1")],
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt("teacher").status, 401);
    }
    assert_eq!(attempt("admin").status, 429);
    // The first visitor's address is not affected.
    let e = app.client();
    let token = e.get("/login").csrf();
    let r = e.post_form_with(
        "/login",
        &[("username", "admin"), ("password", DEMO_PASSWORD), ("csrf_token", &token)],
        &[("X-Forwarded-For", "203.0.113.8")],
    );
    assert_eq!(r.status, 303);
}

#[test]
fn one_address_registers_at_most_twenty_accounts_an_hour() {
    use campus::db::schema::users;
    let app = spawn_app();
    let c = app.client();
    let count = || -> i64 { app.db(|conn| users::table.count().get_result(conn).unwrap()) };
    // A refused form does not use up a slot.
    let bad = c.submit(
        "/register",
        "/register",
        &[("username", "x"), ("password", "a"), ("password2", "a"), ("nickname", "x")],
    );
    assert_eq!(bad.status, 422);
    let before = count();
    for i in 0..20 {
        let fresh = app.client();
        let name = format!("signup{i}");
        let r = fresh.submit(
            "/register",
            "/register",
            &[
                ("username", &name),
                ("password", "campus-pass-9"),
                ("password2", "campus-pass-9"),
                ("nickname", "新同学"),
            ],
        );
        assert_eq!(r.status, 303, "{i}: {}", r.body);
    }
    assert_eq!(count(), before + 20);
    let r = app.client().submit(
        "/register",
        "/register",
        &[
            ("username", "signup20"),
            ("password", "campus-pass-9"),
            ("password2", "campus-pass-9"),
            ("nickname", "新同学"),
        ],
    );
    assert_eq!(r.status, 429);
    assert!(r.body.contains("注册过于频繁"), "{}", r.body);
    assert_eq!(count(), before + 20, "nothing created past the limit");
}
