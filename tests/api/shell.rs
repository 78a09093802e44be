//! The server side of the mini-program shell, driven with the same HTTP calls the shell makes:
//! login code → ticket → web page → prepay → WeChat Pay notification → paid → subscribe message.

use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{FakeWeChat, TestApp, app, eventually};
use crate::mall::{add_to_cart, checkout, sku};
use crate::wxpay::FakeWxPay;

pub fn bearer(app: &TestApp, path: &str, token: &str, body: Option<serde_json::Value>) -> crate::helpers::Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut res = match body {
        Some(b) => agent.post(app.url(path)).header("Authorization", &format!("Bearer {token}")).send_json(b).unwrap(),
        None => agent.get(app.url(path)).header("Authorization", &format!("Bearer {token}")).call().unwrap(),
    };
    let status = res.status().as_u16();
    crate::helpers::Resp { status, headers: vec![], body: res.body_mut().read_to_string().unwrap() }
}

pub fn login(app: &TestApp, code: &str) -> (crate::helpers::Client, String) {
    let v = app.client().post_json("/api/v1/wx/login", &json!({"code": code})).json();
    let web = app.client();
    let ticket = v["data"]["ticket"].as_str().unwrap();
    assert_eq!(web.get(&format!("/auth/ticket?t={ticket}&next=/mall")).status, 303);
    (web, v["data"]["token"].as_str().unwrap().to_string())
}

#[test]
fn the_shell_journey_ends_with_a_subscribe_message_on_wechat() {
    let wx = FakeWeChat::start();
    let pay = FakeWxPay::start(false);
    let app = app()
        .wechat(&wx.base)
        .wxpay(pay.config())
        .wx_templates(&[("order_paid", "TPL_PAID"), ("order_shipped", "TPL_SHIPPED")])
        .start();
    let (web, token) = login(&app, "good-shell1");

    // The subscribe page: templates listed, one accepted.
    let r = bearer(&app, "/api/v1/wx/subscribe/templates", &token, None);
    assert_eq!(r.json()["data"]["template_ids"], json!(["TPL_PAID", "TPL_SHIPPED"]));
    assert_eq!(bearer(&app, "/api/v1/wx/subscribe", &token, Some(json!({"accepted": ["TPL_PAID"]}))).status, 200);

    let (_, power) = sku(&app, "罗马仕 充电宝 10000mAh", "白色");
    add_to_cart(&web, power, "1");
    let order_no = checkout(&web);
    // The order page polls while it waits.
    assert_eq!(web.get(&format!("/mall/orders/{order_no}/status")).status, 204);
    let r = bearer(&app, "/api/v1/pay/prepay", &token, Some(json!({"order_no": order_no})));
    assert_eq!(r.status, 200, "{}", r.body);
    // WeChat Pay tells the server; the page's next poll sees it.
    let notice = pay.notification("TRANSACTION.SUCCESS", &pay.paid(&order_no), 0);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut req = agent.post(app.url("/api/v1/pay/notify/wechat"));
    for (k, v) in &notice.1 {
        req = req.header(*k, v);
    }
    assert_eq!(req.send(notice.0.as_bytes()).unwrap().status().as_u16(), 204);
    let poll = web.get(&format!("/mall/orders/{order_no}/status"));
    assert_eq!(poll.header("hx-refresh"), Some("true"));
    // Paying it again is refused with a clear message.
    let again = bearer(&app, "/api/v1/pay/prepay", &token, Some(json!({"order_no": order_no})));
    assert_eq!(again.status, 409);
    assert!(again.json()["message"].as_str().unwrap().contains("不能支付"));

    // The subscribe message went out, once, with the order in it.
    assert!(eventually(|| wx.ledger.lock().unwrap().sent.len() == 1));
    let sent = wx.ledger.lock().unwrap().sent[0].clone();
    assert_eq!(sent["touser"], "openid-shell1");
    assert_eq!(sent["template_id"], "TPL_PAID");
    assert_eq!(sent["data"]["character_string1"]["value"], order_no);
    assert_eq!(sent["data"]["amount2"]["value"], "¥79.00");
    assert!(sent["page"].as_str().unwrap().starts_with("pages/index/index?path=/mall/orders/"));

    // Shipping was not accepted, and the one acceptance is spent: nothing more is sent.
    let id: i64 = app.db(|c| {
        use campus::db::schema::orders;
        orders::table.filter(orders::order_no.eq(&order_no)).select(orders::id).first(c).unwrap()
    });
    app.db(|c| {
        campus::mall::service::ship_order(
            c,
            id,
            None,
            campus::mall::service::Shipping::Pickup,
            std::time::Duration::from_secs(60),
        )
        .unwrap()
    });
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(wx.ledger.lock().unwrap().sent.len(), 1);
}

