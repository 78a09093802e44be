//! Passwords and sessions: the common-password rule, changing the password (other sessions end),
//! the device list of 账号与安全, and the reset by an emailed code.

use diesel::prelude::*;

use crate::helpers::{Client, TestApp, spawn_app};

const IPHONE_WECHAT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40";

/// Registers `username` (password `secret123`) with `email`; the client is signed in.
pub fn register(app: &TestApp, username: &str, email: &str) -> Client {
    let c = app.client();
    let r = c.submit(
        "/register",
        "/register",
        &[
            ("username", username),
            ("password", "secret123"),
            ("password2", "secret123"),
            ("nickname", "新同学"),
            ("email", email),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

/// Signs `username` in from a phone in WeChat.
fn login_from_iphone(app: &TestApp, username: &str, password: &str) -> Client {
    let c = app.client();
    let token = c.get("/login").csrf();
    let r = c.post_form_with(
        "/login",
        &[("username", username), ("password", password), ("csrf_token", &token)],
        &[("User-Agent", IPHONE_WECHAT)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

fn signed_in(c: &Client) -> bool {
    c.get("/me").status == 200
}

/// The code in the newest code-carrying email to `to`: the outbox row says which (its body is
/// blanked once sent), the `.eml` the app wrote (no SMTP configured) holds the message.
pub fn mailed_code(app: &TestApp, to: &str) -> Option<String> {
    use campus::db::schema::email_outbox as o;
    let id: Option<i64> = app.db(|c| {
        o::table
            .filter(o::to_addr.eq(to))
            .filter(o::scrub_after_send.eq(true))
            .order(o::id.desc())
            .select(o::id)
            .first(c)
            .optional()
            .unwrap()
    });
    let file = app.data_dir.join("outbox").join(format!("{:08}.eml", id?));
    assert!(crate::helpers::eventually(|| file.exists()), "the email was written");
    Some(code_in(&decoded(&std::fs::read_to_string(&file).unwrap())))
}

/// The text of an email as sent: its body decoded when it went as base64 or quoted-printable.
pub fn decoded(message: &str) -> String {
    use base64::Engine;
    let (head, body) = message.split_once("\r\n\r\n").unwrap_or((message, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let raw: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw.trim_end_matches('.')).unwrap()).unwrap()
    } else if head.contains("quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    }
}

/// The six digits after "验证码：".
pub fn code_in(text: &str) -> String {
    let at = text.find("验证码：").expect("a code in the email") + "验证码：".len();
    text[at..].chars().take(6).collect()
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use campus::db::schema::audit_log as a;
    app.db(|c| a::table.filter(a::action.eq(action)).count().get_result(c).unwrap())
}

#[test]
fn short_and_common_passwords_are_refused_at_registration() {
    let app = spawn_app();
    for (password, message) in
        [("password1", "这个密码太常见"), ("Qwerty123", "这个密码太常见"), ("abc12", "密码需为 8–72 个字符")]
    {
        let c = app.client();
        let r = c.submit(
            "/register",
            "/register",
            &[("username", "weakling"), ("password", password), ("password2", password), ("nickname", "弱")],
        );
        assert_eq!(r.status, 422, "{password}");
        assert!(r.body.contains(message), "{password}: {}", r.body);
    }
    use campus::db::schema::user_auth;
    let n: i64 = app.db(|c| user_auth::table.filter(user_auth::auth_key.eq("weakling")).count().get_result(c).unwrap());
    assert_eq!(n, 0, "nothing saved");
}

#[test]
fn changing_the_password_ends_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app();
    let me = register(&app, "changer", "");
    let phone = login_from_iphone(&app, "changer", "secret123");
    let page = me.get("/me/security");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("修改登录密码") && page.body.contains("iPhone · 微信"), "{}", page.body);
    assert!(page.body.contains("127.0.0.x"));
    assert!(me.get("/me").body.contains("/me/security"), "linked from 我的");

    let change = |current: &str, new: &str, again: &str| {
        me.submit(
            "/me/security",
            "/me/security/password",
            &[("current_password", current), ("new_password", new), ("new_password2", again)],
        )
    };
    for (r, message) in [
        (change("wrong-one1", "brand-new-77", "brand-new-77"), "当前密码不正确"),
        (change("secret123", "password1", "password1"), "这个密码太常见"),
        (change("secret123", "short7", "short7"), "密码需为 8–72 个字符"),
        (change("secret123", "brand-new-77", "brand-new-78"), "两次输入的新密码不一致"),
    ] {
        assert_eq!(r.status, 422, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    assert!(signed_in(&phone), "nothing changed yet");

    let r = change("secret123", "brand-new-77", "brand-new-77");
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(signed_in(&me), "this session stays");
    assert!(!signed_in(&phone), "the other one ended");
    let r = phone.follow("/me");
    assert!(r.body.contains("action=\"/login\""), "the other cookie gets the login page");
    assert_eq!(app.client().login("changer", "secret123").status, 401);
    assert_eq!(app.client().login("changer", "brand-new-77").status, 303);
    assert_eq!(audit_count(&app, "user.password_change"), 1);
}

#[test]
fn a_device_is_signed_out_from_the_list_and_another_users_session_is_not_found() {
    let app = spawn_app();
    let me = register(&app, "owner1", "");
    let phone = login_from_iphone(&app, "owner1", "secret123");
    let third = app.login("owner1", "secret123");
    let stranger = register(&app, "stranger1", "");
    use campus::db::schema::user_sessions as s;
    let phone_session: String =
        app.db(|c| s::table.filter(s::user_agent.like("%MicroMessenger%")).select(s::id).first(c).unwrap());
    assert!(me.get("/me/security").body.contains(&format!("/me/security/sessions/{phone_session}/end")));

    let r = stranger.submit("/me/security", &format!("/me/security/sessions/{phone_session}/end"), &[]);
    assert_eq!(r.status, 404, "another user's session");
    assert!(signed_in(&phone));
    let r = me.submit("/me/security", "/me/security/sessions/not-a-session/end", &[]);
    assert_eq!(r.status, 404);

    let r = me.submit("/me/security", &format!("/me/security/sessions/{phone_session}/end"), &[]);
    assert_eq!(r.status, 303);
    assert!(!signed_in(&phone) && signed_in(&third) && signed_in(&me));

    let r = me.submit("/me/security", "/me/security/sessions/end-others", &[]);
    assert_eq!(r.status, 303);
    let page = me.follow("/me/security");
    assert!(page.body.contains("已退出其他 1 台设备"), "{}", page.body);
    assert!(!signed_in(&third) && signed_in(&me) && signed_in(&stranger));
}

#[test]
fn last_seen_is_written_at_most_once_per_few_minutes() {
    let app = spawn_app();
    let me = register(&app, "seenuser", "");
    use campus::db::schema::user_sessions as s;
    let seen = || -> Option<chrono::NaiveDateTime> { app.db(|c| s::table.select(s::last_seen_at).first(c).unwrap()) };
    let first = seen().expect("set at sign-in");
    for _ in 0..3 {
        assert!(signed_in(&me));
    }
    assert_eq!(seen(), Some(first), "no write per request");
    let old = first - chrono::TimeDelta::minutes(30);
    app.db(|c| diesel::update(s::table).set(s::last_seen_at.eq(old)).execute(c).unwrap());
    assert!(signed_in(&me));
    assert!(seen().unwrap() > old, "a stale one is refreshed");
}

#[test]
fn a_password_reset_by_email_code_works_once_and_ends_every_session() {
    let app = spawn_app();
    let me = register(&app, "forgetful", "forgetful@campus.edu");
    let c = app.client();
    let r = c.submit("/password/forgot", "/password/forgot", &[("email", "forgetful@campus.edu")]);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/password/reset?email=forgetful%40campus.edu"));
    assert!(c.follow("/password/reset?email=forgetful%40campus.edu").body.contains("验证码已经发出"));
    let code = mailed_code(&app, "forgetful@campus.edu").expect("a code mailed");
    assert_eq!(code.len(), 6);
    use campus::db::schema::one_time_codes as t;
    let stored: String = app.db(|c| t::table.select(t::code_hash).first(c).unwrap());
    assert!(!stored.contains(&code), "only a hash is kept");
    use campus::db::schema::email_outbox as o;
    let body_of_sent = || -> Option<String> {
        app.db(|c| {
            o::table
                .filter(o::to_addr.eq("forgetful@campus.edu"))
                .filter(o::scrub_after_send.eq(true))
                .filter(o::status.eq("sent"))
                .select(o::body_text)
                .first(c)
                .optional()
                .unwrap()
        })
    };
    assert!(crate::helpers::eventually(|| body_of_sent().is_some()));
    assert!(!body_of_sent().unwrap().contains(&code), "the sent email's body is not kept");

    let reset = |code: &str, password: &str| {
        c.submit(
            "/password/forgot",
            "/password/reset",
            &[("email", "forgetful@campus.edu"), ("code", code), ("password", password), ("password2", password)],
        )
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = reset(wrong, "fresh-start-9");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码不正确，还可以再试 4 次"), "{}", r.body);
    let r = reset(&code, "password1");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("这个密码太常见"));
    assert!(signed_in(&me), "nothing changed");

    let r = reset(&code, "fresh-start-9");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/login"));
    assert!(!signed_in(&me), "every session ended");
    assert_eq!(app.client().login("forgetful", "fresh-start-9").status, 303);

    let r = reset(&code, "another-one-8");
    assert_eq!(r.status, 422, "a used code is spent");
    assert!(r.body.contains("验证码错误或已失效"));
    assert_eq!(app.client().login("forgetful", "fresh-start-9").status, 303, "still the first reset's password");
    assert_eq!(audit_count(&app, "user.password_reset"), 1);
}

#[test]
fn an_unknown_email_gets_the_same_answer_and_no_mail() {
    let app = spawn_app();
    let c = app.client();
    let r = c.submit("/password/forgot", "/password/forgot", &[("email", "nobody@campus.edu")]);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/password/reset?email=nobody%40campus.edu"));
    assert!(mailed_code(&app, "nobody@campus.edu").is_none());
    let r = c.submit("/password/forgot", "/password/forgot", &[("email", "not an email")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("邮箱格式不正确"));
    let r = c.submit(
        "/password/forgot",
        "/password/reset",
        &[
            ("email", "nobody@campus.edu"),
            ("code", "123456"),
            ("password", "fresh-start-9"),
            ("password2", "fresh-start-9"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码错误或已失效"));
}

#[test]
fn reset_codes_expire_die_after_five_tries_and_are_rate_limited() {
    let app = spawn_app();
    register(&app, "tries", "tries@campus.edu");
    let c = app.client();
    let send = || c.submit("/password/forgot", "/password/forgot", &[("email", "tries@campus.edu")]);
    let reset = |code: &str| {
        c.submit(
            "/password/forgot",
            "/password/reset",
            &[
                ("email", "tries@campus.edu"),
                ("code", code),
                ("password", "fresh-start-9"),
                ("password2", "fresh-start-9"),
            ],
        )
    };
    assert_eq!(send().status, 303);
    let code = mailed_code(&app, "tries@campus.edu").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(reset(wrong).status, 422);
    }
    let r = reset(&code);
    assert_eq!(r.status, 422, "five wrong tries kill the code");
    assert!(r.body.contains("输错次数过多"), "{}", r.body);

    assert_eq!(send().status, 303);
    let code = mailed_code(&app, "tries@campus.edu").unwrap();
    use campus::db::schema::one_time_codes as t;
    app.db(|c| {
        diesel::update(t::table.filter(t::used_at.is_null()))
            .set(t::expires_at.eq(campus::db::now() - chrono::TimeDelta::minutes(1)))
            .execute(c)
            .unwrap()
    });
    let r = reset(&code);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码已过期"), "{}", r.body);

    // Ten sends a quarter-hour for one address; the eleventh is refused with a wait.
    let statuses: Vec<u16> = (0..10).map(|_| send().status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    let r = send();
    assert_eq!(r.status, 429);
    assert!(r.body.contains("发送验证码过于频繁"), "{}", r.body);
}
