//! Bad input to the forum: each gets a clear Chinese message and a 4xx, and nothing is stored
//! wrongly (no post, no comment, no orphaned picture on disk).

use diesel::prelude::*;

use crate::forum::{action, board, comment, id_after, post, publish, status, student};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn post_count(app: &TestApp) -> i64 {
    use campus::db::schema::forum_posts as p;
    app.db(|c| p::table.count().get_result(c).unwrap())
}

fn comment_count(app: &TestApp) -> i64 {
    use campus::db::schema::forum_comments as c;
    app.db(|conn| c::table.count().get_result(conn).unwrap())
}

fn stored_pictures(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.join("media/forum")).map(|d| d.count()).unwrap_or(0)
}

/// A tiny file of a picture wider than any decoder here accepts (8,000 px): what a
/// decompression bomb relies on is refused from the header, before any pixel is decoded.
fn bomb() -> Vec<u8> {
    let img = image::GrayImage::new(30_000, 1);
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Form fields, files, expected status, expected message.
type Case = (Vec<(&'static str, String)>, Vec<(&'static str, &'static str, Vec<u8>)>, u16, &'static str);

#[test]
fn bad_posts_are_refused_with_the_reason_and_nothing_is_stored() {
    let app = spawn_app();
    let c = student(&app, "poster", "发帖人");
    let study = board(&app, "学习交流").to_string();
    let before = post_count(&app);
    let cases: Vec<Case> = vec![
        (
            vec![("board_id", study.clone()), ("title", "  ".into()), ("body", "正文保留在表单里".into())],
            vec![],
            422,
            "请填写标题",
        ),
        (vec![("board_id", study.clone()), ("title", "标题".into()), ("body", "".into())], vec![], 422, "请填写正文"),
        (
            vec![("board_id", study.clone()), ("title", "长文".into()), ("body", "字".repeat(3001))],
            vec![],
            422,
            "正文不能超过 3000 个字",
        ),
        (
            vec![("board_id", study.clone()), ("title", "巨文".into()), ("body", "a".repeat(100 * 1024))],
            vec![],
            422,
            "填写的内容太长",
        ),
        (
            vec![("board_id", "9999".into()), ("title", "标题".into()), ("body", "正文".into())],
            vec![],
            422,
            "请选择一个有效的版块",
        ),
        (
            vec![("board_id", "abc".into()), ("title", "标题".into()), ("body", "正文".into())],
            vec![],
            422,
            "请选择一个有效的版块",
        ),
        (
            vec![
                ("board_id", board(&app, "校园公告").to_string()),
                ("title", "冒充公告".into()),
                ("body", "正文".into()),
            ],
            vec![],
            403,
            "「校园公告」版块只有管理员可以发帖",
        ),
        (
            vec![("board_id", study.clone()), ("title", "十张图".into()), ("body", "正文".into())],
            (0..10).map(|_| ("images", "p.png", crate::market::png())).collect(),
            422,
            "最多上传 9 张图片",
        ),
        (
            vec![("board_id", study.clone()), ("title", "不是图片".into()), ("body", "正文".into())],
            vec![("images", "ok.png", crate::market::png()), ("images", "evil.png", b"<?php echo 1; ?>".to_vec())],
            422,
            "只能上传 JPG 或 PNG 图片",
        ),
        (
            vec![("board_id", study.clone()), ("title", "巨图".into()), ("body", "正文".into())],
            vec![("images", "bomb.png", bomb())],
            422,
            "图片已损坏或格式不受支持",
        ),
        (
            vec![("board_id", study.clone()), ("title", "代考联系我".into()), ("body", "保证通过".into())],
            vec![],
            422,
            "违规词「代考」",
        ),
    ];
    for (fields, files, code, message) in cases {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = publish(&c, &fields, &files);
        assert_eq!(r.status, code, "{message}: {}", &r.body[..r.body.len().min(300)]);
        assert!(r.body.contains(message), "{message} not in: {}", &r.body[..r.body.len().min(2000)]);
    }
    assert_eq!(post_count(&app), before, "nothing stored");
    assert_eq!(stored_pictures(&app), 0, "no picture left behind");
    // The form keeps what was typed.
    let b = study.as_str();
    let r = publish(&c, &[("board_id", b), ("title", ""), ("body", "正文保留在表单里")], &[]);
    assert!(r.body.contains(">正文保留在表单里</textarea>"));
    let r = publish(&c, &[("board_id", b), ("title", "代考联系我"), ("body", "保证通过")], &[]);
    assert!(r.body.contains("value=\"代考联系我\"") && r.body.contains("保证通过</textarea>"));
}

#[test]
fn script_in_titles_bodies_and_comments_is_shown_as_text() {
    let app = spawn_app();
    let c = student(&app, "hacker", "<b>昵称</b>");
    let id = post(
        &app,
        &c,
        "校园生活",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>\n<a href=\"javascript:x\">点</a>",
    );
    comment(&c, id, "<script>alert(3)</script>", None);
    for path in [format!("/forum/posts/{id}"), "/forum".into(), "/me/posts".into()] {
        let page = c.get(&path);
        assert!(!page.body.contains("<script>alert"), "{path}");
        assert!(!page.body.contains("<img src=x") && !page.body.contains("<b>昵称</b>"), "{path}");
    }
    let page = c.get(&format!("/forum/posts/{id}"));
    // Escaped either way (askama's `&#60;`, the forum's own `&lt;`), never live.
    let shown = |text: &str| {
        page.body.contains(&text.replace('<', "&#60;").replace('>', "&#62;"))
            || page.body.contains(&text.replace('<', "&lt;").replace('>', "&gt;"))
    };
    assert!(shown("<script>alert(1)") && shown("<script>alert(3)") && shown("<img src=x onerror=alert(2)>"));
    assert!(!page.body.contains("href=\"javascript:"));
}

#[test]
fn closed_posts_refuse_likes_comments_and_foreign_replies() {
    let app = spawn_app();
    let a = student(&app, "alice", "爱丽丝");
    let b = student(&app, "bob", "鲍勃");
    let one = post(&app, &a, "校园生活", "第一帖", "内容一");
    let two = post(&app, &a, "校园生活", "第二帖", "内容二");
    let on_two = id_after(&comment(&b, two, "二楼", None), "#c");
    let before = comment_count(&app);
    let r = comment(&b, one, "回复别的帖子的评论", Some(on_two));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只能回复这个帖子下的评论"));
    assert!(r.body.contains(">回复别的帖子的评论</textarea>"), "the words stay in the form");
    let r = comment(&b, one, "", None);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写评论内容"));
    let r = comment(&b, one, &"长".repeat(501), None);
    assert!(r.status == 422 && r.body.contains("评论不能超过 500 个字"));
    let r = comment(&b, one, "有人代考吗", None);
    assert!(r.status == 422 && r.body.contains("违规词「代考」"));
    assert_eq!(comment(&b, 9999, "没有这个帖", None).status, 404);
    assert_eq!(comment_count(&app), before, "nothing stored");
    // A review word publishes and queues.
    assert_eq!(comment(&b, one, "有刷单的吗", None).status, 303);
    use campus::db::schema::moderation_flags as f;
    let queued: i64 = app.db(|c| f::table.filter(f::kind.eq("forum_comment")).count().get_result(c).unwrap());
    assert_eq!(queued, 1);
    // Hidden: not even its author may comment; deleted: no likes.
    let admin = app.login("admin", DEMO_PASSWORD);
    let r = admin.submit(
        &format!("/forum/posts/{one}"),
        &format!("/forum/posts/{one}/manage"),
        &[("action", "hide"), ("reason", "核实中")],
    );
    assert_eq!(r.status, 303);
    let r = comment(&a, one, "我自己的帖", None);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("帖子正在审核中，暂时不能评论"));
    assert_eq!(action(&a, &format!("/forum/posts/{two}/delete"), &[]).status, 303);
    let r = action(&b, &format!("/forum/posts/{two}/like"), &[]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("帖子已删除，不能点赞"));
    let r = action(&b, &format!("/forum/comments/{on_two}/like"), &[]);
    assert_eq!(r.status, 409);
    // Reports: once each, never one's own.
    let three = post(&app, &a, "校园生活", "第三帖", "内容三");
    let report = |c: &crate::helpers::Client| action(c, &format!("/forum/posts/{three}/report"), &[("reason", "广告")]);
    assert_eq!(report(&b).status, 303);
    let again = report(&b);
    assert!(again.status == 409 && again.body.contains("你已经举报过这个帖子"));
    let own = report(&a);
    assert!(own.status == 422 && own.body.contains("不能举报自己的帖子"));
    assert_eq!(action(&b, &format!("/forum/posts/{three}/report"), &[("reason", "")]).status, 422);
}

#[test]
fn only_the_author_edits_or_deletes_and_only_within_the_window() {
    let app = spawn_app();
    let a = student(&app, "owner", "作者");
    let b = student(&app, "stranger", "路人");
    let id = post(&app, &a, "学习交流", "原标题", "原内容");
    let edit = format!("/forum/posts/{id}/edit");
    let r = b.get(&edit);
    assert!(r.status == 403 && r.body.contains("只能编辑自己发布的帖子"));
    let r = action(&b, &edit, &[("title", "改掉"), ("body", "改掉")]);
    assert_eq!(r.status, 403);
    let r = action(&b, &format!("/forum/posts/{id}/delete"), &[]);
    assert!(r.status == 403 && r.body.contains("只能删除自己发布的帖子"));
    assert_eq!(b.get("/forum/posts/9999/edit").status, 404);
    let r = action(&a, &edit, &[("title", ""), ("body", "新内容保留")]);
    assert!(r.status == 422 && r.body.contains("请填写标题") && r.body.contains("新内容保留"));
    use campus::db::schema::forum_posts as p;
    let old = campus::db::now() - chrono::TimeDelta::minutes(16);
    app.db(|c| diesel::update(p::table.find(id)).set(p::created_at.eq(old)).execute(c).unwrap());
    let r = action(&a, &edit, &[("title", "迟到的修改"), ("body", "内容")]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("帖子发布超过 15 分钟，已不能编辑"));
    assert_eq!(status(&app, id), "visible");
    let title: String = app.db(|c| p::table.find(id).select(p::title).first(c).unwrap());
    assert_eq!(title, "原标题");
    // Someone else's comment cannot be deleted either.
    let mine = id_after(&comment(&a, id, "我的评论", None), "#c");
    let r = action(&b, &format!("/forum/comments/{mine}/delete"), &[]);
    assert!(r.status == 403 && r.body.contains("只能删除自己的评论"));
}

#[test]
fn posting_and_commenting_are_rate_limited() {
    let app = spawn_app();
    let c = student(&app, "busy", "话痨");
    let mut last = 0;
    for n in 0..5 {
        last = post(&app, &c, "校园生活", &format!("第{n}帖"), "内容");
    }
    let b = board(&app, "校园生活").to_string();
    let r = publish(&c, &[("board_id", &b), ("title", "第六帖"), ("body", "内容保留")], &[]);
    assert_eq!(r.status, 429);
    assert!(r.body.contains("每 10 分钟最多发 5 个帖子") && r.body.contains("内容保留"));
    for n in 0..30 {
        assert_eq!(comment(&c, last, &format!("评论{n}"), None).status, 303);
    }
    let r = comment(&c, last, "第三十一条", None);
    assert_eq!(r.status, 429);
    assert!(r.body.contains("每 10 分钟最多评论 30 次"));
}
