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
