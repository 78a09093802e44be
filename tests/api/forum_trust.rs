//! Trust in the forum (issue 25): verified spaces (forum, activities, second-hand need 学籍认证
//! unless an admin opened them), board moderators (版主) acting in their own board with a mod log
//! and warnings, comment reports, pre-approval of new accounts' posts and of review boards, and
//! saved posts. On SQLite, and on PostgreSQL with `TEST_PG_URL`.

use diesel::prelude::*;

use crate::forum::{action, board, comment, id_after, messages, post, status, student, user_id};
use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, spawn_app};

/// A new account that has not passed 学籍认证 (password `buyer-pass-1`), signed in.
fn unverified(app: &TestApp, username: &str) -> Client {
    let hash = campus::auth::password::hash("buyer-pass-1").unwrap();
    app.db(|conn| {
        campus::auth::service::create_account(
            conn,
            &campus::auth::service::AccountSpec {
                username,
                password_hash: &hash,
                roles: &[campus::auth::models::Role::Student],
                user: campus::auth::models::NewUser::named("新同学", campus::db::now()),
            },
        )
        .unwrap();
    });
    app.login(username, "buyer-pass-1")
}

/// Posts the new-post form with the token of `/forum` (an unverified user has no form page).
fn publish_to(c: &Client, board_id: i64, title: &str) -> Resp {
    let token = c.get("/forum").csrf();
    let b = board_id.to_string();
    let (ct, body) = crate::market::form(&[("board_id", &b), ("title", title), ("body", "正文内容")], &[]);
    c.post_raw(&format!("/forum/new?csrf_token={token}"), &ct, &body)
}

fn posts_titled(app: &TestApp, title: &str) -> i64 {
    use campus::db::schema::forum_posts as p;
    let title = title.to_string();
    app.db(|c| p::table.filter(p::title.eq(title)).count().get_result(c).unwrap())
}

fn comments_of(app: &TestApp, post: i64) -> i64 {
    use campus::db::schema::forum_comments as c;
    app.db(|conn| c::table.filter(c::post_id.eq(post)).count().get_result(conn).unwrap())
}

fn open_flag(app: &TestApp, kind: &str, target: i64) -> i64 {
    use campus::db::schema::moderation_flags as f;
    let kind = kind.to_string();
    app.db(|c| {
        f::table
            .filter(f::kind.eq(kind))
            .filter(f::target_id.eq(target))
            .filter(f::status.eq("open"))
            .select(f::id)
            .first(c)
            .unwrap()
    })
}

/// Saves a board's settings from the admin page, keeping its name and the given switches.
fn set_board(admin: &Client, app: &TestApp, name: &str, extra: &[(&str, &str)]) {
    let id = board(app, name);
    let mut fields = vec![("name", name), ("active", "1")];
    fields.extend_from_slice(extra);
    let r = admin.submit("/admin/forum", &format!("/admin/forum/boards/{id}"), &fields);
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn an_unverified_user_is_told_why_and_sent_to_verify_and_nothing_is_stored() {
    let app = spawn_app();
    let newbie = unverified(&app, "newbie");
    let study = board(&app, "学习交流");

    let r = newbie.get("/forum/new");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("通过学籍认证") && r.body.contains("href=\"/me/verify\""), "{}", r.body);

    let r = publish_to(&newbie, study, "我是新来的");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("/me/verify"));
    assert_eq!(posts_titled(&app, "我是新来的"), 0);

    let author = student(&app, "poster", "发帖人");
    let id = post(&app, &author, "学习交流", "高数作业求助", "第三题怎么做");
    let r = comment(&newbie, id, "我也想知道", None);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("/me/verify"));
    assert_eq!(comments_of(&app, id), 0);
    // With htmx the refusal is a toast that still links to verification.
    let token = newbie.get("/forum").csrf();
    let r = newbie.post_form_with(
        &format!("/forum/posts/{id}/comments"),
        &[("csrf_token", &token), ("body", "htmx 评论")],
        &[("HX-Request", "true")],
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("/me/verify"));
    assert_eq!(comments_of(&app, id), 0);

    // Selling second-hand says the same, with the link.
    let r = newbie.get("/mall/second-hand/new");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("/me/verify"));

    // A verified teacher may post.
    let teacher = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(publish_to(&teacher, study, "老师的答疑安排").status, 303);
}

