use crate::helpers::{DEMO_PASSWORD, spawn_app};

#[test]
fn a_form_post_without_the_csrf_token_is_refused() {
    let app = spawn_app();
    let c = app.client();
    c.get("/login");
    let r = c.post_form("/login", &[("username", "student"), ("password", DEMO_PASSWORD)]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("页面已过期"));
    let r = c.post_form("/login", &[("username", "student"), ("password", DEMO_PASSWORD), ("csrf_token", "forged")]);
    assert_eq!(r.status, 403);
    assert_eq!(c.get("/me").status, 303, "not signed in");
}

#[test]
fn a_post_without_any_session_is_refused() {
    let app = spawn_app();
    let r = app.client().post_form("/logout", &[("csrf_token", "x")]);
    assert_eq!(r.status, 403);
}

#[test]
fn htmx_sends_the_token_in_a_header_and_errors_come_back_as_a_toast() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let page = c.get("/me/messages");
    let token = page.csrf();
    assert!(page.body.contains(&format!("\"X-CSRF-Token\": \"{token}\"")), "layout sets hx-headers");
    let r = c.post_form_with("/me/messages/read-all", &[], &[("X-CSRF-Token", &token), ("HX-Request", "true")]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("hx-redirect"), Some("/me/messages"));

    let r = c.post_form_with("/me/messages/read-all", &[], &[("X-CSRF-Token", "wrong"), ("HX-Request", "true")]);
    assert_eq!(r.status, 403);
    assert_eq!(r.header("hx-retarget"), Some("#toast"));
    assert!(r.body.contains("toast-error") && r.body.contains("页面已过期"));
    assert!(!r.body.contains("<html"), "a fragment, not a page");
}

#[test]
fn api_errors_use_the_json_envelope() {
    let app = spawn_app();
    let c = app.client();
    let r = c.post_raw("/api/v1/wx/login", "application/json", b"{not json");
    assert_eq!(r.status, 422);
    let v = r.json();
    assert_eq!(v["success"], false);
    assert_eq!(v["code"], 422);
    assert!(v["message"].as_str().unwrap().contains("JSON"));
    assert!(v["timestamp"].as_i64().unwrap() > 0);
    let r = c.get("/api/v1/nothing");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["success"], false);
}

#[test]
fn an_id_that_is_not_a_number_is_not_found() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let token = c.get("/me").csrf();
    let r = c.post_form("/me/messages/abc/read", &[("csrf_token", &token)]);
    assert_eq!(r.status, 404);
    assert!(r.body.contains("页面不存在"));
}
