use chrono::NaiveDateTime;

use super::models::{Article, ArticleSpec, NewsCard};
use super::queries;
use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

pub const PAGE_SIZE: i64 = 10;

/// A page of the feed after the keyset cursor `after` (the last card of the previous page).
pub fn feed(
    conn: &mut DbConn,
    category: Option<&str>,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> AppResult<Vec<NewsCard>> {
    Ok(queries::feed(conn, category, db::now(), after, limit)?)
}

/// A published article; drafts, hidden and scheduled ones are not found (admins may preview).
pub fn article(conn: &mut DbConn, id: i64, admin: bool) -> AppResult<Article> {
    let a = queries::article(conn, id)?.ok_or(AppError::NotFound)?;
    let live = a.status == super::models::PUBLISHED && a.published_at <= db::now();
    if live || admin { Ok(a) } else { Err(AppError::NotFound) }
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<NewsCard>> {
    Ok(queries::all(conn)?)
}

pub fn edit_target(conn: &mut DbConn, id: i64) -> AppResult<Article> {
    queries::article(conn, id)?.ok_or(AppError::NotFound)
}

/// Saves an article (new when `id` is `None`); the HTML was sanitized when the form was parsed.
pub fn save(
    conn: &mut DbConn,
    admin: i64,
    id: Option<i64>,
    spec: &ArticleSpec,
    new_cover: Option<&str>,
    ip: &str,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let now = db::now();
        let id = match id {
            Some(id) => {
                let before = queries::article(conn, id)?.ok_or(AppError::NotFound)?;
                let cover = new_cover.map(str::to_string).or(before.cover);
                queries::update(conn, id, spec, cover.as_deref(), now)?;
                id
            }
            None => queries::insert(conn, admin, spec, new_cover, now)?,
        };
        let detail = serde_json::json!({ "title": spec.title, "status": spec.status }).to_string();
        audit::record(conn, Some(admin), "news.save", "news", Some(&id.to_string()), &detail, Some(ip))?;
        Ok(id)
    })
}
