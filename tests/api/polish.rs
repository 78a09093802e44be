//! The finish of issue 16 over plain HTTP: icons, demo pictures, the checkout's prefilled
//! contact, the login error beside its field, and forms that still refuse bad input clearly.

use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, spawn_app};
use crate::mall::{add_to_cart, field};

#[test]
fn the_site_has_a_favicon_and_a_home_screen_icon() {
    let app = spawn_app();
    let c = app.client();
    let ico = c.get("/favicon.ico");
    assert_eq!(ico.status, 200);
    assert_eq!(ico.header("content-type"), Some("image/x-icon"));
    for path in ["/apple-touch-icon.png", "/apple-touch-icon-precomposed.png"] {
        let png = c.get(path);
        assert_eq!(png.status, 200, "{path}");
        assert_eq!(png.header("content-type"), Some("image/png"));
    }
    let page = c.get("/login").body;
    assert!(page.contains("rel=\"icon\"") && page.contains("rel=\"apple-touch-icon\""));
}

#[test]
fn demo_products_each_have_their_own_picture() {
    let app = spawn_app();
    use campus::db::schema::products;
    let images: Vec<String> = app.db(|c| products::table.select(products::images).load(c).unwrap());
    assert!(images.len() >= 20);
    let mut distinct = images.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), images.len(), "every demo product its own picture");
    let first: Vec<String> = serde_json::from_str(&images[0]).unwrap();
    let r = app.client().get(&first[0]);
    assert_eq!(r.status, 200, "{}", first[0]);
    assert!(!app.client().get("/mall").body.contains("img/product.svg"));
}

#[test]
fn checkout_starts_from_the_profile_and_still_refuses_bad_input() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    use campus::db::schema::product_skus;
    let sku: i64 = app.db(|c| product_skus::table.order(product_skus::id).select(product_skus::id).first(c).unwrap());
    add_to_cart(&student, sku, "1");
    let page = student.get("/mall/checkout");
    assert_eq!(field(&page.body, "receiver_name"), "林晓");
    assert_eq!(field(&page.body, "receiver_phone"), "13800138000");
    assert!(page.body.contains("placeholder=\"11 位手机号\""));
    // Dorm delivery without an address: a clear message, 4xx, nothing ordered.
    let key = field(&page.body, "checkout_key");
    let r = student.post_form(
        "/mall/checkout",
        &[
            ("csrf_token", &page.csrf()),
            ("checkout_key", &key),
            ("delivery", "dorm"),
            ("receiver_name", "林晓"),
            ("receiver_phone", "13800138000"),
            ("address", ""),
        ],
    );
    assert!((400..500).contains(&r.status), "{}", r.status);
    assert!(r.body.contains("请填写宿舍地址"));
    use campus::db::schema::orders;
    assert_eq!(app.db(|c| orders::table.count().get_result::<i64>(c).unwrap()), 0);
}

#[test]
fn a_wrong_password_is_said_beside_the_field_which_takes_the_focus() {
    let app = spawn_app();
    let c = app.client();
    let r = c.submit("/login", "/login", &[("username", "student"), ("password", "not-it")]);
    assert!((400..500).contains(&r.status), "{}", r.status);
    assert!(r.body.contains("class=\"field-alert\" id=\"form-error\" role=\"alert\""));
    assert!(r.body.contains("autofocus aria-invalid=\"true\" aria-describedby=\"form-error\""));
}

#[test]
fn a_product_must_be_filed_under_a_second_level_category() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let form = m.get("/merchant/products/new").body;
    assert!(form.contains("<optgroup label=\"食品饮料\">"), "the picker shows the tree");
    for category in ["", "1"] {
        let r = crate::merchant::upload(
            &m,
            "/merchant/products/new",
            &[
                ("name", "无分类商品"),
                ("category_id", category),
                ("description", ""),
                ("skus", ""),
                ("price", "5"),
                ("stock", "3"),
            ],
            &[],
        );
        assert_eq!(r.status, 422, "category {category:?}");
        assert!(r.body.contains("请选择分类"));
    }
    use campus::db::schema::products;
    let n: i64 = app.db(|c| products::table.filter(products::name.eq("无分类商品")).count().get_result(c).unwrap());
    assert_eq!(n, 0);
}
