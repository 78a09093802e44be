//! Askama filters for display: money, masked phone, Shanghai times. Templates `use` this module
//! as `filters` (askama looks custom filters up there).

use chrono::NaiveDateTime;

/// An amount in cents, however many references deep a template holds it.
pub trait Cents {
    fn cents(&self) -> i64;
}

impl Cents for i64 {
    fn cents(&self) -> i64 {
        *self
    }
}

impl<T: Cents + ?Sized> Cents for &T {
    fn cents(&self) -> i64 {
        (**self).cents()
    }
}

/// Integer cents as `¥12.50`.
#[askama::filter_fn]
pub fn money<T: Cents>(cents: T, _env: &dyn askama::Values) -> askama::Result<String> {
    Ok(format_money(cents.cents()))
}

pub fn format_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
}

/// A phone number shown as `138****8000`, or 未绑定.
#[askama::filter_fn]
pub fn phone(value: &Option<String>, _env: &dyn askama::Values) -> askama::Result<String> {
    Ok(match value {
        Some(p) if !p.is_empty() => super::observe::mask_phone(p),
        _ => "未绑定".to_string(),
    })
}

/// A UTC time shown in Asia/Shanghai as `2026-11-25 15:30`.
#[askama::filter_fn]
pub fn datetime(value: &NaiveDateTime, _env: &dyn askama::Values) -> askama::Result<String> {
    Ok(super::time::minute(*value))
}

/// A UTC time relative to now: 刚刚, 5分钟前, 3小时前, 2天前, then the date.
#[askama::filter_fn]
pub fn ago(value: &NaiveDateTime, _env: &dyn askama::Values) -> askama::Result<String> {
    Ok(relative_time(*value, chrono::Utc::now().naive_utc()))
}

pub fn relative_time(then: NaiveDateTime, now: NaiveDateTime) -> String {
    let secs = (now - then).num_seconds();
    match secs {
        s if s < 60 => "刚刚".to_string(),
        s if s < 3600 => format!("{}分钟前", s / 60),
        s if s < 86_400 => format!("{}小时前", s / 3600),
        s if s < 7 * 86_400 => format!("{}天前", s / 86_400),
        _ => super::time::local(then).format("%Y-%m-%d").to_string(),
    }
}

/// A stored link as an `href`: `/` unless it is a path on this site (links saved before the
/// check at saving time was strict).
#[askama::filter_fn]
pub fn local_link<T: AsRef<str>>(link: T, _env: &dyn askama::Values) -> askama::Result<String> {
    Ok(super::safe_next(Some(link.as_ref())))
}
