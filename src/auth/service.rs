//! The rules of signing in. Each public function is one unit of work (one transaction).

use std::time::Duration;

use super::models::{AUTH_PASSWORD, AUTH_WECHAT, Email, NewPassword, NewUser, Nickname, Role, STATUS_ACTIVE, Username};
use super::{password, queries};
use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};
use crate::web::page::CurrentUser;
use crate::web::{random_token, token_hash};

const TICKET: &str = "ticket";
const API: &str = "api";

/// The signed-in user for a session, or `None` when the account is gone or banned.
pub fn session_user(conn: &mut DbConn, id: i64) -> AppResult<Option<CurrentUser>> {
    let Some(user) = queries::user_by_id(conn, id)? else {
        return Ok(None);
    };
    if user.status != STATUS_ACTIVE {
        return Ok(None);
    }
    Ok(Some(CurrentUser {
        id: user.id,
        nickname: user.nickname,
        avatar: user.avatar,
        roles: queries::roles_of(conn, id)?,
        admin_roles: super::staff::admin_roles_of(conn, id)?,
        two_factor: super::two_factor::is_on(conn, id)?,
        second_factor_due: false,
        unread_messages: notify::service::unread_count(conn, id)?,
    }))
}

pub struct Registration {
    pub username: Username,
    pub password_hash: String,
    pub nickname: Nickname,
    pub email: Option<Email>,
}

/// Creates a student account with a password login; welcomes the new user.
pub fn register(conn: &mut DbConn, reg: &Registration, ip: &str) -> AppResult<i64> {
    write_tx(conn, |conn| {
        if queries::auth_by_key(conn, AUTH_PASSWORD, reg.username.as_str())?.is_some() {
            return Err(AppError::conflict("该用户名已被注册，换一个试试"));
        }
        let now = db::now();
        let user_id = queries::insert_user(
            conn,
            &NewUser { email: reg.email.as_ref().map(Email::as_str), ..NewUser::named(reg.nickname.as_str(), now) },
        )?;
        queries::add_role(conn, user_id, Role::Student)?;
        queries::insert_auth(conn, user_id, AUTH_PASSWORD, reg.username.as_str(), Some(&reg.password_hash), None, now)?;
        audit::record(conn, Some(user_id), "user.register", "user", Some(&user_id.to_string()), "{}", Some(ip))?;
        notify::send(
            conn,
            user_id,
            MessageKind::Welcome,
            "欢迎加入校园助手",
            &format!("{}，你的账号已创建。在“我的”里可以完善资料、绑定手机号。", reg.nickname.as_str()),
            Some("/me"),
        )?;
        Ok(user_id)
    })
}

/// The stored credentials for a username: `(auth id, user id, hash)`.
pub fn password_login_record(conn: &mut DbConn, username: &Username) -> AppResult<Option<(i64, i64, String)>> {
    Ok(queries::auth_by_key(conn, AUTH_PASSWORD, username.as_str())?
        .and_then(|a| a.secret_hash.map(|h| (a.id, a.user_id, h))))
}

/// Records a successful sign-in; refuses a banned account.
pub fn complete_login(conn: &mut DbConn, user_id: i64, auth_id: Option<i64>, method: &str, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let user = queries::user_by_id(conn, user_id)?.ok_or(AppError::NotFound)?;
        if user.status != STATUS_ACTIVE {
            return Err(AppError::Forbidden);
        }
        queries::touch_login(conn, user_id, auth_id, db::now())?;
        let detail = serde_json::json!({ "method": method }).to_string();
        audit::record(conn, Some(user_id), "user.login", "user", Some(&user_id.to_string()), &detail, Some(ip))?;
        Ok(())
    })
}

