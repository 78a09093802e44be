use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};

pub fn form(fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----campusMarketBoundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (k, name, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1600, 900, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub const GOOD: [(&str, &str); 5] = [
    ("title", "高等数学 同济第七版 上下册"),
    ("description", "九成新，有少量笔记，考研复习用过。"),
    ("price", "25.5"),
    ("condition", "like_new"),
    ("pickup_place", "图书馆门口"),
];

pub fn post(c: &Client, fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> crate::helpers::Resp {
    let token = c.get("/mall/second-hand").csrf();
    let (ct, body) = form(fields, files);
    c.post_raw(&format!("/mall/second-hand/new?csrf_token={token}"), &ct, &body)
}

/// The items posted during the test (the demo listings were posted hours before).
pub fn items(app: &TestApp) -> Vec<(i64, String, String)> {
    use campus::db::schema::second_hand_items as t;
    let since = campus::db::now() - chrono::TimeDelta::hours(1);
    app.db(|c| {
        t::table.filter(t::created_at.gt(since)).order(t::id).select((t::id, t::status, t::images)).load(c).unwrap()
    })
}

#[test]
fn a_verified_student_posts_an_item_that_others_find() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    let r = post(&seller, &GOOD, &[("images", "book.png", png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    let (id, status, images) = items(&app)[0].clone();
    assert_eq!(r.location(), Some(format!("/mall/second-hand/{id}").as_str()));
    assert_eq!(status, "on");
    let image: Vec<String> = serde_json::from_str(&images).unwrap();
    assert_eq!(image.len(), 1);
    let served = seller.get(&image[0]);
    assert_eq!(served.header("content-type"), Some("image/jpeg"), "re-encoded");
    let buyer = app.login("teacher", DEMO_PASSWORD);
    let page = buyer.get(&format!("/mall/second-hand/{id}"));
    assert!(
        page.body.contains("高等数学 同济第七版") && page.body.contains("¥25.50") && page.body.contains("几乎全新")
    );
    assert!(!page.body.contains("13800138000") && !page.body.contains("138****8000"), "no phone number");
    assert!(
        buyer
            .get("/mall/second-hand?q=高等数学".replace("高等数学", "%E9%AB%98%E7%AD%89%E6%95%B0%E5%AD%A6").as_str())
            .body
            .contains("同济第七版")
    );
    assert!(buyer.get("/mall/second-hand?condition=fair").body.contains("没有人发布"));
}

#[test]
fn only_verified_students_may_sell_and_bad_input_stores_nothing() {
    let app = spawn_app();
    let c = app.client();
    c.submit(
        "/register",
        "/register",
        &[("username", "newbie"), ("password", "secret123"), ("password2", "secret123"), ("nickname", "新生")],
    );
    let r = c.get("/mall/second-hand/new");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("通过学籍认证"));
    assert_eq!(post(&c, &GOOD, &[]).status, 403);

    let seller = app.login("student", DEMO_PASSWORD);
    let with = |k: &str, v: &'static str| -> Vec<(&'static str, &'static str)> {
        GOOD.iter().map(|(gk, gv)| if *gk == k { (*gk, v) } else { (*gk, *gv) }).collect()
    };
    for (fields, message) in [
        (with("title", ""), "标题需为 1–40 个字"),
        (with("price", "abc"), "请输入正确的金额"),
        (with("price", "0"), "价格需在"),
        (with("price", "999999999"), "价格需在"),
        (with("condition", "mint"), "请选择成色"),
        (with("pickup_place", ""), "请填写交易地点"),
        (with("description", ""), "描述需为 1–1000 个字"),
    ] {
        let r = post(&seller, &fields, &[]);
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "{message}");
    }
    let r = post(&seller, &GOOD, &[("images", "x.png", b"not an image".to_vec())]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只能上传 JPG 或 PNG 图片"));
    let r = post(
        &seller,
        &GOOD,
        &[
            ("images", "1.png", png()),
            ("images", "2.png", png()),
            ("images", "3.png", png()),
            ("images", "4.png", png()),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("最多上传 3 张图片"));
    assert!(items(&app).is_empty(), "nothing stored");
}

#[test]
fn buyers_talk_to_sellers_in_a_private_thread() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    post(&seller, &GOOD, &[]);
    let id = items(&app)[0].0;
    let buyer = app.login("teacher", DEMO_PASSWORD);
    let token = buyer.get("/mall").csrf();
    let r = buyer.post_form(&format!("/mall/second-hand/{id}/contact"), &[("csrf_token", &token)]);
    assert_eq!(r.status, 303);
    let thread = r.location().unwrap().to_string();
    assert_eq!(
        buyer.post_form(&format!("/mall/second-hand/{id}/contact"), &[("csrf_token", &token)]).location(),
        Some(thread.as_str()),
        "one thread per buyer"
    );
    assert_eq!(
        buyer.post_form(&thread, &[("csrf_token", &token), ("body", "<b>还在吗？</b>明天图书馆见")]).status,
        303
    );
    assert_eq!(buyer.post_form(&thread, &[("csrf_token", &token), ("body", "  ")]).status, 422);
    let blocked = buyer.post_form(&thread, &[("csrf_token", &token), ("body", "顺便能帮我代考吗")]);
    assert_eq!(blocked.status, 422);
    assert!(blocked.body.contains("消息包含违规词「代考」"));
    assert!(!buyer.get(&thread).body.contains("顺便能帮我代考吗"), "not sent");
    let seller_view = seller.get(&thread);
    assert_eq!(seller_view.status, 200);
    assert!(seller_view.body.contains("&#60;b&#62;还在吗？") || seller_view.body.contains("&lt;b&gt;还在吗？"));
    assert!(seller.get("/me/messages").body.contains("有新私信"));
    let st = seller.get("/mall").csrf();
    assert_eq!(seller.post_form(&thread, &[("csrf_token", &st), ("body", "在的，下午三点")]).status, 303);
    assert!(buyer.get(&thread).body.contains("在的，下午三点"));
    // Nobody else reads it, and a seller cannot contact themselves.
    let other = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(other.get(&thread).status, 404);
    let ot = other.get("/mall").csrf();
    assert_eq!(other.post_form(&thread, &[("csrf_token", &ot), ("body", "hi")]).status, 404);
    assert_eq!(seller.post_form(&format!("/mall/second-hand/{id}/contact"), &[("csrf_token", &st)]).status, 422);
}

#[test]
fn sellers_mark_sold_and_take_down_only_their_own_items() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    post(&seller, &GOOD, &[]);
    let id = items(&app)[0].0;
    let other = app.login("teacher", DEMO_PASSWORD);
    let ot = other.get("/mall").csrf();
    assert_eq!(other.post_form(&format!("/mall/second-hand/{id}/sold"), &[("csrf_token", &ot)]).status, 404);
    assert_eq!(other.post_form(&format!("/mall/second-hand/{id}/down"), &[("csrf_token", &ot)]).status, 404);
    let st = seller.get("/mall").csrf();
    assert_eq!(seller.post_form(&format!("/mall/second-hand/{id}/sold"), &[("csrf_token", &st)]).status, 303);
    assert_eq!(items(&app)[0].1, "sold");
    assert!(!other.get("/mall/second-hand").body.contains("同济第七版"), "sold items leave the list");
    assert!(other.get(&format!("/mall/second-hand/{id}")).body.contains("已售出"));
    assert_eq!(other.post_form(&format!("/mall/second-hand/{id}/contact"), &[("csrf_token", &ot)]).status, 409);
    assert_eq!(seller.post_form(&format!("/mall/second-hand/{id}/sold"), &[("csrf_token", &st)]).status, 409);
    assert_eq!(seller.post_form(&format!("/mall/second-hand/{id}/down"), &[("csrf_token", &st)]).status, 303);
    assert_eq!(other.get(&format!("/mall/second-hand/{id}")).status, 404);
    assert_eq!(seller.get(&format!("/mall/second-hand/{id}")).status, 200, "the seller still sees it");
}

#[test]
fn reported_items_reach_admins_who_take_them_down() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    post(&seller, &GOOD, &[]);
    let id = items(&app)[0].0;
    let reporter = app.login("teacher", DEMO_PASSWORD);
    let url = format!("/mall/second-hand/{id}/report");
    let rt = reporter.get("/mall").csrf();
    assert_eq!(reporter.post_form(&url, &[("csrf_token", &rt), ("reason", "")]).status, 422);
    assert_eq!(reporter.post_form(&url, &[("csrf_token", &rt), ("reason", "疑似盗版教材")]).status, 303);
    assert_eq!(reporter.post_form(&url, &[("csrf_token", &rt), ("reason", "again")]).status, 409);
    let st = seller.get("/mall").csrf();
    assert_eq!(seller.post_form(&url, &[("csrf_token", &st), ("reason", "x")]).status, 422);

    assert_eq!(seller.get("/admin/second-hand").status, 403);
    let admin = app.login("admin", DEMO_PASSWORD);
    assert!(admin.get("/me/messages").body.contains("二手商品被举报"));
    let queue = admin.get("/admin/moderation");
    assert!(queue.body.contains("举报：疑似盗版教材") && queue.body.contains(&format!("/mall/second-hand/{id}")));
    let page = admin.get("/admin/second-hand");
    assert!(page.body.contains("疑似盗版教材") && page.body.contains("同济第七版"));
    let at = page.csrf();
    let r = admin.post_form(&format!("/admin/second-hand/{id}/remove"), &[("csrf_token", &at), ("reason", "盗版")]);
    assert_eq!(r.status, 303);
    assert_eq!(items(&app)[0].1, "removed");
    assert_eq!(reporter.get(&format!("/mall/second-hand/{id}")).status, 404);
    assert!(seller.get("/me/messages").body.contains("已被下架"));
    // The seller's own page of the item says why; nobody else sees it at all.
    let own = seller.get(&format!("/mall/second-hand/{id}"));
    assert_eq!(own.status, 200);
    assert!(own.body.contains("已被管理员下架，原因：盗版"), "{}", own.body);
    use campus::db::schema::audit_log;
    let n: i64 =
        app.db(|c| audit_log::table.filter(audit_log::action.eq("second_hand.remove")).count().get_result(c).unwrap());
    assert_eq!(n, 1);
    assert!(!admin.get("/admin/second-hand").body.contains("同济第七版"), "handled");
    assert!(admin.get("/admin/moderation").body.contains("没有待审核的内容"), "closed in the shared queue too");
}

#[test]
fn the_shared_queue_settles_second_hand_reports() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    post(&seller, &GOOD, &[]);
    let id = items(&app)[0].0;
    let reporter = app.login("teacher", DEMO_PASSWORD);
    let url = format!("/mall/second-hand/{id}/report");
    let rt = reporter.get("/mall").csrf();
    assert_eq!(reporter.post_form(&url, &[("csrf_token", &rt), ("reason", "价格太离谱")]).status, 303);
    use campus::db::schema::moderation_flags as f;
    let flag = || -> i64 { app.db(|c| f::table.filter(f::status.eq("open")).select(f::id).first(c).unwrap()) };
    let admin = app.login("admin", DEMO_PASSWORD);
    let at = admin.get("/admin/moderation").csrf();
    // Approved: the item stays, and leaves the second-hand report page.
    assert_eq!(admin.post_form(&format!("/admin/moderation/{}/approve", flag()), &[("csrf_token", &at)]).status, 303);
    assert_eq!(items(&app)[0].1, "on");
    assert!(!admin.get("/admin/second-hand").body.contains("同济第七版"));
    // Reported again by someone else and taken down from the queue, the seller banned.
    let other = app.login("merchant", DEMO_PASSWORD);
    let ot = other.get("/mall").csrf();
    assert_eq!(other.post_form(&url, &[("csrf_token", &ot), ("reason", "盗版")]).status, 303);
    let r =
        admin.post_form(&format!("/admin/moderation/{}/ban", flag()), &[("csrf_token", &at), ("reason", "盗版教材")]);
    assert_eq!(r.status, 303);
    assert_eq!(items(&app)[0].1, "removed");
    assert!(seller.get("/me/messages").status != 200, "the banned seller is signed out");
}
