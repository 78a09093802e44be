//! The admin's board list (`/admin/forum`): boards are created, renamed, reordered, opened
//! to admins only or closed here; every change is audit-logged. A closed board's posts leave
//! every list and search.

use diesel::prelude::*;

use crate::audit;
use crate::db::schema::forum_boards;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// A board as the admin's form gives it, checked.
pub struct BoardSpec {
    pub name: String,
    pub description: String,
    pub icon: String,
    pub sort_order: i32,
    pub admin_only: bool,
    pub active: bool,
    pub open_to_all: bool,
    pub review_all: bool,
}

/// The yes/no switches of a board.
#[derive(Clone, Copy, Default)]
pub struct BoardFlags {
    pub admin_only: bool,
    pub active: bool,
    pub open_to_all: bool,
    pub review_all: bool,
}

impl BoardSpec {
    pub fn parse(
        name: &str,
        description: &str,
        icon: &str,
        sort_order: &str,
        flags: BoardFlags,
    ) -> AppResult<BoardSpec> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 10 {
            return Err(AppError::invalid("版块名称需为 1–10 个字"));
        }
        let description = description.trim();
        if description.chars().count() > 60 {
            return Err(AppError::invalid("版块简介不能超过 60 个字"));
        }
        let icon = icon.trim();
        if icon.chars().count() > 2 {
            return Err(AppError::invalid("图标请填一个表情符号，如 📚"));
        }
        let sort_order = match sort_order.trim() {
            "" => 0,
            s => s
                .parse::<i32>()
                .ok()
                .filter(|n| (0..=999).contains(n))
                .ok_or_else(|| AppError::invalid("排序需为 0–999 的数字"))?,
        };
        Ok(BoardSpec {
            name: name.into(),
            description: description.into(),
            icon: icon.into(),
            sort_order,
            admin_only: flags.admin_only,
            active: flags.active,
            open_to_all: flags.open_to_all,
            review_all: flags.review_all,
        })
    }
}

/// Creates a board (names are unique: a second one of the same name is a 409). Returns its id.
pub fn create(conn: &mut DbConn, spec: &BoardSpec) -> AppResult<i64> {
    diesel::insert_into(forum_boards::table)
        .values((
            forum_boards::name.eq(&spec.name),
            forum_boards::description.eq(&spec.description),
            forum_boards::icon.eq(&spec.icon),
            forum_boards::sort_order.eq(spec.sort_order),
            forum_boards::admin_only.eq(spec.admin_only),
            forum_boards::active.eq(spec.active),
            forum_boards::open_to_all.eq(spec.open_to_all),
            forum_boards::review_all.eq(spec.review_all),
            forum_boards::created_at.eq(db::now()),
        ))
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            AppError::Duplicate(_) => AppError::conflict(format!("已经有叫「{}」的版块了", spec.name)),
            other => other,
        })?;
    crate::db::refdata::changed(conn, crate::db::refdata::Kind::Boards)?;
    Ok(forum_boards::table.filter(forum_boards::name.eq(&spec.name)).select(forum_boards::id).first(conn)?)
}

/// An admin adds a board; audit-logged.
pub fn add(conn: &mut DbConn, admin: i64, spec: &BoardSpec, ip: &str) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let id = create(conn, spec)?;
        let detail = serde_json::json!({ "name": spec.name }).to_string();
        audit::record(conn, Some(admin), "forum.board_add", "forum_board", Some(&id.to_string()), &detail, Some(ip))?;
        Ok(id)
    })
}

/// An admin changes a board; audit-logged.
pub fn update(conn: &mut DbConn, admin: i64, id: i64, spec: &BoardSpec, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        crate::db::refdata::changed(conn, crate::db::refdata::Kind::Boards)?;
        let changed = diesel::update(forum_boards::table.find(id))
            .set((
                forum_boards::name.eq(&spec.name),
                forum_boards::description.eq(&spec.description),
                forum_boards::icon.eq(&spec.icon),
                forum_boards::sort_order.eq(spec.sort_order),
                forum_boards::admin_only.eq(spec.admin_only),
                forum_boards::active.eq(spec.active),
                forum_boards::open_to_all.eq(spec.open_to_all),
                forum_boards::review_all.eq(spec.review_all),
            ))
            .execute(conn)
            .map_err(|e| match AppError::from(e) {
                AppError::Duplicate(_) => AppError::conflict(format!("已经有叫「{}」的版块了", spec.name)),
                other => other,
            })?;
        if changed != 1 {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({
            "name": spec.name,
            "active": spec.active,
            "admin_only": spec.admin_only,
            "open_to_all": spec.open_to_all,
            "review_all": spec.review_all,
        });
        audit::record(
            conn,
            Some(admin),
            "forum.board_edit",
            "forum_board",
            Some(&id.to_string()),
            &detail.to_string(),
            Some(ip),
        )
    })
}

/// Sets how many open reports hide a post until an admin decides (setting `report_hide_at`)
/// and how many first posts of a new account wait for approval (`review_first_posts`, 0: none).
pub fn save_rules(
    conn: &mut DbConn,
    settings: &crate::settings::Settings,
    admin: i64,
    hide_at: i64,
    first_posts: i64,
    ip: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        settings.save_one(conn, "report_hide_at", &hide_at.to_string())?;
        settings.save_one(conn, "review_first_posts", &first_posts.to_string())?;
        let detail = serde_json::json!({ "report_hide_at": hide_at, "review_first_posts": first_posts }).to_string();
        audit::record(conn, Some(admin), "forum.rules", "settings", None, &detail, Some(ip))
    })
}
