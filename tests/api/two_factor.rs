//! Staff two-factor sign-in (TOTP, RFC 6238): enrolment with a QR code and recovery codes, the
//! second step of sign-in with a code computed here, replays and spent recovery codes refused,
//! attempts limited, the mandatory setting, and a 超级管理员's reset.

use diesel::prelude::*;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, spawn_app};

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

/// The code an authenticator app shows `steps` time steps from now.
pub fn code(secret: &str, steps: i64) -> String {
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, Secret::Encoded(secret.to_string()).to_bytes().unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    totp.generate((now + steps * 30) as u64)
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body.find(start).unwrap_or_else(|| panic!("no {start} in {body}")) + start.len();
    let stop = body[at..].find(end).unwrap() + at;
    &body[at..stop]
}

/// Turns two-factor on for a signed-in client: scans (reads) the secret, confirms with the
/// current code; returns the secret and the ten recovery codes.
pub fn enrol(c: &Client) -> (String, Vec<String>) {
    let page = c.get("/me/2fa");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("未开启"), "{}", page.body);
    let r = c.post_form("/me/2fa/start", &[("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 303);
    let page = c.get("/me/2fa");
    assert!(page.body.contains("<svg"), "the QR code");
    let secret: String = between(&page.body, "class=\"totp-secret\">", "<").split_whitespace().collect();
    assert!(secret.len() >= 32, "{secret}");
    let r = c.post_form("/me/2fa/enable", &[("csrf_token", &page.csrf()), ("code", "000000")]);
    let wrong = code(&secret, 0) == "000000";
    if !wrong {
        assert_eq!(r.status, 422);
        assert!(r.body.contains("验证码不正确"), "{}", r.body);
    }
    let r = c.post_form("/me/2fa/enable", &[("csrf_token", &page.csrf()), ("code", &code(&secret, 0))]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("只显示这一次"));
    let list = between(&r.body, "<ol class=\"recovery-codes__list\">", "</ol>");
    let codes: Vec<String> = list.split("<code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10, "{list}");
    assert!(c.get("/me/2fa").body.contains("已开启"));
    (secret, codes)
}

/// The password step: answered with the code page, and no session yet.
fn password_step(app: &TestApp, username: &str) -> Client {
    let c = app.client();
    let r = c.login(username, DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/login/2fa"));
    assert_eq!(c.get("/admin").status, 303, "the password alone signs nobody in");
    assert!(c.get("/login/2fa").body.contains("验证码"));
    c
}

fn second_step(c: &Client, code: &str) -> Resp {
    c.submit("/login/2fa", "/login/2fa", &[("code", code)])
}

#[test]
fn an_admin_with_two_factor_signs_in_with_a_totp_code_and_never_with_a_replayed_one() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let (secret, _) = enrol(&admin);

    let c = password_step(&app, "admin");
    let r = second_step(&c, "12345");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("6 位数字"), "{}", r.body);
    let mut bad = code(&secret, 5);
    if [code(&secret, -1), code(&secret, 0), code(&secret, 1)].contains(&bad) {
        bad = "999999".into();
    }
    let r = second_step(&c, &bad);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("验证码不正确"), "{}", r.body);
    assert_eq!(c.get("/admin").status, 303);
    // The next step's code (the app a little ahead of the server is within the window).
    let good = code(&secret, 1);
    let r = second_step(&c, &good);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.get("/admin").status, 200);

    // The same code again, from another browser within its window: refused.
    let thief = password_step(&app, "admin");
    let r = second_step(&thief, &good);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("已经用过"), "{}", r.body);
    assert_eq!(thief.get("/admin").status, 303);

    use campus::db::schema::audit_log;
    let methods: Vec<String> = app
        .db(|c| audit_log::table.filter(audit_log::action.eq("user.login")).select(audit_log::detail).load(c).unwrap());
    assert!(methods.iter().any(|d| d.contains("password+totp")), "{methods:?}");
}

#[test]
fn a_recovery_code_works_once_and_the_code_step_is_rate_limited() {
    let app = spawn_app();
    let merchant = app.login("merchant", DEMO_PASSWORD);
    let (_, codes) = enrol(&merchant);

    let c = password_step(&app, "merchant");
    let r = second_step(&c, &codes[0].to_uppercase());
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c.follow("/merchant").body.contains("恢复码"), "told a recovery code was spent");
    let again = password_step(&app, "merchant");
    let r = second_step(&again, &codes[0]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("恢复码已经用过"), "{}", r.body);
    let r = second_step(&again, "abcde-fghjk");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("恢复码不正确"), "{}", r.body);
    assert!(merchant.get("/me/2fa").body.contains("剩余恢复码 9 个"));

    // Five wrong codes in a row, then the limiter answers, even for a right one.
    for _ in 0..3 {
        assert_eq!(second_step(&again, "000001").status, 422);
    }
    let r = second_step(&again, &codes[1]);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("次数过多"), "{}", r.body);
    assert_eq!(again.get("/merchant").status, 303);

    use campus::db::schema::audit_log;
    let n: i64 =
        app.db(|c| audit_log::table.filter(audit_log::action.eq("user.2fa_recovery")).count().get_result(c).unwrap());
    assert_eq!(n, 1);
}

