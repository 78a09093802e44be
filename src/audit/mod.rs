//! The audit log: who did what to what, when, from which address. Written inside the same
//! transaction as the action it records, so an action and its record stand or fall together.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{audit_log, users};
use crate::db::{self, DbConn};
use crate::error::AppResult;

pub fn record(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    action: &str,
    target_type: &str,
    target_id: Option<&str>,
    detail_json: &str,
    ip: Option<&str>,
) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(actor_id),
            audit_log::action.eq(action),
            audit_log::target_type.eq(target_type),
            audit_log::target_id.eq(target_id),
            audit_log::detail.eq(detail_json),
            audit_log::ip.eq(ip),
            audit_log::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// One line of the log as the admin pages show it.
#[derive(Debug, Queryable)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn recent(conn: &mut DbConn, limit: i64) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .left_join(users::table)
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select((
            audit_log::id,
            users::nickname.nullable(),
            audit_log::action,
            audit_log::target_type,
            audit_log::target_id,
            audit_log::ip,
            audit_log::created_at,
        ))
        .load(conn)?)
}