/// Finds the user of a WeChat openid, creating a student account on first sight.
pub fn wechat_user(conn: &mut DbConn, openid: &str, unionid: Option<&str>) -> AppResult<i64> {
    write_tx(conn, |conn| {
        if let Some(auth) = queries::auth_by_key(conn, AUTH_WECHAT, openid)? {
            return Ok(auth.user_id);
        }
        let now = db::now();
        let tail: String = openid.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        let nickname = format!("微信用户{tail}");
        let user_id = queries::insert_user(conn, &NewUser::named(&nickname, now))?;
        queries::add_role(conn, user_id, Role::Student)?;
        queries::insert_auth(conn, user_id, AUTH_WECHAT, openid, None, unionid, now)?;
        Ok(user_id)
    })
}

/// Issues a one-time login ticket for the web-view and, when `api`, an API token for the shell.
/// (An account with two-factor sign-in gets the token only with its code: see `wx_login`.)
pub fn issue_wechat_tokens(
    conn: &mut DbConn,
    user_id: i64,
    ticket_ttl: Duration,
    api_ttl: Duration,
    api: bool,
) -> AppResult<(String, Option<String>)> {
    write_tx(conn, |conn| {
        let now = db::now();
        let ticket = random_token(32);
        let ttl = |d: Duration| chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::minutes(2));
        queries::insert_token(conn, &token_hash(&ticket), TICKET, user_id, now + ttl(ticket_ttl), now)?;
        let token = if api {
            let token = random_token(32);
            queries::insert_token(conn, &token_hash(&token), API, user_id, now + ttl(api_ttl), now)?;
            Some(token)
        } else {
            None
        };
        queries::delete_expired_tokens(conn, now - chrono::TimeDelta::days(1))?;
        Ok((ticket, token))
    })
}

/// Redeems a one-time ticket: the first caller within its lifetime gets the user, nobody else.
pub fn redeem_ticket(conn: &mut DbConn, ticket: &str) -> AppResult<i64> {
    let invalid = || AppError::invalid("登录链接无效或已过期，请返回小程序重新进入");
    if ticket.is_empty() || ticket.len() > 128 {
        return Err(invalid());
    }
    let hash = token_hash(ticket);
    write_tx(conn, |conn| {
        if queries::consume_ticket(conn, &hash, TICKET, db::now())? != 1 {
            return Err(invalid());
        }
        let (user_id, _) = queries::token_user(conn, &hash, TICKET)?.ok_or_else(invalid)?;
        Ok(user_id)
    })
}

/// The user of a demo account (`student`, `teacher`, `merchant`, `admin`), for dev login.
pub fn demo_user(conn: &mut DbConn, role: Role) -> AppResult<i64> {
    queries::auth_by_key(conn, AUTH_PASSWORD, role.as_str())?
        .map(|a| a.user_id)
        .ok_or_else(|| AppError::invalid("演示账号不存在，请先运行 campus seed-demo"))
}

pub struct AccountSpec<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub user: NewUser<'a>,
    pub roles: &'a [Role],
}

/// Creates an account with a password login and the given roles (admin tools and demo data).
pub fn create_account(conn: &mut DbConn, spec: &AccountSpec) -> AppResult<i64> {
    let username = Username::parse(spec.username).map_err(AppError::Invalid)?;
    write_tx(conn, |conn| {
        if let Some(existing) = queries::auth_by_key(conn, AUTH_PASSWORD, username.as_str())? {
            queries::set_secret_hash(conn, existing.id, spec.password_hash)?;
            for role in spec.roles {
                queries::add_role(conn, existing.user_id, *role)?;
            }
            return Ok(existing.user_id);
        }
        let user_id = queries::insert_user(conn, &spec.user)?;
        for role in spec.roles {
            queries::add_role(conn, user_id, *role)?;
        }
        queries::insert_auth(
            conn,
            user_id,
            AUTH_PASSWORD,
            username.as_str(),
            Some(spec.password_hash),
            None,
            db::now(),
        )?;
        Ok(user_id)
    })
}

