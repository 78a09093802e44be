//! Admin roles (`admin_role_grants`): which of the back office's permissions an admin holds.
//! Only a 超级管理员 assigns them, and the last active 超级管理员 cannot be removed, so the back
//! office always has someone who can hand out roles. A change bumps `users.updated_at`, which is
//! what signed-in pages key their copy of a user by, so it holds from the next request on.

use diesel::prelude::*;

use super::models::{Role, STATUS_ACTIVE};
use crate::audit;
use crate::db::schema::{admin_role_grants, user_roles, users};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::{AdminRole, Permission};

/// A user's admin roles, in the order of [`AdminRole::ALL`].
pub fn admin_roles_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<AdminRole>> {
    let codes: Vec<String> = admin_role_grants::table
        .filter(admin_role_grants::user_id.eq(user_id))
        .select(admin_role_grants::role)
        .load(conn)?;
    let mut roles: Vec<AdminRole> = codes.iter().filter_map(|c| AdminRole::parse(c)).collect();
    roles.sort();
    Ok(roles)
}

/// A user's account roles (student, teacher, merchant, organizer, admin).
pub fn account_roles(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Role>> {
    Ok(super::queries::roles_of(conn, user_id)?)
}

/// Active admins holding 超级管理员 other than `except`.
fn other_supers(conn: &mut DbConn, except: i64) -> QueryResult<i64> {
    let supers: Vec<i64> = admin_role_grants::table
        .filter(admin_role_grants::role.eq(AdminRole::Super.code()))
        .filter(admin_role_grants::user_id.ne(except))
        .select(admin_role_grants::user_id)
        .load(conn)?;
    let admins: Vec<i64> = user_roles::table
        .filter(user_roles::user_id.eq_any(&supers))
        .filter(user_roles::role.eq(Role::Admin.as_str()))
        .select(user_roles::user_id)
        .load(conn)?;
    users::table.filter(users::id.eq_any(&admins)).filter(users::status.eq(STATUS_ACTIVE)).count().get_result(conn)
}

/// Refuses a change that would leave no active 超级管理员 besides `user_id`, when `user_id` is
/// one now and would stop being one. Part of the caller's transaction.
pub fn keep_a_super(conn: &mut DbConn, user_id: i64, stays_super: bool) -> AppResult<()> {
    if stays_super || !admin_roles_of(conn, user_id)?.contains(&AdminRole::Super) {
        return Ok(());
    }
    // Two 超级管理员 demoting each other at once: on PostgreSQL the second waits here for the
    // first to commit, then counts what is left (SQLite's write transactions are serial already).
    if let DbConn::Pg(c) = conn {
        admin_role_grants::table
            .filter(admin_role_grants::role.eq(AdminRole::Super.code()))
            .select(admin_role_grants::user_id)
            .for_update()
            .load::<i64>(c)?;
    }
    if other_supers(conn, user_id)? == 0 {
        return Err(AppError::invalid("这是最后一位超级管理员，不能取消其超级管理员角色或管理员身份"));
    }
    Ok(())
}

/// Replaces the admin roles of `user_id` (who must hold the admin account role unless `roles` is
/// empty), recorded in the audit log under `by`'s name.
pub fn set_admin_roles(conn: &mut DbConn, by: i64, user_id: i64, roles: &[AdminRole], ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        super::queries::user_by_id(conn, user_id)?.ok_or(AppError::NotFound)?;
        if !roles.is_empty() && !super::queries::roles_of(conn, user_id)?.contains(&Role::Admin) {
            return Err(AppError::invalid("请先在账号角色中勾选“管理员”，再分配管理角色"));
        }
        keep_a_super(conn, user_id, roles.contains(&AdminRole::Super))?;
        let now = db::now();
        diesel::delete(admin_role_grants::table.filter(admin_role_grants::user_id.eq(user_id))).execute(conn)?;
        for role in roles {
            diesel::insert_into(admin_role_grants::table)
                .values((
                    admin_role_grants::user_id.eq(user_id),
                    admin_role_grants::role.eq(role.code()),
                    admin_role_grants::granted_by.eq(by),
                    admin_role_grants::granted_at.eq(now),
                ))
                .execute(conn)?;
        }
        diesel::update(users::table.find(user_id)).set(users::updated_at.eq(now)).execute(conn)?;
        let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        let note = if names.is_empty() {
            "取消全部管理角色".to_string()
        } else {
            format!("管理角色：{}", names.join("、"))
        };
        let detail = serde_json::json!({ "admin_roles": codes, "note": note }).to_string();
        audit::record(conn, Some(by), "user.admin_roles", "user", Some(&user_id.to_string()), &detail, Some(ip))
    })
}

/// Every active admin whose admin roles grant `p` (who to alert about a refund, a feedback...).
pub fn admins_who_may(conn: &mut DbConn, p: Permission) -> AppResult<Vec<i64>> {
    let codes: Vec<&str> = AdminRole::ALL.iter().filter(|r| r.grants(p)).map(|r| r.code()).collect();
    let holders: Vec<i64> = admin_role_grants::table
        .filter(admin_role_grants::role.eq_any(&codes))
        .select(admin_role_grants::user_id)
        .distinct()
        .load(conn)?;
    let admins = super::queries::users_with_role(conn, Role::Admin)?;
    Ok(admins.into_iter().filter(|id| holders.contains(id)).collect())
}

/// Makes `user_id` a 超级管理员 (the `admin` seed account, `campus create-admin`). Part of the
/// caller's transaction or its own statement.
pub fn grant_super(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    grant(conn, user_id, AdminRole::Super)
}

/// Adds one admin role (nothing when held already).
pub fn grant(conn: &mut DbConn, user_id: i64, role: AdminRole) -> AppResult<()> {
    let now = db::now();
    let added = crate::on_backend!(conn, |c| diesel::insert_into(admin_role_grants::table)
        .values((
            admin_role_grants::user_id.eq(user_id),
            admin_role_grants::role.eq(role.code()),
            admin_role_grants::granted_at.eq(now),
        ))
        .on_conflict((admin_role_grants::user_id, admin_role_grants::role))
        .do_nothing()
        .execute(c))?;
    if added > 0 {
        diesel::update(users::table.find(user_id)).set(users::updated_at.eq(now)).execute(conn)?;
    }
    Ok(())
}
