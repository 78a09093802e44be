//! WeChat Pay API v3 against the fake WeChat Pay server of `fake_wxpay.rs`: prepay, payment
//! notifications, queries, closing, refunds, platform-certificate mode.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use diesel::prelude::*;
use openssl::hash::MessageDigest;
use openssl::sign::Verifier;
use serde_json::json;

pub use crate::fake_wxpay::{FakeWxPay, MCHID, sign};
use crate::helpers::{Client, FakeWeChat, TestApp, app};
use crate::mall::{add_to_cart, checkout, sku};

pub(crate) fn post_notice(app: &TestApp, path: &str, (body, headers): &(String, Vec<(&'static str, String)>)) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut req = agent.post(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send(body.as_bytes()).unwrap().status().as_u16()
}

pub(crate) fn status_of(app: &TestApp, order_no: &str) -> String {
    use campus::db::schema::orders;
    app.db(|c| orders::table.filter(orders::order_no.eq(order_no)).select(orders::status).first(c).unwrap())
}

/// A WeChat user signed in through the shell, with an order of one power bank waiting to be paid.
pub(crate) struct Shopper {
    pub web: Client,
    pub token: String,
    pub order_no: String,
}

pub(crate) fn shopper(app: &TestApp, code: &str) -> Shopper {
    let shell = app.client();
    let v = shell.post_json("/api/v1/wx/login", &json!({"code": code})).json();
    let (ticket, token) =
        (v["data"]["ticket"].as_str().unwrap().to_string(), v["data"]["token"].as_str().unwrap().to_string());
    let web = app.client();
    assert_eq!(web.get(&format!("/auth/ticket?t={ticket}&next=/mall")).status, 303);
    let (_, power) = sku(app, "罗马仕 充电宝 10000mAh", "黑色");
    assert_eq!(add_to_cart(&web, power, "1").status, 303);
    let order_no = checkout(&web);
    Shopper { web, token, order_no }
}

pub(crate) fn prepay(app: &TestApp, token: &str, order_no: &str) -> crate::helpers::Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut res = agent
        .post(app.url("/api/v1/pay/prepay"))
        .header("Authorization", &format!("Bearer {token}"))
        .send_json(json!({"order_no": order_no}))
        .unwrap();
    let status = res.status().as_u16();
    crate::helpers::Resp { status, headers: vec![], body: res.body_mut().read_to_string().unwrap() }
}

pub(crate) fn run<F: std::future::Future>(f: F) -> F::Output {
    actix_web::rt::System::new().block_on(f)
}

#[test]
fn wechat_pay_end_to_end_prepay_notify_once_and_refund() {
    let wx = FakeWeChat::start();
    let pay = FakeWxPay::start(false);
    let app = app().wechat(&wx.base).wxpay(pay.config()).start();
    let s = shopper(&app, "good-pay1");

    let r = prepay(&app, &s.token, &s.order_no);
    assert_eq!(r.status, 200, "{}", r.body);
    let p = r.json()["data"].clone();
    assert_eq!(p["appId"], "wx-test-appid");
    assert_eq!(p["package"], format!("prepay_id=wx25{}", s.order_no));
    assert_eq!(p["signType"], "RSA");
    // paySign is RSA-SHA256 over appId, timeStamp, nonceStr, package with the merchant key.
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        p["appId"].as_str().unwrap(),
        p["timeStamp"].as_str().unwrap(),
        p["nonceStr"].as_str().unwrap(),
        p["package"].as_str().unwrap()
    );
    let mut v = Verifier::new(MessageDigest::sha256(), &pay.merchant).unwrap();
    v.update(message.as_bytes()).unwrap();
    assert!(v.verify(&B64.decode(p["paySign"].as_str().unwrap()).unwrap()).unwrap());
    let (amount, openid, _) = pay.ledger.lock().unwrap().orders[&s.order_no].clone();
    assert_eq!((amount, openid.as_str()), (7900, "openid-pay1"));
    assert_eq!(pay.ledger.lock().unwrap().bad_signatures, 0);

    // The notification pays the order; a replay changes nothing and is still acknowledged.
    let notice = pay.notification("TRANSACTION.SUCCESS", &pay.paid(&s.order_no), 0);
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat", &notice), 204);
    assert_eq!(status_of(&app, &s.order_no), "paid");
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat", &notice), 204);
    use campus::db::schema::payments;
    let n: i64 = app.db(|c| payments::table.count().get_result(c).unwrap());
    assert_eq!(n, 1);
    assert!(s.web.get(&format!("/mall/orders/{}", s.order_no)).body.contains("待发货"));

    // A refund goes to WeChat Pay, and its notification finishes it.
    let r = s.web.submit(
        &format!("/mall/orders/{}", s.order_no),
        &format!("/mall/orders/{}/refund", s.order_no),
        &[("reason", "买错了")],
    );
    assert_eq!(r.status, 303);
    use campus::db::schema::refunds;
    let (rid, refund_no): (i64, String) =
        app.db(|c| refunds::table.select((refunds::id, refunds::refund_no)).first(c).unwrap());
    let merchant = app.login("merchant", crate::helpers::DEMO_PASSWORD);
    let token = merchant.get(&format!("/merchant/orders/{}", s.order_no)).csrf();
    let r = merchant.post_form(&format!("/merchant/refunds/{rid}/approve"), &[("csrf_token", &token)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(crate::helpers::eventually(|| !pay.ledger.lock().unwrap().refunds.is_empty()), "sent by the job queue");
    let sent = pay.ledger.lock().unwrap().refunds[0].clone();
    assert_eq!(sent["amount"]["refund"], 7900);
    assert_eq!(sent["out_refund_no"], refund_no);
    assert_eq!(status_of(&app, &s.order_no), "refunding", "until WeChat Pay says so");
    let refund_notice = pay.notification(
        "REFUND.SUCCESS",
        &json!({"mchid": MCHID, "out_trade_no": s.order_no, "transaction_id": format!("4200000{}", s.order_no), "out_refund_no": refund_no,
            "refund_id": "50300123", "refund_status": "SUCCESS", "user_received_account": "支付用户零钱",
            "amount": {"total": 7900, "refund": 7900, "payer_total": 7900, "payer_refund": 7900}}),
        0,
    );
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat-refund", &refund_notice), 204);
    assert_eq!(status_of(&app, &s.order_no), "refunded");
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat-refund", &refund_notice), 204, "a replay is fine");
}

#[test]
fn forged_stale_or_mismatched_notifications_change_nothing() {
    let wx = FakeWeChat::start();
    let pay = FakeWxPay::start(false);
    let app = app().wechat(&wx.base).wxpay(pay.config()).start();
    let s = shopper(&app, "good-pay2");
    assert_eq!(prepay(&app, &s.token, &s.order_no).status, 200);
    let paid = pay.paid(&s.order_no);

    let (body, mut headers) = pay.notification("TRANSACTION.SUCCESS", &paid, 0);
    headers[3].1 = sign(&pay.merchant, "not what was sent");
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat", &(body, headers)), 401, "forged signature");
    assert_eq!(
        post_notice(&app, "/api/v1/pay/notify/wechat", &pay.notification("TRANSACTION.SUCCESS", &paid, 600)),
        401,
        "10 minutes old"
    );
    let mut cheap = paid.clone();
    cheap["amount"]["total"] = json!(1);
    assert_eq!(
        post_notice(&app, "/api/v1/pay/notify/wechat", &pay.notification("TRANSACTION.SUCCESS", &cheap, 0)),
        400,
        "wrong amount"
    );
    let mut other = paid.clone();
    other["mchid"] = json!("1900000002");
    assert_eq!(
        post_notice(&app, "/api/v1/pay/notify/wechat", &pay.notification("TRANSACTION.SUCCESS", &other, 0)),
        400,
        "other merchant"
    );
    let (body, headers) = pay.notification("TRANSACTION.SUCCESS", &paid, 0);
    let tampered = body.replace("\"ciphertext\":\"", "\"ciphertext\":\"AAAA");
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat", &(tampered, headers)), 401, "body changed after signing");
    assert_eq!(status_of(&app, &s.order_no), "pending");
}

#[test]
fn a_late_payment_is_found_by_querying_wechat_pay() {
    let wx = FakeWeChat::start();
    let pay = FakeWxPay::start(false);
    let app = app().wechat(&wx.base).wxpay(pay.config()).start();
    let s = shopper(&app, "good-pay3");
    assert_eq!(prepay(&app, &s.token, &s.order_no).status, 200);
    assert!(!run(campus::pay::service::query_and_apply(&app.pay, s.order_no.clone())).unwrap());
    assert_eq!(status_of(&app, &s.order_no), "pending");
    pay.paid(&s.order_no);
    assert!(run(campus::pay::service::query_and_apply(&app.pay, s.order_no.clone())).unwrap());
    assert_eq!(status_of(&app, &s.order_no), "paid");
}

#[test]
fn prepay_refuses_bad_tokens_other_peoples_orders_and_paid_orders() {
    let wx = FakeWeChat::start();
    let pay = FakeWxPay::start(false);
    let app = app().wechat(&wx.base).wxpay(pay.config()).start();
    let a = shopper(&app, "good-pay4");
    let b = shopper(&app, "good-pay5");
    let r = prepay(&app, "forged-token", &a.order_no);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["success"], false);
    assert_eq!(prepay(&app, &b.token, &a.order_no).status, 404, "someone else's order");
    let r = prepay(&app, &a.token, "../../etc");
    assert_eq!(r.status, 422);
    // An expired shell token.
    use campus::db::schema::auth_tokens;
    app.db(|c| {
        diesel::update(auth_tokens::table.filter(auth_tokens::purpose.eq("api")))
            .set(auth_tokens::expires_at.eq(campus::db::now() - chrono::TimeDelta::seconds(1)))
            .execute(c)
            .unwrap()
    });
    assert_eq!(prepay(&app, &a.token, &a.order_no).status, 401);
    // A cancelled order cannot be paid, and it is closed at WeChat Pay.
    let token = a.web.get("/mall").csrf();
    assert_eq!(a.web.post_form(&format!("/mall/orders/{}/cancel", a.order_no), &[("csrf_token", &token)]).status, 303);
    assert!(crate::helpers::eventually(|| pay.ledger.lock().unwrap().closed.contains(&a.order_no)));
    assert_eq!(pay.ledger.lock().unwrap().orders.len(), 0, "nothing was ever prepaid");
}

#[test]
fn platform_certificate_mode_downloads_and_uses_the_certificate() {
    let wx = FakeWeChat::start();
    let pay = FakeWxPay::start(true);
    let app = app().wechat(&wx.base).wxpay(pay.config()).start();
    let s = shopper(&app, "good-pay6");
    assert_eq!(prepay(&app, &s.token, &s.order_no).status, 200);
    let notice = pay.notification("TRANSACTION.SUCCESS", &pay.paid(&s.order_no), 0);
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat", &notice), 204);
    assert_eq!(status_of(&app, &s.order_no), "paid");
}
