//! Saved posts (收藏, `/me/saved`): one row per person and post (the unique index
//! `forum_saves_user_post_key`). The form says what the user wants (`save=1` or `0`), not
//! "toggle", so a double click saves once and both clicks answer the same.
//! Table: forum_saves.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::forum_saves;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::forum::models::VISIBLE;
use crate::forum::posts::queries as posts;
use crate::on_backend;

pub fn is_saved(conn: &mut DbConn, user: i64, post: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        forum_saves::table.filter(forum_saves::user_id.eq(user)).filter(forum_saves::post_id.eq(post)),
    ))
    .get_result(conn)?)
}

/// Saves (`save`) or unsaves post `post` for `user`; returns whether it is saved now. Only a
/// post the user can read is saved; unsaving works whatever became of the post.
pub fn set(conn: &mut DbConn, user: i64, post: i64, save: bool) -> AppResult<bool> {
    if !save {
        diesel::delete(forum_saves::table.filter(forum_saves::user_id.eq(user)).filter(forum_saves::post_id.eq(post)))
            .execute(conn)?;
        return Ok(false);
    }
    let found = posts::find(conn, post)?.ok_or(AppError::NotFound)?.0;
    if found.status != VISIBLE && found.author_id != user {
        return Err(AppError::NotFound);
    }
    let now = db::now();
    // The unique index decides between two clicks at once: the second inserts nothing.
    on_backend!(conn, |c| diesel::insert_into(forum_saves::table)
        .values((forum_saves::user_id.eq(user), forum_saves::post_id.eq(post), forum_saves::created_at.eq(now)))
        .on_conflict((forum_saves::user_id, forum_saves::post_id))
        .do_nothing()
        .execute(c))?;
    Ok(true)
}

/// The posts a user saved, latest first: (save id, post id) after the save id `before`.
pub fn page(conn: &mut DbConn, user: i64, before: Option<i64>, limit: i64) -> AppResult<Vec<(i64, i64)>> {
    let mut q = forum_saves::table
        .filter(forum_saves::user_id.eq(user))
        .order(forum_saves::id.desc())
        .limit(limit)
        .select((forum_saves::id, forum_saves::post_id))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(forum_saves::id.lt(b));
    }
    Ok(q.load(conn)?)
}

/// The user's saves for the data export: (post id, saved at).
pub fn export_user(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let rows: Vec<(i64, NaiveDateTime)> = forum_saves::table
        .filter(forum_saves::user_id.eq(user_id))
        .order(forum_saves::id)
        .select((forum_saves::post_id, forum_saves::created_at))
        .load(conn)?;
    Ok(serde_json::json!({
        "forum_saves": rows.into_iter().map(|(post, at)| serde_json::json!({ "post_id": post, "saved_at": at })).collect::<Vec<_>>()
    }))
}

/// Removes a closing account's saves.
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    diesel::delete(forum_saves::table.filter(forum_saves::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}
