//! Rows and parsed inputs of the auth module. Parsing is where input errors get their words.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{user_auth, users};
use crate::db::sealed::Sealed;

/// Roles are part of who is asking, so the web plumbing owns the type.
pub use crate::web::Role;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub nickname: String,
    pub avatar: Option<String>,
    /// Sealed (`db::sealed`); found by its blind index `phone_index`.
    pub phone: Option<Sealed>,
    pub email: Option<String>,
    pub student_no: Option<String>,
    pub real_name: Option<String>,
    pub college: Option<String>,
    pub major: Option<String>,
    pub class_name: Option<String>,
    pub verified: bool,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub nickname: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a Sealed>,
    /// The phone's blind index ([`crate::db::sealed::Keyring::blind`]), beside it.
    pub phone_index: Option<&'a str>,
    pub student_no: Option<&'a str>,
    pub real_name: Option<&'a str>,
    pub college: Option<&'a str>,
    pub major: Option<&'a str>,
    pub class_name: Option<&'a str>,
    pub verified: bool,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl<'a> NewUser<'a> {
    /// An active, unverified account known only by its nickname, made at `at` (a staff account,
    /// a first WeChat sign-in); the rest is filled in later, if ever.
    pub fn named(nickname: &'a str, at: NaiveDateTime) -> NewUser<'a> {
        NewUser {
            nickname,
            email: None,
            phone: None,
            phone_index: None,
            student_no: None,
            real_name: None,
            college: None,
            major: None,
            class_name: None,
            verified: false,
            status: STATUS_ACTIVE,
            created_at: at,
            updated_at: at,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = user_auth)]
pub struct UserAuth {
    pub id: i64,
    pub user_id: i64,
    pub auth_type: String,
    pub auth_key: String,
    pub secret_hash: Option<String>,
}

pub const AUTH_PASSWORD: &str = "password";
pub const AUTH_WECHAT: &str = "wechat";
pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_BANNED: &str = "banned";

/// A login name: 3–32 letters, digits or underscores, stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, String> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("请输入用户名".into());
        }
        let n = s.chars().count();
        if !(3..=32).contains(&n) {
            return Err("用户名需为 3–32 个字符".into());
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("用户名只能包含字母、数字和下划线".into());
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8–72 characters with at least one letter and one digit, and not one of the
/// 10,000 most common passwords (`password::is_common`).
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<NewPassword, String> {
        let n = raw.chars().count();
        if n == 0 {
            return Err("请输入密码".into());
        }
        if !(8..=72).contains(&n) {
            return Err("密码需为 8–72 个字符".into());
        }
        if !raw.chars().any(|c| c.is_ascii_alphabetic()) || !raw.chars().any(|c| c.is_ascii_digit()) {
            return Err("密码需同时包含字母和数字".into());
        }
        if super::password::is_common(raw) {
            return Err("这个密码太常见，很容易被猜中，请换一个".into());
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–20 characters, no control characters, trimmed.
#[derive(Clone, Debug)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(raw: &str) -> Result<Nickname, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("请输入昵称".into());
        }
        if s.chars().count() > 20 {
            return Err("昵称不能超过 20 个字".into());
        }
        if s.chars().any(char::is_control) {
            return Err("昵称不能包含控制字符".into());
        }
        Ok(Nickname(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape only (the mail server has the last word).
#[derive(Clone, Debug)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let s = raw.trim();
        let bad = || "邮箱格式不正确".to_string();
        if s.len() > 100 {
            return Err("邮箱不能超过 100 个字符".into());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.chars().all(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"".contains(c));
        if ok { Ok(Email(s.to_lowercase())) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland mobile number: 11 digits starting with 1[3-9].
#[derive(Clone, Debug)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let s: String = raw.trim().chars().filter(|c| *c != ' ' && *c != '-').collect();
        let ok = s.len() == 11
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.starts_with('1')
            && matches!(s.as_bytes()[1], b'3'..=b'9');
        if ok { Ok(Phone(s)) } else { Err("手机号格式不正确，应为 11 位数字".into()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
