use std::time::Duration;

use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{FakeWeChat, app};

fn wechat_users(app: &crate::helpers::TestApp) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_type.eq("wechat")).count().get_result(c).unwrap())
}

#[test]
fn wechat_login_hands_a_one_time_ticket_to_the_web_view() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).start();
    let shell = app.client();
    let r = shell.post_json("/api/v1/wx/login", &json!({"code": "good-alice"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["success"], true);
    let ticket = v["data"]["ticket"].as_str().unwrap().to_string();
    assert!(v["data"]["token"].as_str().unwrap().len() >= 40);
    assert_eq!(v["data"]["token_expires_in"], 7200);
    assert_eq!(wx.codes(), ["good-alice"]);

    let webview = app.client();
    let r = webview.get(&format!("/auth/ticket?t={ticket}&next=/me/messages"));
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/me/messages"));
    let me = webview.get("/me");
    assert_eq!(me.status, 200);
    assert!(me.body.contains("微信用户lice"));
    assert!(me.body.contains("学生"));

    // The same WeChat user comes back as the same account.
    let again = shell.post_json("/api/v1/wx/login", &json!({"code": "good-alice"}));
    assert_eq!(again.json()["data"]["user_id"], v["data"]["user_id"]);
    assert_eq!(wechat_users(&app), 1);
}

#[test]
fn a_ticket_works_once() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).start();
    let v = app.client().post_json("/api/v1/wx/login", &json!({"code": "good-bob"})).json();
    let ticket = v["data"]["ticket"].as_str().unwrap();
    assert_eq!(app.client().get(&format!("/auth/ticket?t={ticket}")).status, 303);
    let thief = app.client();
    let r = thief.get(&format!("/auth/ticket?t={ticket}"));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("登录链接无效或已过期"));
    assert_eq!(thief.get("/me").status, 303);
}

#[test]
fn an_expired_or_forged_ticket_is_refused() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).ticket_ttl(Duration::from_secs(1)).start();
    let v = app.client().post_json("/api/v1/wx/login", &json!({"code": "good-carol"})).json();
    let ticket = v["data"]["ticket"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1200));
    let c = app.client();
    let r = c.get(&format!("/auth/ticket?t={ticket}"));
    assert_eq!(r.status, 422);
    assert_eq!(c.get("/me").status, 303);
    assert_eq!(c.get("/auth/ticket?t=forged-ticket-value").status, 422);
    assert_eq!(c.get("/auth/ticket").status, 422);
}

#[test]
fn an_invalid_code_is_a_clear_error_and_creates_nobody() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).start();
    let c = app.client();
    let r = c.post_json("/api/v1/wx/login", &json!({"code": "bad-code"}));
    assert_eq!(r.status, 422);
    let v = r.json();
    assert_eq!(v["success"], false);
    assert!(v["message"].as_str().unwrap().contains("微信登录凭证无效"));
    for body in [
        json!({}),
        json!({"code": ""}),
        json!({"code": 42}),
        json!({"code": "x".repeat(200)}),
        json!({"code": "has space"}),
    ] {
        let r = c.post_json("/api/v1/wx/login", &body);
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(r.json()["success"], false);
    }
    assert_eq!(wechat_users(&app), 0);
}

#[test]
fn wechat_outages_are_reported_as_bad_gateway() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).start();
    let c = app.client();
    for code in ["busy", "broken", "slow"] {
        let r = c.post_json("/api/v1/wx/login", &json!({"code": code}));
        assert_eq!(r.status, 502, "{code}: {}", r.body);
        assert!(r.json()["message"].as_str().unwrap().contains("微信登录服务暂时不可用"));
    }
    assert_eq!(wechat_users(&app), 0);
}
