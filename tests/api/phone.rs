//! The phone number of an account by SMS code (the outbox provider; Tencent is in `sms.rs`):
//! binding and changing it, one account per number (also under a race), signing in with it,
//! resetting the password with it, and every limit and bad input on the way.

use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, FakeWeChat, Resp, TestApp, app, spawn_app};

/// The code in the newest SMS the outbox wrote for `phone`.
pub fn texted_code(app: &TestApp, phone: &str) -> Option<String> {
    let dir = app.data_dir.join("outbox");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("sms-") && n.ends_with(&format!("-{phone}.txt")))
        .collect();
    names.sort();
    let text = std::fs::read_to_string(dir.join(names.last()?)).ok()?;
    let at = text.find("验证码 ")? + "验证码 ".len();
    Some(text[at..at + 6].to_string())
}

fn texts_to(app: &TestApp, phone: &str) -> usize {
    std::fs::read_dir(app.data_dir.join("outbox"))
        .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(&format!("-{phone}.txt"))).count())
        .unwrap_or(0)
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

/// The account's number as the app reads it (stored sealed).
fn phone_of(app: &TestApp, id: i64) -> Option<String> {
    use campus::db::schema::users;
    let sealed: Option<String> = app.db(|c| users::table.find(id).select(users::phone).first(c).unwrap());
    sealed.map(|s| app.state.keys.open("users.phone", &campus::db::sealed::Sealed::from(s)).unwrap())
}

/// The accounts holding `phone`, found by its blind index.
fn owners_of(app: &TestApp, phone: &str) -> Vec<i64> {
    use campus::db::schema::users;
    let index = app.state.keys.blind("users.phone", phone);
    app.db(|c| users::table.filter(users::phone_index.eq(index)).select(users::id).load(c).unwrap())
}

/// Moves every number's last SMS `secs` seconds into the past.
fn age_sends(app: &TestApp, secs: i64) {
    use campus::db::schema::sms_sends as s;
    app.db(|c| {
        let rows: Vec<(String, chrono::NaiveDateTime)> = s::table.select((s::target, s::last_sent_at)).load(c).unwrap();
        for (target, last) in rows {
            diesel::update(s::table.find(target))
                .set(s::last_sent_at.eq(last - chrono::TimeDelta::seconds(secs)))
                .execute(c)
                .unwrap();
        }
    });
}

/// Binds a first number to the signed-in account by its texted code.
pub fn bind(app: &TestApp, c: &Client, phone: &str) -> Resp {
    assert_eq!(send_bind(c, phone).status, 303);
    let code = texted_code(app, phone).expect("a code texted");
    confirm(c, &[("phone", phone), ("code", &code)])
}

fn send_bind(c: &Client, phone: &str) -> Resp {
    c.submit("/me/phone", "/me/phone/code", &[("phone", phone)])
}

