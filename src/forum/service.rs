//! The forum's face to the rest of the app (the moderation queue, the admin dashboard, the home
//! page, the seed, start-up and the tests). Other modules call these, never the forum's queries.

use chrono::TimeDelta;
use diesel::prelude::*;

use crate::db::schema::forum_posts;
use crate::db::{self, DbConn};
use crate::error::AppResult;

pub use super::boards::service::{BoardSpec, create as create_board};
pub use super::feed::service::hot as hot_posts;
pub use super::models::PostCard;
pub use super::moderate::service::{approve_flagged, hide_flagged};
pub use super::ranking::refresh as refresh_ranking;
pub use super::stewards::service::{Warning, warnings_of};

/// Books the first ranking run (start-up); later runs book their successor.
pub fn schedule_ranking(conn: &mut DbConn) -> AppResult<()> {
    super::ranking::schedule(conn, db::now())
}

/// The dashboard's figures: posts in all, posts of the last 24 hours, posts hidden now.
pub struct Stats {
    pub posts: i64,
    pub posts_today: i64,
    pub hidden: i64,
}

pub fn stats(conn: &mut DbConn) -> AppResult<Stats> {
    let since = db::now() - TimeDelta::hours(24);
    Ok(Stats {
        posts: forum_posts::table.filter(forum_posts::status.ne(super::models::DELETED)).count().get_result(conn)?,
        posts_today: forum_posts::table.filter(forum_posts::created_at.ge(since)).count().get_result(conn)?,
        hidden: forum_posts::table.filter(forum_posts::status.eq(super::models::HIDDEN)).count().get_result(conn)?,
    })
}

/// The person's own rows in the forum's trust tables (saved posts, comment reports, warnings
/// received, moderator appointments and mod log lines written), for the data export. The
/// personal data registry (`/me/export`) registers this.
pub fn export_user(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let mut all = serde_json::Map::new();
    for part in [
        super::saves::export_user(conn, user_id)?,
        super::comments::service::export_user(conn, user_id)?,
        super::stewards::service::export_user(conn, user_id)?,
    ] {
        if let serde_json::Value::Object(map) = part {
            all.extend(map);
        }
    }
    Ok(serde_json::Value::Object(all))
}

/// Forgets a closing account in the forum's trust tables: its saves, its comment reports, its
/// moderator appointments and the warnings it received. Mod log lines it wrote and warnings it
/// gave stay with their boards (the account itself is anonymised). Part of the caller's
/// transaction.
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    super::saves::forget_user(conn, user_id)?;
    super::comments::service::forget_user(conn, user_id)?;
    super::stewards::service::forget_user(conn, user_id)
}
