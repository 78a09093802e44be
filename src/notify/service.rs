use super::models::Message;
use super::{MessageKind, email, queries};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::web::pagination::{PageRequest, Paginated};

/// Writes an in-app message and, when the kind warrants it and the user has an email address,
/// queues the email. Runs inside the caller's transaction.
pub fn send(
    conn: &mut DbConn,
    user_id: i64,
    kind: MessageKind,
    title: &str,
    body: &str,
    link: Option<&str>,
) -> AppResult<()> {
    let now = db::now();
    queries::insert_message(conn, user_id, kind.as_str(), title, body, link, now)?;
    if kind.emails()
        && let Some(to) = queries::user_email(conn, user_id)?
    {
        queue_email(conn, Some(user_id), &to, title, body)?;
    }
    Ok(())
}

/// Queues an email for the job runner.
pub fn queue_email(conn: &mut DbConn, user_id: Option<i64>, to: &str, subject: &str, body: &str) -> AppResult<i64> {
    let now = db::now();
    let id = queries::insert_outbox(conn, user_id, to, subject, body, now)?;
    jobs::enqueue(conn, email::JOB_SEND, &serde_json::json!({ "outbox_id": id }), now)?;
    Ok(id)
}

pub fn unread_count(conn: &mut DbConn, user_id: i64) -> AppResult<i64> {
    Ok(queries::unread_count(conn, user_id)?)
}

pub fn list_messages(conn: &mut DbConn, user_id: i64, page: PageRequest) -> AppResult<Paginated<Message>> {
    let total = queries::count_messages(conn, user_id)?;
    let items = queries::list_messages(conn, user_id, page.per_page, page.offset())?;
    Ok(Paginated::new(items, page, total))
}

/// Marks a message read and returns it; someone else's message is not found.
pub fn read_message(conn: &mut DbConn, user_id: i64, id: i64) -> AppResult<Message> {
    queries::mark_read(conn, user_id, id, db::now())?;
    queries::message_of(conn, user_id, id)?.ok_or(AppError::NotFound)
}

pub fn read_all(conn: &mut DbConn, user_id: i64) -> AppResult<usize> {
    Ok(queries::mark_all_read(conn, user_id, db::now())?)
}
