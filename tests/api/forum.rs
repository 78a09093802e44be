//! The forum over HTTP: the whole journey (anonymous post with photos, a comment with a
//! mention, the notified author's reply, search, the hot list, three reports hiding it, an
//! admin restoring it), anonymity, feeds, likes, edits, mutes and admin actions. Bad input is
//! in `forum_input.rs`.

use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, eventually, spawn_app};

pub fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

/// A new verified student with this nickname, signed in.
pub fn student(app: &TestApp, username: &str, nickname: &str) -> Client {
    let c = app.new_student(username);
    let id = user_id(app, username);
    use campus::db::schema::users;
    app.db(|c| diesel::update(users::table.find(id)).set(users::nickname.eq(nickname)).execute(c).unwrap());
    c
}

pub fn board(app: &TestApp, name: &str) -> i64 {
    use campus::db::schema::forum_boards as b;
    app.db(|c| b::table.filter(b::name.eq(name)).select(b::id).first(c).unwrap())
}

/// Posts the new-post form (multipart, the token in the query string).
pub fn publish(c: &Client, fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> Resp {
    let token = c.get("/forum/new").csrf();
    let (ct, body) = crate::market::form(fields, files);
    c.post_raw(&format!("/forum/new?csrf_token={token}"), &ct, &body)
}

/// The number after `prefix` in a redirect.
pub fn id_after(r: &Resp, prefix: &str) -> i64 {
    let loc = r.location().unwrap_or_else(|| panic!("no redirect ({}): {}", r.status, r.body));
    let rest = loc.split(prefix).nth(1).unwrap_or_else(|| panic!("{loc} lacks {prefix}"));
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// Publishes a post and returns its id.
pub fn post(app: &TestApp, c: &Client, board_name: &str, title: &str, body: &str) -> i64 {
    let b = board(app, board_name).to_string();
    let r = publish(c, &[("board_id", &b), ("title", title), ("body", body)], &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    id_after(&r, "/forum/posts/")
}

/// Comments on a post (a reply when `reply_to` is given).
pub fn comment(c: &Client, post: i64, body: &str, reply_to: Option<i64>) -> Resp {
    let token = c.get("/forum").csrf();
    let reply = reply_to.map(|r| r.to_string()).unwrap_or_default();
    c.post_form(
        &format!("/forum/posts/{post}/comments"),
        &[("csrf_token", &token), ("body", body), ("reply_to", &reply)],
    )
}

pub fn action(c: &Client, path: &str, fields: &[(&str, &str)]) -> Resp {
    let token = c.get("/forum").csrf();
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    c.post_form(path, &all)
}

/// Messages of a user: (kind, title, body).
pub fn messages(app: &TestApp, username: &str) -> Vec<(String, String, String)> {
    use campus::db::schema::messages as m;
    let id = user_id(app, username);
    app.db(|c| m::table.filter(m::user_id.eq(id)).order(m::id).select((m::kind, m::title, m::body)).load(c).unwrap())
}

pub fn status(app: &TestApp, id: i64) -> String {
    use campus::db::schema::forum_posts as p;
    app.db(|c| p::table.find(id).select(p::status).first(c).unwrap())
}

fn pseudonym_in(html: &str) -> String {
    let at = html.find("匿名同学#").expect("a pseudonym on the page");
    html[at..].chars().take(9).collect()
}

#[test]
fn an_anonymous_post_is_discussed_found_ranked_reported_hidden_and_restored() {
    let app = spawn_app();
    let her = student(&app, "xiaoyu", "林晓雨");
    let him = student(&app, "azhe", "阿哲");
    let wall = board(&app, "表白墙").to_string();
    let photos = [("images", "a.png", crate::market::png()), ("images", "b.png", crate::market::png())];
    let fields = [
        ("board_id", wall.as_str()),
        ("title", "致图书馆靠窗的那位同学"),
        ("body", "每天都看到你在背单词。\n加油呀！"),
        ("anonymous", "1"),
    ];
    let r = publish(&her, &fields, &photos);
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id_after(&r, "/forum/posts/");

    // Two photos, re-encoded, each with a thumbnail; the author is a pseudonym to everyone.
    let page = him.get(&format!("/forum/posts/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("每天都看到你在背单词。\n加油呀！"), "line breaks kept");
    let alias = pseudonym_in(&page.body);
    assert!(!page.body.contains("林晓雨"));
    use campus::db::schema::forum_posts as p;
    let images: String = app.db(|c| p::table.find(id).select(p::images).first(c).unwrap());
    let images: Vec<serde_json::Value> = serde_json::from_str(&images).unwrap();
    assert_eq!(images.len(), 2);
    for i in &images {
        for key in ["full", "thumb"] {
            let served = him.get(i[key].as_str().unwrap());
            assert_eq!(served.header("content-type"), Some("image/jpeg"));
        }
    }

    // He comments and mentions her by name; she hears of it.
    let r = comment(&him, id, "@林晓雨 是你吗？我猜到了", None);
    assert_eq!(r.status, 303, "{}", r.body);
    let his_comment = id_after(&r, "#c");
    let told = messages(&app, "xiaoyu");
    let notice = told.iter().find(|m| m.0 == "forum").expect("a forum message");
    assert!(notice.1.contains("阿哲") && notice.2.contains("是你吗"), "{notice:?}");
    assert_eq!(told.iter().filter(|m| m.0 == "forum").count(), 1, "mention and comment: one message");

    // She replies in her thread: under her pseudonym, and he hears it without her name.
    let r = comment(&her, id, "哈哈，被你发现了", Some(his_comment));
    assert_eq!(r.status, 303, "{}", r.body);
    let page = him.get(&format!("/forum/posts/{id}"));
    assert!(page.body.contains("哈哈，被你发现了") && page.body.contains("楼主"));
    assert!(page.body.matches("匿名同学#").count() >= 2);
    assert!(page.body.contains(&alias), "the same pseudonym in her own thread");
    let told = messages(&app, "azhe");
    let reply = told.iter().find(|m| m.0 == "forum").expect("he is told of the reply");
    assert!(reply.1.contains(&alias) && !reply.1.contains("林晓雨") && !reply.2.contains("林晓雨"), "{reply:?}");
    use campus::db::schema::jobs;
    let queued: Vec<String> =
        app.db(|c| jobs::table.filter(jobs::kind.eq("wx.subscribe")).select(jobs::payload).load(c).unwrap());
    assert!(queued.iter().any(|p| p.contains("\"reply\"") && !p.contains("林晓雨")), "{queued:?}");

    // Search finds it, and the hot list of the day has it.
    let q = "/forum/search?q=%E5%9B%BE%E4%B9%A6%E9%A6%86"; // 图书馆
    assert!(eventually(|| him.get(q).body.contains("靠窗的那位同学")), "found by search");
    app.db(|c| campus::forum::service::refresh_ranking(c).unwrap());
    let hot = him.get("/forum/ranking");
    assert!(hot.body.contains("致图书馆靠窗的那位同学"), "in the 24 h list");

    // Three students report it: it hides, out of the feed and search, the author told.
    for (n, name) in ["rep1", "rep2", "rep3"].iter().enumerate() {
        let reporter = student(&app, name, &format!("热心同学{n}"));
        let r = action(&reporter, &format!("/forum/posts/{id}/report"), &[("reason", "不想被公开讨论")]);
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(status(&app, id), "hidden");
    assert_eq!(him.get(&format!("/forum/posts/{id}")).status, 404);
    assert!(!him.get(q).body.contains("靠窗的那位同学"), "hidden posts never show in search");
    assert!(!him.get("/forum").body.contains("靠窗的那位同学"));
    assert_eq!(her.get(&format!("/forum/posts/{id}")).status, 200, "its author still sees it");
    assert!(messages(&app, "xiaoyu").iter().any(|m| m.1.contains("暂时隐藏")));

    // An admin restores it from the moderation queue.
    let admin = app.login("admin", DEMO_PASSWORD);
    let queue = admin.get("/admin/moderation");
    assert!(queue.body.contains("致图书馆靠窗的那位同学") && queue.body.contains(&format!("/forum/posts/{id}")));
    assert!(!queue.body.contains("林晓雨"), "the queue does not name the anonymous author either");
    use campus::db::schema::moderation_flags as f;
    let flag: i64 = app.db(|c| {
        f::table
            .filter(f::kind.eq("forum_post"))
            .filter(f::target_id.eq(id))
            .filter(f::status.eq("open"))
            .select(f::id)
            .first(c)
            .unwrap()
    });
    let r = admin.submit("/admin/moderation", &format!("/admin/moderation/{flag}/approve"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&app, id), "visible");
    assert_eq!(him.get(&format!("/forum/posts/{id}")).status, 200);
    assert!(messages(&app, "xiaoyu").iter().any(|m| m.1.contains("恢复显示")));
    assert!(eventually(|| him.get(q).body.contains("靠窗的那位同学")), "back in search");
}

#[test]
fn an_anonymous_author_is_never_named_in_pages_json_or_notices() {
    let app = spawn_app();
    let her = student(&app, "secret", "真名不外传");
    let other = student(&app, "other", "路人甲");
    let wall = board(&app, "表白墙").to_string();
    let fields =
        [("board_id", wall.as_str()), ("title", "匿名的心里话"), ("body", "@路人甲 谢谢你"), ("anonymous", "1")];
    let r = publish(&her, &fields, &[]);
    let id = id_after(&r, "/forum/posts/");
    let her_id = user_id(&app, "secret").to_string();
    // Mentioned: told by pseudonym.
    let told = messages(&app, "other");
    let m = told.iter().find(|m| m.0 == "forum").expect("the mention is told");
    assert!(m.2.contains("匿名同学#") && !m.2.contains("真名不外传"), "{m:?}");
    comment(&her, id, "我自己也来说一句", None);
    for path in [
        format!("/forum/posts/{id}"),
        "/forum".to_string(),
        format!("/forum/boards/{wall}"),
        format!("/api/v1/forum/posts/{id}"),
        "/api/v1/forum/posts".to_string(),
    ] {
        let r = other.get(&path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.contains("匿名的心里话"), "{path}");
        assert!(!r.body.contains("真名不外传"), "{path} leaks the nickname");
        assert!(!r.body.contains(&format!("\"author_id\":{her_id}")), "{path} leaks the id");
    }
    let json = other.get(&format!("/api/v1/forum/posts/{id}")).json();
    assert_eq!(json["success"], true);
    assert_eq!(json["data"]["author"]["anonymous"], true);
    assert!(json["data"]["author"]["avatar"].is_null());
    let alias = json["data"]["author"]["name"].as_str().unwrap().to_string();
    assert_eq!(json["data"]["comments"][0]["by"]["name"], alias.as_str(), "same pseudonym in her comment");
    // Another post of hers has another pseudonym: threads cannot be linked.
    let fields = [("board_id", wall.as_str()), ("title", "第二条"), ("body", "再说一句"), ("anonymous", "1")];
    let second = id_after(&publish(&her, &fields, &[]), "/forum/posts/");
    let json2 = other.get(&format!("/api/v1/forum/posts/{second}")).json();
    assert_ne!(json2["data"]["author"]["name"], alias.as_str());
    // Admins may look, and the look is logged.
    let admin = app.login("admin", DEMO_PASSWORD);
    let r = admin.submit(&format!("/forum/posts/{id}"), &format!("/forum/posts/{id}/author"), &[]);
    assert_eq!(r.status, 303);
    assert!(admin.get(&format!("/forum/posts/{id}")).body.contains("真名不外传"), "shown to the admin once");
    use campus::db::schema::audit_log as a;
    let looked: i64 = app.db(|c| a::table.filter(a::action.eq("forum.reveal_author")).count().get_result(c).unwrap());
    assert_eq!(looked, 1);
    assert!(other.get(&format!("/forum/posts/{id}/author")).status >= 400, "no page to read it from");
    let r = action(&other, &format!("/forum/posts/{id}/author"), &[]);
    assert_eq!(r.status, 403);
}

#[test]
fn the_front_page_scrolls_by_keyset_with_pinned_posts_first() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let front = c.get("/forum");
    assert_eq!(front.status, 200);
    for b in ["学习交流", "失物招领", "校园生活", "二手闲聊", "表白墙"] {
        assert!(front.body.contains(b), "board {b}");
    }
    let first_card: String = front.body[front.body.find("post-card__title").unwrap()..].chars().take(80).collect();
    assert!(first_card.contains("置顶"), "pinned first: {first_card}");
    let start = front.body.find("hx-get=\"/forum?after=").expect("more to load") + "hx-get=\"".len();
    let more = &front.body[start..start + front.body[start..].find('"').unwrap()];
    let next = c.get_with(&more.replace("&amp;", "&"), &[("HX-Request", "true")]);
    assert_eq!(next.status, 200);
    assert!(!next.body.contains("<html"), "a fragment");
    let ids = |html: &str| -> Vec<String> {
        html.split("href=\"/forum/posts/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
    };
    let (first, second) = (ids(&front.body), ids(&next.body));
    assert!(!second.is_empty() && second.iter().all(|id| !first.contains(id)), "no repeats across pages");
    let total: i64 = {
        use campus::db::schema::forum_posts as p;
        app.db(|c| p::table.count().get_result(c).unwrap())
    };
    assert_eq!((first.len() + second.len()) as i64, total, "every post once");
    // Boards sort three ways; a bad cursor is just the first page.
    let b = board(&app, "学习交流");
    for sort in ["reply", "newest", "hot"] {
        assert_eq!(c.get(&format!("/forum/boards/{b}?sort={sort}")).status, 200);
    }
    assert_eq!(c.get(&format!("/forum/boards/{b}?after=garbage")).status, 200);
    assert_eq!(c.get("/forum/boards/9999").status, 404);
    assert_eq!(c.get("/forum/ranking?range=week").status, 200);
    // Signed out: sign in first.
    assert_eq!(app.client().get("/forum").status, 303);
}

#[test]
fn likes_toggle_views_are_batched_and_edits_show_within_the_window() {
    let app = spawn_app();
    let author = student(&app, "writer", "写手");
    let reader = student(&app, "reader", "读者");
    let id = post(&app, &author, "校园生活", "食堂新菜", "见 https://example.edu/menu?a=1&b=2。好吃");
    let page = reader.get(&format!("/forum/posts/{id}"));
    assert!(page.body.contains(
        "<a href=\"https://example.edu/menu?a=1&amp;b=2\" rel=\"nofollow noopener\">https://example.edu/menu?a=1&amp;b=2</a>。好吃"
    ));
    let like = |c: &Client| {
        c.post_form_with(
            &format!("/forum/posts/{id}/like"),
            &[],
            &[("HX-Request", "true"), ("X-CSRF-Token", &c.get("/forum").csrf())],
        )
    };
    let r = like(&reader);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("已赞 1"), "{}", r.body);
    assert!(like(&reader).body.contains("点赞 0"), "a second press takes it back");
    like(&author);
    assert!(reader.get("/me/likes").body.contains("还没有点赞"));
    assert!(author.get("/me/likes").body.contains("食堂新菜"));
    // Views: counted in memory, written by the runner's tick.
    for _ in 0..3 {
        reader.get(&format!("/forum/posts/{id}"));
    }
    use campus::db::schema::forum_posts as p;
    assert!(eventually(|| app.db(|c| p::table.find(id).select(p::view_count).first::<i64>(c).unwrap()) >= 4));
    // The author edits within 15 minutes: shown as edited.
    let r = author.submit(
        &format!("/forum/posts/{id}/edit"),
        &format!("/forum/posts/{id}/edit"),
        &[("title", "食堂新菜（更新）"), ("body", "味道不错")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = reader.get(&format!("/forum/posts/{id}"));
    assert!(page.body.contains("食堂新菜（更新）") && page.body.contains("已编辑"));
    assert!(author.get("/me/posts").body.contains("食堂新菜（更新）"));
    // Deleting keeps the comments readable.
    comment(&reader, id, "我也觉得", None);
    let r = action(&author, &format!("/forum/posts/{id}/delete"), &[]);
    assert_eq!(r.status, 303);
    let page = reader.get(&format!("/forum/posts/{id}"));
    assert!(page.body.contains("该帖已删除") && page.body.contains("我也觉得") && !page.body.contains("味道不错"));
    assert!(reader.get("/me/comments").body.contains("我也觉得"));
}

#[test]
fn muted_threads_stay_quiet_and_replies_hang_under_their_comment() {
    let app = spawn_app();
    let author = student(&app, "opx", "楼主本人");
    let a = student(&app, "cax", "甲同学");
    let b = student(&app, "cbx", "乙同学");
    let id = post(&app, &author, "学习交流", "求推荐线代网课", "有什么好的视频吗");
    let first = id_after(&comment(&a, id, "推荐 3Blue1Brown", None), "#c");
    let reply = id_after(&comment(&b, id, "同推荐", Some(first)), "#c");
    let r = comment(&a, id, "谢谢", Some(reply));
    assert_eq!(r.status, 303);
    use campus::db::schema::forum_comments as fc;
    let parents: Vec<Option<i64>> =
        app.db(|c| fc::table.filter(fc::post_id.eq(id)).order(fc::id).select(fc::parent_id).load(c).unwrap());
    assert_eq!(parents, vec![None, Some(first), Some(first)], "two levels only");
    let page = author.get(&format!("/forum/posts/{id}"));
    assert!(page.body.contains("回复 @乙同学"));
    assert!(messages(&app, "cbx").iter().any(|m| m.1.contains("甲同学 回复了你")));
    let before = messages(&app, "opx").len();
    let r = action(&author, &format!("/forum/posts/{id}/mute"), &[]);
    assert_eq!(r.status, 303);
    comment(&b, id, "再顶一下", None);
    assert_eq!(messages(&app, "opx").len(), before, "muted: no notice");
    assert!(author.get(&format!("/forum/posts/{id}")).body.contains("恢复提醒"));
    let all = a.get(&format!("/forum/comments/{first}"));
    assert!(all.body.contains("同推荐") && all.body.contains("谢谢"));
    let likes = a.post_form_with(
        &format!("/forum/comments/{reply}/like"),
        &[],
        &[("HX-Request", "true"), ("X-CSRF-Token", &a.get("/forum").csrf())],
    );
    assert!(likes.body.contains("已赞 1"));
    let by_likes = a.get(&format!("/forum/posts/{id}?sort=likes"));
    assert_eq!(by_likes.status, 200);
}

#[test]
fn admins_pin_lock_move_hide_delete_and_ban_with_the_author_told_and_logged() {
    let app = spawn_app();
    let author = student(&app, "target", "被管理的同学");
    let id = post(&app, &author, "校园生活", "普通的帖子", "内容");
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = format!("/forum/posts/{id}");
    let manage = format!("/forum/posts/{id}/manage");
    let act = |fields: &[(&str, &str)]| admin.submit(&page, &manage, fields);
    assert_eq!(act(&[("action", "pin")]).status, 303);
    assert!(author.get(&format!("/forum/boards/{}", board(&app, "校园生活"))).body.contains("置顶"));
    assert_eq!(act(&[("action", "lock")]).status, 303);
    let r = comment(&author, id, "还能评论吗", None);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("帖子已锁定，不能评论"));
    let to = board(&app, "学习交流").to_string();
    assert_eq!(act(&[("action", "move"), ("board_id", &to)]).status, 303);
    assert_eq!(act(&[("action", "hide"), ("reason", "内容重复")]).status, 303);
    assert_eq!(status(&app, id), "hidden");
    assert_eq!(act(&[("action", "hide")]).status, 422, "a reason is needed");
    assert_eq!(act(&[("action", "unhide")]).status, 303);
    assert_eq!(act(&[("action", "ban"), ("days", "3"), ("reason", "多次刷屏")]).status, 303);
    let r = author.get("/forum/new");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("你已被禁止在论坛发言，至"));
    assert_eq!(act(&[("action", "delete"), ("reason", "违反社区规范")]).status, 303);
    assert_eq!(status(&app, id), "deleted");
    let told: Vec<String> = messages(&app, "target").into_iter().map(|m| m.2).collect();
    for why in ["锁定", "学习交流", "内容重复", "多次刷屏", "违反社区规范"] {
        assert!(told.iter().any(|t| t.contains(why)), "told about {why}: {told:?}");
    }
    use campus::db::schema::audit_log as a;
    let actions: Vec<String> =
        app.db(|c| a::table.filter(a::target_type.eq("forum_post")).select(a::action).load(c).unwrap());
    for code in ["forum.pin", "forum.lock", "forum.move", "forum.hide", "forum.unhide", "forum.ban", "forum.delete"] {
        assert!(actions.iter().any(|x| x == code), "{code} logged");
    }
    // Students cannot do any of it.
    assert_eq!(action(&author, &manage, &[("action", "pin")]).status, 403);
    // Boards are the admin's.
    let r = admin.submit(
        "/admin/forum",
        "/admin/forum/boards",
        &[("name", "考研交流"), ("icon", "🎓"), ("description", "考研经验"), ("sort_order", "8")],
    );
    assert_eq!(r.status, 303);
    assert!(author.get("/forum").body.contains("考研交流"));
    let r = admin.submit("/admin/forum", "/admin/forum/boards", &[("name", "考研交流")]);
    assert_eq!(r.status, 409);
    assert_eq!(author.get("/admin/forum").status, 403);
}

#[test]
fn generated_benchmark_posts_keep_counters_and_leave_room_for_new_posts() {
    let app = spawn_app();
    app.db(|c| campus::forum::demo::bulk(c, 300, 2000).unwrap());
    use campus::db::schema::{forum_comments as fc, forum_posts as p};
    let (posts, comments): (i64, i64) =
        app.db(|c| (p::table.count().get_result(c).unwrap(), fc::table.count().get_result(c).unwrap()));
    let per_post: Vec<(i64, i64)> = app.db(|c| p::table.select((p::id, p::comment_count)).load(c).unwrap());
    let total: i64 = per_post.iter().map(|(_, n)| n).sum();
    assert_eq!(total, comments, "every post's count matches its rows");
    assert!(posts >= 300 && comments >= 2000);
    let (big, n) = *per_post.iter().max_by_key(|(_, n)| *n).unwrap();
    assert!(n >= 500);
    let c = student(&app, "bench", "测速同学");
    let page = c.get(&format!("/forum/posts/{big}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("加载更多评论"), "the big thread pages by keyset");
    // New posts and comments still get fresh ids (PostgreSQL's sequences were moved on).
    let id = post(&app, &c, "校园生活", "生成数据之后", "还能发帖");
    assert_eq!(comment(&c, id, "还能评论", None).status, 303);
}

#[test]
fn the_ranking_job_writes_every_score_of_the_week_in_one_go() {
    let app = spawn_app();
    let author = student(&app, "ranked", "排名作者");
    let quiet = post(&app, &author, "校园生活", "没人理的帖子", "安静");
    let busy = post(&app, &author, "校园生活", "热闹的帖子", "大家来聊");
    let fan = student(&app, "fan", "路人");
    let token = fan.get("/forum").csrf();
    let r = fan.post_form_with(
        &format!("/forum/posts/{busy}/like"),
        &[],
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let n = app.db(|c| campus::forum::ranking::refresh(c).unwrap());
    assert!(n >= 2, "the week's visible posts are scored: {n}");
    use campus::db::schema::forum_posts as p;
    let score = |id: i64| -> f64 { app.db(|c| p::table.find(id).select(p::hot_score).first(c).unwrap()) };
    assert!(score(quiet) > 0.0, "every post of the week gets a score");
    assert!(score(busy) > score(quiet), "a like lifts a post");
    // Written through JSON (SQLite) or arrays (PostgreSQL): the value is the formula's, a
    // minute of age at most.
    let (fresh, older) = (campus::forum::ranking::score(1, 0, 0, 0.0), campus::forum::ranking::score(1, 0, 0, 0.02));
    assert!(score(busy) <= fresh && score(busy) >= older, "{} in [{older}, {fresh}]", score(busy));
}
