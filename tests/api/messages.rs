use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn message_ids(app: &TestApp, username: &str) -> Vec<i64> {
    use campus::db::schema::{messages, user_auth};
    app.db(|c| {
        let uid: i64 =
            user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap();
        messages::table.filter(messages::user_id.eq(uid)).order(messages::id).select(messages::id).load(c).unwrap()
    })
}

#[test]
fn the_message_center_lists_messages_and_the_tab_bar_counts_unread() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let home = c.get("/");
    assert!(home.body.contains("weui-tabbar"));
    for tab in ["首页", "教务", "论坛", "商城", "我的"] {
        assert!(home.body.contains(tab), "tab {tab}");
    }
    assert!(home.body.contains("id=\"unread-badge\">3<"), "three seeded unread messages");
    let list = c.get("/me/messages");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("欢迎使用校园助手"));
    assert!(list.body.contains("完善个人资料"));
    assert!(list.body.contains("教室预约已批准"), "the demo's approved classroom booking");
}

#[test]
fn marking_read_updates_the_badge_and_only_works_on_own_messages() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let ids = message_ids(&app, "student");
    let token = c.get("/me/messages").csrf();

    let r = c.post_form_with(
        &format!("/me/messages/{}/read", ids[0]),
        &[],
        &[("X-CSRF-Token", &token), ("HX-Request", "true")],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains(&format!("id=\"message-{}\"", ids[0])));
    assert!(!r.body.contains("标为已读"), "the fragment shows it read");
    assert!(c.get("/").body.contains("id=\"unread-badge\">2<"));

    // Someone else's message is not found, and stays unread.
    let teacher_msg = message_ids(&app, "teacher")[0];
    let r = c.post_form(&format!("/me/messages/{teacher_msg}/read"), &[("csrf_token", &token)]);
    assert_eq!(r.status, 404);
    let teacher = app.login("teacher", DEMO_PASSWORD);
    assert!(teacher.get("/").body.contains("id=\"unread-badge\">2<"));

    let r = c.post_form("/me/messages/read-all", &[("csrf_token", &token)]);
    assert_eq!(r.status, 303);
    let home = c.get("/");
    assert!(!home.body.contains("unread-badge"));
}

#[test]
fn messages_page_through_with_htmx_fragments() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    use campus::db::schema::user_auth;
    let uid: i64 = app.db(|conn| {
        user_auth::table.filter(user_auth::auth_key.eq("student")).select(user_auth::user_id).first(conn).unwrap()
    });
    app.db(|conn| {
        for i in 0..25 {
            campus::notify::send(conn, uid, campus::notify::MessageKind::System, &format!("通知 {i}"), "正文", None)
                .unwrap();
        }
    });
    let page1 = c.get("/me/messages");
    assert!(page1.body.contains("1 / 2"));
    assert!(page1.body.contains("通知 24"));
    let page2 = c.get_with("/me/messages?page=2", &[("HX-Request", "true")]);
    assert_eq!(page2.status, 200);
    assert!(!page2.body.contains("<html"), "fragment only");
    assert!(page2.body.contains("2 / 2"));
    assert!(page2.body.contains("欢迎使用校园助手"));
    assert_eq!(c.get("/me/messages?page=abc").status, 200, "a bad page number means page 1");
}
