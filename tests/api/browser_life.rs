//! Campus life in headless Chromium (issue 12's "done means"), a student's phone at 390×844: she
//! joins the waitlist of a full activity and is promoted when someone cancels, the organizer
//! checks her in by typing her code, she reads the news, finds the library on the map, sets her
//! notifications, sends feedback that an admin answers (she reads it in her messages), exports
//! her data and closes her account. Screens are kept in `artifacts/life-*.png`. Also: the admin
//! places a map point by dragging its marker.

use diesel::prelude::*;
use serde_json::json;

use crate::activity::{publish, signup};
use crate::browser::{Driver, SAFARI_UA, sign_in_as_student};
use crate::browser_rules::{answer_confirm, assert_no_problems, check_desk_page, js, visit_phone};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn sign_in(app: &TestApp, d: &Driver, username: &str, next: &str) {
    d.goto(&app.url(&format!("/login?next={next}")));
    d.type_into("input[name=username]", username);
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the signed-in page", |d| d.url() == app.url(next));
}

/// A tap: the element scrolled to the top first, so the sticky tab bar never takes the click.
fn tap(d: &Driver, css: &str) {
    d.scroll_to(css);
    d.click(css);
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_lives_a_campus_week_on_a_phone() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = publish(&admin, "校史馆夜游", "1", 72, "");
    // Someone else takes the only seat first.
    let first = app.new_student("early_bird");
    assert_eq!(signup(&first, id, "早到同学", &[]).status, 303);

    let d = Driver::start(390, 844, Some(SAFARI_UA));
    sign_in_as_student(&app, &d);
    let page = app.url(&format!("/activities/{id}"));
    visit_phone(&d, &page, "a full activity", "life-activity-full-phone");
    assert!(d.source().contains("名额已满，加入候补"));
    tap(&d, &format!("a[href='/activities/{id}/register']"));
    d.wait_for("the form", |d| d.url().ends_with("/register"));
    d.clear("input[name=name]");
    d.type_into("input[name=name]", "林晓");
    d.clear("input[name=student_no]");
    d.type_into("input[name=student_no]", "2023010101");
    d.clear("input[name=phone]");
    d.type_into("input[name=phone]", "13800138000");
    crate::browser_rules::check_phone_page(&d, "registration form");
    d.screenshot("life-register-phone.png");
    tap(&d, "form[action$='/register'] button[type=submit]");
    d.wait_for("the waitlist", |d| d.source().contains("候补第 1 位"));
    d.screenshot("life-waitlisted-phone.png");
    crate::browser_rules::check_phone_page(&d, "waitlisted");

    // The seat holder cancels: she moves up at once and is told.
    let token = first.get(&page.replace(&app.base, "")).csrf();
    assert_eq!(first.post_form(&format!("/activities/{id}/cancel"), &[("csrf_token", &token)]).status, 303);
    visit_phone(&d, &app.url("/me/messages?category=activity"), "activity messages", "life-promoted-message-phone");
    assert!(d.source().contains("候补成功：校史馆夜游"));
    visit_phone(&d, &app.url(&format!("/activities/{id}/ticket")), "ticket", "life-ticket-phone");
    let code = js(&d, "return document.getElementById('checkin-code').innerText.trim();").as_str().unwrap().to_string();
    assert_eq!(js(&d, "return !!document.querySelector('.ticket__qr svg');"), true, "the QR code is drawn");

    // The organizer, on his phone, types her code.
    let o = Driver::start(390, 844, Some(SAFARI_UA));
    let checkin = format!("/activities/{id}/checkin");
    sign_in(&app, &o, "admin", &checkin);
    o.type_into("input[name=code]", &code.to_lowercase());
    tap(&o, "form[action$='/checkin'] button[type=submit]");
    o.wait_for("the check-in", |d| d.source().contains("林晓（2023010101）签到成功"));
    o.screenshot("life-checkin-organizer-phone.png");
    crate::browser_rules::check_phone_page(&o, "check-in");
    visit_phone(&d, &page, "checked in", "life-checked-in-phone");
    assert!(d.source().contains("已签到"));

    // News, then the library on the map.
    visit_phone(&d, &app.url("/campus/news"), "news", "life-news-phone");
    tap(&d, "a[href^='/campus/news/']");
    d.wait_for("an article", |d| d.url().contains("/campus/news/"));
    visit_phone(&d, &d.url(), "article", "life-article-phone");
    d.goto(&app.url("/campus/map"));
    d.type_into("form.life-search input[name=q]", "图书馆");
    tap(&d, "form.life-search button[type=submit]");
    d.wait_for("the search", |d| d.source().contains("「图书馆」的搜索结果"));
    tap(&d, "#poi-list a");
    d.wait_for("the library's panel", |d| d.source().contains("id=\"poi-panel\""));
    let name = js(&d, "return document.querySelector('.poi-panel__name').innerText;");
    assert!(name.as_str().unwrap().contains("图书馆"), "{name}");
    visit_phone(&d, &d.url(), "the library on the map", "life-map-library-phone");
    assert_eq!(js(&d, "return !!document.querySelector('.marker.on');"), true, "its marker is highlighted");

    // Her notification switches: one tap saves through htmx.
    visit_phone(&d, &app.url("/me/messages/settings"), "notification settings", "life-notify-settings-phone");
    tap(&d, "label[for=email-activity]");
    d.wait_for("the save", |d| d.source().contains("已保存"));
    d.screenshot("life-notify-saved-phone.png");
    let saved: bool = app.db(|c| {
        use campus::db::schema::notification_prefs as p;
        p::table.filter(p::category.eq("activity")).select(p::email).first(c).unwrap()
    });
    assert!(saved, "email for 活动 switched on");

    // Feedback, the admin's answer, and she reads it in her messages.
    d.goto(&app.url("/me/feedback"));
    d.type_into("textarea[name=body]", "图书馆三楼的插座坏了两个，麻烦修一下");
    crate::browser_rules::check_phone_page(&d, "feedback form");
    d.screenshot("life-feedback-form-phone.png");
    tap(&d, "form[action^='/me/feedback'] button[type=submit]");
    d.wait_for("the thread", |d| d.source().contains("反馈已提交"));
    d.screenshot("life-feedback-sent-phone.png");
    let thread = d.url();
    let feedback_id = thread.rsplit('/').next().unwrap().to_string();
    let a = Driver::start(1366, 900, None);
    let admin_thread = format!("/admin/feedback/{feedback_id}");
    sign_in(&app, &a, "admin", &admin_thread);
    a.type_into("textarea[name=body]", "已报修，明天上午修好。谢谢你的反馈！");
    check_desk_page(&a, "feedback thread");
    a.click("form[action$='/reply'] button[type=submit]");
    a.wait_for("the reply", |d| d.source().contains("回复已发送"));
    a.screenshot("life-feedback-admin-desktop.png");
    visit_phone(&d, &app.url("/me/messages"), "messages with the reply", "life-feedback-reply-message-phone");
    assert!(d.source().contains("已报修，明天上午修好"), "the reply is in her messages");
    visit_phone(&d, &thread, "feedback thread", "life-feedback-thread-phone");

    // Her data, then her account.
    let export = d.cmd(
        "POST",
        "/execute/async",
        Some(json!({
            "script": "const done = arguments[0]; fetch('/me/export.json', {credentials: 'same-origin'}).then(r => r.json()).then(done, e => done(String(e)));",
            "args": []
        })),
    );
    assert_eq!(export["profile"]["nickname"], "小林同学");
    assert!(export["activity_registrations"].to_string().contains("校史馆夜游"), "{export}");
    assert!(export["feedback"].to_string().contains("插座坏了"), "{export}");
    assert!(export["notification_preferences"].to_string().contains("activity"), "{export}");
    visit_phone(&d, &app.url("/me/delete"), "delete account", "life-delete-phone");
    d.type_into("input[name=confirm]", "注销");
    tap(&d, "form[action='/me/delete'] button[type=submit]");
    assert!(answer_confirm(&d, true).contains("不可撤销"));
    d.wait_for("the goodbye", |d| d.source().contains("账号已注销"));
    d.screenshot("life-deleted-phone.png");
    assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 401, "she cannot sign in any more");
    assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_admin_drags_a_map_marker_to_place_it() {
    let app = spawn_app();
    use campus::db::schema::campus_pois as p;
    let (poi, x0, y0): (i64, i32, i32) =
        app.db(|c| p::table.order(p::id).select((p::id, p::x_bp, p::y_bp)).first(c).unwrap());
    let d = Driver::start(1366, 900, None);
    let edit = format!("/admin/map?edit={poi}");
    sign_in(&app, &d, "admin", &edit);
    let before = js(&d, "return [document.getElementById('poi-x').value, document.getElementById('poi-y').value];");
    let pin = d.find(".map-admin .marker.on .marker__pin");
    let origin = json!({ "element-6066-11e4-a52e-4f735466cecf": pin });
    d.cmd(
        "POST",
        "/actions",
        Some(json!({ "actions": [{
            "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
            "actions": [
                { "type": "pointerMove", "origin": origin, "x": 0, "y": 0 },
                { "type": "pointerDown", "button": 0 },
                { "type": "pointerMove", "origin": "pointer", "x": 40, "y": 25, "duration": 150 },
                { "type": "pointerMove", "origin": "pointer", "x": 40, "y": 25, "duration": 150 },
                { "type": "pointerUp", "button": 0 }
            ]
        }]})),
    );
    let after = js(&d, "return [document.getElementById('poi-x').value, document.getElementById('poi-y').value];");
    assert_ne!(before, after, "the inputs follow the marker");
    assert_eq!(d.url(), app.url(&edit), "dragging its marker does not open a page");
    let (ax, ay): (f64, f64) =
        (after[0].as_str().unwrap().parse().unwrap(), after[1].as_str().unwrap().parse().unwrap());
    assert!(ax > f64::from(x0) / 100.0 && ay > f64::from(y0) / 100.0, "moved right and down: {after}");
    let cx =
        js(&d, "return parseFloat(document.querySelector('.map-admin .marker.on .marker__pin').getAttribute('cx'));");
    d.screenshot("life-map-drag-desktop.png");

    // Typing a position moves the marker too (keyboard users, no mouse).
    d.clear("#poi-x");
    d.type_into("#poi-x", "10");
    let typed =
        js(&d, "return parseFloat(document.querySelector('.map-admin .marker.on .marker__pin').getAttribute('cx'));");
    assert_ne!(cx, typed);
    d.clear("#poi-x");
    d.type_into("#poi-x", after[0].as_str().unwrap());
    d.click("form.poi-form button.primary");
    d.wait_for("the save", |d| d.source().contains("地点已保存"));
    let (x1, y1): (i32, i32) = app.db(|c| p::table.find(poi).select((p::x_bp, p::y_bp)).first(c).unwrap());
    assert_eq!((x1, y1), ((ax * 100.0).round() as i32, (ay * 100.0).round() as i32), "stored where it was dropped");
    check_desk_page(&d, "admin map");
    crate::browser_rules::assert_no_problems();
}