pub fn hash_new_password(raw: &str) -> AppResult<String> {
    let parsed = NewPassword::parse(raw).map_err(AppError::Invalid)?;
    password::hash(parsed.as_str())
}

/// The user of a live shell API token.
pub fn api_user(conn: &mut DbConn, token: &str) -> AppResult<Option<i64>> {
    let Some((user_id, expires_at)) = queries::token_user(conn, &token_hash(token), API)? else {
        return Ok(None);
    };
    if expires_at <= db::now() {
        return Ok(None);
    }
    Ok(session_user(conn, user_id)?.map(|u| u.id))
}

/// The WeChat openid a user signed in with, if any.
pub fn wechat_openid(conn: &mut DbConn, user_id: i64) -> AppResult<Option<String>> {
    Ok(queries::auth_key_of(conn, user_id, AUTH_WECHAT)?)
}

/// Every active admin, for alerts.
pub fn admin_ids(conn: &mut DbConn) -> AppResult<Vec<i64>> {
    Ok(queries::users_with_role(conn, Role::Admin)?)
}

/// Whether a user is a student whose identity the school confirmed (may sell second-hand).
pub fn is_verified_student(conn: &mut DbConn, user_id: i64) -> AppResult<bool> {
    let Some(user) = queries::user_by_id(conn, user_id)? else {
        return Ok(false);
    };
    Ok(user.verified && queries::roles_of(conn, user_id)?.contains(&Role::Student))
}

/// Whether a user passed 学籍认证 as a student or a teacher: the campus's own spaces (posting
/// and commenting in the forum, activity registration, second-hand selling) are theirs.
pub fn is_verified_member(conn: &mut DbConn, user_id: i64) -> AppResult<bool> {
    let Some(user) = queries::user_by_id(conn, user_id)? else {
        return Ok(false);
    };
    let roles = queries::roles_of(conn, user_id)?;
    Ok(user.verified && (roles.contains(&Role::Student) || roles.contains(&Role::Teacher)))
}

/// Refuses, saying why and pointing at `/me/verify`, a user who has not passed 学籍认证 to
/// `doing` something in a verified space.
pub fn ensure_verified(conn: &mut DbConn, user_id: i64, doing: &str) -> AppResult<()> {
    if is_verified_member(conn, user_id)? {
        Ok(())
    } else {
        Err(AppError::Unverified(format!("{doing}需要先通过学籍认证（本校学生或教师）：这里是只属于本校师生的空间")))
    }
}

