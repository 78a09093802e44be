//! Demo data: the four demo accounts (password `campus2026`) and a few messages, loaded on a
//! fresh database so a newcomer can sign in right away.

use diesel::prelude::*;

use crate::auth::models::{NewUser, Role, STATUS_ACTIVE};
use crate::auth::{password, service as auth};
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::notify::{self, MessageKind};

pub const DEMO_PASSWORD: &str = "campus2026";

struct Demo {
    username: &'static str,
    nickname: &'static str,
    roles: &'static [Role],
    phone: Option<&'static str>,
    email: Option<&'static str>,
    student_no: Option<&'static str>,
    real_name: Option<&'static str>,
    college: Option<&'static str>,
    major: Option<&'static str>,
    class_name: Option<&'static str>,
}

const DEMOS: [Demo; 4] = [
    Demo {
        username: "student",
        nickname: "小林同学",
        roles: &[Role::Student],
        phone: Some("13800138000"),
        email: Some("student@campus.local"),
        student_no: Some("2023010101"),
        real_name: Some("林晓"),
        college: Some("计算机学院"),
        major: Some("软件工程"),
        class_name: Some("软工2301"),
    },
    Demo {
        username: "teacher",
        nickname: "王老师",
        roles: &[Role::Teacher],
        phone: Some("13900139000"),
        email: Some("teacher@campus.local"),
        student_no: None,
        real_name: Some("王明"),
        college: Some("计算机学院"),
        major: None,
        class_name: None,
    },
    Demo {
        username: "merchant",
        nickname: "校园便利店",
        roles: &[Role::Student, Role::Merchant],
        phone: Some("13700137000"),
        email: Some("shop@campus.local"),
        student_no: None,
        real_name: Some("陈店长"),
        college: None,
        major: None,
        class_name: None,
    },
    Demo {
        username: "admin",
        nickname: "管理员",
        roles: &[Role::Admin],
        phone: None,
        email: Some("admin@campus.local"),
        student_no: None,
        real_name: None,
        college: None,
        major: None,
        class_name: None,
    },
];

/// Loads the demo data when the database has no users yet; `true` when it did.
pub fn demo_if_empty(conn: &mut DbConn) -> AppResult<bool> {
    let existing: i64 = users::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    demo(conn)?;
    Ok(true)
}

/// Creates (or resets the password of) every demo account.
pub fn demo(conn: &mut DbConn) -> AppResult<()> {
    let hash = password::hash(DEMO_PASSWORD)?;
    for d in &DEMOS {
        let now = db::now();
        let created = auth::create_account(
            conn,
            &auth::AccountSpec {
                username: d.username,
                password_hash: &hash,
                roles: d.roles,
                user: NewUser {
                    nickname: d.nickname,
                    email: d.email,
                    phone: d.phone,
                    student_no: d.student_no,
                    real_name: d.real_name,
                    college: d.college,
                    major: d.major,
                    class_name: d.class_name,
                    verified: d.student_no.is_some(),
                    status: STATUS_ACTIVE,
                    created_at: now,
                    updated_at: now,
                },
            },
        )?;
        let unread: i64 = notify::service::unread_count(conn, created)?;
        if unread == 0 {
            notify::send(
                conn,
                created,
                MessageKind::System,
                "欢迎使用校园助手",
                "这是演示账号。消息中心会收到订单、活动、回复等通知。",
                Some("/me/messages"),
            )?;
            notify::send(
                conn,
                created,
                MessageKind::System,
                "完善个人资料",
                "在“我的 › 设置”里可以修改昵称、头像、手机号和邮箱。",
                Some("/me/settings"),
            )?;
        }
    }
    Ok(())
}
