//! Request ids, access logs with secrets masked, and Prometheus metrics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use super::WebState;

/// The id of one request: in logs, on error pages and in the `X-Request-Id` header.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Query parameters whose values never reach a log line.
const SECRET_PARAMS: &[&str] = &["t", "ticket", "code", "token", "password", "csrf_token", "secret"];

/// `13800138000` → `138****8000`; anything else shorter than 7 characters becomes `****`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// A query string fit for a log line: secret values replaced, phone numbers masked.
pub fn redact_query(query: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs
        .into_iter()
        .map(|(k, v)| {
            let shown = if SECRET_PARAMS.contains(&k.as_str()) {
                "***".to_string()
            } else if k.contains("phone") {
                mask_phone(&v)
            } else {
                v
            };
            format!("{k}={shown}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// A counter a module declares at start-up and bumps by name: its series exist (at 0) from the
/// start, so alert rules and dashboards see them before the first event.
struct Counter {
    help: &'static str,
    /// Label set (`kind="payment"`, or empty) → count.
    series: BTreeMap<String, u64>,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    counters: Mutex<BTreeMap<&'static str, Counter>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        }
        if let Ok(mut map) = self.latency.lock() {
            let h = map.entry(route.to_string()).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    /// Declares the counter `name` with the label sets it starts with (each at 0), e.g.
    /// `&["notice=\"payment\"", "notice=\"refund\""]`, or `&[""]` for one unlabelled series.
    pub fn declare_counter(&self, name: &'static str, help: &'static str, label_sets: &[&str]) {
        if let Ok(mut map) = self.counters.lock() {
            let counter = map.entry(name).or_insert_with(|| Counter { help, series: BTreeMap::new() });
            for labels in label_sets {
                counter.series.entry((*labels).to_string()).or_insert(0);
            }
        }
    }

    /// Adds one to the series `labels` of counter `name` (declared or not).
    pub fn increment(&self, name: &'static str, labels: &str) {
        if let Ok(mut map) = self.counters.lock() {
            let counter = map.entry(name).or_insert_with(|| Counter { help: name, series: BTreeMap::new() });
            *counter.series.entry(labels.to_string()).or_insert(0) += 1;
        }
    }

    /// Request counters, latency histograms and declared counters in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        if let Ok(map) = self.counters.lock() {
            for (name, counter) in map.iter() {
                let _ = writeln!(out, "# HELP {name} {}", counter.help);
                let _ = writeln!(out, "# TYPE {name} counter");
                for (labels, n) in &counter.series {
                    if labels.is_empty() {
                        let _ = writeln!(out, "{name} {n}");
                    } else {
                        let _ = writeln!(out, "{name}{{{labels}}} {n}");
                    }
                }
            }
        }
        out.push_str("# HELP campus_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE campus_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((method, route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "campus_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape_label(route)
                );
            }
        }
        out.push_str("# HELP campus_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE campus_http_request_duration_seconds histogram\n");
        if let Ok(map) = self.latency.lock() {
            for (route, h) in map.iter() {
                let route = escape_label(route);
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "campus_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "campus_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "campus_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "campus_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
    }
}

fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

fn valid_incoming_id(value: &str) -> bool {
    !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Middleware: assigns the request id, logs the request, records metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_incoming_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| super::random_token(9));
    req.extensions_mut().insert(RequestId(id.clone()));
    let metrics = req.app_data::<web::Data<WebState>>().map(|s| s.metrics.clone());
    let method = req.method().to_string();
    let path = req.path().to_string();
    let query = redact_query(req.query_string());
    let mut res = next.call(req).await?;
    let status = res.status().as_u16();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    let elapsed = start.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(&method, &route, status, elapsed.as_secs_f64());
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        query = %query,
        status,
        ms = elapsed.as_millis() as u64,
        "request"
    );
    Ok(res)
}

/// This process's resident memory in KiB (`VmRSS` of `/proc/self/status`), where there is one.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Logs the resident memory at a named point of the start-up (target `campus::memory`, level
/// debug: `RUST_LOG=campus::memory=debug` shows where an instance's memory goes).
pub fn note_memory(point: &str) {
    if let Some(kib) = rss_kib() {
        tracing::debug!(target: "campus::memory", rss_kib = kib, "{point}");
    }
}
