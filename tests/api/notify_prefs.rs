//! Notification preferences over HTTP (`/me/messages/settings`): per message category, email and
//! WeChat subscribe messages switch on and off; in-app messages always arrive.

use diesel::prelude::*;

use crate::activity::{publish, signup};
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};
use crate::mall::{add_to_cart, checkout, pay_mock, sku};

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

fn emails(app: &TestApp, to: &str, subject: &str) -> i64 {
    use campus::db::schema::email_outbox as o;
    app.db(|c| o::table.filter(o::to_addr.eq(to)).filter(o::subject.eq(subject)).count().get_result(c).unwrap())
}

fn messages(app: &TestApp, user: i64, title: &str) -> i64 {
    use campus::db::schema::messages as m;
    app.db(|c| m::table.filter(m::user_id.eq(user)).filter(m::title.eq(title)).count().get_result(c).unwrap())
}

/// The `wx.subscribe` jobs queued for `user`.
fn wechat_jobs(app: &TestApp, user: i64) -> usize {
    use campus::db::schema::jobs;
    let payloads: Vec<String> =
        app.db(|c| jobs::table.filter(jobs::kind.eq("wx.subscribe")).select(jobs::payload).load(c).unwrap());
    payloads
        .iter()
        .filter(|p| serde_json::from_str::<serde_json::Value>(p).unwrap()["user_id"].as_i64() == Some(user))
        .count()
}

/// Saves the settings form with exactly these switches on.
fn save(c: &Client, on: &[(&str, &str)]) -> crate::helpers::Resp {
    c.submit("/me/messages/settings", "/me/messages/settings", on)
}

/// The stored switches of one user, `(category, email, wechat)`.
fn stored(app: &TestApp, user: i64) -> Vec<(String, bool, bool)> {
    use campus::db::schema::notification_prefs as p;
    app.db(|c| {
        p::table
            .filter(p::user_id.eq(user))
            .order(p::category)
            .select((p::category, p::email, p::wechat))
            .load(c)
            .unwrap()
    })
}

fn buy_cola(app: &TestApp, student: &Client) {
    let (_, cola) = sku(app, "可口可乐 330ml 罐装", "6罐装");
    add_to_cart(student, cola, "1");
    let no = checkout(student);
    assert_eq!(pay_mock(student, &no).status, 303);
}

