//! Refunds through WeChat Pay, against the fake WeChat Pay server of `wxpay.rs`: the job queue
//! retries an outage with the same `out_refund_no`, stuck and abnormal refunds reach the admins,
//! refund notices must match, certificate downloads are rationed, stale answers are refused.

use diesel::prelude::*;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use serde_json::{Value, json};

use crate::helpers::{Client, DEMO_PASSWORD, FakeWeChat, Resp, TestApp, app, eventually};
use crate::wxpay::{FakeWxPay, MCHID, Shopper, post_notice, prepay, shopper, sign, status_of};

/// A WeChat shopper whose power bank (¥79) is paid through WeChat Pay.
fn paid_shopper(app: &TestApp, pay: &FakeWxPay, code: &str) -> Shopper {
    let s = shopper(app, code);
    assert_eq!(prepay(app, &s.token, &s.order_no).status, 200);
    let notice = pay.notification("TRANSACTION.SUCCESS", &pay.paid(&s.order_no), 0);
    assert_eq!(post_notice(app, "/api/v1/pay/notify/wechat", &notice), 204);
    s
}

/// The student asks for a full refund; its id and number.
fn ask_refund(app: &TestApp, s: &Shopper) -> (i64, String) {
    let page = format!("/mall/orders/{}", s.order_no);
    let r = s.web.submit(&page, &format!("{page}/refund"), &[("reason", "买错了")]);
    assert_eq!(r.status, 303, "{}", r.body);
    use campus::db::schema::{orders, refunds};
    app.db(|c| {
        refunds::table
            .inner_join(orders::table)
            .filter(orders::order_no.eq(&s.order_no))
            .select((refunds::id, refunds::refund_no))
            .first(c)
            .unwrap()
    })
}

fn approve(merchant: &Client, order_no: &str, refund_id: i64) -> Resp {
    let token = merchant.get(&format!("/merchant/orders/{order_no}")).csrf();
    merchant.post_form(&format!("/merchant/refunds/{refund_id}/approve"), &[("csrf_token", &token)])
}

/// (status, attempts) of a refund.
fn refund_row(app: &TestApp, id: i64) -> (String, i32) {
    use campus::db::schema::refunds;
    app.db(|c| refunds::table.find(id).select((refunds::status, refunds::attempts)).first(c).unwrap())
}

/// Waits until the refund job has made `n` attempts and is no longer running.
fn attempt_finished(app: &TestApp, n: i32) {
    use campus::db::schema::jobs;
    let settled = || {
        app.db(|c| {
            jobs::table
                .filter(jobs::kind.eq("pay.refund"))
                .filter(jobs::attempts.eq(n))
                .filter(jobs::locked_until.is_null())
                .count()
                .get_result::<i64>(c)
                .unwrap()
        }) == 1
    };
    assert!(eventually(settled), "attempt {n} finished");
}

/// The queued refund job's backoff runs out now.
fn retry_now(app: &TestApp) {
    use campus::db::schema::jobs;
    app.db(|c| {
        diesel::update(jobs::table.filter(jobs::kind.eq("pay.refund")).filter(jobs::status.eq("pending")))
            .set(jobs::run_at.eq(campus::db::now() - chrono::TimeDelta::seconds(1)))
            .execute(c)
            .unwrap()
    });
}

/// How many messages titled `title` each admin who handles refunds, and the shop's owner, received.
fn told(app: &TestApp, title: &str) -> (Vec<i64>, i64) {
    use campus::db::schema::{messages, shops};
    app.db(|c| {
        let count = |c: &mut campus::db::DbConn, user: i64| -> i64 {
            messages::table
                .filter(messages::user_id.eq(user))
                .filter(messages::title.eq(title))
                .count()
                .get_result(c)
                .unwrap()
        };
        let admins = campus::auth::staff::admins_who_may(c, campus::web::Permission::Refunds).unwrap();
        assert_eq!(admins.len(), 2, "超级管理员 and 商城运营");
        let per_admin = admins.iter().map(|a| count(c, *a)).collect();
        let owner: i64 = shops::table.filter(shops::name.eq("校园便利店")).select(shops::owner_id).first(c).unwrap();
        (per_admin, count(c, owner))
    })
}

