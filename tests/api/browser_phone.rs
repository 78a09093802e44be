//! The phone by SMS code in headless Chromium on a phone (390×844): the demo student changes her
//! number from 账号与安全, then signs in with the new one on the 手机验证码登录 tab; the
//! forgotten-password page offers email or phone. Screens in `artifacts/phone-*.png`.

use crate::browser::{Driver, WEBVIEW_UA};
use crate::browser_rules::{answer_confirm, assert_no_problems, check_phone_page, visit_phone};
use crate::helpers::{DEMO_PASSWORD, spawn_app};
use crate::phone::texted_code;

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_a_student_changes_her_phone_and_signs_in_with_it_on_a_phone() {
    let app = spawn_app();
    let d = Driver::start(390, 844, Some(WEBVIEW_UA));
    d.goto(&app.url("/login?next=/me/security"));
    d.type_into("input[name=username]", "student");
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the security page", |d| d.url() == app.url("/me/security"));
    visit_phone(&d, &app.url("/me/security"), "security page", "phone-security-phone");
    d.click("a[href='/me/phone']");
    d.wait_for("the phone page", |d| d.url() == app.url("/me/phone"));
    check_phone_page(&d, "phone page");
    d.screenshot("phone-change-phone.png");

    d.type_into("input[name=phone]", "13612345678");
    d.click("button[formaction='/me/phone/code']");
    d.wait_for("the code sent", |d| d.source().contains("验证码已发送"));
    check_phone_page(&d, "code sent");
    d.screenshot("phone-code-sent-phone.png");
    let code = texted_code(&app, "13612345678").unwrap();
    d.type_into("input[name=code]", &code);
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.scroll_to("form[action='/me/phone'] button[data-confirm]");
    d.click("form[action='/me/phone'] button[data-confirm]");
    assert!(answer_confirm(&d, true).contains("换成新号码"));
    d.wait_for("changed", |d| d.source().contains("手机号绑定成功"));
    assert!(d.source().contains("136****5678"));
    d.screenshot("phone-changed-phone.png");

    let d = Driver::start(390, 844, Some(WEBVIEW_UA));
    visit_phone(&d, &app.url("/login"), "login page", "phone-login-tabs-phone");
    d.click("a[href^='/login/phone']");
    d.wait_for("the phone tab", |d| d.url().starts_with(&app.url("/login/phone")));
    check_phone_page(&d, "phone login");
    d.type_into("input[name=phone]", "13612345678");
    // One code a minute per number: the bind code a moment ago holds this one back, as it says.
    d.click("button[formaction='/login/phone/code']");
    d.wait_for("the wait", |d| d.source().contains("秒后再试"));
    check_phone_page(&d, "too soon");
    d.screenshot("phone-login-too-soon-phone.png");
    {
        use campus::db::schema::sms_sends as s;
        use diesel::prelude::*;
        app.db(|c| {
            diesel::update(s::table)
                .set(s::last_sent_at.eq(campus::db::now() - chrono::TimeDelta::minutes(2)))
                .execute(c)
                .unwrap()
        });
    }
    d.click("button[formaction='/login/phone/code']");
    d.wait_for("the code sent", |d| d.source().contains("验证码已发送"));
    let code = texted_code(&app, "13612345678").unwrap();
    d.type_into("input[name=code]", &code);
    d.click("form[action='/login/phone'] button.weui-btn_primary");
    d.wait_for("signed in", |d| d.url() == app.url("/"));
    visit_phone(&d, &app.url("/password/forgot"), "forgot page", "phone-forgot-phone");
    assert_no_problems();
}
