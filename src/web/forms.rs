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
