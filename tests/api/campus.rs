//! Campus news and the campus map over HTTP.

use diesel::prelude::*;

use crate::activity::{png, post_multipart};
use crate::helpers::{Client, DEMO_PASSWORD, spawn_app};

pub fn write_article(admin: &Client, title: &str, category: &str, body: &str, when: &str) -> crate::helpers::Resp {
    post_multipart(
        admin,
        "/admin/news/new",
        "/admin/news/new",
        &[("category", category), ("title", title), ("summary", ""), ("body", body), ("published_at", when)],
        &[("cover", "cover.png", png(640, 360))],
    )
}

#[test]
fn an_article_is_sanitized_on_save_and_read_by_category() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let body = "<h2 onclick=\"steal()\">期末安排</h2><script>alert('x')</script>\
                <p style=\"color:red\">图书馆延长开放至 23:00。</p><img src=\"https://evil.example/t.png\" onerror=\"x()\">\
                <a href=\"javascript:alert(1)\">点我</a>";
    let r = write_article(&admin, "期末周图书馆延长开放", "notice", body, "");
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r.location().unwrap().trim_start_matches("/campus/news/").parse().unwrap();
    use campus::db::schema::campus_news as n;
    let (stored, cover, summary): (String, Option<String>, String) =
        app.db(|c| n::table.find(id).select((n::body_html, n::cover, n::summary)).first(c).unwrap());
    assert!(!stored.contains("script") && !stored.contains("onclick") && !stored.contains("onerror"));
    assert!(!stored.contains("style=") && !stored.contains("evil.example") && !stored.contains("javascript:"));
    assert!(stored.contains("<h2>期末安排</h2>") && stored.contains("图书馆延长开放至 23:00"));
    assert!(cover.unwrap().starts_with("/media/news/"));
    assert!(summary.starts_with("期末安排"), "the summary comes from the text: {summary}");

    let student = app.client();
    let page = student.get(&format!("/campus/news/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h2>期末安排</h2>") && !page.body.contains("alert("));
    assert!(student.get("/campus/news?category=notice").body.contains("期末周图书馆延长开放"));
    assert!(!student.get("/campus/news?category=life").body.contains("期末周图书馆延长开放"));

    // Scheduled for tomorrow: not in the feed and not found until then.
    let tomorrow = crate::activity::local(24);
    let r = write_article(&admin, "明天才发布的通知", "notice", "<p>稍后见</p>", &tomorrow);
    assert_eq!(r.status, 303);
    let later: i64 = r.location().unwrap().trim_start_matches("/campus/news/").parse().unwrap();
    assert!(!student.get("/campus/news").body.contains("明天才发布的通知"));
    assert_eq!(student.get(&format!("/campus/news/{later}")).status, 404);
    assert_eq!(admin.get(&format!("/campus/news/{later}")).status, 200, "admins preview it");

    // Bad input: an empty body after sanitizing, a missing title; nothing stored.
    let r = write_article(&admin, "只有脚本", "notice", "<script>alert(1)</script>", "");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("正文不能为空"));
    let r = write_article(&admin, "", "notice", "<p>内容</p>", "");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("标题需为 1–60 个字"));
    let n: i64 = app.db(|c| n::table.filter(n::title.eq_any(["只有脚本", ""])).count().get_result(c).unwrap());
    assert_eq!(n, 0);
    // Students cannot write.
    assert_eq!(app.new_student("reader").get("/admin/news/new").status, 403);
}

#[test]
fn the_news_feed_pages_with_htmx_without_repeats() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    for i in 0..13 {
        let r = write_article(&admin, &format!("校园动态第{i:02}期"), "campus", "<p>内容</p>", "");
        assert_eq!(r.status, 303);
    }
    let c = app.client();
    let first = c.get("/campus/news?category=campus");
    let titles = |body: &str| -> Vec<String> {
        body.match_indices("校园动态第").map(|(at, _)| body[at..at + "校园动态第00期".len()].to_string()).collect()
    };
    assert_eq!(titles(&first.body).len(), 10);
    let at = first.body.find("hx-get=\"").unwrap() + "hx-get=\"".len();
    let next = first.body[at..].split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
    let more = c.get_with(&next, &[("HX-Request", "true")]);
    assert_eq!(more.status, 200);
    assert!(!more.body.contains("<html"), "a fragment");
    let mut all = titles(&first.body);
    all.extend(titles(&more.body));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 13);
}

