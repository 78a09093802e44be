use chrono::TimeDelta;

use super::queries::{self, Stats, UserRow};
use crate::audit::{self, AuditLine};
use crate::auth::models::Role;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::web::time;

pub struct Dashboard {
    pub stats: Stats,
    /// Open entries of the moderation queue.
    pub to_review: i64,
    pub registrations: Vec<(String, i64)>,
    /// The latest audit lines (with addresses), for an admin who may read the audit log; `None`
    /// for the others.
    pub audit: Option<Vec<AuditLine>>,
    pub forum: crate::forum::service::Stats,
}

/// The overview; `with_audit` when the admin may read the audit log.
pub fn dashboard(conn: &mut DbConn, with_audit: bool) -> AppResult<Dashboard> {
    let now = db::now();
    let (pending, failed) = jobs::queue_depth(conn)?;
    let stats = queries::stats(conn, pending, failed, now - TimeDelta::days(7))?;
    let today = time::date(now);
    let first = today - TimeDelta::days(29);
    let mut registrations: Vec<(String, i64)> =
        (0..30).map(|i| ((first + TimeDelta::days(i)).format("%m-%d").to_string(), 0)).collect();
    for at in queries::registrations_since(conn, now - TimeDelta::days(31))? {
        let idx = (time::date(at) - first).num_days();
        if (0..30).contains(&idx) {
            registrations[idx as usize].1 += 1;
        }
    }
    Ok(Dashboard {
        to_review: crate::moderation::open_count(conn)?,
        stats,
        registrations,
        audit: if with_audit { Some(audit::recent(conn, 20)?) } else { None },
        forum: crate::forum::service::stats(conn)?,
    })
}

pub fn users(conn: &mut DbConn, q: &str) -> AppResult<Vec<(UserRow, Vec<Role>)>> {
    let rows = queries::users(conn, q, 100, 0)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let roles = queries::roles_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut mine: Vec<Role> =
                roles.iter().filter(|(id, _)| *id == r.id).filter_map(|(_, n)| Role::parse(n)).collect();
            mine.sort();
            (r, mine)
        })
        .collect())
}

/// Replaces a user's roles. An admin cannot take the admin role from themselves (no lock-out).
pub fn set_roles(conn: &mut DbConn, admin: i64, user_id: i64, roles: &[Role], ip: &str) -> AppResult<()> {
    if user_id == admin && !roles.contains(&Role::Admin) {
        return Err(AppError::invalid("不能取消自己的管理员身份"));
    }
    write_tx(conn, |conn| {
        crate::auth::service::user_exists(conn, user_id)?;
        crate::auth::staff::keep_a_super(conn, user_id, roles.contains(&Role::Admin))?;
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        queries::replace_roles(conn, user_id, &names)?;
        let detail = serde_json::json!({ "roles": names }).to_string();
        audit::record(conn, Some(admin), "user.roles", "user", Some(&user_id.to_string()), &detail, Some(ip))
    })
}

pub use crate::auth::bans::set_banned;

pub fn words(conn: &mut DbConn) -> AppResult<Vec<(i64, String, String)>> {
    Ok(queries::words(conn)?)
}

pub fn add_word(conn: &mut DbConn, admin: i64, word: &str, block: bool, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        crate::moderation::add_word(conn, word, block)?;
        let detail = serde_json::json!({ "word": word.trim(), "block": block }).to_string();
        audit::record(conn, Some(admin), "word.add", "sensitive_word", None, &detail, Some(ip))
    })
}

pub fn delete_word(conn: &mut DbConn, admin: i64, id: i64, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let word = queries::word(conn, id)?.ok_or(AppError::NotFound)?;
        queries::delete_word(conn, id)?;
        crate::db::refdata::changed(conn, crate::db::refdata::Kind::SensitiveWords)?;
        let detail = serde_json::json!({ "word": word }).to_string();
        audit::record(conn, Some(admin), "word.delete", "sensitive_word", Some(&id.to_string()), &detail, Some(ip))
    })
}

pub fn audit_log(conn: &mut DbConn, action: &str, actor: &str, page: i64) -> AppResult<Vec<AuditLine>> {
    let rows = queries::audit(conn, action, actor, 50, (page - 1) * 50)?;
    audit::describe(conn, rows, audit::View::Admin)
}
