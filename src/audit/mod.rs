//! The audit log: who did what to what, when, from which address. Written inside the same
//! transaction as the action it records, so an action and its record stand or fall together.
//! A merchant's actions also carry their shop (`audit_log.shop_id`): the shop's own activity log
//! (`/merchant/log`) is that slice of the same table, and admins see them with everything else.
//! An admin's action also carries the permission it was taken under (`audit_log.permission`,
//! from [`crate::db::acting`]), so the log says who acted under which permission.
//! Pages show entries as [`AuditLine`]s: a Chinese action name and the thing's name with a link,
//! never the raw codes.

mod labels;
pub mod privacy;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::{self, DbConn};
use crate::error::AppResult;

pub use labels::action_label;

pub fn record(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    action: &str,
    target_type: &str,
    target_id: Option<&str>,
    detail_json: &str,
    ip: Option<&str>,
) -> AppResult<()> {
    insert(conn, None, actor_id, action, target_type, target_id, detail_json, ip)
}

/// What a merchant did for a shop: one line in the shop's own log and in the admins' audit log.
pub struct ShopAction<'a> {
    pub shop_id: i64,
    pub actor_id: i64,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub detail: serde_json::Value,
    pub ip: &'a str,
}

pub fn record_for_shop(conn: &mut DbConn, a: ShopAction<'_>) -> AppResult<()> {
    let detail = a.detail.to_string();
    insert(conn, Some(a.shop_id), Some(a.actor_id), a.action, a.target_type, Some(a.target_id), &detail, Some(a.ip))
}

#[expect(clippy::too_many_arguments, reason = "one row's columns, private to the two entry points above")]
fn insert(
    conn: &mut DbConn,
    shop_id: Option<i64>,
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
            audit_log::shop_id.eq(shop_id),
            audit_log::permission.eq(db::acting::current()),
        ))
        .execute(conn)?;
    Ok(())
}

/// One row of the log as stored, with the actor's nickname.
#[derive(Debug, Queryable)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
    /// The permission code an admin acted under.
    pub permission: Option<String>,
}

/// The columns of [`AuditEntry`], for every query that loads one.
pub type EntryColumns = (
    audit_log::id,
    diesel::dsl::Nullable<crate::db::schema::users::nickname>,
    audit_log::action,
    audit_log::target_type,
    audit_log::target_id,
    audit_log::detail,
    audit_log::ip,
    audit_log::created_at,
    audit_log::permission,
);

pub fn entry_columns() -> EntryColumns {
    use crate::db::schema::users;
    (
        audit_log::id,
        users::nickname.nullable(),
        audit_log::action,
        audit_log::target_type,
        audit_log::target_id,
        audit_log::detail,
        audit_log::ip,
        audit_log::created_at,
        audit_log::permission,
    )
}

/// One line of the log as a page shows it: names, not codes.
#[derive(Debug)]
pub struct AuditLine {
    pub entry: AuditEntry,
    /// "确认发货", "封禁用户", …
    pub action_name: String,
    /// "商品「保温杯」", "用户「小林同学」", …
    pub target_name: String,
    pub link: Option<String>,
    /// A short human note from the detail (reason, stock change, amount).
    pub note: String,
}

impl AuditLine {
    pub fn actor(&self) -> &str {
        self.entry.actor.as_deref().unwrap_or("系统")
    }

    /// The permission the action was taken under, by name ("" when none).
    pub fn permission_name(&self) -> &str {
        self.entry.permission.as_deref().map_or("", crate::web::perm::permission_label)
    }
}

pub fn recent(conn: &mut DbConn, limit: i64) -> AppResult<Vec<AuditLine>> {
    use crate::db::schema::users;
    let rows = audit_log::table
        .left_join(users::table)
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(entry_columns())
        .load(conn)?;
    describe(conn, rows, View::Admin)
}

/// One page of a shop's own activity log, newest first.
pub fn for_shop(conn: &mut DbConn, shop_id: i64, limit: i64, offset: i64) -> AppResult<Vec<AuditLine>> {
    use crate::db::schema::users;
    let rows = audit_log::table
        .left_join(users::table)
        .filter(audit_log::shop_id.eq(shop_id))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(entry_columns())
        .load(conn)?;
    describe(conn, rows, View::Shop)
}