fn refund_notice(
    pay: &FakeWxPay,
    order_no: &str,
    refund_no: &str,
    status: &str,
    amount: Value,
) -> (String, Vec<(&'static str, String)>) {
    pay.notification(
        &format!("REFUND.{status}"),
        &json!({"mchid": MCHID, "out_trade_no": order_no, "transaction_id": format!("4200000{order_no}"),
            "out_refund_no": refund_no, "refund_id": format!("5030{refund_no}"), "refund_status": status,
            "user_received_account": "支付用户零钱", "amount": amount}),
        0,
    )
}

fn full(order_total: i64) -> Value {
    json!({"total": order_total, "refund": order_total, "payer_total": order_total, "payer_refund": order_total})
}

fn start(pay: &FakeWxPay, wx: &FakeWeChat) -> TestApp {
    app().wechat(&wx.base).wxpay(pay.config()).start()
}

#[test]
fn a_refund_wechat_pay_fails_is_retried_with_the_same_number_then_handed_to_the_admins() {
    let (wx, pay) = (FakeWeChat::start(), FakeWxPay::start(false));
    let app = start(&pay, &wx);
    let s = paid_shopper(&app, &pay, "good-rf1");
    let (rid, refund_no) = ask_refund(&app, &s);
    pay.ledger.lock().unwrap().refunds_down = true;

    // The merchant is answered at once, whatever WeChat Pay does.
    let merchant = app.login("merchant", DEMO_PASSWORD);
    let r = approve(&merchant, &s.order_no, rid);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(merchant.get(r.location().unwrap()).body.contains("已同意退款，退款处理中"));
    assert_eq!(approve(&merchant, &s.order_no, rid).status, 409, "approved once");
    attempt_finished(&app, 1);
    assert_eq!(refund_row(&app, rid), ("processing".into(), 1));
    let order_page = format!("/mall/orders/{}", s.order_no);
    assert!(s.web.get(&order_page).body.contains("退款处理中（已尝试 1 次）"));
    assert!(merchant.get(&format!("/merchant/orders/{}", s.order_no)).body.contains("退款处理中（已尝试 1 次）"));
    assert_eq!(status_of(&app, &s.order_no), "refunding");

    // The queue tries again with its backoff, always the same out_refund_no, ten times in all.
    for n in 2..=10 {
        retry_now(&app);
        attempt_finished(&app, n);
        assert_eq!(refund_row(&app, rid).1, n);
    }
    assert_eq!(refund_row(&app, rid).0, "failed");
    retry_now(&app);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sent = pay.ledger.lock().unwrap().refunds.clone();
    assert_eq!(sent.len(), 10, "no attempt after the last");
    assert!(sent.iter().all(|v| v["out_refund_no"] == refund_no.as_str() && v["amount"]["refund"] == 7900));
    assert_eq!(status_of(&app, &s.order_no), "refunding", "no money moved");
    let (admins, owner) = told(&app, "退款未能完成");
    assert_eq!(owner, 1);
    assert!(admins.iter().all(|n| *n == 1), "every admin told once: {admins:?}");
    assert!(merchant.get("/me/messages").body.contains("退款未能完成"));
    assert!(s.web.get(&order_page).body.contains("退款未完成，平台处理中"));

    // The admins' page names the order, shop and buyer; a retry sends the same refund again.
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/refunds");
    assert_eq!(page.status, 200);
    let buyer: String = {
        use campus::db::schema::{orders, users};
        app.db(|c| {
            orders::table
                .inner_join(users::table.on(users::id.eq(orders::user_id)))
                .filter(orders::order_no.eq(&s.order_no))
                .select(users::nickname)
                .first(c)
                .unwrap()
        })
    };
    for text in [s.order_no.as_str(), "校园便利店", &buyer, "¥79.00", "已尝试 10 次", "重试", "已线下退款"]
    {
        assert!(page.body.contains(text), "{text} on the page");
    }
    assert!(admin.get("/admin").body.contains("href=\"/admin/refunds\""), "linked from the admin nav");
    pay.ledger.lock().unwrap().refunds_down = false;
    let csrf = page.csrf();
    assert_eq!(admin.post_form(&format!("/admin/refunds/{rid}/retry"), &[]).status, 403, "no CSRF token");
    let r = admin.post_form(&format!("/admin/refunds/{rid}/retry"), &[("csrf_token", &csrf)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.get(r.location().unwrap()).body.contains("已重新发起退款"));
    assert!(eventually(|| pay.ledger.lock().unwrap().refunds.len() == 11));
    assert_eq!(pay.ledger.lock().unwrap().refunds[10]["out_refund_no"], refund_no.as_str());
    assert!(eventually(|| refund_row(&app, rid) == ("processing".into(), 11)));
    assert!(!admin.get("/admin/refunds").body.contains(&s.order_no), "off the list");
    let again = admin.post_form(&format!("/admin/refunds/{rid}/retry"), &[("csrf_token", &csrf)]);
    assert_eq!(again.status, 409);
    assert!(again.body.contains("该退款已不在异常状态"));
    assert_eq!(admin.post_form("/admin/refunds/999999/retry", &[("csrf_token", &csrf)]).status, 404);
    assert!(admin.get("/admin/audit").body.contains("重试退款"));

    // WeChat Pay finishes it.
    let notice = refund_notice(&pay, &s.order_no, &refund_no, "SUCCESS", full(7900));
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat-refund", &notice), 204);
    assert_eq!(status_of(&app, &s.order_no), "refunded");
}

#[test]
fn an_abnormal_refund_is_recorded_told_and_settled_offline_by_an_admin() {
    let (wx, pay) = (FakeWeChat::start(), FakeWxPay::start(false));
    let app = start(&pay, &wx);
    let s = paid_shopper(&app, &pay, "good-rf2");
    let (rid, refund_no) = ask_refund(&app, &s);
    let merchant = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(approve(&merchant, &s.order_no, rid).status, 303);
    assert!(eventually(|| pay.ledger.lock().unwrap().refunds.len() == 1), "WeChat Pay took it");
    assert_eq!(refund_row(&app, rid).0, "processing");

    let notice = refund_notice(&pay, &s.order_no, &refund_no, "ABNORMAL", full(7900));
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat-refund", &notice), 204, "acknowledged");
    assert_eq!(refund_row(&app, rid).0, "abnormal");
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat-refund", &notice), 204, "a replay");
    let (admins, owner) = told(&app, "退款异常");
    assert_eq!(owner, 1, "the shop is told once");
    assert!(admins.iter().all(|n| *n == 1), "every admin told once: {admins:?}");
    assert_eq!(status_of(&app, &s.order_no), "refunding");
    assert!(s.web.get(&format!("/mall/orders/{}", s.order_no)).body.contains("退款异常，平台处理中"));

    // Only admins settle it, with a CSRF token.
    let csrf = merchant.get("/merchant").csrf();
    assert_eq!(merchant.post_form(&format!("/admin/refunds/{rid}/offline"), &[("csrf_token", &csrf)]).status, 403);
    assert_eq!(merchant.get("/admin/refunds").status, 403);
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/refunds");
    assert!(page.body.contains(&s.order_no) && page.body.contains("退款异常，平台处理中"));
    assert_eq!(admin.post_form(&format!("/admin/refunds/{rid}/offline"), &[]).status, 403, "no CSRF token");
    let r = admin.post_form(&format!("/admin/refunds/{rid}/offline"), &[("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.get(r.location().unwrap()).body.contains("已记为线下退款"));

    // The money counts and the order moves as after a success.
    use campus::db::schema::orders;
    let refunded: i64 = app.db(|c| {
        orders::table.filter(orders::order_no.eq(&s.order_no)).select(orders::refunded_cents).first(c).unwrap()
    });
    assert_eq!((status_of(&app, &s.order_no), refunded), ("refunded".into(), 7900));
    assert_eq!(refund_row(&app, rid).0, "succeeded");
    assert!(s.web.get("/me/messages").body.contains("退款成功"));
    let again = admin.post_form(&format!("/admin/refunds/{rid}/offline"), &[("csrf_token", &page.csrf())]);
    assert_eq!(again.status, 409);
    assert!(!admin.get("/admin/refunds").body.contains(&s.order_no));
    assert!(admin.get("/admin/audit").body.contains("线下退款"));
    // A late success from WeChat Pay changes nothing more.
    let late = refund_notice(&pay, &s.order_no, &refund_no, "SUCCESS", full(7900));
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat-refund", &late), 204);
    let refunded: i64 = app.db(|c| {
        orders::table.filter(orders::order_no.eq(&s.order_no)).select(orders::refunded_cents).first(c).unwrap()
    });
    assert_eq!(refunded, 7900);
}

#[test]
fn a_refund_notice_that_does_not_match_the_order_or_amounts_changes_nothing() {
    let (wx, pay) = (FakeWeChat::start(), FakeWxPay::start(false));
    let app = start(&pay, &wx);
    let s = paid_shopper(&app, &pay, "good-rf3");
    let other = paid_shopper(&app, &pay, "good-rf4");
    let (rid, refund_no) = ask_refund(&app, &s);
    let merchant = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(approve(&merchant, &s.order_no, rid).status, 303);
    assert!(eventually(|| pay.ledger.lock().unwrap().refunds.len() == 1));
    assert_eq!(refund_row(&app, rid).0, "processing");

    let path = "/api/v1/pay/notify/wechat-refund";
    let cases = [
        ("another order", refund_notice(&pay, &other.order_no, &refund_no, "SUCCESS", full(7900))),
        (
            "a smaller refund",
            refund_notice(&pay, &s.order_no, &refund_no, "SUCCESS", json!({"total": 7900, "refund": 100})),
        ),
        (
            "another order total",
            refund_notice(&pay, &s.order_no, &refund_no, "SUCCESS", json!({"total": 100, "refund": 7900})),
        ),
        ("no amount", refund_notice(&pay, &s.order_no, &refund_no, "SUCCESS", Value::Null)),
        (
            "an abnormal notice for another order",
            refund_notice(&pay, &other.order_no, &refund_no, "ABNORMAL", full(7900)),
        ),
    ];
    for (what, notice) in &cases {
        assert_eq!(post_notice(&app, path, notice), 400, "{what}");
        assert_eq!(refund_row(&app, rid).0, "processing", "{what}");
    }
    let resource = json!({"mchid": MCHID, "out_trade_no": s.order_no, "transaction_id": "4200000OTHER",
        "out_refund_no": refund_no, "refund_id": "50301", "refund_status": "SUCCESS", "amount": full(7900)});
    let forged_payment = pay.notification("REFUND.SUCCESS", &resource, 0);
    assert_eq!(post_notice(&app, path, &forged_payment), 400, "another payment");
    assert_eq!((status_of(&app, &s.order_no), status_of(&app, &other.order_no)), ("refunding".into(), "paid".into()));

    let right = refund_notice(&pay, &s.order_no, &refund_no, "SUCCESS", full(7900));
    assert_eq!(post_notice(&app, path, &right), 204);
    assert_eq!(status_of(&app, &s.order_no), "refunded");
}

#[test]
fn unknown_certificate_serials_download_the_platform_certificates_at_most_once() {
    let (wx, pay) = (FakeWeChat::start(), FakeWxPay::start(true));
    let app = start(&pay, &wx);
    let s = shopper(&app, "good-rf5");
    // Five forged notifications at once, each naming a serial WeChat Pay never issued.
    let forger = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..5)
            .map(|i| {
                let (app, pay, forger, order_no) = (&app, &pay, &forger, &s.order_no);
                scope.spawn(move || {
                    let paid = json!({"appid": "wx-test-appid", "mchid": MCHID, "out_trade_no": order_no,
                        "transaction_id": "4200000FORGED", "trade_state": "SUCCESS", "amount": {"total": 7900}});
                    let (body, mut headers) = pay.notification("TRANSACTION.SUCCESS", &paid, 0);
                    let message = format!("{}\n{}\n{body}\n", headers[0].1, headers[1].1);
                    headers[2].1 = format!("FORGED_SERIAL_{i}");
                    headers[3].1 = sign(forger, &message);
                    post_notice(app, "/api/v1/pay/notify/wechat", &(body, headers))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers, vec![401; 5]);
    assert!(pay.ledger.lock().unwrap().cert_downloads <= 1, "at most one download for five forgeries");

    // The genuine certificate is known, and the real flow needs no further download.
    assert_eq!(prepay(&app, &s.token, &s.order_no).status, 200);
    let notice = pay.notification("TRANSACTION.SUCCESS", &pay.paid(&s.order_no), 0);
    assert_eq!(post_notice(&app, "/api/v1/pay/notify/wechat", &notice), 204);
    assert_eq!(status_of(&app, &s.order_no), "paid");
    assert_eq!(pay.ledger.lock().unwrap().cert_downloads, 1);
}

#[test]
fn signed_answers_from_wechat_pay_older_than_five_minutes_are_refused() {
    let (wx, pay) = (FakeWeChat::start(), FakeWxPay::start(false));
    let app = start(&pay, &wx);
    let s = shopper(&app, "good-rf6");
    pay.ledger.lock().unwrap().answer_age = 600;
    let r = prepay(&app, &s.token, &s.order_no);
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["success"], false);
    assert!(r.json()["message"].as_str().unwrap().contains("微信支付暂时不可用"));
    assert!(!r.body.contains("paySign"));
    pay.ledger.lock().unwrap().answer_age = 0;
    assert_eq!(prepay(&app, &s.token, &s.order_no).status, 200, "a fresh answer is fine");
}