#[test]
fn an_admin_opens_a_board_to_everyone_and_only_that_board_takes_unverified_posts() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    set_board(&admin, &app, "失物招领", &[("open_to_all", "1")]);
    let newbie = unverified(&app, "newbie");

    let form = newbie.get("/forum/new");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("失物招领") && !form.body.contains("学习交流"), "only the open board is offered");
    let r = publish_to(&newbie, board(&app, "失物招领"), "捡到一张饭卡");
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id_after(&r, "/forum/posts/");
    assert_eq!(comment(&newbie, id, "失主请联系我", None).status, 303);
    assert_eq!(publish_to(&newbie, board(&app, "学习交流"), "别的版块").status, 403);
    assert_eq!(posts_titled(&app, "别的版块"), 0);
}

#[test]
fn activity_registration_needs_verification_until_an_admin_opens_it() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = crate::activity::publish(&admin, "开放日讲座", "10", 48, "");
    let newbie = unverified(&app, "newbie");

    let r = newbie.get(&format!("/activities/{id}/register"));
    assert_eq!(r.status, 403);
    assert!(r.body.contains("/me/verify") && r.body.contains("报名校园活动"));
    let token = newbie.get(&format!("/activities/{id}")).csrf();
    let r = newbie.post_form(
        &format!("/activities/{id}/register"),
        &[("csrf_token", &token), ("name", "新同学"), ("student_no", "2099000001"), ("phone", "13812345678")],
    );
    assert_eq!(r.status, 403);
    use campus::db::schema::activity_registrations as reg;
    let rows = |app: &TestApp| -> i64 {
        app.db(|c| reg::table.filter(reg::activity_id.eq(id)).count().get_result(c).unwrap())
    };
    assert_eq!(rows(&app), 0, "nothing stored");

    // Only an admin opens it; a student cannot.
    let s = app.new_student("someone");
    assert_eq!(action(&s, &format!("/activities/{id}/open"), &[("open", "1")]).status, 403);
    let r = admin.submit(&format!("/activities/{id}"), &format!("/activities/{id}/open"), &[("open", "1")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let r = crate::activity::signup(&newbie, id, "新同学", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(rows(&app), 1);
}

#[test]
fn a_board_moderator_acts_in_their_own_board_only_and_every_action_is_in_its_log() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let study = board(&app, "学习交流");
    let moderator = student(&app, "banzhu", "版主小王");
    let r = admin.submit("/admin/forum", &format!("/admin/forum/boards/{study}/moderators"), &[("username", "banzhu")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.get("/admin/forum").body.contains("版主小王"));
    assert!(messages(&app, "banzhu").iter().any(|m| m.1.contains("版主")));

    let author = student(&app, "writer", "写手");
    let here = post(&app, &author, "学习交流", "考研资料分享", "整理了一些笔记");
    let there = post(&app, &author, "校园生活", "食堂新菜", "二楼的麻辣烫");

    let page = moderator.get(&format!("/forum/posts/{here}"));
    assert!(page.body.contains("版主操作"));
    assert!(!moderator.get(&format!("/forum/posts/{there}")).body.contains("版主操作"));

    let manage = |id: i64, fields: &[(&str, &str)]| action(&moderator, &format!("/forum/posts/{id}/manage"), fields);
    assert_eq!(manage(here, &[("action", "pin")]).status, 303);
    assert_eq!(manage(here, &[("action", "lock")]).status, 303);
    assert_eq!(manage(here, &[("action", "hide"), ("reason", "内容重复")]).status, 303);
    assert_eq!(status(&app, here), "hidden");
    assert_eq!(moderator.get(&format!("/forum/posts/{here}")).status, 200, "a moderator sees what they hid");
    assert_eq!(manage(here, &[("action", "unhide")]).status, 303);
    assert_eq!(status(&app, here), "visible");

    // Another board, or an admin's action: refused, nothing changes.
    assert_eq!(manage(there, &[("action", "pin")]).status, 403);
    assert_eq!(manage(there, &[("action", "hide"), ("reason", "越权")]).status, 403);
    assert_eq!(status(&app, there), "visible");
    assert_eq!(manage(here, &[("action", "delete"), ("reason", "删掉")]).status, 403);
    assert_eq!(manage(here, &[("action", "ban"), ("days", "3"), ("reason", "禁言")]).status, 403);
    assert_eq!(status(&app, here), "visible");
    // A plain student cannot moderate at all; a made-up post is 404.
    let other = student(&app, "other", "路人");
    assert_eq!(action(&other, &format!("/forum/posts/{here}/manage"), &[("action", "pin")]).status, 403);
    assert_eq!(manage(999_999, &[("action", "pin")]).status, 404);
    // Bad input: a hide without a reason, an unknown action.
    assert_eq!(manage(here, &[("action", "hide"), ("reason", " ")]).status, 422);
    assert_eq!(manage(here, &[("action", "explode")]).status, 422);

    // A comment: hidden and restored by the moderator; another board's is refused.
    assert_eq!(manage(here, &[("action", "unlock")]).status, 303);
    let c = id_after(&comment(&other, here, "这是一条灌水评论", None), "#c");
    let cm = |fields: &[(&str, &str)]| action(&moderator, &format!("/forum/comments/{c}/manage"), fields);
    assert_eq!(cm(&[("action", "hide"), ("reason", "广告")]).status, 303);
    assert_eq!(cm(&[("action", "restore")]).status, 303);
    assert_eq!(cm(&[("action", "delete"), ("reason", "广告")]).status, 403, "deleting is for admins");
    let c2 = id_after(&comment(&other, there, "别的版块的评论", None), "#c");
    let r = action(&moderator, &format!("/forum/comments/{c2}/manage"), &[("action", "hide"), ("reason", "x")]);
    assert_eq!(r.status, 403);

    // The warning: the author hears why; the admin sees it before banning.
    assert_eq!(manage(here, &[("action", "warn"), ("reason", "标题党，请修改标题")]).status, 303);
    assert!(messages(&app, "writer").iter().any(|m| m.1.contains("警告") && m.2.contains("标题党，请修改标题")));
    let writer = user_id(&app, "writer");
    let user_page = admin.get(&format!("/admin/users/{writer}"));
    assert!(user_page.body.contains("论坛警告（1 次）") && user_page.body.contains("标题党，请修改标题"));
    assert!(admin.get(&format!("/forum/posts/{here}")).body.contains("作者收到的警告：1 次"));

    // The board's log, for everyone to read.
    let log = other.get(&format!("/forum/boards/{study}/log"));
    assert_eq!(log.status, 200);
    for line in ["置顶", "锁定评论", "隐藏帖子", "恢复显示", "隐藏评论", "恢复评论", "警告作者", "版主小王", "内容重复"]
    {
        assert!(log.body.contains(line), "log lacks {line}");
    }
    assert!(!other.get(&format!("/forum/boards/{}/log", board(&app, "校园生活"))).body.contains("考研资料分享"));

    // Dismissed, the moderator is a student again.
    let mid = user_id(&app, "banzhu");
    let r = admin.submit("/admin/forum", &format!("/admin/forum/boards/{study}/moderators/{mid}/remove"), &[]);
    assert_eq!(r.status, 303);
    assert_eq!(manage(here, &[("action", "unpin")]).status, 403);
}

#[test]
fn appointing_a_moderator_refuses_bad_input_and_non_admins() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let study = board(&app, "学习交流");
    let path = format!("/admin/forum/boards/{study}/moderators");
    let count = |app: &TestApp| -> i64 {
        use campus::db::schema::forum_moderators as m;
        app.db(|c| m::table.count().get_result(c).unwrap())
    };
    let before = count(&app);
    let r = admin.submit("/admin/forum", &path, &[("username", "")]);
    assert_eq!(r.status, 422);
    let r = admin.submit("/admin/forum", &path, &[("username", "nobody_here")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("找不到用户"));
    unverified(&app, "newbie");
    let r = admin.submit("/admin/forum", &path, &[("username", "newbie")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("学籍认证"));
    let r = admin.submit("/admin/forum", "/admin/forum/boards/999999/moderators", &[("username", "student")]);
    assert_eq!(r.status, 404);
    assert_eq!(count(&app), before, "nothing stored");

    assert_eq!(admin.submit("/admin/forum", &path, &[("username", "student")]).status, 303);
    let r = admin.submit("/admin/forum", &path, &[("username", "student")]);
    assert_eq!(r.status, 409);
    assert_eq!(count(&app), before + 1);

    let s = app.new_student("plain");
    assert_eq!(action(&s, &path, &[("username", "plain")]).status, 403);
    assert_eq!(count(&app), before + 1);
}

#[test]
fn comments_are_reported_once_and_the_boards_moderator_decides_them() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let study = board(&app, "学习交流");
    let moderator = student(&app, "banzhu", "版主小王");
    admin.submit("/admin/forum", &format!("/admin/forum/boards/{study}/moderators"), &[("username", "banzhu")]);
    let author = student(&app, "writer", "写手");
    let troll = student(&app, "troll", "杠精");
    let reader = student(&app, "reader", "读者");
    let id = post(&app, &author, "学习交流", "期末复习计划", "大家一起");
    let c = id_after(&comment(&troll, id, "复习有什么用，反正都挂", None), "#c");

    let report =
        |who: &Client, reason: &str| action(who, &format!("/forum/comments/{c}/report"), &[("reason", reason)]);
    assert_eq!(report(&reader, "").status, 422, "a reason is needed");
    assert_eq!(report(&troll, "自己举报自己").status, 422);
    assert_eq!(action(&reader, "/forum/comments/999999/report", &[("reason", "x")]).status, 404);
    let r = report(&reader, "散布消极言论");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(report(&reader, "再举报一次").status, 409);
    let flag = open_flag(&app, "forum_comment", c);
    assert!(admin.get("/admin/moderation").body.contains("散布消极言论"));

    // The board's queue: its moderator only; another board's moderator is refused.
    let queue = moderator.get(&format!("/forum/boards/{study}/queue"));
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("散布消极言论"));
    assert_eq!(reader.get(&format!("/forum/boards/{study}/queue")).status, 403);
    let life = board(&app, "校园生活");
    let r = action(&moderator, &format!("/forum/boards/{life}/queue/{flag}"), &[("decision", "approve")]);
    assert_eq!(r.status, 403);
    admin.submit("/admin/forum", &format!("/admin/forum/boards/{life}/moderators"), &[("username", "reader")]);
    let r = action(&reader, &format!("/forum/boards/{life}/queue/{flag}"), &[("decision", "approve")]);
    assert_eq!(r.status, 404, "a flag of another board is not in this board's queue");
    let decide = |fields: &[(&str, &str)]| action(&moderator, &format!("/forum/boards/{study}/queue/{flag}"), fields);
    assert_eq!(decide(&[("decision", "hide"), ("reason", "")]).status, 422);
    assert_eq!(decide(&[("decision", "maybe")]).status, 422);
    assert_eq!(decide(&[("decision", "hide"), ("reason", "消极言论")]).status, 303);
    assert_eq!(decide(&[("decision", "approve")]).status, 409, "decided once");
    use campus::db::schema::forum_comments as fc;
    let st: String = app.db(|conn| fc::table.find(c).select(fc::status).first(conn).unwrap());
    assert_eq!(st, "hidden");
    assert!(messages(&app, "troll").iter().any(|m| m.2.contains("消极言论")));
    assert!(moderator.get(&format!("/forum/boards/{study}/log")).body.contains("隐藏评论"));
}

#[test]
fn a_new_accounts_first_posts_wait_for_approval_and_others_do_not_see_them() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    // Bad input first: nothing changes.
    for bad in ["-1", "abc", "101"] {
        let r =
            admin.submit("/admin/forum", "/admin/forum/rules", &[("report_hide_at", "3"), ("review_first_posts", bad)]);
        assert_eq!(r.status, 422, "{bad}");
    }
    let r = admin.submit("/admin/forum", "/admin/forum/rules", &[("report_hide_at", "3"), ("review_first_posts", "1")]);
    assert_eq!(r.status, 303, "{}", r.body);

    let newbie = student(&app, "freshman", "新生小李");
    let other = student(&app, "senior", "学姐");
    let study = board(&app, "学习交流");
    let r = publish_to(&newbie, study, "新生报到求指导");
    assert_eq!(r.status, 303);
    let id = id_after(&r, "/forum/posts/");
    assert_eq!(status(&app, id), "pending");
    let mine = newbie.get(&format!("/forum/posts/{id}"));
    assert!(mine.body.contains("审核中"));
    assert!(newbie.get("/me/posts").body.contains("审核中"));
    assert_eq!(other.get(&format!("/forum/posts/{id}")).status, 404);
    assert!(!other.get(&format!("/forum/boards/{study}")).body.contains("新生报到求指导"));
    assert_eq!(comment(&other, id, "欢迎", None).status, 404);
    assert_eq!(action(&other, &format!("/forum/posts/{id}/save"), &[("save", "1")]).status, 404);

    let flag = open_flag(&app, "forum_post", id);
    assert!(admin.get("/admin/moderation").body.contains("新用户的前 1 个帖子需审核"));
    let r = admin.submit("/admin/moderation", &format!("/admin/moderation/{flag}/approve"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&app, id), "visible");
    assert_eq!(other.get(&format!("/forum/posts/{id}")).status, 200);
    assert!(messages(&app, "freshman").iter().any(|m| m.1.contains("通过审核")));
    assert!(admin.get(&format!("/forum/boards/{study}/log")).body.contains("通过审核"));

    // The second post is out at once.
    let r = publish_to(&newbie, study, "第二个帖子");
    assert_eq!(status(&app, id_after(&r, "/forum/posts/")), "visible");
}

