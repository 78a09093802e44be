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

/// `next` values that browsers would follow to another site, as they arrive in a query string.
const OFF_SITE: [&str; 7] = [
    "%2F%09%2Fevil.example",
    "%2F%5Cevil.example",
    "%2F%2Fevil.example",
    "https%3A%2F%2Fevil.example",
    "%2F%0A%2Fevil.example",
    "%2F%20%2Fevil.example",
    "%2F%2509%2Fevil.example",
];
/// Control characters cannot stand in a `Location` header at all.
const CONTROL: [&str; 4] = ["%2Fm%01e", "%2Fm%00e", "%2Fm%0Be", "%2Fm%7Fe"];

fn decoded(query_value: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={query_value}")).unwrap();
    pairs[0].1.clone()
}

#[test]
fn a_signed_in_visit_to_login_never_redirects_off_site() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    for bad in OFF_SITE.iter().chain(&CONTROL) {
        let r = c.get(&format!("/login?next={bad}"));
        assert_eq!((r.status, r.location()), (303, Some("/")), "next={bad}");
        let r = c.get_with(&format!("/login?next={bad}"), &[("HX-Request", "true")]);
        assert_eq!((r.status, r.header("hx-redirect")), (200, Some("/")), "htmx, next={bad}");
    }
    let r = c.get("/login?next=%2Fmall%2Fsearch%3Fq%3D%25E7%25AC%2594");
    assert_eq!(r.location(), Some("/mall/search?q=%E7%AC%94"), "a path on this site is kept");
}

#[test]
fn signing_in_never_redirects_off_site() {
    let app = spawn_app();
    for bad in OFF_SITE.iter().chain(&CONTROL) {
        let next = decoded(bad);
        let c = app.client();
        let token = c.get("/login").csrf();
        let fields = [("username", "student"), ("password", DEMO_PASSWORD), ("next", &next), ("csrf_token", &token)];
        let r = c.post_form("/login", &fields);
        assert_eq!((r.status, r.location()), (303, Some("/")), "next={bad}");
        let c = app.client();
        let token = c.get("/login").csrf();
        let fields = [("username", "student"), ("password", DEMO_PASSWORD), ("next", &next), ("csrf_token", &token)];
        let r = c.post_form_with("/login", &fields, &[("HX-Request", "true")]);
        assert_eq!((r.status, r.header("hx-redirect")), (200, Some("/")), "htmx, next={bad}");
    }
    let page = app.client().get(&format!("/login?next={}", CONTROL[0]));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"next\" value=\"/\""), "the form carries a safe target");
}

#[test]
fn dev_login_never_redirects_off_site() {
    let app = crate::helpers::app().dev_login().start();
    for bad in OFF_SITE.iter().chain(&CONTROL) {
        let next = decoded(bad);
        let r = app.client().submit("/login", "/login/dev", &[("as", "student"), ("next", &next)]);
        assert_eq!((r.status, r.location()), (303, Some("/")), "next={bad}");
    }
}

