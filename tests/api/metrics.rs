//! `/metrics` against the alert rules in `deploy/prometheus/alerts.yml`: every metric a rule
//! uses is exported, so the rules and the code cannot drift apart.

use std::collections::BTreeSet;

use crate::helpers::spawn_app;

const ALERTS: &str = include_str!("../../deploy/prometheus/alerts.yml");

/// The text of every `expr:` in the rules file, block scalars (`expr: |`) included.
fn alert_exprs(yaml: &str) -> Vec<String> {
    let mut exprs = Vec::new();
    let lines: Vec<&str> = yaml.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        i += 1;
        let Some(rest) = trimmed.strip_prefix("expr:") else { continue };
        let rest = rest.trim();
        if rest.starts_with('|') || rest.starts_with('>') {
            let indent = line.len() - trimmed.len();
            let mut block = String::new();
            while i < lines.len() {
                let next = lines[i];
                let next_indent = next.len() - next.trim_start().len();
                if !next.trim().is_empty() && next_indent <= indent {
                    break;
                }
                block.push_str(next.trim());
                block.push(' ');
                i += 1;
            }
            exprs.push(block);
        } else {
            exprs.push(rest.trim_matches(['"', '\'']).to_string());
        }
    }
    exprs
}

/// Our metric names (`campus_...`) in an expression; a histogram's `_bucket` series is exported
/// under that name.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = expr.as_bytes();
    let mut at = 0;
    while let Some(found) = expr[at..].find("campus_") {
        let start = at + found;
        let before_ok = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let end = expr[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map(|n| start + n)
            .unwrap_or(expr.len());
        if before_ok {
            names.insert(expr[start..end].to_string());
        }
        at = end;
    }
    names
}

#[test]
fn every_metric_the_alert_rules_use_is_exported() {
    let exprs = alert_exprs(ALERTS);
    assert!(exprs.len() >= 7, "the rules file has its alerts: {exprs:?}");
    let used: BTreeSet<String> = exprs.iter().flat_map(|e| metric_names(e)).collect();
    for needed in [
        "campus_http_requests_total",
        "campus_http_request_duration_seconds_bucket",
        "campus_ready",
        "campus_jobs",
        "campus_job_runs_total",
        "campus_db_pool_connections",
        "campus_pay_notify_failures_total",
    ] {
        assert!(used.contains(needed), "an alert watches {needed}: {used:?}");
    }

    let app = spawn_app();
    let c = app.client();
    // One request, so the per-route series exist.
    assert_eq!(c.get("/health").status, 200);
    let body = c.get("/metrics").body;
    let exported: BTreeSet<String> = body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = used.iter().filter(|m| !exported.contains(*m)).collect();
    assert!(missing.is_empty(), "used by alerts.yml but not in /metrics: {missing:?}\n{body}");
}

#[test]
fn metrics_show_readiness_pool_use_job_outcomes_and_payment_notice_failures() {
    let app = spawn_app();
    let c = app.client();
    // A payment notice that cannot be applied (WeChat Pay is not configured here).
    let r = c.post_raw("/api/v1/pay/notify/wechat", "application/json", b"{}");
    assert!(r.status >= 400 && r.status < 500, "{}", r.status);
    let body = c.get("/metrics").body;
    assert!(body.contains("campus_ready 1"), "{body}");
    assert!(body.contains("campus_db_pool_connections{state=\"in_use\"}"), "{body}");
    assert!(body.contains("campus_jobs{status=\"due\"}"), "{body}");
    assert!(body.contains("campus_job_runs_total{outcome=\"failed\"}"), "{body}");
    assert!(body.contains("campus_pay_notify_failures_total{notice=\"payment\"} 1"), "{body}");
    assert!(body.contains("campus_pay_notify_failures_total{notice=\"refund\"} 0"), "{body}");
}

#[test]
fn the_alert_rule_parser_reads_block_and_inline_expressions() {
    let yaml = "groups:\n  - rules:\n      - alert: A\n        expr: campus_ready == 0\n      - alert: B\n        expr: |\n          sum(rate(campus_x_total[5m]))\n            / campus_y\n        for: 5m\n";
    let exprs = alert_exprs(yaml);
    assert_eq!(exprs.len(), 2);
    let names: BTreeSet<String> = exprs.iter().flat_map(|e| metric_names(e)).collect();
    assert_eq!(names, ["campus_ready", "campus_x_total", "campus_y"].iter().map(|s| s.to_string()).collect());
}
