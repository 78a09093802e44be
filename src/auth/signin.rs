//! The last step of every way in (password, SMS code, WeChat ticket, second factor): the
//! server-side session record and the cookie that names it.

use actix_session::Session;
use actix_web::HttpRequest;
use actix_web::http::header;

use super::sessions;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{client_ip, session};

/// Opens the server-side record of a sign-in and puts its id in the session cookie.
pub(crate) async fn begin_session(
    req: &HttpRequest,
    state: &AppState,
    session: &Session,
    user_id: i64,
) -> AppResult<()> {
    let ip = client_ip(req);
    let agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let record = state.db.run(move |conn| sessions::open(conn, user_id, &ip, &agent)).await?;
    session::sign_in(session, user_id, &record)
}