/// The reason given with the latest `action` on a thing (a takedown's reason for its owner).
pub fn last_reason(conn: &mut DbConn, action: &str, target_type: &str, target_id: i64) -> AppResult<Option<String>> {
    let detail: Option<String> = audit_log::table
        .filter(audit_log::action.eq(action))
        .filter(audit_log::target_type.eq(target_type))
        .filter(audit_log::target_id.eq(target_id.to_string()))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .select(audit_log::detail)
        .first(conn)
        .optional()?;
    Ok(detail
        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
        .and_then(|v| v["reason"].as_str().map(str::to_string))
        .filter(|r| !r.is_empty()))
}

/// For each target, the reason of `takedown` when it is the latest of `actions` on it (a
/// product the platform took down and nobody put back since).
pub fn standing_reasons(
    conn: &mut DbConn,
    takedown: &str,
    actions: &[&str],
    target_type: &str,
    ids: &[i64],
) -> AppResult<HashMap<i64, String>> {
    let keys: Vec<String> = ids.iter().map(i64::to_string).collect();
    let rows: Vec<(Option<String>, String, String)> = audit_log::table
        .filter(audit_log::action.eq_any(actions))
        .filter(audit_log::target_type.eq(target_type))
        .filter(audit_log::target_id.eq_any(keys))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .select((audit_log::target_id, audit_log::action, audit_log::detail))
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    let mut out = HashMap::new();
    for (id, action, detail) in rows {
        let Some(id) = id.and_then(|i| i.parse::<i64>().ok()) else { continue };
        if !seen.insert(id) || action != takedown {
            continue;
        }
        let reason = serde_json::from_str::<serde_json::Value>(&detail)
            .ok()
            .and_then(|v| v["reason"].as_str().map(str::to_string));
        out.insert(id, reason.unwrap_or_default());
    }
    Ok(out)
}

/// Whose eyes a line is for: links go where that reader can follow them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum View {
    Admin,
    Shop,
}

/// Names for a page of entries, looked up in one query per kind of thing.
pub fn describe(conn: &mut DbConn, rows: Vec<AuditEntry>, view: View) -> AppResult<Vec<AuditLine>> {
    let mut ids: HashMap<&'static str, Vec<i64>> = HashMap::new();
    for r in &rows {
        if let (Some(kind), Some(Ok(id))) =
            (labels::name_table(&r.target_type), r.target_id.as_deref().map(str::parse::<i64>))
        {
            ids.entry(kind).or_default().push(id);
        }
    }
    let mut names: HashMap<(&'static str, i64), String> = HashMap::new();
    for (kind, list) in ids {
        for (id, name) in labels::names(conn, kind, &list)? {
            names.insert((kind, id), name);
        }
    }
    Ok(rows
        .into_iter()
        .map(|entry| {
            let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap_or_default();
            let id = entry.target_id.as_deref().unwrap_or("");
            let name = labels::name_table(&entry.target_type)
                .and_then(|kind| id.parse::<i64>().ok().and_then(|n| names.get(&(kind, n)).cloned()))
                .or_else(|| labels::name_from_detail(&entry.target_type, id, &detail));
            let (target_name, link) = labels::target(&entry.target_type, id, name, view);
            AuditLine {
                action_name: action_label(&entry.action).to_string(),
                note: labels::note(&detail),
                target_name,
                link,
                entry,
            }
        })
        .collect())
}

/// The audit page's filter: action-code prefixes an admin picks by name.
pub const GROUPS: [(&str, &str); 13] = [
    ("", "全部操作"),
    ("user.", "账号与用户"),
    ("identity.", "学籍认证"),
    ("merchant.", "开店申请"),
    ("shop.", "店铺"),
    ("product.", "商品"),
    ("order.", "订单发货"),
    ("refund.", "退款"),
    ("moderation.", "内容审核"),
    ("second_hand.", "二手市场"),
    ("forum.", "论坛"),
    ("activity.", "活动"),
    ("settings.", "设置"),
];

pub fn is_group(prefix: &str) -> bool {
    GROUPS.iter().any(|g| g.0 == prefix)
}