fn confirm(c: &Client, fields: &[(&str, &str)]) -> Resp {
    c.submit("/me/phone", "/me/phone", fields)
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use campus::db::schema::audit_log;
    app.db(|c| audit_log::table.filter(audit_log::action.eq(action)).count().get_result(c).unwrap())
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[test]
fn a_student_binds_a_phone_by_sms_code_then_signs_in_with_it() {
    let app = spawn_app();
    let c = app.new_student("fresh");
    let me = user_id(&app, "fresh");
    let security = c.get("/me/security");
    assert!(security.body.contains("href=\"/me/phone\""), "linked from 账号与安全");
    assert!(security.body.contains("去绑定"));
    assert!(c.get("/me/phone").body.contains("绑定手机号"));

    let r = send_bind(&c, "139-1234-5678");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/me/phone?phone=13912345678"));
    assert!(c.follow("/me/phone?phone=13912345678").body.contains("验证码已发送"));
    let code = texted_code(&app, "13912345678").expect("a code texted");
    use campus::db::schema::one_time_codes as t;
    let stored: Vec<(String, String)> = app.db(|x| t::table.select((t::code_hash, t::target)).load(x).unwrap());
    assert!(stored.iter().all(|(h, target)| !h.contains(&code) && !target.contains("13912345678")), "hashed at rest");

    let r = confirm(&c, &[("phone", "13912345678"), ("code", wrong(&code))]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码不正确，还可以再试 4 次"), "{}", r.body);
    assert_eq!(phone_of(&app, me), None, "nothing bound");
    let r = confirm(&c, &[("phone", "13912345678"), ("code", &code)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/me/security"));
    assert_eq!(phone_of(&app, me).as_deref(), Some("13912345678"));
    assert!(c.get("/me/security").body.contains("139****5678"));
    assert_eq!(audit_count(&app, "user.phone_bind"), 1);
    let r = confirm(&c, &[("phone", "13912345678"), ("code", &code)]);
    assert_eq!(r.status, 422, "bound already");

    // Signing in with it (a minute later: one code a minute per number, whatever it is for).
    age_sends(&app, 61);
    let other = app.client();
    let r = other.submit("/login", "/login/phone/code", &[("phone", "13912345678"), ("next", "/me/messages")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/login/phone?phone=13912345678&next=/me/messages"));
    let page = other.get("/login/phone?phone=13912345678");
    assert!(page.body.contains("手机验证码登录") && page.body.contains("value=\"13912345678\""));
    let login = texted_code(&app, "13912345678").unwrap();
    let sign_in = |code: &str| {
        other.submit(
            "/login/phone",
            "/login/phone",
            &[("phone", "13912345678"), ("code", code), ("next", "/me/messages")],
        )
    };
    let r = sign_in(&code);
    assert_eq!(r.status, 422, "the bind code does not sign in");
    let r = sign_in(&login);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/me/messages"));
    assert_eq!(other.get("/me").status, 200);
    let again = app.client();
    let r = again.submit("/login/phone", "/login/phone", &[("phone", "13912345678"), ("code", &login)]);
    assert_eq!(r.status, 422, "a code is used once");
    assert!(r.body.contains("验证码错误或已失效"), "{}", r.body);
    assert_eq!(again.get("/me").status, 303);
}

#[test]
fn the_login_page_offers_the_phone_tab_and_refuses_unknown_and_banned_numbers() {
    let app = spawn_app();
    let page = app.client().get("/login");
    assert!(page.body.contains("手机验证码登录") && page.body.contains("href=\"/login/phone"), "a second tab");
    let c = app.client();
    let r = c.submit("/login/phone", "/login/phone/code", &[("phone", "13612345678")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("该手机号还没有绑定账号"), "{}", r.body);
    assert_eq!(texts_to(&app, "13612345678"), 0, "no SMS to a stranger, no account made");
    use campus::db::schema::users;
    let before: i64 = app.db(|x| users::table.count().get_result(x).unwrap());

    for bad in ["1380013800", "12345678901", "23800138000", "1380013800a", "", "+1 650 555 0100"] {
        let r = c.submit("/login/phone", "/login/phone/code", &[("phone", bad)]);
        assert_eq!(r.status, 422, "{bad}");
        assert!(r.body.contains("手机号格式不正确"), "{bad}: {}", r.body);
    }
    // The demo student's number: code sent; then the account is banned before the code is used.
    let r = c.submit("/login/phone", "/login/phone/code", &[("phone", "13800138000")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let code = texted_code(&app, "13800138000").unwrap();
    let student = user_id(&app, "student");
    app.db(|x| diesel::update(users::table.find(student)).set(users::status.eq("banned")).execute(x).unwrap());
    let r = c.submit("/login/phone", "/login/phone", &[("phone", "13800138000"), ("code", &code)]);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("该账号已被封禁"), "{}", r.body);
    assert_eq!(c.get("/me").status, 303);
    age_sends(&app, 61);
    let r = c.submit("/login/phone", "/login/phone/code", &[("phone", "13800138000")]);
    assert_eq!(r.status, 403, "no code for a banned account");
    let after: i64 = app.db(|x| users::table.count().get_result(x).unwrap());
    assert_eq!(before, after);
}

#[test]
fn staff_with_two_factor_still_take_the_second_step_after_the_phone_code() {
    let app = spawn_app();
    let merchant = app.login("merchant", DEMO_PASSWORD);
    let (secret, _) = crate::two_factor::enrol(&merchant);
    let c = app.client();
    assert_eq!(c.submit("/login/phone", "/login/phone/code", &[("phone", "13700137000")]).status, 303);
    let code = texted_code(&app, "13700137000").unwrap();
    let r = c.submit("/login/phone", "/login/phone", &[("phone", "13700137000"), ("code", &code)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/login/2fa"));
    assert_eq!(c.get("/merchant").status, 303, "the phone code alone signs nobody in");
    let r = c.submit("/login/2fa", "/login/2fa", &[("code", &crate::two_factor::code(&secret, 1))]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.get("/merchant").status, 200);
    use campus::db::schema::audit_log;
    let logins: Vec<String> = app
        .db(|x| audit_log::table.filter(audit_log::action.eq("user.login")).select(audit_log::detail).load(x).unwrap());
    assert!(logins.iter().any(|d| d.contains("phone+totp")), "{logins:?}");
}

#[test]
fn changing_the_phone_needs_the_current_password() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let me = user_id(&app, "student");
    let page = c.get("/me/phone");
    assert!(page.body.contains("更换手机号") && page.body.contains("138****8000"));
    assert!(page.body.contains("name=\"password\""));
    assert_eq!(send_bind(&c, "13800138000").status, 422, "the number it has already");
    assert_eq!(send_bind(&c, "13612345678").status, 303);
    let code = texted_code(&app, "13612345678").unwrap();
    let r = confirm(&c, &[("phone", "13612345678"), ("code", &code)]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("需要输入当前登录密码"), "{}", r.body);
    let r = confirm(&c, &[("phone", "13612345678"), ("code", &code), ("password", "not-my-password1")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("当前密码不正确"), "{}", r.body);
    assert_eq!(phone_of(&app, me).as_deref(), Some("13800138000"), "unchanged");
    // The code was not spent by the wrong password.
    let r = confirm(&c, &[("phone", "13612345678"), ("code", &code), ("password", DEMO_PASSWORD)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(phone_of(&app, me).as_deref(), Some("13612345678"));
    assert_eq!(audit_count(&app, "user.phone_change"), 1);
    // The old number is free again, and signs nobody in.
    let r = app.client().submit("/login/phone", "/login/phone/code", &[("phone", "13800138000")]);
    assert_eq!(r.status, 422);
    // The settings page no longer takes a number typed in.
    let r =
        c.submit("/me/settings", "/me/settings", &[("nickname", "新昵称"), ("email", ""), ("phone", "13512345678")]);
    assert_eq!(r.status, 303);
    assert_eq!(phone_of(&app, me).as_deref(), Some("13612345678"));
}

#[test]
fn a_wechat_only_account_changes_its_phone_with_a_code_to_the_old_one() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).start();
    let shell = app.client();
    let v = shell.post_json("/api/v1/wx/login", &serde_json::json!({"code": "good-phoneless"})).json();
    let ticket = v["data"]["ticket"].as_str().unwrap().to_string();
    let me = v["data"]["user_id"].as_i64().unwrap();
    let c = app.client();
    assert_eq!(c.get(&format!("/auth/ticket?t={ticket}")).status, 303);
    // First bind: no password, no old number: the new number's code is enough.
    assert_eq!(send_bind(&c, "13512345678").status, 303);
    let code = texted_code(&app, "13512345678").unwrap();
    assert_eq!(confirm(&c, &[("phone", "13512345678"), ("code", &code)]).status, 303);
    assert_eq!(phone_of(&app, me).as_deref(), Some("13512345678"));
    // Change: a code to the old number too.
    let page = c.get("/me/phone");
    assert!(page.body.contains("name=\"old_code\"") && !page.body.contains("name=\"password\""));
    age_sends(&app, 61);
    assert_eq!(send_bind(&c, "13412345678").status, 303);
    let new_code = texted_code(&app, "13412345678").unwrap();
    let r = confirm(&c, &[("phone", "13412345678"), ("code", &new_code)]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("原手机号收到的验证码"), "{}", r.body);
    let r = c.submit("/me/phone", "/me/phone/old-code", &[("phone", "13412345678")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c.follow(r.location().unwrap()).body.contains("135****5678"));
    let old_code = texted_code(&app, "13512345678").unwrap();
    let r = confirm(&c, &[("phone", "13412345678"), ("code", &new_code), ("old_code", wrong(&old_code))]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("原手机号验证码不正确"), "{}", r.body);
    let r = confirm(&c, &[("phone", "13412345678"), ("code", &new_code), ("old_code", &old_code)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(phone_of(&app, me).as_deref(), Some("13412345678"));
}

#[test]
fn a_phone_belongs_to_one_account_and_a_race_has_one_winner() {
    let app = spawn_app();
    let c = app.new_student("second");
    let r = send_bind(&c, "13800138000");
    assert_eq!(r.status, 409, "the demo student's number");
    assert!(r.body.contains("该手机号已绑定其他账号"), "{}", r.body);
    assert_eq!(texts_to(&app, "13800138000"), 0);

    // A number taken between the code and the confirmation: 409 at the confirmation.
    assert_eq!(send_bind(&c, "13312345678").status, 303);
    let code = texted_code(&app, "13312345678").unwrap();
    let teacher = user_id(&app, "teacher");
    app.db(|x| {
        use campus::db::schema::users;
        let keys = &app.state.keys;
        diesel::update(users::table.find(teacher))
            .set((
                users::phone.eq(keys.seal("users.phone", "13312345678").as_str()),
                users::phone_index.eq(keys.blind("users.phone", "13312345678")),
            ))
            .execute(x)
            .unwrap()
    });
    let r = confirm(&c, &[("phone", "13312345678"), ("code", &code)]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("该手机号已绑定其他账号"), "{}", r.body);
    assert_eq!(phone_of(&app, user_id(&app, "second")), None);

    // Eight accounts each hold a good code for one number and confirm at once.
    let racers: Vec<(Client, String)> = (0..8)
        .map(|i| {
            let c = app.new_student(&format!("racer{i}"));
            age_sends(&app, 61);
            assert_eq!(send_bind(&c, "13212345678").status, 303);
            let code = texted_code(&app, "13212345678").unwrap();
            (c, code)
        })
        .collect();
    let forms: Vec<String> = racers.iter().map(|(c, _)| c.get("/me/phone").csrf()).collect();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = racers
            .iter()
            .zip(&forms)
            .map(|((c, code), token)| {
                s.spawn(move || {
                    c.post_form("/me/phone", &[("csrf_token", token), ("phone", "13212345678"), ("code", code)]).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
    assert_eq!(owners_of(&app, "13212345678").len(), 1);
}

#[test]
fn codes_expire_die_after_five_tries_and_serve_only_their_own_number() {
    let app = spawn_app();
    let c = app.new_student("careful");
    assert_eq!(send_bind(&c, "13112345678").status, 303);
    let code = texted_code(&app, "13112345678").unwrap();
    let r = confirm(&c, &[("phone", "13112345679"), ("code", &code)]);
    assert_eq!(r.status, 422, "a code for another number");
    assert!(r.body.contains("验证码错误或已失效"), "{}", r.body);
    for bad in ["12345", "abcdef", ""] {
        let r = confirm(&c, &[("phone", "13112345678"), ("code", bad)]);
        assert_eq!(r.status, 422, "{bad}");
        assert!(r.body.contains("6 位"), "{bad}: {}", r.body);
    }
    use campus::db::schema::one_time_codes as t;
    app.db(|x| {
        diesel::update(t::table)
            .set(t::expires_at.eq(campus::db::now() - chrono::TimeDelta::seconds(1)))
            .execute(x)
            .unwrap()
    });
    let r = confirm(&c, &[("phone", "13112345678"), ("code", &code)]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码已过期"), "{}", r.body);

    age_sends(&app, 61);
    assert_eq!(send_bind(&c, "13112345678").status, 303);
    let code = texted_code(&app, "13112345678").unwrap();
    for left in (0..5).rev() {
        let r = confirm(&c, &[("phone", "13112345678"), ("code", wrong(&code))]);
        assert_eq!(r.status, 422);
        if left > 0 {
            assert!(r.body.contains(&format!("还可以再试 {left} 次")), "{}", r.body);
        }
    }
    let r = confirm(&c, &[("phone", "13112345678"), ("code", &code)]);
    assert_eq!(r.status, 422, "the right code after five wrong ones");
    assert!(r.body.contains("输错次数过多"), "{}", r.body);
    assert_eq!(phone_of(&app, user_id(&app, "careful")), None);
}

#[test]
fn one_code_a_minute_and_ten_a_day_per_number() {
    let app = spawn_app();
    let c = app.new_student("eager");
    assert_eq!(send_bind(&c, "13012345678").status, 303);
    let r = send_bind(&c, "13012345678");
    assert_eq!(r.status, 429);
    assert!(r.body.contains("验证码发送太频繁，请") && r.body.contains("秒后再试"), "{}", r.body);
    age_sends(&app, 59);
    assert_eq!(send_bind(&c, "13012345678").status, 429, "the 59th second");
    age_sends(&app, 2);
    assert_eq!(send_bind(&c, "13012345678").status, 303, "the 61st second");
    assert_eq!(texts_to(&app, "13012345678"), 2);
    for _ in 2..10 {
        age_sends(&app, 61);
        assert_eq!(send_bind(&c, "13012345678").status, 303);
    }
    age_sends(&app, 61);
    let r = send_bind(&c, "13012345678");
    assert_eq!(r.status, 429, "the 11th code of the day");
    assert!(r.body.contains("今天已获取 10 次验证码"), "{}", r.body);
    assert_eq!(texts_to(&app, "13012345678"), 10);
    // A day later the number gets codes again.
    use campus::db::schema::sms_sends as s;
    app.db(|x| {
        diesel::update(s::table)
            .set(s::window_start.eq(campus::db::now() - chrono::TimeDelta::hours(25)))
            .execute(x)
            .unwrap()
    });
    assert_eq!(send_bind(&c, "13012345678").status, 303);
}

#[test]
fn one_address_asks_for_at_most_twenty_codes_an_hour() {
    let app = spawn_app();
    let c = app.client();
    for i in 0..20 {
        let r = c.submit("/login/phone", "/login/phone/code", &[("phone", &format!("1591234{i:04}"))]);
        assert_eq!(r.status, 422, "{}", r.body);
    }
    let r = c.submit("/login/phone", "/login/phone/code", &[("phone", "13800138000")]);
    assert_eq!(r.status, 429);
    assert!(r.body.contains("获取短信验证码过于频繁"), "{}", r.body);
    assert_eq!(texts_to(&app, "13800138000"), 0);
}

#[test]
fn a_password_is_reset_by_sms_code() {
    let app = spawn_app();
    let me = app.login("student", DEMO_PASSWORD);
    let c = app.client();
    let page = c.get("/password/forgot");
    assert!(page.body.contains("通过邮箱找回") && page.body.contains("通过手机号找回"));
    let r = c.submit("/password/forgot", "/password/forgot", &[("phone", "1380013")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("手机号格式不正确"));
    let r = c.submit("/password/forgot", "/password/forgot", &[("phone", "13800138000")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/password/reset?phone=13800138000"));
    let page = c.follow("/password/reset?phone=13800138000");
    assert!(page.body.contains("请查收短信") && page.body.contains("name=\"phone\""), "{}", page.body);
    let code = texted_code(&app, "13800138000").unwrap();
    let reset = |code: &str, password: &str| {
        c.submit(
            "/password/forgot",
            "/password/reset",
            &[("phone", "13800138000"), ("code", code), ("password", password), ("password2", password)],
        )
    };
    let r = reset(wrong(&code), "sms-reset-42");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码不正确"), "{}", r.body);
    let r = reset(&code, "sms-reset-42");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/login"));
    assert_eq!(me.get("/me").status, 303, "every session ended");
    assert_eq!(app.client().login("student", "sms-reset-42").status, 303);
    assert_eq!(reset(&code, "another-one-8").status, 422, "used once");
    use campus::db::schema::audit_log;
    let detail: String = app.db(|x| {
        audit_log::table.filter(audit_log::action.eq("user.password_reset")).select(audit_log::detail).first(x).unwrap()
    });
    assert!(detail.contains("\"by\":\"phone\""), "{detail}");

    // A number without an account: the same answer, and no SMS.
    let r = c.submit("/password/forgot", "/password/forgot", &[("phone", "13912340000")]);
    assert_eq!(r.status, 303);
    assert_eq!(texts_to(&app, "13912340000"), 0);
}

#[test]
fn checkout_and_prepay_are_rate_limited_per_user() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).start();
    let order = |c: &Client| {
        let token = c.get("/mall").csrf();
        c.post_form(
            "/mall/checkout",
            &[
                ("csrf_token", token.as_str()),
                ("checkout_key", "key-of-sixteen-plus"),
                ("delivery", "pickup"),
                ("pickup_point", "1"),
            ],
        )
    };
    let c = app.new_student("hammer");
    for _ in 0..30 {
        let r = order(&c);
        assert_ne!(r.status, 429, "{}", r.body);
        assert_ne!(r.status, 403, "{}", r.body);
    }
    let r = order(&c);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("下单过于频繁"), "{}", r.body);
    let r = order(&app.new_student("calm"));
    assert!(![403, 429].contains(&r.status), "another user is not held back: {}", r.body);

    let s = crate::wxpay::shopper(&app, "good-payer");
    for _ in 0..30 {
        assert_ne!(crate::wxpay::prepay(&app, &s.token, &s.order_no).status, 429);
    }
    let r = crate::wxpay::prepay(&app, &s.token, &s.order_no);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("发起支付过于频繁"), "{}", r.body);
}

#[test]
fn two_instances_sharing_redis_share_the_sms_limit_of_an_address() {
    let redis = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let secret = "p".repeat(64) + &rand::random::<u64>().to_string();
    let first = app().redis(&redis, &secret).start();
    let second = app().redis(&redis, &secret).same_database_as(&first).start();
    for i in 0..20 {
        let instance = if i % 2 == 0 { &first } else { &second };
        let r = instance.client().submit("/login/phone", "/login/phone/code", &[("phone", &format!("1581234{i:04}"))]);
        assert_eq!(r.status, 422, "{}", r.body);
    }
    for instance in [&first, &second] {
        let r = instance.client().submit("/login/phone", "/login/phone/code", &[("phone", "13800138000")]);
        assert_eq!(r.status, 429, "{}", r.body);
        assert!(r.body.contains("获取短信验证码过于频繁"), "{}", r.body);
    }
}
