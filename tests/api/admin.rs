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
    assert!(admin.get("/admin/audit?action=user.roles").body.contains("修改角色"));
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
    assert!(log.body.contains("封禁用户") && log.body.contains("解封用户") && log.body.contains("用户「"));
    assert!(!admin.get("/admin/audit?action=merchant.").body.contains("封禁用户"), "filtered");
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
    assert!(admin.get("/admin/audit?action=word.").body.contains("删除敏感词"));
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

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(840, 360, |x, _| image::Rgb([x as u8, 160, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn admins_edit_categories_banners_and_take_products_down() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/mall");
    assert!(page.body.contains("食品饮料") && page.body.contains("首页横幅"));
    let t = page.csrf();
    use campus::db::schema::product_categories as pc;
    let (food, snacks): (i64, i64) = app.db(|c| {
        let f = pc::table.filter(pc::name.eq("食品饮料")).select(pc::id).first(c).unwrap();
        let s = pc::table.filter(pc::name.eq("零食")).select(pc::id).first(c).unwrap();
        (f, s)
    });
    let food_s = food.to_string();
    let snacks_s = snacks.to_string();
    assert_eq!(
        admin
            .post_form(
                "/admin/mall/categories",
                &[("csrf_token", &t), ("parent_id", &food_s), ("name", "水果"), ("sort_order", "9")]
            )
            .status,
        303
    );
    assert_eq!(
        admin
            .post_form("/admin/mall/categories", &[("csrf_token", &t), ("parent_id", &snacks_s), ("name", "三级")])
            .status,
        422,
        "two levels only"
    );
    assert_eq!(
        admin
            .post_form(
                "/admin/mall/categories",
                &[("csrf_token", &t), ("id", &snacks_s), ("name", "休闲零食"), ("sort_order", "0")]
            )
            .status,
        303
    );
    assert_eq!(admin.post_form("/admin/mall/categories", &[("csrf_token", &t), ("name", "")]).status, 422);
    let names: Vec<String> =
        app.db(|c| pc::table.filter(pc::parent_id.eq(food)).order(pc::sort_order).select(pc::name).load(c).unwrap());
    assert_eq!(names, vec!["休闲零食", "饮料", "方便速食", "水果"]);

    let boundary = "----b";
    let mut body = String::new();
    for (k, v) in [("title", "双十二狂欢"), ("link", "/mall/categories/1"), ("sort_order", "0")] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"b.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    bytes.extend_from_slice(&png());
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = admin.post_raw(
        &format!("/admin/mall/banners?csrf_token={t}"),
        &format!("multipart/form-data; boundary={boundary}"),
        &bytes,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let home = app.client().get("/mall");
    assert!(home.body.contains("alt=\"双十二狂欢\""), "the home page shows it at once");
    assert!(home.body.contains("href=\"/mall/categories/1\""), "its link is kept");
    use campus::db::schema::banners;
    let id: i64 =
        app.db(|c| banners::table.filter(banners::title.eq("双十二狂欢")).select(banners::id).first(c).unwrap());
    assert_eq!(
        admin.post_form(&format!("/admin/mall/banners/{id}/active"), &[("csrf_token", &t), ("active", "0")]).status,
        303
    );
    assert!(!app.client().get("/mall").body.contains("双十二狂欢"));

    let (pid, _) = crate::mall::sku(&app, "乐事薯片 原味 70g", "");
    assert!(admin.get(&format!("/admin/mall?q={pid}")).body.contains("乐事薯片"));
    assert_eq!(
        admin.post_form(&format!("/admin/mall/products/{pid}/takedown"), &[("csrf_token", &t), ("reason", "")]).status,
        422
    );
    assert_eq!(
        admin
            .post_form(&format!("/admin/mall/products/{pid}/takedown"), &[("csrf_token", &t), ("reason", "标签不合规")])
            .status,
        303
    );
    assert_eq!(app.client().get(&format!("/mall/products/{pid}")).status, 404);
    assert!(app.login("merchant", DEMO_PASSWORD).get("/me/messages").body.contains("标签不合规"));
    let log = admin.get("/admin/audit?action=product.");
    assert!(log.body.contains("下架商品（平台）"));
    assert_eq!(app.login("student", DEMO_PASSWORD).get("/admin/mall").status, 403);
}

#[test]
fn the_moderation_queue_dismisses_reports_or_bans_the_author() {
    let app = spawn_app();
    let post = |c: &crate::helpers::Client, title: &str| {
        let token = c.get("/mall/second-hand").csrf();
        let boundary = "----m";
        let mut body = String::new();
        for (k, v) in [
            ("title", title),
            ("description", "九成新"),
            ("price", "10"),
            ("condition", "good"),
            ("pickup_place", "西门"),
        ] {
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        assert_eq!(
            c.post_raw(
                &format!("/mall/second-hand/new?csrf_token={token}"),
                &format!("multipart/form-data; boundary={boundary}"),
                body.as_bytes()
            )
            .status,
            303
        );
    };
    let seller = app.login("student", DEMO_PASSWORD);
    post(&seller, "刷单台灯");
    post(&seller, "普通台灯");
    use campus::db::schema::second_hand_items as t;
    let ids: Vec<i64> = crate::market::items(&app).into_iter().map(|(id, _, _)| id).collect();
    let admin = app.login("admin", DEMO_PASSWORD);
    let queue = admin.get("/admin/second-hand");
    assert!(queue.body.contains("敏感词待审核：刷单"), "flagged by the word filter");
    let at = queue.csrf();
    assert_eq!(admin.post_form(&format!("/admin/second-hand/{}/dismiss", ids[0]), &[("csrf_token", &at)]).status, 303);
    assert!(!admin.get("/admin/second-hand").body.contains("刷单台灯"), "dismissed");
    let reporter = app.login("teacher", DEMO_PASSWORD);
    let rt = reporter.get("/mall").csrf();
    reporter.post_form(&format!("/mall/second-hand/{}/report", ids[1]), &[("csrf_token", &rt), ("reason", "骗子")]);
    assert_eq!(
        admin
            .post_form(
                &format!("/admin/second-hand/{}/ban-author", ids[1]),
                &[("csrf_token", &at), ("reason", "多次被举报")]
            )
            .status,
        303
    );
    assert_eq!(seller.get("/me").status, 303, "the banned seller is signed out");
    let status: String = app.db(|c| t::table.find(ids[1]).select(t::status).first(c).unwrap());
    assert_eq!(status, "removed");
    let log = admin.get("/admin/audit?action=");
    assert!(log.body.contains("驳回闲置举报") && log.body.contains("下架闲置") && log.body.contains("封禁用户"));
}

#[test]
fn settings_change_the_site_name_timeout_sender_and_pickup_points() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/settings");
    assert!(page.body.contains("value=\"30\""), "the default timeout");
    let t = page.csrf();
    let save = |name: &str, mins: &str, from: &str| {
        admin.post_form(
            "/admin/settings",
            &[("csrf_token", &t), ("site_name", name), ("order_timeout_mins", mins), ("mail_from", from)],
        )
    };
    assert_eq!(save("", "30", "a <a@b.cn>").status, 422);
    assert_eq!(save("x", "1", "a <a@b.cn>").status, 422);
    assert_eq!(save("x", "abc", "a <a@b.cn>").status, 422);
    let r = save("x", "30", "not an address");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("发件人格式"));
    assert_eq!(save("理工e站", "15", "理工e站 <hi@campus.edu>").status, 303);
    assert!(app.client().get("/login").body.contains("登录理工e站"), "the site name is used at once");

    // New orders get the new timeout.
    let student = app.login("student", DEMO_PASSWORD);
    let (_, water) = crate::mall::sku(&app, "农夫山泉 饮用天然水 550ml", "单瓶");
    crate::mall::add_to_cart(&student, water, "1");
    crate::mall::checkout(&student);
    use campus::db::schema::{jobs, orders};
    let (created, run_at): (chrono::NaiveDateTime, chrono::NaiveDateTime) = app.db(|c| {
        let created = orders::table.select(orders::created_at).first(c).unwrap();
        let run_at = jobs::table.filter(jobs::kind.eq("mall.cancel_unpaid")).select(jobs::run_at).first(c).unwrap();
        (created, run_at)
    });
    assert_eq!((run_at - created).num_minutes(), 15);

    // Pickup points: added, then one retired from the checkout list.
    assert_eq!(
        admin
            .post_form(
                "/admin/settings/pickup-points",
                &[("csrf_token", &t), ("name", "南区驿站"), ("address", "南区 2 号楼")]
            )
            .status,
        303
    );
    assert_eq!(
        admin.post_form("/admin/settings/pickup-points", &[("csrf_token", &t), ("name", ""), ("address", "x")]).status,
        422
    );
    crate::mall::add_to_cart(&student, water, "1");
    assert!(student.get("/mall/checkout").body.contains("南区驿站"));
    assert_eq!(
        admin.post_form("/admin/settings/pickup-points/4/active", &[("csrf_token", &t), ("active", "0")]).status,
        303
    );
    assert!(!student.get("/mall/checkout").body.contains("南区驿站"));
    assert!(admin.get("/admin/audit?action=settings").body.contains("修改设置"));
}