#[test]
fn a_review_board_holds_every_post_until_its_moderator_approves() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    set_board(&admin, &app, "表白墙", &[("review_all", "1")]);
    let wall = board(&app, "表白墙");
    admin.submit("/admin/forum", &format!("/admin/forum/boards/{wall}/moderators"), &[("username", "student")]);
    let moderator = app.login("student", DEMO_PASSWORD);
    let writer = student(&app, "shy", "害羞");
    let reader = student(&app, "reader", "读者");
    for title in ["致图书馆的你", "再写一封"] {
        let r = publish_to(&writer, wall, title);
        assert_eq!(r.status, 303);
        let id = id_after(&r, "/forum/posts/");
        assert_eq!(status(&app, id), "pending", "{title}");
        assert_eq!(reader.get(&format!("/forum/posts/{id}")).status, 404);
    }
    let id: i64 = {
        use campus::db::schema::forum_posts as p;
        app.db(|c| p::table.filter(p::title.eq("致图书馆的你")).select(p::id).first(c).unwrap())
    };
    let queue = moderator.get(&format!("/forum/boards/{wall}/queue"));
    assert!(queue.body.contains("致图书馆的你") && queue.body.contains("版块的帖子需审核后显示"), "{}", queue.body);
    let flag = open_flag(&app, "forum_post", id);
    let r = action(&moderator, &format!("/forum/boards/{wall}/queue/{flag}"), &[("decision", "approve")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&app, id), "visible");
    assert_eq!(reader.get(&format!("/forum/posts/{id}")).status, 200);
}

