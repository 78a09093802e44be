//! The finish a picky phone user and a busy merchant notice (issue 16), in headless Chromium:
//! the student's pages at 390×844 under the four phone rules (`browser_rules.rs`), the back
//! office at 1366×900. Every screen is kept in `artifacts/polish-*.png`.

use diesel::prelude::*;

use crate::browser::{Driver, SAFARI_UA, sign_in_as_student};
use crate::browser_rules::{answer_confirm, check_desk_page, js, visit_phone};
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};
use crate::mall::{add_to_cart, checkout, pay_mock};

/// A demo product with a single price and its first option.
fn single_price_product(app: &TestApp) -> (i64, i64) {
    use campus::db::schema::product_skus as s;
    app.db(|c| {
        let rows: Vec<(i64, i64)> = s::table.order(s::id).select((s::product_id, s::id)).load(c).unwrap();
        rows.iter().find(|(p, _)| rows.iter().filter(|(q, _)| q == p).count() == 1).copied().unwrap()
    })
}

/// The student buys `sku` (pickup) and pays; returns the order number.
fn bought(student: &Client, sku: i64) -> String {
    add_to_cart(student, sku, "1");
    let no = checkout(student);
    pay_mock(student, &no);
    no
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_pages_keep_the_phone_rules() {
    let app = spawn_app();
    let (product, sku) = single_price_product(&app);
    let student = app.login("student", DEMO_PASSWORD);
    let shipped = bought(&student, sku);
    let merchant = app.login("merchant", DEMO_PASSWORD);
    let t = merchant.get("/merchant").csrf();
    let r = merchant.post_form(
        &format!("/merchant/orders/{shipped}/ship"),
        &[("csrf_token", &t), ("method", "courier"), ("courier", "顺丰"), ("tracking_no", "SF100200")],
    );
    assert_eq!(r.status, 303);
    add_to_cart(&student, sku, "1");
    let unpaid = checkout(&student);
    add_to_cart(&student, sku, "1");

    let d = Driver::start(390, 844, Some(SAFARI_UA));
    // A wrong password: the message in WeUI's warn colour beside the field, focus on the field.
    d.goto(&app.url("/login"));
    d.type_into("input[name=username]", "student");
    d.type_into("input[name=password]", "wrong-password");
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the refusal", |d| d.source().contains("用户名或密码错误"));
    let v = js(
        &d,
        "const e = document.getElementById('form-error'); return [getComputedStyle(e).color, document.activeElement.name, \
         e.previousElementSibling.contains(document.activeElement)];",
    );
    assert_eq!(v[0], "rgb(200, 50, 50)", "warn colour (WeUI's red darkened to 5.3:1 on white, issue 29)");
    assert_eq!(v[1], "password", "focus on the field");
    assert_eq!(v[2], true, "beside the fields");
    crate::browser_rules::check_phone_page(&d, "/login with an error");
    d.screenshot("polish-login-error-phone.png");

    sign_in_as_student(&app, &d);
    visit_phone(&d, &app.url("/"), "home", "polish-home-phone");
    let home = d.source();
    for shortcut in ["/mall\"", "/mall/orders\"", "/mall/second-hand\"", "/me/messages\""] {
        assert!(home.contains(&format!("href=\"{shortcut}")), "home shortcut {shortcut}");
    }
    visit_phone(&d, &app.url("/mall"), "mall", "polish-mall-phone");
    assert!(!d.source().contains("img/product.svg"), "demo products have their own pictures");
    visit_phone(&d, &app.url(&format!("/mall/products/{product}")), "product", "polish-product-phone");
    assert!(!d.source().contains("<span class=\"muted\"> 起</span>"), "one price, no 起");
    visit_phone(&d, &app.url("/mall/search?q=%E7%AC%94"), "search", "polish-search-phone");
    d.goto(&app.url("/mall/cart"));
    d.click("[data-step='1']");
    d.wait_for("the stepper to save", |d| d.source().contains("value=\"2\""));
    visit_phone(&d, &app.url("/mall/cart"), "cart", "polish-cart-phone");
    visit_phone(&d, &app.url("/mall/checkout"), "checkout", "polish-checkout-phone");
    let shown =
        |d: &Driver, css: &str| js(d, &format!("return document.querySelector({css:?}).offsetParent !== null;"));
    assert_eq!(shown(&d, ".delivery-pickup"), true);
    assert_eq!(shown(&d, ".delivery-dorm"), false, "only the chosen delivery");
    d.click("label:has(input[name=delivery][value=dorm])");
    assert_eq!(shown(&d, ".delivery-pickup"), false);
    assert_eq!(js(&d, "return document.querySelector('input[name=receiver_phone]').value;"), "13800138000");
    assert_eq!(js(&d, "return document.querySelector('input[name=receiver_name]').value;"), "林晓");
    d.screenshot("polish-checkout-dorm-phone.png");
    visit_phone(&d, &app.url(&format!("/pay/mock/{unpaid}")), "cashier", "polish-cashier-phone");
    assert_eq!(js(&d, "return document.querySelector('.weui-bar__item_on').innerText.trim();"), "商城");
    assert_eq!(js(&d, "return document.querySelector('.order-no').getClientRects().length;"), 1, "no wrap");
    visit_phone(&d, &app.url("/mall/orders"), "orders", "polish-orders-phone");
    let hint = js(&d, "return getComputedStyle(document.querySelector('.tabs-scroll'), '::after').backgroundImage;");
    assert!(hint.as_str().unwrap().contains("gradient"), "the tab row shows it scrolls");

    // 确认收货 asks first; saying no changes nothing, yes completes and says so.
    visit_phone(&d, &app.url(&format!("/mall/orders/{shipped}")), "shipped order", "polish-order-shipped-phone");
    d.click("form[action$='/confirm'] button");
    assert!(answer_confirm(&d, false).contains("确认已收到"));
    let status = || -> String {
        use campus::db::schema::orders;
        app.db(|c| orders::table.filter(orders::order_no.eq(&shipped)).select(orders::status).first(c).unwrap())
    };
    assert_eq!(status(), "shipped");
    d.click("form[action$='/confirm'] button");
    answer_confirm(&d, true);
    d.wait_for("the flash", |d| d.source().contains("已确认收货"));
    assert_eq!(status(), "completed");
    d.screenshot("polish-order-received-phone.png");

    for (path, shot) in [
        ("/mall/second-hand", "polish-second-hand-phone"),
        ("/mall/second-hand/new", "polish-second-hand-new-phone"),
        ("/me", "polish-me-phone"),
        ("/me/messages", "polish-messages-phone"),
        ("/me/settings", "polish-settings-phone"),
        ("/me/feedback", "polish-feedback-phone"),
        ("/mall/coupons", "polish-coupons-phone"),
        ("/mall/categories/2", "polish-category-phone"),
        ("/forum", "polish-forum-phone"),
        ("/forum/new", "polish-forum-new-phone"),
        ("/forum/ranking", "polish-forum-ranking-phone"),
        ("/forum/posts/1", "polish-forum-post-phone"),
        ("/activities", "polish-activities-phone"),
        ("/activities/1", "polish-activity-phone"),
        ("/activities/mine", "polish-activities-mine-phone"),
        ("/campus/news", "polish-news-phone"),
        ("/campus/news/1", "polish-article-phone"),
        ("/campus/map", "polish-map-phone"),
        ("/me/posts", "polish-my-posts-phone"),
        ("/me/delete", "polish-delete-account-phone"),
    ] {
        visit_phone(&d, &app.url(path), path, shot);
    }
    drop(d);

    // At desktop width the student pages sit in a centred phone-width column.
    let wide = Driver::start(1366, 900, None);
    sign_in_as_student(&app, &wide);
    wide.goto(&app.url("/mall"));
    let v = js(&wide, "const r = document.body.getBoundingClientRect(); return [r.width, r.left];");
    assert!(v[0].as_f64().unwrap() <= 480.0 && v[1].as_f64().unwrap() > 300.0, "centred column: {v}");
    wide.screenshot("polish-mall-desktop.png");
    crate::browser_rules::assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_merchant_and_admin_see_names_confirms_and_their_own_dashboard() {
    let app = spawn_app();
    let (_, sku) = single_price_product(&app);
    let student = app.login("student", DEMO_PASSWORD);
    let pickup = bought(&student, sku);
    let refunded = bought(&student, sku);
    student.submit(
        &format!("/mall/orders/{refunded}"),
        &format!("/mall/orders/{refunded}/refund"),
        &[("reason", "买错了")],
    );

    let d = Driver::start(1366, 900, None);
    d.goto(&app.url("/login?next=/merchant"));
    d.type_into("input[name=username]", "merchant");
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the shop dashboard", |d| d.url() == app.url("/merchant"));
    assert_eq!(js(&d, "return document.querySelector('.desk-brand').getAttribute('href');"), "/merchant");
    d.screenshot("polish-merchant-dashboard-desktop.png");

    // A pickup order defaults to pickup; each radio sits at the start of its label.
    d.goto(&app.url(&format!("/merchant/orders/{pickup}")));
    assert_eq!(js(&d, "return document.querySelector('input[name=method]:checked').value;"), "pickup");
    let v = js(
        &d,
        "return [...document.querySelectorAll('.ship-method label')].map(l => { const r = l.querySelector('input').getBoundingClientRect(), b = l.getBoundingClientRect(); \
         return r.left - b.left < 8 && Math.abs((r.top + r.height / 2) - (b.top + b.height / 2)) < 6; });",
    );
    assert_eq!(v, serde_json::json!([true, true]), "radios beside their labels");
    check_desk_page(&d, "merchant order");
    d.screenshot("polish-merchant-ship-desktop.png");
    d.click(".ship-method + label + label + button.primary");
    d.wait_for("shipped", |d| d.source().contains("已发货"));

    // 同意退款 names the amount before money goes back.
    d.goto(&app.url(&format!("/merchant/orders/{refunded}")));
    check_desk_page(&d, "merchant refund");
    d.screenshot("polish-merchant-refund-desktop.png");
    d.click("form[action$='/approve'] button");
    let question = answer_confirm(&d, true);
    assert!(question.contains("同意退款 ¥") && question.contains("不能撤回"), "{question}");
    d.wait_for("the refund done", |d| d.source().contains("已同意退款"));

    d.goto(&app.url("/merchant/log"));
    let log = d.source();
    for text in ["备货完成待自提", "同意退款", &format!("订单「{pickup}」")] {
        assert!(log.contains(text), "{text}");
    }
    d.screenshot("polish-merchant-log-desktop.png");
    d.goto(&app.url("/merchant/products/new"));
    assert!(
        js(&d, "return document.querySelectorAll('select[name=category_id] optgroup').length;").as_i64().unwrap() >= 5
    );
    d.screenshot("polish-merchant-new-product-desktop.png");
    d.goto(&app.url("/merchant/products"));
    check_desk_page(&d, "merchant products");
    drop(d);

    let a = Driver::start(1366, 900, None);
    a.goto(&app.url("/login?next=/admin"));
    a.type_into("input[name=username]", "admin");
    a.type_into("input[name=password]", DEMO_PASSWORD);
    a.click("form[action='/login'] button[type=submit]");
    a.wait_for("the admin dashboard", |d| d.url() == app.url("/admin"));
    assert_eq!(js(&a, "return document.querySelector('.desk-brand').getAttribute('href');"), "/admin");
    let raw =
        r"return (document.querySelector('.audit-table').innerText.match(/\b[a-z_]+\.[a-z_]+\b|[a-z_]+ #\d+/g) || []);";
    assert_eq!(js(&a, raw), serde_json::json!([]), "no raw codes on the dashboard");
    a.screenshot("polish-admin-dashboard-desktop.png");
    a.goto(&app.url("/admin/audit"));
    assert_eq!(js(&a, raw), serde_json::json!([]), "no raw codes in the audit log");
    assert!(a.source().contains("同意退款"), "the shop's actions are in the audit log");
    a.screenshot("polish-admin-audit-desktop.png");
    for path in
        ["/admin/mall", "/admin/users", "/admin/moderation", "/admin/second-hand", "/admin/words", "/admin/refunds"]
    {
        a.goto(&app.url(path));
        check_desk_page(&a, path);
    }
    crate::browser_rules::assert_no_problems();
}
