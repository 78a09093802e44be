//! Likes of posts and comments: one per user and thing (the unique index `forum_likes_once_key`),
//! a second press takes it back. The thing's own counter moves in the same transaction as the
//! like row, by `+1`/`-1` in SQL, so it always equals the number of rows, however many presses
//! arrive at once. One user's presses are serialized by a lock on the user (`db::lock_user`):
//! a toggle reads before it writes.

use diesel::prelude::*;

use crate::db::schema::forum_likes;
use crate::db::{self, DbConn, write_tx};
use crate::error::AppResult;
use crate::on_backend;

pub const POST: &str = "post";
pub const COMMENT: &str = "comment";

/// Likes or unlikes `kind` `target` for `user`; `bump` moves the thing's counter by the delta
/// and returns the new count (it also refuses things that cannot be liked). Returns whether
/// the user likes it now, and the count.
pub fn toggle(
    conn: &mut DbConn,
    user: i64,
    kind: &'static str,
    target: i64,
    bump: impl FnOnce(&mut DbConn, i64) -> AppResult<i64>,
) -> AppResult<(bool, i64)> {
    write_tx(conn, |conn| {
        db::lock_user(conn, user)?;
        let removed = diesel::delete(
            forum_likes::table
                .filter(forum_likes::user_id.eq(user))
                .filter(forum_likes::target_kind.eq(kind))
                .filter(forum_likes::target_id.eq(target)),
        )
        .execute(conn)?;
        if removed > 0 {
            return Ok((false, bump(conn, -1)?));
        }
        let now = db::now();
        let added = on_backend!(conn, |c| diesel::insert_into(forum_likes::table)
            .values((
                forum_likes::user_id.eq(user),
                forum_likes::target_kind.eq(kind),
                forum_likes::target_id.eq(target),
                forum_likes::created_at.eq(now),
            ))
            .on_conflict((forum_likes::user_id, forum_likes::target_kind, forum_likes::target_id))
            .do_nothing()
            .execute(c))?;
        let count = bump(conn, added as i64)?;
        Ok((true, count))
    })
}

/// Which of `targets` of `kind` the user likes.
pub fn liked_among(conn: &mut DbConn, user: i64, kind: &str, targets: &[i64]) -> AppResult<Vec<i64>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // A range rather than `IN (…)`: a statement with a list of binds is prepared anew on every
    // run, a range one once per connection. The range holds only this user's likes of this kind
    // (the unique index leads with them), filtered to `targets` here.
    let lo = targets.iter().copied().min().unwrap_or_default();
    let hi = targets.iter().copied().max().unwrap_or_default();
    let mut found: Vec<i64> = crate::on_backend!(conn, |c| forum_likes::table
        .filter(forum_likes::user_id.eq(user))
        .filter(forum_likes::target_kind.eq(kind))
        .filter(forum_likes::target_id.between(lo, hi))
        .select(forum_likes::target_id)
        .load(c))?;
    found.retain(|t| targets.contains(t));
    Ok(found)
}