/// The roles a user holds.
pub fn roles(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Role>> {
    Ok(queries::roles_of(conn, user_id)?)
}

pub fn grant_role(conn: &mut DbConn, user_id: i64, role: Role) -> AppResult<()> {
    Ok(queries::add_role(conn, user_id, role)?)
}

pub fn user_exists(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    queries::user_by_id(conn, user_id)?.map(|_| ()).ok_or(AppError::NotFound)
}

/// A user's profile row.
pub fn user(conn: &mut DbConn, user_id: i64) -> AppResult<super::models::User> {
    queries::user_by_id(conn, user_id)?.ok_or(AppError::NotFound)
}

/// Closes an account for good (the user asked): see [`queries::anonymise`]. Part of the
/// caller's transaction, which also clears what other modules hold.
pub fn anonymise_account(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    if queries::anonymise(conn, user_id, db::now())? != 1 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Active users whose nickname is one of `names`: `(id, nickname)`. For `@` mentions.
pub fn active_users_named(conn: &mut DbConn, names: &[String]) -> AppResult<Vec<(i64, String)>> {
    Ok(queries::active_users_named(conn, names)?)
}

/// A user's nickname and username (what an admin sees when revealing an anonymous author).
pub fn names_of(conn: &mut DbConn, user_id: i64) -> AppResult<(String, String)> {
    let user = queries::user_by_id(conn, user_id)?.ok_or(AppError::NotFound)?;
    let username = queries::auth_key_of(conn, user_id, AUTH_PASSWORD)?.unwrap_or_default();
    Ok((user.nickname, username))
}

/// The user signing in with password account `username`, if any (seed and benchmark tools).
pub fn user_of_login(conn: &mut DbConn, username: &str) -> AppResult<Option<i64>> {
    Ok(queries::auth_by_key(conn, AUTH_PASSWORD, username)?.map(|a| a.user_id))
}

/// The school record a user is being linked to (`users.student_no` and the fields shown on
/// the profile), after the caller has confirmed the student's identity.
pub struct StudentLink<'a> {
    pub student_no: &'a str,
    pub real_name: Option<&'a str>,
    pub college: Option<&'a str>,
    pub major: Option<&'a str>,
    pub class_name: Option<&'a str>,
}

/// Links user `user_id` to a student number and marks the account verified. Refused when
/// another account already holds that number. Part of the caller's transaction.
pub fn link_student(conn: &mut DbConn, user_id: i64, link: &StudentLink) -> AppResult<()> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let holders: i64 = users::table
        .filter(users::student_no.eq(link.student_no))
        .filter(users::id.ne(user_id))
        .count()
        .get_result(conn)?;
    let taken = || AppError::Conflict("这个学号已关联到另一个账号；如非本人操作，请联系学院教务办公室".into());
    if holders > 0 {
        return Err(taken());
    }
    let current: Option<Option<String>> =
        users::table.find(user_id).select(users::student_no).first(conn).optional()?;
    if let Some(Some(no)) = current
        && no != link.student_no
    {
        return Err(AppError::Conflict(format!("你的账号已认证学号 {no}，如需更换请联系管理员")));
    }
    // Two accounts claiming one number at once both pass the check above: the unique index on
    // `users.student_no` keeps one, and the other hears what the check would have told it.
    let n = diesel::update(users::table.find(user_id))
        .set((
            users::student_no.eq(link.student_no),
            users::real_name.eq(link.real_name),
            users::college.eq(link.college),
            users::major.eq(link.major),
            users::class_name.eq(link.class_name),
            users::verified.eq(true),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)
        .map_err(AppError::from)
        .map_err(|e| if e.is_duplicate() { taken() } else { e })?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

/// The account a school number is linked to, if any.
pub fn holder_of_school_no(conn: &mut DbConn, school_no: &str) -> AppResult<Option<i64>> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    Ok(users::table.filter(users::student_no.eq(school_no)).select(users::id).first(conn).optional()?)
}

/// Tells the holder of `school_no` that another account just tried to claim it (after the claim
/// was refused, in a transaction of its own so the refusal's rollback cannot swallow it).
pub fn warn_holder_of_claim(conn: &mut DbConn, school_no: &str, claimant_id: i64) -> AppResult<()> {
    let Some(holder) = holder_of_school_no(conn, school_no)? else {
        return Ok(());
    };
    if holder == claimant_id {
        return Ok(());
    }
    write_tx(conn, |conn| {
        notify::send(
            conn,
            holder,
            MessageKind::Security,
            "有人尝试认证你的学号",
            &format!(
                "另一个账号刚刚尝试用学号 {school_no} 进行学籍认证，已被拒绝。如果那是你自己的另一个账号，可以忽略；否则请留意账号安全，必要时联系管理员。"
            ),
            Some("/me/verify"),
        )
    })
}

/// Removes a user's link to their school number and the verified mark (an admin's decision);
/// returns the number that was linked. Part of the caller's transaction.
pub fn unlink_student(conn: &mut DbConn, user_id: i64) -> AppResult<Option<String>> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let before: Option<String> =
        users::table.find(user_id).select(users::student_no).first(conn).optional()?.ok_or(AppError::NotFound)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::student_no.eq(None::<String>),
            users::real_name.eq(None::<String>),
            users::college.eq(None::<String>),
            users::major.eq(None::<String>),
            users::class_name.eq(None::<String>),
            users::verified.eq(false),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(before)
}