#[test]
fn admin_banner_links_must_be_paths_on_this_site() {
    use campus::db::schema::banners;
    use diesel::prelude::*;
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let banner_count = || app.db(|c| banners::table.count().get_result::<i64>(c).unwrap());
    let before = banner_count();
    for bad in OFF_SITE.iter().chain(&CONTROL) {
        let link = decoded(bad);
        let fields = [("title", "双十二狂欢"), ("link", link.as_str()), ("sort_order", "0")];
        let r = crate::merchant::upload(&admin, "/admin/mall/banners", &fields, &[("image", crate::merchant::png())]);
        assert_eq!(r.status, 422, "link={bad}");
        assert!(r.body.contains("横幅链接只能是本站页面的路径"), "{}", r.body);
    }
    assert_eq!(banner_count(), before, "nothing stored");
    let fields = [("title", "双十二狂欢"), ("link", "/mall/categories/1"), ("sort_order", "0")];
    let r = crate::merchant::upload(&admin, "/admin/mall/banners", &fields, &[("image", crate::merchant::png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(app.client().get("/mall").body.contains("href=\"/mall/categories/1\""));
}

#[test]
fn parallel_wrong_passwords_for_one_account_get_only_five_tries() {
    let app = spawn_app();
    let tries: Vec<(crate::helpers::Client, String)> = (0..20)
        .map(|_| {
            let c = app.client();
            let token = c.get("/login").csrf();
            (c, token)
        })
        .collect();
    let start = std::sync::Barrier::new(tries.len());
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = tries
            .iter()
            .map(|(c, token)| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let fields =
                        [("username", "student"), ("password", "wrong-guess1"), ("csrf_token", token.as_str())];
                    c.post_form("/login", &fields).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 15), "{statuses:?}");
    let r = app.client().login("student", DEMO_PASSWORD);
    assert_eq!(r.status, 429, "the account waits out the window");
    assert!(r.body.contains("登录失败次数过多"));
}

#[test]
fn a_successful_sign_in_does_not_use_up_an_attempt() {
    let app = spawn_app();
    for _ in 0..8 {
        assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 303);
    }
    for _ in 0..4 {
        assert_eq!(app.client().login("teacher", "wrong-guess1").status, 401);
    }
    assert_eq!(app.client().login("teacher", DEMO_PASSWORD).status, 303, "four failures, then the right password");
    assert_eq!(app.client().login("admin", "wrong-guess1").status, 401, "the address has a try left");
}

/// A multipart body of `count` text fields of `size` bytes each.
fn many_fields(count: usize, size: usize) -> (String, Vec<u8>) {
    let boundary = "----campusManyFields";
    let value = "x".repeat(size);
    let mut body = Vec::with_capacity(count * (size + 80));
    for i in 0..count {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A 422 that says `message`.
fn refused(r: &crate::helpers::Resp, message: &str) {
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(message), "{}", r.body);
}

/// A signed-in student and the shop application's upload URL (CSRF token included).
fn applying_student(app: &crate::helpers::TestApp) -> (crate::helpers::Client, String) {
    let c = app.login("student", DEMO_PASSWORD);
    let token = c.get("/me").csrf();
    (c, format!("/merchant/apply?csrf_token={token}"))
}

#[test]
fn a_huge_multipart_form_is_refused_before_it_is_read() {
    let app = spawn_app();
    let (c, url) = applying_student(&app);
    let (ct, body) = many_fields(3_000, 10 * 1024);
    refused(&c.post_raw(&url, &ct, &body), "上传的内容合计不能超过 10 MB");
    // Without a declared length the body is metered as it streams in: the field cap comes first.
    refused(&c.post_chunked(&url, &ct, &mut body.as_slice()), "表单项太多");
    use campus::db::schema::merchant_applications as ma;
    use diesel::prelude::*;
    assert_eq!(app.db(|conn| ma::table.count().get_result::<i64>(conn).unwrap()), 0, "nothing stored");
    assert_eq!(c.get("/me").status, 200, "the app still answers");
}

#[test]
fn a_multipart_form_with_too_many_fields_is_refused() {
    let app = spawn_app();
    let (c, url) = applying_student(&app);
    let (ct, body) = many_fields(200, 10);
    refused(&c.post_chunked(&url, &ct, &mut body.as_slice()), "表单项太多（最多 64 项）");
    refused(&c.post_raw(&url, &ct, &body), "表单项太多");
}

#[test]
fn photos_adding_up_past_the_cap_are_refused_as_they_stream_in() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let token = m.get("/merchant/products/new").csrf();
    let boundary = "----campusPhotos";
    let mut body = Vec::new();
    for (k, v) in [("name", "大礼包"), ("price", "9.90"), ("stock", "5")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for i in 0..3 {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{i}.jpg\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(std::iter::repeat_n(0xAB, 4 * 1024 * 1024));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let url = format!("/merchant/products/new?csrf_token={token}");
    refused(&m.post_chunked(&url, &ct, &mut body.as_slice()), "上传的内容合计不能超过 10 MB");
    refused(&m.post_raw(&url, &ct, &body), "上传的内容合计不能超过 10 MB");
    use campus::db::schema::products;
    use diesel::prelude::*;
    let made =
        app.db(|conn| products::table.filter(products::name.eq("大礼包")).count().get_result::<i64>(conn).unwrap());
    assert_eq!(made, 0, "nothing stored");
}

#[test]
fn signed_in_pages_and_downloads_are_never_cached_but_static_assets_are() {
    let app = spawn_app();
    let no_store = |c: &crate::helpers::Client, path: &str| {
        let r = c.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    };
    let student = app.login("student", DEMO_PASSWORD);
    for path in ["/me", "/me/messages", "/mall/cart", "/mall/orders", "/"] {
        no_store(&student, path);
    }
    let merchant = app.login("merchant", DEMO_PASSWORD);
    for path in ["/merchant/products.csv", "/merchant/orders"] {
        no_store(&merchant, path);
    }
    let admin = app.login("admin", DEMO_PASSWORD);
    for path in ["/admin/users", "/admin/audit"] {
        no_store(&admin, path);
    }
    let r = app.client().get("/static/vendor/weui/weui.min.css");
    assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
}

#[test]
fn over_https_browsers_are_told_to_keep_to_https() {
    let app = crate::helpers::app().cookie_secure().start();
    for path in ["/login", "/static/vendor/weui/weui.min.css", "/no-such-page"] {
        let r = app.client().get(path);
        assert_eq!(r.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"), "{path}");
    }
    let r = spawn_app().client().get("/login");
    assert_eq!(r.header("strict-transport-security"), None, "plain http (development) sends no HSTS");
}

#[test]
fn metrics_need_the_bearer_token_when_one_is_configured() {
    let app = crate::helpers::app().metrics_token("scrape-secret-7").start();
    let c = app.client();
    let r = c.get("/metrics");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("监控令牌") && !r.body.contains("campus_"), "{}", r.body);
    assert!(r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    for wrong in ["Bearer nope", "Bearer ", "Basic c2NyYXBlLXNlY3JldC03", "scrape-secret-7"] {
        assert_eq!(c.get_with("/metrics", &[("Authorization", wrong)]).status, 401, "{wrong}");
    }
    let r = c.get_with("/metrics", &[("Authorization", "Bearer scrape-secret-7")]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("campus_jobs{status=\"pending\"}"), "{}", r.body);
    let r = c.get_with("/metrics", &[("Authorization", "Bearer scrape-secret-7"), ("X-Forwarded-For", "203.0.113.9")]);
    assert_eq!(r.status, 200, "through the proxy, the token is what counts");
}

#[test]
fn without_a_token_metrics_answer_only_local_requests_not_through_a_proxy() {
    let app = spawn_app();
    let c = app.client();
    assert_eq!(c.get("/metrics").status, 200, "a scraper on this machine");
    for proxied in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] {
        let r = c.get_with("/metrics", &[(proxied, "203.0.113.9")]);
        assert_eq!(r.status, 404, "{proxied}");
        assert!(!r.body.contains("campus_"), "{}", r.body);
    }
}

#[test]
fn dev_login_is_never_offered_to_a_request_through_a_proxy() {
    let app = crate::helpers::app().dev_login().start();
    let c = app.client();
    assert!(c.get("/login").body.contains("一键登录演示账号"), "offered on this machine");
    let forwarded = [("X-Forwarded-For", "203.0.113.9")];
    let page = c.get_with("/login", &forwarded);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("一键登录演示账号") && !page.body.contains("/login/dev"));
    let token = page.csrf();
    let r = c.post_form_with("/login/dev", &[("as", "admin"), ("csrf_token", &token)], &forwarded);
    assert_eq!(r.status, 404);
    assert_eq!(c.get("/admin").status, 303, "not signed in");
}

#[test]
fn dev_login_is_off_behind_a_trusted_proxy() {
    let app = crate::helpers::app().dev_login().trust_proxy().start();
    let c = app.client();
    let page = c.get("/login");
    assert!(!page.body.contains("一键登录演示账号"));
    let r = c.post_form("/login/dev", &[("as", "admin"), ("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 404);
    assert_eq!(c.get("/admin").status, 303, "not signed in");
}
