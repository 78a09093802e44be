//! Hot ranking: a gravity score in the manner of Hacker News and Lemmy, recomputed by the
//! `forum.rank` job once a minute (never per request) for the posts of the last 7 days:
//!
//! ```text
//! activity = likes + 2 × comments + views / 10
//! score    = 10000 × ln(3 + activity) / (age_hours + 2) ^ 1.8
//! ```
//!
//! The logarithm keeps a flood of likes from burying everything else; the power of the age
//! makes yesterday's hit give way to today's. Older posts drop to 0 and keep their place by
//! id. `/forum/ranking` and a board's "热门" order read the stored score.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::forum_posts;
use crate::db::{self, DbConn, write_tx};
use crate::error::AppResult;
use crate::forum::models::VISIBLE;

pub const JOB: &str = "forum.rank";
/// How often the job runs.
pub const EVERY: TimeDelta = TimeDelta::minutes(1);
/// Only posts this young get a score.
pub const HORIZON: TimeDelta = TimeDelta::days(7);

/// The score of a post with these counts, `age_hours` after it was posted.
pub fn score(likes: i64, comments: i64, views: i64, age_hours: f64) -> f64 {
    let activity = (likes.max(0) + 2 * comments.max(0)) as f64 + views.max(0) as f64 / 10.0;
    10_000.0 * (3.0 + activity).ln() / (age_hours.max(0.0) + 2.0).powf(1.8)
}

/// Recomputes every recent post's score; posts that aged past the horizon drop to 0.
/// Returns how many posts were scored.
pub fn refresh(conn: &mut DbConn) -> AppResult<usize> {
    let now = db::now();
    let since = now - HORIZON;
    // Visibility is checked here: a status condition would make SQLite walk every visible
    // post instead of the week's by `forum_posts_created_idx`.
    let rows: Vec<(i64, i64, i64, i64, NaiveDateTime)> = forum_posts::table
        .filter(forum_posts::created_at.ge(since))
        .select((
            forum_posts::id,
            forum_posts::like_count,
            forum_posts::comment_count,
            forum_posts::view_count,
            forum_posts::created_at,
            forum_posts::status,
        ))
        .load::<(i64, i64, i64, i64, NaiveDateTime, String)>(conn)?
        .into_iter()
        .filter(|r| r.5 == VISIBLE)
        .map(|(id, likes, comments, views, at, _)| (id, likes, comments, views, at))
        .collect();
    write_tx(conn, |conn| {
        diesel::update(
            forum_posts::table.filter(forum_posts::created_at.lt(since)).filter(forum_posts::hot_score.gt(0.0)),
        )
        .set(forum_posts::hot_score.eq(0.0))
        .execute(conn)?;
        let scored: Vec<(i64, f64)> = rows
            .iter()
            .map(|(id, likes, comments, views, at)| {
                let age = (now - *at).num_seconds() as f64 / 3600.0;
                (*id, score(*likes, *comments, *views, age))
            })
            .collect();
        for chunk in scored.chunks(2000) {
            set_scores(conn, chunk)?;
        }
        Ok::<_, crate::error::AppError>(())
    })?;
    Ok(rows.len())
}

/// Makes sure one ranking job is waiting (at start-up, and after each run for the next).
/// Writes many scores in one statement: one UPDATE per post was thousands of statements a
/// minute (diesel prepares every UPDATE anew), a visible bump in the page latencies of the
/// minute it ran.
fn set_scores(conn: &mut DbConn, scored: &[(i64, f64)]) -> AppResult<()> {
    use diesel::sql_types::{Array, BigInt, Double, Text};
    match conn {
        DbConn::Sqlite(c) => {
            let json = serde_json::to_string(scored).map_err(crate::error::AppError::internal)?;
            diesel::sql_query(
                "UPDATE forum_posts SET hot_score = s.score FROM (SELECT json_extract(value, '$[0]') AS id, \
                 json_extract(value, '$[1]') AS score FROM json_each(?)) AS s WHERE forum_posts.id = s.id",
            )
            .bind::<Text, _>(json)
            .execute(c)?;
        }
        DbConn::Pg(c) => {
            let (ids, scores): (Vec<i64>, Vec<f64>) = scored.iter().copied().unzip();
            diesel::sql_query(
                "UPDATE forum_posts SET hot_score = s.score FROM unnest($1, $2) AS s(id, score) \
                 WHERE forum_posts.id = s.id",
            )
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<Double>, _>(scores)
            .execute(c)?;
        }
    }
    Ok(())
}

pub fn schedule(conn: &mut DbConn, at: NaiveDateTime) -> AppResult<()> {
    if !crate::jobs::is_waiting(conn, JOB)? {
        crate::jobs::enqueue(conn, JOB, &serde_json::json!({}), at)?;
    }
    Ok(())
}

/// The job: score, then book the next run.
pub fn run(conn: &mut DbConn) -> Result<(), String> {
    refresh(conn).map_err(|e| e.to_string())?;
    schedule(conn, db::now() + EVERY).map_err(|e| e.to_string())
}
