use std::process::Command;

use campus::mall::service as mall;
use diesel::prelude::*;

use crate::helpers::{TestApp, eventually, spawn_app};
use crate::mall::sku;

/// GET /mall/search with the query string percent-encoded the way a browser sends it.
fn search(app: &TestApp, query: &str) -> crate::helpers::Resp {
    let mut encoded = String::new();
    for b in query.bytes() {
        match b {
            b' ' => encoded.push_str("%20"),
            0x80.. => encoded.push_str(&format!("%{b:02X}")),
            _ => encoded.push(b as char),
        }
    }
    app.client().get(&format!("/mall/search?{encoded}"))
}

#[test]
fn a_chinese_search_finds_and_highlights_products() {
    let app = spawn_app();
    let r = search(&app, "q=充电");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("罗马仕 <mark>充电</mark>宝 10000mAh"), "{}", r.body);
    assert!(r.body.contains("小米 20W 快充<mark>充电</mark>器"));
    assert!(!r.body.contains("农夫山泉"));
    let r = search(&app, "q=%E4%B8%AD%E6%80%A7%E7%AC%94"); // 中性笔
    assert!(r.body.contains("晨光 <mark>中性笔</mark>"));
    let r = search(&app, "q=四六级 耳机");
    assert!(r.body.contains("<mark>四六级</mark>英语听力<mark>耳机</mark>"));
    // Description words count too, with a highlighted snippet.
    let r = search(&app, "q=宿舍");
    assert!(r.body.contains("小熊 迷你电煮锅"), "found by its description");
    assert!(r.body.contains("<mark>宿舍</mark>用小功率"));
    let r = search(&app, "q=TYPE-C");
    assert!(r.body.contains("小米 20W 快充充电器"), "case-insensitive latin words");
}

#[test]
fn search_filters_and_sorts_in_the_database() {
    let app = spawn_app();
    let r = search(&app, "q=充电&sort=price_asc");
    let cheap = r.body.find("小米 20W").unwrap();
    let dear = r.body.find("罗马仕").unwrap();
    assert!(cheap < dear, "price ascending");
    let r = search(&app, "q=充电&min=50&max=100");
    assert!(r.body.contains("罗马仕") && !r.body.contains("小米 20W"));
    assert!(r.body.contains("找到 1 件商品"));
    use campus::db::schema::product_categories;
    let drinks: i64 = app.db(|c| {
        product_categories::table
            .filter(product_categories::name.eq("饮料"))
            .select(product_categories::id)
            .first(c)
            .unwrap()
    });
    let r = search(&app, &format!("q=水&category={drinks}"));
    assert!(r.body.contains("农夫山泉"));
    assert!(!r.body.contains("罗马仕"));
}

#[test]
fn search_refuses_bad_filters_with_a_clear_message() {
    let app = spawn_app();
    for (query, message) in [
        ("q=笔&min=abc", "最低价请输入数字"),
        ("q=笔&max=-5", "最高价请输入数字"),
        ("q=笔&min=50&max=10", "最低价不能高于最高价"),
        ("q=笔&category=abc", "分类参数无效"),
    ] {
        let r = search(&app, query);
        assert_eq!(r.status, 422, "{query}");
        assert!(r.body.contains(message), "{message}");
    }
    let r = search(&app, "q=笔&category=99999");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("没有这个分类"));
}

#[test]
fn an_empty_search_suggests_something() {
    let app = spawn_app();
    let r = search(&app, "q=火箭发动机");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("没有找到与「火箭发动机」相关的商品"));
    assert!(r.body.contains("大家都在买"));
    let r = search(&app, "q=");
    assert!(r.body.contains("输入商品名称或用途"));
    let r = search(&app, "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(!r.body.contains("<script>alert"));
}

#[test]
fn the_index_follows_product_changes_and_never_shows_what_is_off_the_shelf() {
    let app = spawn_app();
    let (pid, _) = sku(&app, "斯伯丁 7号篮球 室内外通用", "");
    assert!(search(&app, "q=篮球").body.contains("斯伯丁"));
    app.db(|c| mall::set_product_on_sale(c, pid, false).unwrap());
    // Hidden at once by the database filter, and removed from the index soon after.
    assert!(!search(&app, "q=篮球").body.contains("斯伯丁"));
    assert!(eventually(|| app.state.search.search("product", "篮球", 10).unwrap().is_empty()));
    let shop: i64 = app.db(|c| {
        use campus::db::schema::shops;
        shops::table.select(shops::id).first(c).unwrap()
    });
    app.db(|c| {
        mall::create_product(
            c,
            &mall::ProductSpec {
                shop_id: shop,
                category_id: 2,
                name: "<b>限量</b> 排球 Molten".into(),
                description: "比赛用球".into(),
                images: vec![],
                original_price_cents: None,
                skus: vec![mall::SkuSpec { name: String::new(), price_cents: 9900, stock: 3 }],
            },
            0,
        )
        .unwrap()
    });
    assert!(eventually(|| search(&app, "q=排球").body.contains("Molten")));
    let r = search(&app, "q=排球");
    assert!(r.body.contains("&lt;b&gt;限量&lt;/b&gt; <mark>排球</mark> Molten"), "escaped around the mark");
}

#[test]
fn campus_reindex_rebuilds_the_index_from_the_database() {
    let app = spawn_app();
    let dir = app.data_dir.join("cli");
    let out = Command::new(env!("CARGO_BIN_EXE_campus"))
        .arg("reindex")
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("CAMPUS_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("indexed 24 product(s)"));
    let index = campus::search::SearchIndex::open(&dir.join("search")).unwrap();
    use campus::db::schema::forum_posts;
    let posts: i64 = app.db(|c| forum_posts::table.count().get_result(c).unwrap());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{posts} forum post(s)")));
    assert_eq!(index.num_docs(), 24 + posts as u64, "products and forum posts");
    let (power_bank, _) = sku(&app, "罗马仕 充电宝 10000mAh", "");
    assert_eq!(index.search("product", "充电宝", 5).unwrap()[0].0, power_bank, "the best hit first");
}
