use diesel::prelude::*;

use super::Stats;
use crate::db::schema::{email_outbox, users};
use crate::db::{self, DbConn};

pub fn stats(conn: &mut DbConn, jobs_pending: i64, jobs_failed: i64) -> QueryResult<Stats> {
    let week_ago = db::now() - chrono::TimeDelta::days(7);
    Ok(Stats {
        users: users::table.count().get_result(conn)?,
        new_users_7d: users::table.filter(users::created_at.ge(week_ago)).count().get_result(conn)?,
        banned: users::table.filter(users::status.eq("banned")).count().get_result(conn)?,
        jobs_pending,
        jobs_failed,
        emails_queued: email_outbox::table.filter(email_outbox::status.eq("queued")).count().get_result(conn)?,
    })
}
