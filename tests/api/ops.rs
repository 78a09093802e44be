use crate::helpers::spawn_app;

#[test]
fn health_and_ready_answer() {
    let app = spawn_app();
    let c = app.client();
    let r = c.get("/health");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "ok");
    let r = c.get("/ready");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "ready");
}

#[test]
fn metrics_report_requests_pool_and_job_queue() {
    let app = spawn_app();
    let c = app.client();
    c.get("/health");
    c.get("/no-such-page");
    let r = c.get("/metrics");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        r.body.contains("campus_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1"),
        "{}",
        r.body
    );
    assert!(r.body.contains("route=\"unmatched\",status=\"404\""));
    assert!(r.body.contains("campus_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 1"));
    assert!(r.body.contains("campus_db_pool_connections{state=\"max\"}"));
    assert!(r.body.contains("campus_jobs{status=\"pending\"}"));
}

#[test]
fn every_response_carries_security_headers_and_a_request_id() {
    let app = spawn_app();
    let r = app.client().get("/login");
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    assert!(r.header("x-request-id").is_some_and(|id| id.len() >= 8));
}

#[test]
fn unknown_page_gets_friendly_chinese_404_with_request_id() {
    let app = spawn_app();
    let r = app.client().get("/definitely/not/here");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("页面不存在"));
    let id = r.header("x-request-id").unwrap();
    assert!(r.body.contains(id), "the page shows the request id");
    assert!(!r.body.contains("panicked"));
}

#[test]
fn static_assets_are_fingerprinted_cached_and_revalidated() {
    let app = spawn_app();
    let c = app.client();
    let page = c.get("/login");
    let start = page.body.find("/static/vendor/htmx/htmx.min.js?v=").expect("fingerprinted htmx url");
    let url: String = page.body[start..].chars().take_while(|ch| *ch != '"').collect();
    let r = c.get(&url);
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/javascript"));
    assert!(r.header("cache-control").unwrap().contains("immutable"));
    let etag = r.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && etag.len() > 60, "strong etag: {etag}");
    let again = c.get_with(&url, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    let css = c.get("/static/vendor/weui/weui.min.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(c.get("/static/../Cargo.toml").status, 404);
    assert_eq!(c.get("/static/nothing.js").status, 404);
}
