use super::models::Message;
use super::{MessageKind, email, queries};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::web::pagination::{PageRequest, Paginated};

/// Writes an in-app message and, when the user has an email address and wants email for this
/// kind (`prefs::wants_email`), queues the email. Runs inside the caller's transaction.
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
    if let Some(to) = queries::user_email(conn, user_id)?
        && super::prefs::wants_email(conn, user_id, kind)?
    {
        queue_email(conn, Some(user_id), &to, title, body)?;
    }
    Ok(())
}

/// Writes a message by the channels the caller chose (a reminder's own settings, not the
/// category's defaults): an in-app message when `in_app`, an email when `email` and the user has
/// an address. Returns whether an email was queued. Runs inside the caller's transaction.
pub fn send_via(
    conn: &mut DbConn,
    user_id: i64,
    kind: MessageKind,
    message: (&str, &str, Option<&str>),
    in_app: bool,
    email: bool,
) -> AppResult<bool> {
    let (title, body, link) = message;
    if in_app {
        queries::insert_message(conn, user_id, kind.as_str(), title, body, link, db::now())?;
    }
    if email && let Some(to) = queries::user_email(conn, user_id)? {
        queue_email(conn, Some(user_id), &to, title, body)?;
        return Ok(true);
    }
    Ok(false)
}

/// Queues an email for the job runner.
pub fn queue_email(conn: &mut DbConn, user_id: Option<i64>, to: &str, subject: &str, body: &str) -> AppResult<i64> {
    let now = db::now();
    let id = queries::insert_outbox(conn, user_id, to, subject, body, now)?;
    jobs::enqueue(conn, email::JOB_SEND, &serde_json::json!({ "outbox_id": id }), now)?;
    Ok(id)
}

/// Queues an email carrying a one-time code: like [`queue_email`], but the stored body is blanked
/// as soon as it is sent, so the database keeps no readable code.
pub fn queue_secret_email(
    conn: &mut DbConn,
    user_id: Option<i64>,
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<i64> {
    let id = queue_email(conn, user_id, to, subject, body)?;
    queries::mark_scrub(conn, id)?;
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

/// One tab of the message center: its category, how many messages and how many unread.
#[derive(Clone, Debug)]
pub struct Tab {
    pub category: super::Category,
    pub total: i64,
    pub unread: i64,
}

/// The tabs worth showing: 系统, 订单 and 活动 always, the others once they hold a message.
pub fn tabs(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Tab>> {
    Ok(tabs_from(queries::kind_counts(conn, user_id)?))
}

/// The tabs from the message counts by kind: (kind, total, unread).
pub fn tabs_from(counts: Vec<(String, i64, i64)>) -> Vec<Tab> {
    use super::Category as C;
    let mut tabs: Vec<Tab> = C::ALL.into_iter().map(|category| Tab { category, total: 0, unread: 0 }).collect();
    for (kind, total, unread) in counts {
        if let Some(tab) = tabs.iter_mut().find(|t| t.category == C::of(&kind)) {
            tab.total += total;
            tab.unread += unread;
        }
    }
    tabs.retain(|t| matches!(t.category, C::System | C::Order | C::Activity) || t.total > 0);
    tabs
}

/// The message center's page: a page of messages (of `category`, else all) and the tabs, from
/// two statements: the per-kind counts give the tabs, the totals and the kinds of a category.
pub fn inbox(
    conn: &mut DbConn,
    user_id: i64,
    category: Option<super::Category>,
    page: PageRequest,
) -> AppResult<(Paginated<Message>, Vec<Tab>)> {
    let counts = queries::kind_counts(conn, user_id)?;
    let list = match category {
        Some(c) => {
            let in_c: Vec<&(String, i64, i64)> =
                counts.iter().filter(|(k, _, _)| super::Category::of(k) == c).collect();
            let total = in_c.iter().map(|(_, n, _)| n).sum();
            let kinds: Vec<String> = in_c.iter().map(|(k, _, _)| k.clone()).collect();
            let items = queries::list_messages_of(conn, user_id, &kinds, page.per_page, page.offset())?;
            Paginated::new(items, page, total)
        }
        None => {
            let total = counts.iter().map(|(_, n, _)| n).sum();
            let items = queries::list_messages(conn, user_id, page.per_page, page.offset())?;
            Paginated::new(items, page, total)
        }
    };
    Ok((list, tabs_from(counts)))
}

/// The kinds of this user's messages that fall in `category`.
fn kinds_in(conn: &mut DbConn, user_id: i64, category: super::Category) -> AppResult<Vec<String>> {
    Ok(queries::kind_counts(conn, user_id)?
        .into_iter()
        .map(|(k, _, _)| k)
        .filter(|k| super::Category::of(k) == category)
        .collect())
}

pub fn list_category(
    conn: &mut DbConn,
    user_id: i64,
    category: super::Category,
    page: PageRequest,
) -> AppResult<Paginated<Message>> {
    let kinds = kinds_in(conn, user_id, category)?;
    let total = queries::count_messages_of(conn, user_id, &kinds)?;
    let items = queries::list_messages_of(conn, user_id, &kinds, page.per_page, page.offset())?;
    Ok(Paginated::new(items, page, total))
}

pub fn read_category(conn: &mut DbConn, user_id: i64, category: super::Category) -> AppResult<usize> {
    let kinds = kinds_in(conn, user_id, category)?;
    Ok(queries::mark_read_of(conn, user_id, &kinds, db::now())?)
}

/// Every message of a user, for the data export.
pub fn export(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Message>> {
    Ok(queries::all_messages(conn, user_id)?)
}