#[test]
fn saving_posts_works_with_htmx_and_plain_forms_and_refuses_bad_input() {
    let app = spawn_app();
    let author = student(&app, "writer", "写手");
    let reader = student(&app, "reader", "读者");
    let id = post(&app, &author, "学习交流", "数据结构笔记", "链表和树");
    let saves = |app: &TestApp| -> i64 {
        use campus::db::schema::forum_saves as s;
        app.db(|c| s::table.filter(s::post_id.eq(id)).count().get_result(c).unwrap())
    };
    assert!(reader.get(&format!("/forum/posts/{id}")).body.contains("收藏"));
    assert!(reader.get("/me/saved").body.contains("你还没有收藏帖子"));
    assert!(reader.get("/me").body.contains("href=\"/me/saved\""), "我的 links to 我的收藏");

    let r = action(&reader, &format!("/forum/posts/{id}/save"), &[("save", "1")]);
    assert_eq!(r.status, 303);
    assert!(reader.get("/me/saved").body.contains("数据结构笔记"));
    assert!(reader.get(&format!("/forum/posts/{id}")).body.contains("已收藏"));
    assert!(!author.get("/me/saved").body.contains("数据结构笔记"), "saves are one's own");

    let token = reader.get("/forum").csrf();
    let r = reader.post_form_with(
        &format!("/forum/posts/{id}/save"),
        &[("csrf_token", &token), ("save", "0")],
        &[("HX-Request", "true")],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("收藏") && !r.body.contains("已收藏") && !r.body.contains("<html"));
    assert!(!reader.get("/me/saved").body.contains("数据结构笔记"));
    assert_eq!(saves(&app), 0);

    // Bad input: no such post, a value that is neither, no CSRF token; nothing stored.
    assert_eq!(action(&reader, "/forum/posts/999999/save", &[("save", "1")]).status, 404);
    assert_eq!(action(&reader, &format!("/forum/posts/{id}/save"), &[("save", "2")]).status, 422);
    assert_eq!(reader.post_form(&format!("/forum/posts/{id}/save"), &[("save", "1")]).status, 403);
    assert_eq!(saves(&app), 0);

    // A post hidden since leaves the list.
    action(&reader, &format!("/forum/posts/{id}/save"), &[("save", "1")]);
    let admin = app.login("admin", DEMO_PASSWORD);
    action(&admin, &format!("/forum/posts/{id}/manage"), &[("action", "hide"), ("reason", "违规")]);
    assert!(!reader.get("/me/saved").body.contains("数据结构笔记"));
}