#[test]
fn students_find_the_library_on_the_map_and_admins_place_points() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let token = admin.get("/admin/map").csrf();
    let (ct, body) = crate::activity::multipart(&[], &[("image", "map.png", png(1200, 800))]);
    let r = admin.post_raw(&format!("/admin/map/image?csrf_token={token}"), &ct, &body);
    assert_eq!(r.status, 303, "{}", r.body);
    let place = |name: &str, category: &str, x: &str, lat: &str| {
        admin.submit(
            "/admin/map",
            "/admin/map/pois",
            &[
                ("name", name),
                ("category", category),
                ("x", x),
                ("y", "40"),
                ("lat", lat),
                ("lng", if lat.is_empty() { "" } else { "121.5" }),
                ("address", "中心大道 1 号"),
                ("hours", "8:00–22:00"),
                ("description", "<b>自习</b>与借阅"),
            ],
        )
    };
    assert_eq!(place("逸夫图书馆", "library", "50", "31.2").status, 303);
    assert_eq!(place("第九食堂", "canteen", "20", "").status, 303);
    let bad = place("越界", "gate", "120", "");
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("横向位置应为 0–100 的数字"));

    let student = app.new_student("explorer");
    let found = student.get("/campus/map?q=%E5%9B%BE%E4%B9%A6");
    assert_eq!(found.status, 200);
    assert!(found.body.contains("逸夫图书馆") && !found.body.contains("第九食堂</p>"));
    use campus::db::schema::campus_pois as p;
    let lib: i64 = app.db(|c| p::table.filter(p::name.eq("逸夫图书馆")).select(p::id).first(c).unwrap());
    let panel = student.get(&format!("/campus/map?poi={lib}"));
    assert!(panel.body.contains("id=\"poi-panel\""));
    assert!(panel.body.contains("data-map-lat=\"31.2\"") && panel.body.contains("uri.amap.com"), "导航 both ways");
    assert!(panel.body.contains("自习") && !panel.body.contains("<b>自习"), "text is escaped");
    // The marker sits at 50% of 1200 px.
    assert!(panel.body.contains("cx=\"600\" cy=\"320\""));
    let canteen: i64 = app.db(|c| p::table.filter(p::name.eq("第九食堂")).select(p::id).first(c).unwrap());
    assert!(
        !student.get(&format!("/campus/map?poi={canteen}")).body.contains("id=\"navigate\""),
        "no coordinates, no 导航"
    );
    assert_eq!(student.get("/campus/map?poi=99999").status, 404);
    assert!(student.get("/campus/map?category=canteen").body.contains("第九食堂"));
    assert_eq!(student.get("/admin/map").status, 403);
}

#[test]
fn the_home_page_shows_visitors_public_blocks_and_students_their_own() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let id = crate::activity::publish(&admin, "社团招新日", "30", 48, "");
    assert_eq!(write_article(&admin, "新学期校历发布", "notice", "<p>详见附件</p>", "").status, 303);
    std::thread::sleep(std::time::Duration::from_millis(2100)); // the shared blocks' cache
    let visitor = app.client().get("/");
    assert_eq!(visitor.status, 200);
    assert!(visitor.body.contains("href=\"/login\"") && visitor.body.contains("社团招新日"));
    assert!(visitor.body.contains("新学期校历发布") && visitor.body.contains("商城推荐"));
    assert!(!visitor.body.contains("我报名的活动"));
    let student = app.new_student("homebody");
    assert_eq!(crate::activity::signup(&student, id, "宅同学", &[]).status, 303);
    let home = student.get("/");
    assert!(home.body.contains("我报名的活动") && home.body.contains("未读消息"));
    let mine = &home.body[home.body.find("id=\"my-activities\"").unwrap()..];
    assert!(mine[..mine.find("近期活动").unwrap()].contains("社团招新日"));
}
