//! What we keep in the session cookie: the user id with the id of the session's server-side
//! record (`auth::sessions`), the CSRF token and pending flash messages.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

const USER_ID: &str = "uid";
const SESSION_ID: &str = "sid";
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

/// The signed-in user and the id of the session's server-side record, as the cookie says; the
/// record itself decides whether they still hold.
pub fn signed_in(session: &Session) -> Option<(i64, String)> {
    let user_id = session.get::<i64>(USER_ID).ok().flatten()?;
    let record = session.get::<String>(SESSION_ID).ok().flatten()?;
    Some((user_id, record))
}

/// Signs `user_id` in under the server-side record `record`: a new session id (no fixation) and
/// a new CSRF token.
pub fn sign_in(session: &Session, user_id: i64, record: &str) -> Result<(), AppError> {
    session.renew();
    session.insert(USER_ID, user_id).map_err(session_err)?;
    session.insert(SESSION_ID, record).map_err(session_err)?;
    session.insert(CSRF, super::random_token(24)).map_err(session_err)?;
    Ok(())
}

pub fn sign_out(session: &Session) {
    session.purge();
}

/// Signs out but keeps a fresh, empty session for a parting flash message: after `purge` the
/// cookie is dropped and anything inserted with it is lost.
pub fn sign_out_with_flash(session: &Session, level: &str, text: &str) {
    session.clear();
    session.renew();
    flash(session, level, text);
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
    // Removing marks the session changed even when nothing was there, and a changed session is
    // re-encrypted into a new cookie: only remove what is there.
    if !session.contains_key(FLASH) {
        return Vec::new();
    }
    match session.remove_as::<Vec<Flash>>(FLASH) {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    }
}
