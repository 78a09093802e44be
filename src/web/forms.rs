//! Small forms several back-office pages share.

use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// A single "why" field: rejections, take-downs, bans.
#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

impl ReasonForm {
    /// The trimmed reason, 1–200 characters.
    pub fn reason(&self) -> AppResult<String> {
        let r = self.reason.trim();
        if r.is_empty() || r.chars().count() > 200 {
            return Err(AppError::invalid("请填写原因（200 字以内）"));
        }
        Ok(r.to_string())
    }
}

/// `2026-12-05T14:00` (a `datetime-local` input, Shanghai time) as UTC.
pub fn parse_local(raw: &str) -> Option<chrono::NaiveDateTime> {
    let raw = raw.trim();
    let local = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .ok()?;
    Some(super::time::utc(local))
}

/// A UTC time as a `datetime-local` value in Shanghai time.
pub fn local_input(t: chrono::NaiveDateTime) -> String {
    super::time::local(t).format("%Y-%m-%dT%H:%M").to_string()
}

/// The values of a checkbox group (`name=a&name=b`) in a url-encoded body, each parsed by
/// `parse` (an unknown value is refused by name), without repeats, in the order sent.
pub fn checked<T: PartialEq>(body: &str, name: &str, parse: impl Fn(&str) -> Option<T>) -> AppResult<Vec<T>> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|_| AppError::invalid("表单内容无效"))?;
    let mut out = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == name) {
        let item = parse(v).ok_or_else(|| AppError::invalid(format!("未知的选项：{v}")))?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}