#[test]
fn a_double_click_on_save_saves_once_and_never_fails() {
    let app = spawn_app();
    let author = student(&app, "writer", "写手");
    let reader = student(&app, "reader", "读者");
    let id = post(&app, &author, "学习交流", "并发收藏", "点两下");
    let token = reader.get("/forum").csrf();
    let n = 12;
    let gate = std::sync::Barrier::new(n);
    let answers: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (gate, reader, token) = (&gate, &reader, &token);
                s.spawn(move || {
                    gate.wait();
                    reader
                        .post_form_with(
                            &format!("/forum/posts/{id}/save"),
                            &[("csrf_token", token), ("save", "1")],
                            &[("HX-Request", "true")],
                        )
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    use campus::db::schema::forum_saves as sv;
    let rows: i64 = app.db(|c| sv::table.filter(sv::post_id.eq(id)).count().get_result(c).unwrap());
    assert_eq!(rows, 1);
}

#[test]
fn the_forums_trust_tables_export_and_forget_a_person() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let study = board(&app, "学习交流");
    let moderator = student(&app, "banzhu", "版主");
    admin.submit("/admin/forum", &format!("/admin/forum/boards/{study}/moderators"), &[("username", "banzhu")]);
    let author = student(&app, "writer", "写手");
    let id = post(&app, &author, "学习交流", "导出测试", "正文");
    let c = id_after(&comment(&author, id, "楼主的评论", None), "#c");
    action(&moderator, &format!("/forum/posts/{id}/save"), &[("save", "1")]);
    action(&moderator, &format!("/forum/comments/{c}/report"), &[("reason", "测试举报")]);
    action(&moderator, &format!("/forum/posts/{id}/manage"), &[("action", "warn"), ("reason", "测试警告")]);
    let (mid, wid) = (user_id(&app, "banzhu"), user_id(&app, "writer"));

    let exported = app.db(|conn| campus::forum::service::export_user(conn, mid).unwrap());
    assert_eq!(exported["forum_saves"][0]["post_id"], id);
    assert_eq!(exported["forum_comment_reports"][0]["reason"], "测试举报");
    assert_eq!(exported["forum_moderator_of"][0], study);
    assert_eq!(exported["forum_mod_log"][0]["action"], "警告作者");
    let warned = app.db(|conn| campus::forum::service::export_user(conn, wid).unwrap());
    assert_eq!(warned["forum_warnings"][0]["reason"], "测试警告");

    app.db(|conn| campus::forum::service::forget_user(conn, mid).unwrap());
    app.db(|conn| campus::forum::service::forget_user(conn, wid).unwrap());
    let after = app.db(|conn| campus::forum::service::export_user(conn, mid).unwrap());
    assert_eq!(after["forum_saves"].as_array().unwrap().len(), 0);
    assert_eq!(after["forum_comment_reports"].as_array().unwrap().len(), 0);
    assert_eq!(after["forum_moderator_of"].as_array().unwrap().len(), 0);
    let warned = app.db(|conn| campus::forum::service::export_user(conn, wid).unwrap());
    assert_eq!(warned["forum_warnings"].as_array().unwrap().len(), 0);
}

/// Signs `username` in through the login page.
fn sign_in(app: &TestApp, driver: &crate::browser::Driver, username: &str, password: &str) {
    driver.goto(&app.url("/login"));
    driver.wait_for("the login page", |d| d.url().contains("/login"));
    driver.type_into("input[name=username]", username);
    driver.type_into("input[name=password]", password);
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_for("the home page", |d| d.url() == app.url("/"));
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_a_student_saves_a_post_and_a_newcomer_is_sent_to_verify_on_a_phone() {
    use crate::browser::{Driver, WEBVIEW_UA};
    let app = spawn_app();
    let author = student(&app, "writer", "写手");
    let id = post(&app, &author, "学习交流", "线代期末重点整理", "行列式、特征值、二次型");
    let study = board(&app, "学习交流");

    let driver = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in(&app, &driver, "student", DEMO_PASSWORD);
    driver.goto(&app.url(&format!("/forum/posts/{id}")));
    driver.wait_for("the post", |d| d.source().contains("线代期末重点整理"));
    let height = driver.cmd(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({ "script": "return document.querySelector('.save-btn').getBoundingClientRect().height;", "args": [] })),
    );
    assert!(height.as_f64().unwrap() >= 44.0, "the save button is a thumb's size: {height}");
    driver.click(".save-btn");
    driver.wait_for("htmx to swap the button", |d| d.source().contains("已收藏"));
    assert!(driver.url().ends_with(&format!("/forum/posts/{id}")), "htmx stayed on the page");
    driver.screenshot("forum-post-saved-phone.png");
    driver.goto(&app.url("/me/saved"));
    driver.wait_for("my saved posts", |d| d.source().contains("线代期末重点整理"));
    driver.screenshot("forum-saved-phone.png");
    driver.goto(&app.url(&format!("/forum/boards/{study}/log")));
    driver.wait_for("the mod log", |d| d.source().contains("版务日志"));
    assert!(driver.source().contains("学长Leo"), "the demo moderator is named");
    driver.screenshot("forum-mod-log-phone.png");
    drop(driver);

    unverified(&app, "newbie");
    let driver = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in(&app, &driver, "newbie", "buyer-pass-1");
    driver.goto(&app.url("/forum/new"));
    driver.wait_for("the refusal", |d| d.source().contains("通过学籍认证"));
    driver.screenshot("forum-new-unverified-phone.png");
    driver.click("a[href='/me/verify']");
    driver.wait_for("the verify page", |d| d.url().ends_with("/me/verify"));
    drop(driver);

    // A held post, as its board's moderator (the demo 学长Leo) sees it and its queue.
    let admin = app.login("admin", DEMO_PASSWORD);
    let r = admin.submit("/admin/forum", "/admin/forum/rules", &[("report_hide_at", "3"), ("review_first_posts", "5")]);
    assert_eq!(r.status, 303);
    let fresh = student(&app, "fresh", "新生");
    let held = post(&app, &fresh, "学习交流", "新生求推荐自习室", "哪里安静");
    assert_eq!(status(&app, held), "pending");
    let driver = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in(&app, &driver, "demo_leo", DEMO_PASSWORD);
    driver.goto(&app.url(&format!("/forum/posts/{held}")));
    driver.wait_for("the held post", |d| d.source().contains("审核中") && d.source().contains("版主操作"));
    driver.click(".admin-box summary");
    driver.screenshot("forum-held-post-moderator-phone.png");
    driver.goto(&app.url(&format!("/forum/boards/{study}/queue")));
    driver.wait_for("the board's queue", |d| d.source().contains("新生求推荐自习室"));
    driver.click("button[value=approve]");
    driver.wait_for("the approval", |d| !d.source().contains("新生求推荐自习室"));
    driver.screenshot("forum-board-queue-phone.png");
    assert_eq!(status(&app, held), "visible");
}
