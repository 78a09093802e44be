//! Staff two-factor sign-in in headless Chromium (issue 15's "done means"): an admin at a desk
//! turns it on (QR code, secret, first code, recovery codes shown once), signs out, and signs in
//! again on a phone with the password and then a code computed here. Screens are kept in
//! `artifacts/staff-*.png`.

use crate::browser::{Driver, SAFARI_UA};
use crate::browser_rules::{assert_no_problems, check_desk_page, check_phone_page, js};
use crate::helpers::{DEMO_PASSWORD, spawn_app};
use crate::two_factor::code;

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_admin_turns_on_two_factor_and_signs_in_with_a_code() {
    let app = spawn_app();
    let d = Driver::start(1280, 900, None);
    d.goto(&app.url("/login?next=/me/2fa"));
    d.type_into("input[name=username]", "admin");
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the two-factor page", |d| d.url().ends_with("/me/2fa"));
    assert!(d.source().contains("未开启"));
    d.click("form[action='/me/2fa/start'] button[type=submit]");
    d.wait_for("the QR code", |d| d.source().contains("totp-secret"));
    assert_eq!(js(&d, "return !!document.querySelector('.totp-qr svg');"), true, "the QR code is drawn");
    d.screenshot("staff-2fa-enrol-desk.png");
    check_desk_page(&d, "two-factor enrolment");
    let secret: String = js(&d, "return document.querySelector('.totp-secret').innerText;")
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    d.type_into("form[action='/me/2fa/enable'] input[name=code]", &code(&secret, 0));
    d.click("form[action='/me/2fa/enable'] button[type=submit]");
    d.wait_for("the recovery codes", |d| d.source().contains("只显示这一次"));
    let shown = js(&d, "return document.querySelectorAll('.recovery-codes__list code').length;");
    assert_eq!(shown, 10);
    d.screenshot("staff-2fa-recovery-desk.png");
    check_desk_page(&d, "recovery codes");

    // Signing in again, on a phone: the password, then the code.
    let p = Driver::start(390, 844, Some(SAFARI_UA));
    p.goto(&app.url("/login?next=/admin"));
    p.type_into("input[name=username]", "admin");
    p.type_into("input[name=password]", DEMO_PASSWORD);
    p.click("form[action='/login'] button[type=submit]");
    p.wait_for("the second step", |d| d.url().contains("/login/2fa"));
    p.screenshot("staff-2fa-login-phone.png");
    check_phone_page(&p, "two-factor sign-in");
    assert_eq!(app.client().get("/admin").status, 303, "no session before the code");
    p.type_into("input[name=code]", "000000");
    p.click("form[action='/login/2fa'] button[type=submit]");
    p.wait_for("a refusal", |d| d.source().contains("form-error") || d.url().ends_with("/admin"));
    if !p.url().ends_with("/admin") {
        p.type_into("input[name=code]", &code(&secret, 1));
        p.click("form[action='/login/2fa'] button[type=submit]");
    }
    p.wait_for("the back office", |d| d.url().ends_with("/admin"));
    p.screenshot("staff-2fa-signed-in-phone.png");
    assert_no_problems();
}