#[test]
fn an_expired_access_token_is_refreshed_once_and_the_message_still_goes() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).wx_templates(&[("order_paid", "TPL_PAID")]).start();
    let (_, token) = login(&app, "good-shell2");
    bearer(&app, "/api/v1/wx/subscribe", &token, Some(json!({"accepted": ["TPL_PAID", "TPL_PAID"]})));
    let uid: i64 = app.db(|c| {
        use campus::db::schema::user_auth;
        user_auth::table.filter(user_auth::auth_key.eq("openid-shell2")).select(user_auth::user_id).first(c).unwrap()
    });
    assert_eq!(app.db(|c| campus::notify::wechat::remaining(c, uid, "TPL_PAID").unwrap()), 2);
    let queue = |n: &str| {
        app.db(|c| {
            campus::notify::wechat::queue(
                c,
                uid,
                "order_paid",
                "pages/index/index",
                &[("character_string1", n.to_string())],
            )
            .unwrap()
        })
    };
    queue("A1");
    assert!(eventually(|| wx.ledger.lock().unwrap().sent.len() == 1));
    wx.ledger.lock().unwrap().expire_current_token = true;
    queue("A2");
    assert!(eventually(|| wx.ledger.lock().unwrap().sent.len() == 2));
    let l = wx.ledger.lock().unwrap();
    assert_eq!(l.token_requests.len(), 2, "cached, then refreshed once");
    assert_eq!(l.token_requests[0]["force_refresh"], false);
    assert_eq!(l.token_requests[1]["force_refresh"], true);
    drop(l);
    assert_eq!(app.db(|c| campus::notify::wechat::remaining(c, uid, "TPL_PAID").unwrap()), 0);
}

#[test]
fn subscribe_endpoints_refuse_bad_tokens_and_unknown_templates() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).wx_templates(&[("order_paid", "TPL_PAID")]).start();
    let (_, token) = login(&app, "good-shell3");
    assert_eq!(bearer(&app, "/api/v1/wx/subscribe/templates", "nope", None).status, 401);
    let r = bearer(&app, "/api/v1/wx/subscribe", &token, Some(json!({"accepted": ["TPL_OTHER"]})));
    assert_eq!(r.status, 422);
    assert!(r.json()["message"].as_str().unwrap().contains("未知的消息模板"));
    let r = bearer(&app, "/api/v1/wx/subscribe", &token, Some(json!({"accepted": "TPL_PAID"})));
    assert_eq!(r.status, 422);
    use campus::db::schema::wx_subscriptions;
    let n: i64 = app.db(|c| wx_subscriptions::table.count().get_result(c).unwrap());
    assert_eq!(n, 0);
}

#[test]
fn second_hand_text_passes_the_word_filter_then_wechat_content_security() {
    let wx = FakeWeChat::start();
    let app = app().wechat(&wx.base).msg_sec_check().start();
    let (web, _) = login(&app, "good-shell4");
    app.db(|c| {
        use campus::db::schema::{user_auth, users};
        let uid: i64 = user_auth::table
            .filter(user_auth::auth_key.eq("openid-shell4"))
            .select(user_auth::user_id)
            .first(c)
            .unwrap();
        diesel::update(users::table.find(uid)).set(users::verified.eq(true)).execute(c).unwrap();
    });
    let post = |title: &str| {
        let token = web.get("/mall/second-hand").csrf();
        let boundary = "----b";
        let mut body = String::new();
        for (k, v) in [
            ("title", title),
            ("description", "九成新"),
            ("price", "10"),
            ("condition", "good"),
            ("pickup_place", "西门"),
        ] {
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        web.post_raw(
            &format!("/mall/second-hand/new?csrf_token={token}"),
            &format!("multipart/form-data; boundary={boundary}"),
            body.as_bytes(),
        )
    };
    let r = post("代考四六级");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("违规词「代考」"));
    let r = post("违规物品");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("内容可能违规"));
    assert_eq!(post("可疑的台灯").status, 303);
    assert_eq!(post("刷单台灯").status, 303);
    assert_eq!(post("普通台灯").status, 303);
    use campus::db::schema::second_hand_reports;
    let flagged: Vec<String> = app.db(|c| {
        second_hand_reports::table.order(second_hand_reports::id).select(second_hand_reports::reason).load(c).unwrap()
    });
    assert_eq!(flagged, vec!["微信内容安全待审核".to_string(), "敏感词待审核：刷单".to_string()]);
    assert_eq!(crate::market::items(&app).len(), 3, "the refused ones were not stored");
}