#[test]
fn turning_email_off_for_orders_stops_the_new_order_email_but_not_the_message() {
    let app = spawn_app();
    let merchant = app.login("merchant", DEMO_PASSWORD);
    let student = app.login("student", DEMO_PASSWORD);
    let shop = user_id(&app, "merchant");

    // The defaults are what the app always did: a new order is emailed to the shop.
    let page = merchant.get("/me/messages/settings");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("通知设置") && page.body.contains("微信订阅消息"));
    assert!(page.body.contains("id=\"email-order\" name=\"email\" value=\"order\" checked"));
    assert!(!page.body.contains("id=\"email-activity\" name=\"email\" value=\"activity\" checked"));
    assert!(merchant.get("/me/messages").body.contains("href=\"/me/messages/settings\""), "linked from the messages");
    buy_cola(&app, &student);
    assert_eq!(messages(&app, shop, "新订单"), 1);
    assert_eq!(emails(&app, "shop@campus.local", "新订单"), 1);

    // Email off for 订单 (the rest as they were): the next order is a message only.
    let r = save(&merchant, &[("email", "system"), ("wechat", "system"), ("wechat", "order"), ("wechat", "activity")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/me/messages/settings"));
    let page = merchant.get("/me/messages/settings");
    assert!(page.body.contains("通知设置已保存"));
    assert!(page.body.contains("id=\"email-order\" name=\"email\" value=\"order\">"), "shown off");
    buy_cola(&app, &student);
    assert_eq!(messages(&app, shop, "新订单"), 2, "in-app always");
    assert_eq!(emails(&app, "shop@campus.local", "新订单"), 1, "no second email");

    // Security notices are emailed even with every switch off.
    assert_eq!(save(&merchant, &[]).status, 303);
    let r = merchant.submit(
        "/me/settings",
        "/me/settings",
        &[("nickname", "校园便利店"), ("email", "owner@campus.local"), ("phone", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(emails(&app, "owner@campus.local", "邮箱已更新"), 1);
}

#[test]
fn turning_email_on_for_activities_with_htmx_emails_the_next_activity_message() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let student = app.login("student", DEMO_PASSWORD);
    let id = publish(&admin, "邮件提醒讲座", "5", 48, "");
    let other = publish(&admin, "不发邮件的讲座", "5", 48, "");

    // By default activity messages stay in the app.
    assert_eq!(signup(&student, other, "林晓", &[]).status, 303);
    use campus::db::schema::email_outbox as o;
    let before: i64 = app.db(|c| o::table.filter(o::to_addr.eq("student@campus.local")).count().get_result(c).unwrap());

    // htmx posts on each change and gets the switches back, saved.
    let token = student.get("/me/messages/settings").csrf();
    let r = student.post_form_with(
        "/me/messages/settings",
        &[("email", "system"), ("email", "order"), ("email", "activity"), ("wechat", "activity")],
        &[("X-CSRF-Token", &token), ("HX-Request", "true")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("<html"), "the fragment only");
    assert!(r.body.contains("已保存"));
    assert!(r.body.contains("id=\"email-activity\" name=\"email\" value=\"activity\" checked"));
    assert!(r.body.contains("id=\"wechat-forum\" name=\"wechat\" value=\"forum\">"), "forum WeChat off");
    let me = user_id(&app, "student");
    let saved = stored(&app, me);
    assert_eq!(saved.len(), 5, "every category saved");
    assert!(saved.contains(&("activity".into(), true, true)) && saved.contains(&("forum".into(), false, false)));

    assert_eq!(signup(&student, id, "林晓", &[]).status, 303);
    let after: i64 = app.db(|c| o::table.filter(o::to_addr.eq("student@campus.local")).count().get_result(c).unwrap());
    assert!(after > before, "the activity message was emailed");
}

#[test]
fn turning_wechat_off_for_activities_stops_the_subscribe_message_on_promotion() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "只有一个名额", "1", 48, "");
    let (a, b, c) = (app.new_student("seat_a"), app.new_student("wait_b"), app.new_student("wait_c"));
    assert_eq!(signup(&a, id, "甲", &[]).status, 303);
    assert_eq!(signup(&b, id, "乙", &[]).status, 303);
    assert_eq!(signup(&c, id, "丙", &[]).status, 303);
    let (ub, uc) = (user_id(&app, "wait_b"), user_id(&app, "wait_c"));

    // 乙 keeps every WeChat switch but 活动's.
    let r = save(&b, &[("wechat", "system"), ("wechat", "order"), ("wechat", "forum"), ("wechat", "academic")]);
    assert_eq!(r.status, 303, "{}", r.body);

    // 甲 cancels: 乙 moves up and is told in the app, with no subscribe message queued.
    let cancel = |who: &Client| {
        let token = who.get(&format!("/activities/{id}")).csrf();
        assert_eq!(who.post_form(&format!("/activities/{id}/cancel"), &[("csrf_token", &token)]).status, 303);
    };
    cancel(&a);
    assert_eq!(messages(&app, ub, "候补成功：只有一个名额"), 1);
    assert_eq!(wechat_jobs(&app, ub), 0);
    // 乙 cancels in turn: 丙, on the defaults, gets the subscribe message.
    cancel(&b);
    assert_eq!(messages(&app, uc, "候补成功：只有一个名额"), 1);
    assert_eq!(wechat_jobs(&app, uc), 1);
}

#[test]
fn an_unknown_category_is_refused_in_chinese_and_nothing_is_saved() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let me = user_id(&app, "student");
    let r = save(&student, &[("email", "order"), ("email", "lottery")]);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("未知的消息分类「lottery」"), "{}", r.body);
    let token = student.get("/me/messages/settings").csrf();
    let r = student.post_form_with(
        "/me/messages/settings",
        &[("wechat", "<script>x</script>")],
        &[("X-CSRF-Token", &token), ("HX-Request", "true")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("未知的消息分类") && !r.body.contains("<script>x"), "escaped: {}", r.body);
    assert!(stored(&app, me).is_empty(), "nothing half-saved");
    // Without the CSRF token nothing is saved either; signed out, the page asks to log in.
    assert_eq!(student.post_form("/me/messages/settings", &[("email", "order")]).status, 403);
    assert!(stored(&app, me).is_empty());
    assert_eq!(app.client().get("/me/messages/settings").status, 303);
}

#[test]
fn one_users_switches_never_touch_anothers() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let teacher = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(save(&student, &[]).status, 303);
    assert_eq!(stored(&app, user_id(&app, "student")).len(), 5);
    assert!(stored(&app, user_id(&app, "teacher")).is_empty());
    let page = teacher.get("/me/messages/settings");
    assert!(page.body.contains("id=\"email-system\" name=\"email\" value=\"system\" checked"), "still defaults");
}