#[test]
fn two_factor_is_turned_off_only_with_a_code_and_is_for_staff_only() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let (_, codes) = enrol(&admin);
    let page = admin.get("/me/2fa");
    let r = admin.post_form("/me/2fa/disable", &[("csrf_token", &page.csrf()), ("code", "")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("6 位验证码"), "{}", r.body);
    let r = admin.post_form("/me/2fa/start", &[("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 409, "no second secret while on");
    let r = admin.post_form("/me/2fa/disable", &[("csrf_token", &page.csrf()), ("code", &codes[3])]);
    assert_eq!(r.status, 303);
    assert!(admin.get("/me/2fa").body.contains("未开启"));
    assert_eq!(app.client().login("admin", DEMO_PASSWORD).location(), Some("/"), "the password alone again");

    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(student.get("/me/2fa").status, 403);
    assert_eq!(app.client().get("/login/2fa").location(), Some("/login"), "no half-done sign-in");
}

#[test]
fn a_super_admin_resets_a_lost_device_and_the_audit_log_says_so() {
    let app = spawn_app();
    let mall = app.login("mall_admin", DEMO_PASSWORD);
    enrol(&mall);
    let id = user_id(&app, "mall_admin");
    password_step(&app, "mall_admin");

    let support = app.login("support_admin", DEMO_PASSWORD);
    let page = support.get(&format!("/admin/users/{id}"));
    assert!(page.body.contains("已开启") && !page.body.contains("/2fa/reset"));
    assert_eq!(support.post_form(&format!("/admin/users/{id}/2fa/reset"), &[("csrf_token", &page.csrf())]).status, 403);

    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get(&format!("/admin/users/{id}"));
    assert!(page.body.contains("/2fa/reset"));
    let r = admin.post_form(&format!("/admin/users/{id}/2fa/reset"), &[("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 303);
    assert_eq!(app.client().login("mall_admin", DEMO_PASSWORD).location(), Some("/"));
    let r = admin.post_form(&format!("/admin/users/{id}/2fa/reset"), &[("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 422, "nothing to reset");
    let me = user_id(&app, "admin");
    assert_eq!(admin.post_form(&format!("/admin/users/{me}/2fa/reset"), &[("csrf_token", &page.csrf())]).status, 422);
    let log = admin.get("/admin/audit?action=user.");
    assert!(log.body.contains("重置两步验证") && log.body.contains("开启两步验证"), "{}", log.body);
}

#[test]
fn when_two_factor_is_mandatory_an_admin_enrols_before_anything_else() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let save = |c: &Client| {
        let page = c.get("/admin/settings");
        c.post_form(
            "/admin/settings",
            &[
                ("csrf_token", &page.csrf()),
                ("site_name", "校园助手"),
                ("order_timeout_mins", "30"),
                ("mail_from", "校园助手 <noreply@campus.local>"),
                ("admin_2fa_required", "1"),
            ],
        )
    };
    let r = save(&admin);
    assert_eq!(r.status, 422, "not before the one who sets it has it");
    assert!(r.body.contains("先为自己的账号开启两步验证"), "{}", r.body);
    enrol(&admin);
    assert_eq!(save(&admin).status, 303);
    assert!(admin.get("/admin/settings").body.contains("name=\"admin_2fa_required\" value=\"1\" checked"));

    let moderator = app.login("audit_admin", DEMO_PASSWORD);
    for path in ["/admin", "/admin/moderation"] {
        let r = moderator.get(path);
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.location(), Some("/me/2fa?required=1"));
    }
    let page = moderator.get("/me/2fa?required=1");
    assert!(page.body.contains("要求管理员开启两步验证"));
    let r = moderator.post_form("/admin/words", &[("csrf_token", &page.csrf()), ("word", "强制"), ("action", "block")]);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/me/2fa?required=1"), "a post by hand is sent to enrol too");
    enrol(&moderator);
    assert_eq!(moderator.get("/admin/moderation").status, 200);
    // Merchants are not admins: the setting does not touch them.
    assert_eq!(app.login("merchant", DEMO_PASSWORD).get("/merchant").status, 200);
}

#[test]
fn a_staff_account_signing_in_from_wechat_is_asked_for_its_code_too() {
    let wx = crate::helpers::FakeWeChat::start();
    let app = crate::helpers::app().wechat(&wx.base).start();
    let ticket = || {
        let r = app.client().post_json("/api/v1/wx/login", &serde_json::json!({"code": "good-shopkeeper"}));
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        (v["data"]["user_id"].as_i64().unwrap(), v["data"]["ticket"].as_str().unwrap().to_string())
    };
    let (uid, t) = ticket();
    app.db(|c| campus::auth::service::grant_role(c, uid, campus::auth::models::Role::Merchant).unwrap());
    let webview = app.client();
    assert_eq!(webview.get(&format!("/auth/ticket?t={t}&next=/me")).location(), Some("/me"));
    let (secret, _) = enrol(&webview);

    let (_, t) = ticket();
    let phone = app.client();
    let r = phone.get(&format!("/auth/ticket?t={t}&next=/me/messages"));
    assert_eq!(r.location(), Some("/login/2fa"));
    assert_eq!(phone.get("/me").status, 303, "not signed in by the ticket alone");
    let r = second_step(&phone, &code(&secret, 1));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/me/messages"));
    assert_eq!(phone.get("/me").status, 200);
    use campus::db::schema::audit_log;
    let n: i64 = app.db(|c| {
        audit_log::table
            .filter(audit_log::action.eq("user.login"))
            .filter(audit_log::detail.like("%wechat+totp%"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(n, 1);
}

#[test]
fn one_code_sent_from_many_browsers_at_once_signs_in_only_one() {
    // Once with a recovery code, once with a TOTP code; each on its own app (own limiter).
    for recovery in [true, false] {
        let app = spawn_app();
        let admin = app.login("admin", DEMO_PASSWORD);
        let (secret, codes) = enrol(&admin);
        let browsers: Vec<(Client, String)> = (0..10)
            .map(|_| {
                let c = password_step(&app, "admin");
                let token = c.get("/login/2fa").csrf();
                (c, token)
            })
            .collect();
        let one = if recovery { codes[0].clone() } else { code(&secret, 1) };
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = browsers
                .iter()
                .map(|(c, token)| {
                    let one = &one;
                    s.spawn(move || c.post_form("/login/2fa", &[("csrf_token", token), ("code", one)]).status)
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // The limiter lets a few through at once; of those exactly one signs in.
        assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "recovery={recovery}: {statuses:?}");
        assert!(statuses.iter().all(|s| [303, 422, 429].contains(s)), "{statuses:?}");
        let signed_in = browsers.iter().filter(|(c, _)| c.get("/admin").status == 200).count();
        assert_eq!(signed_in, 1);
        use campus::db::schema::two_factor_recovery as r;
        let used: i64 = app.db(|c| r::table.filter(r::used_at.is_not_null()).count().get_result(c).unwrap());
        assert_eq!(used, i64::from(recovery));
    }
}

#[test]
fn the_wechat_login_api_gives_a_two_factor_account_its_token_only_with_the_code() {
    let wx = crate::helpers::FakeWeChat::start();
    let app = crate::helpers::app().wechat(&wx.base).start();
    let login = |body: serde_json::Value| app.client().post_json("/api/v1/wx/login", &body);
    let api = |token: &str| {
        app.client().get_with("/api/v1/wx/subscribe/templates", &[("Authorization", &format!("Bearer {token}"))]).status
    };
    let r = login(serde_json::json!({"code": "good-keeper"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    let uid = v["data"]["user_id"].as_i64().unwrap();
    assert_eq!(v["data"]["two_factor"], false);
    assert_eq!(api(v["data"]["token"].as_str().unwrap()), 200, "without two-factor: the token as before");
    app.db(|c| campus::auth::service::grant_role(c, uid, campus::auth::models::Role::Merchant).unwrap());
    let webview = app.client();
    let t = v["data"]["ticket"].as_str().unwrap();
    assert_eq!(webview.get(&format!("/auth/ticket?t={t}&next=/me")).location(), Some("/me"));
    let (secret, recovery) = enrol(&webview);

    // No code: the ticket (its web-view step asks for the code), no token, and why.
    let r = login(serde_json::json!({"code": "good-keeper"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert!(v["data"]["token"].is_null(), "{v}");
    assert_eq!(v["data"]["two_factor"], true);
    assert_eq!(v["data"]["token_expires_in"], 0);
    assert!(v["message"].as_str().unwrap().contains("两步验证"), "{v}");
    let phone = app.client();
    let t = v["data"]["ticket"].as_str().unwrap();
    assert_eq!(phone.get(&format!("/auth/ticket?t={t}")).location(), Some("/login/2fa"));
    // A wrong code: refused with the reason, no token issued.
    use campus::db::schema::auth_tokens;
    let tokens = || -> i64 {
        app.db(|c| {
            auth_tokens::table
                .filter(auth_tokens::user_id.eq(uid))
                .filter(auth_tokens::purpose.eq("api"))
                .count()
                .get_result(c)
                .unwrap()
        })
    };
    let before = tokens();
    let wrong = if code(&secret, 0) == "123456" { "654321" } else { "123456" };
    let r = login(serde_json::json!({"code": "good-keeper", "two_factor_code": wrong}));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("验证码"), "{}", r.body);
    assert_eq!(tokens(), before, "no token for a wrong code");
    // The right code (or a recovery code): the token, which opens the API.
    let r = login(serde_json::json!({"code": "good-keeper", "two_factor_code": code(&secret, 1)}));
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json()["data"]["token"].as_str().unwrap().to_string();
    assert_eq!(api(&token), 200);
    let r = login(serde_json::json!({"code": "good-keeper", "two_factor_code": recovery[0]}));
    assert!(r.json()["data"]["token"].is_string(), "{}", r.body);
    // Guessing is limited like the web sign-in's code step.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login(serde_json::json!({"code": "good-keeper", "two_factor_code": wrong})).status);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}
