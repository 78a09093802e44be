//! 学籍认证 and 账号与安全 in headless Chromium on a phone (390×844): a new student verifies by the
//! code mailed to her campus mailbox, looks at her signed-in devices and signs the other one out;
//! the admin's review queue and the forgotten-password pages. Screens in `artifacts/identity-*.png`.

use crate::browser::{Driver, WEBVIEW_UA};
use crate::browser_rules::{answer_confirm, assert_no_problems, check_desk_page, visit_phone};
use crate::helpers::{DEMO_PASSWORD, app};
use crate::passwords::{mailed_code, register};

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_a_new_student_verifies_and_manages_her_devices_on_a_phone() {
    let app = app().school_mail_domain("stu.campus.edu").start();
    let _laptop = register(&app, "phoneuser", "");
    let d = Driver::start(390, 844, Some(WEBVIEW_UA));
    d.goto(&app.url("/login?next=/me/verify"));
    d.type_into("input[name=username]", "phoneuser");
    d.type_into("input[name=password]", "secret123");
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the verify page", |d| d.url() == app.url("/me/verify"));

    visit_phone(&d, &app.url("/me/verify"), "verify page", "identity-verify-phone");
    d.type_into("form[action='/me/verify/email/send'] input[name=school_no]", "2023010102");
    d.scroll_to("form[action='/me/verify/email/send'] button[type=submit]");
    d.click("form[action='/me/verify/email/send'] button[type=submit]");
    d.wait_for("the code form", |d| d.source().contains("验证码已发送到"));
    crate::browser_rules::check_phone_page(&d, "code form");
    d.screenshot("identity-code-phone.png");
    let code = mailed_code(&app, "2023010102@stu.campus.edu").unwrap();
    d.type_into("input[name=code]", &code);
    d.click("form[action='/me/verify/email/check'] button[type=submit]");
    d.wait_for("verified", |d| d.source().contains("认证成功"));
    visit_phone(&d, &app.url("/me/verify"), "verified", "identity-verified-phone");
    assert!(d.source().contains("2023010102"));

    visit_phone(&d, &app.url("/me/security"), "security page", "identity-security-phone");
    assert!(d.source().contains("iPhone · 微信小程序") && d.source().contains("程序访问"), "{}", d.source());
    d.scroll_to("form[action$='/end'] button");
    d.click("form[action$='/end'] button");
    assert!(answer_confirm(&d, true).contains("退出登录"));
    d.wait_for("signed out", |d| d.source().contains("该设备已退出登录"));
    d.screenshot("identity-security-after-phone.png");

    d.goto(&app.url("/logout"));
    visit_phone(&d, &app.url("/password/forgot"), "forgot page", "identity-forgot-phone");
    visit_phone(&d, &app.url("/password/reset?email=a%40b.cn"), "reset page", "identity-reset-phone");
    assert_no_problems();

    let desk = Driver::start(1280, 900, None);
    desk.goto(&app.url("/login?next=/admin/verifications"));
    desk.type_into("input[name=username]", "admin");
    desk.type_into("input[name=password]", DEMO_PASSWORD);
    desk.click("form[action='/login'] button[type=submit]");
    desk.wait_for("the queue", |d| d.url() == app.url("/admin/verifications"));
    check_desk_page(&desk, "verification queue");
    desk.screenshot("identity-admin-queue.png");
    assert!(desk.source().contains("2023010301"));
    crate::browser_rules::assert_no_problems();
}
