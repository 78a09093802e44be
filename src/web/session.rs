//! What we keep in the session: the user id, the CSRF token and pending flash messages.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

const USER_ID: &str = "uid";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub level: String,
    pub text: String,
}

fn session_err(err: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("session: {err}"))
}

pub fn user_id(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_ID).ok().flatten()
}

/// Signs `user_id` in: a new session id (no fixation) and a new CSRF token.
pub fn sign_in(session: &Session, user_id: i64) -> Result<(), AppError> {
    session.renew();
    session.insert(USER_ID, user_id).map_err(session_err)?;
    session.insert(CSRF, super::random_token(24)).map_err(session_err)?;
    Ok(())
}

pub fn sign_out(session: &Session) {
    session.purge();
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return Ok(token);
    }
    let token = super::random_token(24);
    session.insert(CSRF, &token).map_err(session_err)?;
    Ok(token)
}

pub fn stored_csrf(session: &Session) -> Option<String> {
    session.get::<String>(CSRF).ok().flatten()
}

pub fn flash(session: &Session, level: &str, text: impl Into<String>) {
    let mut list = session.get::<Vec<Flash>>(FLASH).ok().flatten().unwrap_or_default();
    list.push(Flash { level: level.into(), text: text.into() });
    // A flash that cannot be stored is lost, which is harmless.
    let _ = session.insert(FLASH, list);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    match session.remove_as::<Vec<Flash>>(FLASH) {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    }
}
