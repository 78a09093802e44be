use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

#[test]
fn admins_search_users_and_change_roles() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/users?q=%E7%8E%8B"); // 王
    assert_eq!(page.status, 200);
    assert!(page.body.contains("王老师") && !page.body.contains("小林同学"));
    let t = page.csrf();
    let teacher = user_id(&app, "teacher");
    let body = format!("csrf_token={t}&role=teacher&role=merchant");
    let r =
        admin.post_raw(&format!("/admin/users/{teacher}/roles"), "application/x-www-form-urlencoded", body.as_bytes());
    assert_eq!(r.status, 303);
    let t2 = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(t2.get("/merchant/products").status, 403, "a merchant role without a shop is told to apply");
    let r = admin.post_raw(
        &format!("/admin/users/{teacher}/roles"),
        "application/x-www-form-urlencoded",
        format!("csrf_token={t}&role=pirate").as_bytes(),
    );
    assert_eq!(r.status, 422);
    let me = user_id(&app, "admin");
    let r = admin.post_raw(
        &format!("/admin/users/{me}/roles"),
        "application/x-www-form-urlencoded",
        format!("csrf_token={t}&role=student").as_bytes(),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能取消自己的管理员身份"));
    assert_eq!(
        admin
            .post_raw(
                "/admin/users/999999/roles",
                "application/x-www-form-urlencoded",
                format!("csrf_token={t}&role=student").as_bytes()
            )
            .status,
        404
    );
    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(student.get("/admin/users").status, 403);
    assert!(admin.get("/admin/audit?action=user.roles").body.contains("user.roles"));
}

#[test]
fn a_banned_user_is_logged_out_at_once_and_can_come_back_when_unbanned() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let admin = app.login("admin", DEMO_PASSWORD);
    let t = admin.get("/admin/users").csrf();
    let id = user_id(&app, "student");
    assert_eq!(admin.post_form(&format!("/admin/users/{id}/ban"), &[("csrf_token", &t)]).status, 303);
    assert_eq!(student.get("/me").status, 303, "signed out");
    assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 403);
    let me = user_id(&app, "admin");
    assert_eq!(admin.post_form(&format!("/admin/users/{me}/ban"), &[("csrf_token", &t)]).status, 422);
    assert_eq!(admin.post_form(&format!("/admin/users/{id}/unban"), &[("csrf_token", &t)]).status, 303);
    assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 303);
    let log = admin.get("/admin/audit?action=user.");
    assert!(log.body.contains("user.ban") && log.body.contains("user.unban"));
    assert!(!admin.get("/admin/audit?action=merchant.").body.contains("user.ban"), "filtered");
}

#[test]
fn the_sensitive_word_list_is_edited_by_admins_and_used_at_once() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/words");
    assert!(page.body.contains("代考"), "the default list");
    let t = page.csrf();
    assert_eq!(admin.post_form("/admin/words", &[("csrf_token", &t), ("word", ""), ("action", "block")]).status, 422);
    assert_eq!(
        admin.post_form("/admin/words", &[("csrf_token", &t), ("word", "高价回收"), ("action", "maybe")]).status,
        422
    );
    assert_eq!(
        admin.post_form("/admin/words", &[("csrf_token", &t), ("word", "高价回收"), ("action", "block")]).status,
        303
    );
    let seller = app.login("student", DEMO_PASSWORD);
    let post = |title: &str| {
        let token = seller.get("/mall/second-hand").csrf();
        let boundary = "----w";
        let mut body = String::new();
        for (k, v) in
            [("title", title), ("description", "全新"), ("price", "10"), ("condition", "new"), ("pickup_place", "东门")]
        {
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        seller.post_raw(
            &format!("/mall/second-hand/new?csrf_token={token}"),
            &format!("multipart/form-data; boundary={boundary}"),
            body.as_bytes(),
        )
    };
    let r = post("高价回收旧手机");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("违规词「高价回收」"));
    use campus::db::schema::sensitive_words;
    let id: i64 = app.db(|c| {
        sensitive_words::table
            .filter(sensitive_words::word.eq("高价回收"))
            .select(sensitive_words::id)
            .first(c)
            .unwrap()
    });
    assert_eq!(admin.post_form(&format!("/admin/words/{id}/delete"), &[("csrf_token", &t)]).status, 303);
    assert_eq!(post("高价回收旧手机").status, 303, "allowed once the word is gone");
    assert!(admin.get("/admin/audit?action=word.").body.contains("word.delete"));
}

#[test]
fn the_admin_dashboard_counts_orders_and_draws_registrations() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin");
    assert!(page.body.contains("订单总数") && page.body.contains("成交额"));
    assert!(page.body.contains("aria-label=\"近30天注册\""));
    assert!(page.body.contains(" 4人</title>"), "four demo registrations today");
}
