//! The account's part of the personal-data registry (`crate::privacy`): the profile, the logins,
//! the sessions and the second factor. Forgotten last: the `users` row becomes the nameless husk
//! 已注销用户 (kept so that the orders the books keep still point somewhere), every login, token,
//! session record, role and two-factor secret is deleted, so every device is signed out at once.

use diesel::prelude::*;

use crate::db;
use crate::db::reseal::col;
use crate::db::schema::{admin_role_grants, two_factor, two_factor_recovery, user_auth, user_sessions};
use crate::error::AppError;
use crate::privacy::{Export, Forget, Part};

/// Signed in at, address, user agent, last seen.
type SessionRow = (chrono::NaiveDateTime, Option<String>, Option<String>, Option<chrono::NaiveDateTime>);

pub fn part() -> Part {
    Part::new("auth")
        .account()
        .table("users", Export::To("profile"), Forget::Anonymise("账号编号保留为「已注销用户」，不含任何个人信息，以便留存的订单仍能对账"))
        .table("user_auth", Export::To("logins"), Forget::Delete)
        .table("user_roles", Export::To("profile"), Forget::Delete)
        .table("auth_tokens", Export::Not("一次性登录凭据，只存散列"), Forget::Delete)
        .table("one_time_codes", Export::Not("验证码，只存散列"), Forget::Delete)
        .table("user_sessions", Export::To("sessions"), Forget::Delete)
        .table("admin_role_grants", Export::To("profile"), Forget::Delete)
        .table("two_factor", Export::Not("两步验证密钥"), Forget::Delete)
        .table("two_factor_recovery", Export::Not("恢复码，只存散列"), Forget::Delete)
        .uploads("avatars", &[("users", "avatar")])
        .export(|conn, who, out| {
            let u = super::service::user(conn, who.user_id)?;
            let roles = super::service::roles(conn, who.user_id)?;
            let admin_roles: Vec<String> = admin_role_grants::table
                .filter(admin_role_grants::user_id.eq(who.user_id))
                .select(admin_role_grants::role)
                .load(conn)?;
            if let Some(avatar) = &u.avatar {
                out.photo(avatar);
            }
            out.put(
                "profile",
                serde_json::json!({
                    "id": u.id, "nickname": u.nickname, "avatar": u.avatar,
                    "phone": who.keys.show_opt(col::USER_PHONE, u.phone.as_ref()), "email": u.email,
                    "student_no": u.student_no, "real_name": u.real_name, "college": u.college, "major": u.major,
                    "class_name": u.class_name, "verified": u.verified, "created_at": u.created_at,
                    "last_login_at": u.last_login_at,
                    "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "admin_roles": admin_roles,
                }),
            );
            let logins: Vec<(String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = user_auth::table
                .filter(user_auth::user_id.eq(who.user_id))
                .order(user_auth::id)
                .select((user_auth::auth_type, user_auth::auth_key, user_auth::created_at, user_auth::last_used_at))
                .load(conn)?;
            out.put(
                "logins",
                logins
                    .into_iter()
                    .map(|(kind, key, created, used)| {
                        // The username of a password login is the person's; a WeChat openid is
                        // an id of the platform's, shown only by kind.
                        let key = if kind == super::models::AUTH_PASSWORD { Some(key) } else { None };
                        serde_json::json!({ "kind": kind, "username": key, "created_at": created, "last_used_at": used })
                    })
                    .collect(),
            );
            let sessions: Vec<SessionRow> =
                user_sessions::table
                    .filter(user_sessions::user_id.eq(who.user_id))
                    .order(user_sessions::created_at)
                    .select((
                        user_sessions::created_at,
                        user_sessions::ip,
                        user_sessions::user_agent,
                        user_sessions::last_seen_at,
                    ))
                    .load(conn)?;
            out.put(
                "sessions",
                sessions
                    .into_iter()
                    .map(|(at, ip, ua, seen)| serde_json::json!({ "signed_in_at": at, "ip": ip, "user_agent": ua, "last_seen_at": seen }))
                    .collect(),
            );
            Ok(())
        })
        .forget(|conn, who, _, out| {
            let u = super::service::user(conn, who.user_id)?;
            if let Some(avatar) = &u.avatar {
                out.photo(avatar);
            }
            let uid = who.user_id;
            // The site must keep someone who can appoint admins.
            match super::staff::keep_a_super(conn, uid, false) {
                Err(AppError::Invalid(_)) => {
                    return Err(AppError::invalid("你是最后一位超级管理员，请先指定另一位超级管理员再注销账号"));
                }
                other => other?,
            }
            out.count("sessions_ended", diesel::delete(user_sessions::table.filter(user_sessions::user_id.eq(uid))).execute(conn)?);
            diesel::delete(admin_role_grants::table.filter(admin_role_grants::user_id.eq(uid))).execute(conn)?;
            diesel::delete(two_factor_recovery::table.filter(two_factor_recovery::user_id.eq(uid))).execute(conn)?;
            diesel::delete(two_factor::table.filter(two_factor::user_id.eq(uid))).execute(conn)?;
            if super::queries::anonymise(conn, uid, db::now())? != 1 {
                return Err(AppError::NotFound);
            }
            Ok(())
        })
}
