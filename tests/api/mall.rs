use std::time::Duration;

use campus::mall::service as mall;
use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, TestApp, app, eventually, spawn_app};

/// `(product id, sku id)` of a demo product by name, the SKU by option name ("" = first).
pub fn sku(app: &TestApp, product: &str, option: &str) -> (i64, i64) {
    use campus::db::schema::{product_skus, products};
    app.db(|c| {
        let pid: i64 = products::table.filter(products::name.eq(product)).select(products::id).first(c).unwrap();
        let mut q = product_skus::table.filter(product_skus::product_id.eq(pid)).into_boxed();
        if !option.is_empty() {
            q = q.filter(product_skus::name.eq(option));
        }
        let sid: i64 = q.order(product_skus::id).select(product_skus::id).first(c).unwrap();
        (pid, sid)
    })
}

pub fn stock(app: &TestApp, sku_id: i64) -> i64 {
    use campus::db::schema::product_skus;
    app.db(|c| product_skus::table.find(sku_id).select(product_skus::stock).first(c).unwrap())
}

pub fn set_stock(app: &TestApp, sku_id: i64, n: i64) {
    use campus::db::schema::product_skus;
    app.db(|c| diesel::update(product_skus::table.find(sku_id)).set(product_skus::stock.eq(n)).execute(c).unwrap());
}

fn order_count(app: &TestApp) -> i64 {
    use campus::db::schema::orders;
    app.db(|c| orders::table.count().get_result(c).unwrap())
}

fn order_status(app: &TestApp, order_no: &str) -> String {
    use campus::db::schema::orders;
    app.db(|c| orders::table.filter(orders::order_no.eq(order_no)).select(orders::status).first(c).unwrap())
}

fn order_id(app: &TestApp, order_no: &str) -> i64 {
    use campus::db::schema::orders;
    app.db(|c| orders::table.filter(orders::order_no.eq(order_no)).select(orders::id).first(c).unwrap())
}

pub fn add_to_cart(c: &Client, sku_id: i64, quantity: &str) -> crate::helpers::Resp {
    c.submit("/mall", "/mall/cart", &[("sku_id", &sku_id.to_string()), ("quantity", quantity)])
}

/// Checks out the cart for pickup; returns the order number the app redirected to.
pub fn checkout(c: &Client) -> String {
    let page = c.get("/mall/checkout");
    assert_eq!(page.status, 200, "{}", page.body);
    let key = field(&page.body, "checkout_key");
    let r = c.post_form(
        "/mall/checkout",
        &[
            ("csrf_token", &page.csrf()),
            ("checkout_key", &key),
            ("delivery", "pickup"),
            ("pickup_point", "1"),
            ("remark", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().unwrap().trim_start_matches("/mall/orders/").to_string()
}

pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name}")) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

pub fn pay_mock(c: &Client, order_no: &str) -> crate::helpers::Resp {
    c.submit("/mall", &format!("/pay/mock/{order_no}"), &[("action", "pay")])
}

#[test]
fn the_mall_shows_categories_hot_products_and_product_pages() {
    let app = spawn_app();
    let c = app.client();
    let home = c.get("/mall");
    assert_eq!(home.status, 200);
    for text in ["食品饮料", "学习文具", "热销", "新品上架", "农夫山泉 饮用天然水 550ml", "¥2.00"]
    {
        assert!(home.body.contains(text), "{text}");
    }
    let (pid, _) = sku(&app, "校园文化衫 纯棉 T恤", "");
    let page = c.get(&format!("/mall/products/{pid}"));
    assert_eq!(page.status, 200);
    for text in ["¥49.00", "白色 / XL", "黑色 / M", "校园便利店", "已售 310", "库存 150"] {
        assert!(page.body.contains(text), "{text}");
    }
    assert_eq!(c.get("/mall/products/999999").status, 404);
    assert_eq!(c.get("/mall/products/abc").status, 404);
    app.db(|conn| mall::set_product_on_sale(conn, pid, false).unwrap());
    let off = c.get(&format!("/mall/products/{pid}"));
    assert_eq!(off.status, 404);
    assert!(off.body.contains("页面不存在"));
    // The mall home is shared for two seconds; then the product is gone from it too.
    assert!(eventually(|| !c.get("/mall").body.contains("校园文化衫")));
}

#[test]
fn a_category_page_sorts_and_scrolls() {
    let app = spawn_app();
    let c = app.client();
    use campus::db::schema::product_categories;
    let (drinks, food): (i64, i64) = app.db(|conn| {
        let d = product_categories::table
            .filter(product_categories::name.eq("饮料"))
            .select(product_categories::id)
            .first(conn)
            .unwrap();
        let f = product_categories::table
            .filter(product_categories::name.eq("食品饮料"))
            .select(product_categories::id)
            .first(conn)
            .unwrap();
        (d, f)
    });
    let asc = c.get(&format!("/mall/categories/{drinks}?sort=price_asc")).body;
    let water = asc.find("农夫山泉").unwrap();
    let cola = asc.find("可口可乐").unwrap();
    let soda = asc.find("元气森林").unwrap();
    assert!(water < cola && cola < soda, "cheapest first");
    let desc = c.get(&format!("/mall/categories/{drinks}?sort=price_desc")).body;
    assert!(desc.find("元气森林").unwrap() < desc.find("农夫山泉").unwrap());
    // The parent category lists its children's products too.
    let parent = c.get(&format!("/mall/categories/{food}")).body;
    assert!(parent.contains("乐事薯片") && parent.contains("康师傅"));
    // Infinite scroll: 30 more drinks make a second page, fetched as a fragment.
    let shop: i64 = app.db(|conn| {
        use campus::db::schema::shops;
        shops::table.select(shops::id).first(conn).unwrap()
    });
    app.db(|conn| {
        for i in 0..30 {
            mall::create_product(
                conn,
                &mall::ProductSpec {
                    shop_id: shop,
                    category_id: drinks,
                    name: format!("测试饮料 {i:02}"),
                    description: String::new(),
                    images: vec![],
                    original_price_cents: None,
                    skus: vec![mall::SkuSpec { name: String::new(), price_cents: 100 + i, stock: 5 }],
                },
                0,
            )
            .unwrap();
        }
    });
    let first = c.get(&format!("/mall/categories/{drinks}?sort=sales")).body;
    assert_eq!(first.matches("class=\"card\"").count(), 20);
    let start = first.find("hx-get=\"").unwrap() + 8;
    let more = first[start..start + first[start..].find('"').unwrap()].replace("&#38;", "&").replace("&amp;", "&");
    let next = c.get_with(&more, &[("HX-Request", "true")]);
    assert_eq!(next.status, 200);
    assert!(!next.body.contains("<html"));
    assert_eq!(next.body.matches("class=\"card\"").count(), 13, "the other 13 of 33");
    assert!(!next.body.contains("hx-trigger=\"revealed\""), "no more pages");
    assert_eq!(c.get("/mall/categories/99999").status, 404);
    assert_eq!(
        c.get(&format!("/mall/categories/{drinks}?sort=bogus&after=x_y")).status,
        200,
        "bad sort and cursor mean the defaults"
    );
}

#[test]
fn the_cart_caps_quantities_by_stock_and_refuses_bad_input() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, calc) = sku(&app, "卡西欧 fx-991CN X 科学计算器", "");
    assert_eq!(stock(&app, calc), 15);
    let cases = [
        ("0", "数量至少为 1"),
        ("-3", "数量至少为 1"),
        ("100", "单次最多购买 99 件"),
        ("abc", "请输入正确的数量"),
        ("", "请输入正确的数量"),
        ("99999999999999999999", "请输入正确的数量"),
    ];
    for (q, message) in cases {
        let r = add_to_cart(&c, calc, q);
        assert_eq!(r.status, 422, "{q}");
        assert!(r.body.contains(message), "{q}: {message}");
    }
    let r = add_to_cart(&c, calc, "16");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("库存仅剩 15 件"));
    let r = c.submit("/mall", "/mall/cart", &[("sku_id", "999999"), ("quantity", "1")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("商品不存在或已下架"));
    let r = c.submit("/mall", "/mall/cart", &[("sku_id", "'; DROP TABLE orders;--"), ("quantity", "1")]);
    assert_eq!(r.status, 422);
    let cart = c.get("/mall/cart");
    assert!(cart.body.contains("购物车是空的"), "nothing was added");

    assert_eq!(add_to_cart(&c, calc, "10").status, 303);
    let r = add_to_cart(&c, calc, "6");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("购物车里已有 10 件"));
    assert_eq!(stock(&app, calc), 15, "the cart reserves nothing");
}

#[test]
fn the_cart_updates_through_htmx_and_groups_by_shop() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, water) = sku(&app, "农夫山泉 饮用天然水 550ml", "单瓶");
    let token = c.get("/mall").csrf();
    let r = c.post_form_with(
        "/mall/cart",
        &[("sku_id", &water.to_string()), ("quantity", "2")],
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("hx-retarget"), Some("#toast"));
    assert!(r.body.contains("已加入购物车"));
    let cart = c.get("/mall/cart");
    assert!(cart.body.contains("校园便利店") && cart.body.contains("¥4.00"));
    use campus::db::schema::cart_items;
    let item: i64 = app.db(|conn| cart_items::table.select(cart_items::id).first(conn).unwrap());
    let r = c.post_form_with(
        &format!("/mall/cart/{item}"),
        &[("quantity", "5")],
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
    );
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("<html"));
    assert!(r.body.contains("¥10.00"), "new total in the fragment");
    let r = c.post_form_with(
        &format!("/mall/cart/{item}"),
        &[("quantity", "501")],
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.header("hx-retarget"), Some("#toast"));
    // Someone else's cart line is not found.
    let other = app.login("teacher", DEMO_PASSWORD);
    let t2 = other.get("/mall").csrf();
    assert_eq!(other.post_form(&format!("/mall/cart/{item}/remove"), &[("csrf_token", &t2)]).status, 404);
    let r = c.post_form_with(
        &format!("/mall/cart/{item}/remove"),
        &[],
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("购物车是空的"));
}

#[test]
fn checkout_creates_one_order_per_shop_reserves_stock_and_ignores_tampered_prices() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    // A second shop, owned by the teacher for this test.
    let teacher: i64 = app.db(|conn| {
        use campus::db::schema::user_auth;
        user_auth::table.filter(user_auth::auth_key.eq("teacher")).select(user_auth::user_id).first(conn).unwrap()
    });
    let other_sku = app.db(|conn| {
        let shop = mall::open_shop(conn, teacher, "二号书店", "", "").unwrap();
        let pid = mall::create_product(
            conn,
            &mall::ProductSpec {
                shop_id: shop,
                category_id: 2,
                name: "高等数学 同济第七版".into(),
                description: String::new(),
                images: vec![],
                original_price_cents: None,
                skus: vec![mall::SkuSpec { name: String::new(), price_cents: 4700, stock: 3 }],
            },
            0,
        )
        .unwrap();
        use campus::db::schema::product_skus;
        product_skus::table
            .filter(product_skus::product_id.eq(pid))
            .select(product_skus::id)
            .first::<i64>(conn)
            .unwrap()
    });
    let (_, pens) = sku(&app, "晨光 中性笔 0.5mm 黑色 12支", "蓝色");
    add_to_cart(&c, pens, "2");
    add_to_cart(&c, other_sku, "1");
    let page = c.get("/mall/checkout");
    let key = field(&page.body, "checkout_key");
    let token = page.csrf();
    let form = [
        ("csrf_token", token.as_str()),
        ("checkout_key", key.as_str()),
        ("delivery", "dorm"),
        ("receiver_name", "林晓"),
        ("receiver_phone", "13800138000"),
        ("address", "东区 5 号楼 302"),
        ("remark", "放门口"),
        ("price_cents", "1"),
        ("total_cents", "1"),
    ];
    let r = c.post_form("/mall/checkout", &form);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/mall/orders?tab=pending"));
    assert_eq!(order_count(&app), 2);
    use campus::db::schema::orders;
    let totals: Vec<i64> = app.db(|conn| orders::table.order(orders::id).select(orders::pay_cents).load(conn).unwrap());
    assert_eq!(totals, vec![3160, 4700], "prices come from the database");
    assert_eq!(stock(&app, pens), 118);
    assert_eq!(stock(&app, other_sku), 2);
    assert!(c.get("/mall/cart").body.contains("购物车是空的"));
    // The same form submitted again changes nothing.
    let again = c.post_form("/mall/checkout", &form);
    assert_eq!(again.status, 303);
    assert_eq!(order_count(&app), 2);
    assert_eq!(stock(&app, pens), 118);
    let list = c.get("/mall/orders?tab=pending");
    assert!(list.body.contains("二号书店") && list.body.contains("¥47.00") && list.body.contains("¥31.60"));
}

#[test]
fn checkout_refuses_bad_input_and_an_empty_cart() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    assert_eq!(c.get("/mall/checkout").status, 303, "nothing to check out");
    let token = c.get("/mall").csrf();
    let r = c.post_form(
        "/mall/checkout",
        &[
            ("csrf_token", &token),
            ("checkout_key", "k".repeat(20).as_str()),
            ("delivery", "pickup"),
            ("pickup_point", "1"),
        ],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("购物车是空的"));
    let (_, water) = sku(&app, "农夫山泉 饮用天然水 550ml", "单瓶");
    add_to_cart(&c, water, "1");
    let key = "k".repeat(20);
    let long = "长".repeat(201);
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("delivery", "")], "请选择配送方式"),
        (&[("delivery", "pickup"), ("pickup_point", "abc")], "请选择自提点"),
        (&[("delivery", "pickup"), ("pickup_point", "999")], "请选择有效的自提点"),
        (
            &[("delivery", "dorm"), ("receiver_name", ""), ("receiver_phone", "13800138000"), ("address", "x")],
            "请填写收货人",
        ),
        (
            &[("delivery", "dorm"), ("receiver_name", "a"), ("receiver_phone", "123"), ("address", "x")],
            "手机号格式不正确",
        ),
        (
            &[("delivery", "dorm"), ("receiver_name", "a"), ("receiver_phone", "13800138000"), ("address", "")],
            "请填写宿舍地址",
        ),
        (&[("delivery", "pickup"), ("pickup_point", "1"), ("remark", long.as_str())], "备注不能超过 200 字"),
    ];
    for (fields, message) in cases {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token), ("checkout_key", &key)];
        all.extend_from_slice(fields);
        let r = c.post_form("/mall/checkout", &all);
        assert!(r.status == 422 || r.status == 409, "{fields:?}: {}", r.status);
        assert!(r.body.contains(message), "{message}");
    }
    let r = c.post_form(
        "/mall/checkout",
        &[("csrf_token", &token), ("checkout_key", "short"), ("delivery", "pickup"), ("pickup_point", "1")],
    );
    assert_eq!(r.status, 422);
    assert_eq!(order_count(&app), 0, "nothing stored");
    assert_eq!(stock(&app, water), 500, "no stock moved");
    // Stock gone between cart and checkout.
    set_stock(&app, water, 0);
    let r = c.post_form(
        "/mall/checkout",
        &[("csrf_token", &token), ("checkout_key", &key), ("delivery", "pickup"), ("pickup_point", "1")],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("已下架或售罄"));
    assert_eq!(order_count(&app), 0);
}

#[test]
fn an_order_is_paid_at_the_mock_cashier_shipped_and_received() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (pid, cola) = sku(&app, "可口可乐 330ml 罐装", "6罐装");
    add_to_cart(&c, cola, "2");
    let no = checkout(&c);
    let detail = c.get(&format!("/mall/orders/{no}"));
    assert!(detail.body.contains("待付款") && detail.body.contains("去支付 ¥34.00"));
    let cashier = c.get(&format!("/pay/mock/{no}"));
    assert_eq!(cashier.status, 200);
    assert!(cashier.body.contains("¥34.00"));
    let r = pay_mock(&c, &no);
    assert_eq!(r.status, 303);
    let paid = c.get(&format!("/mall/orders/{no}"));
    assert!(paid.body.contains("支付成功") && paid.body.contains("待发货"));
    assert_eq!(order_status(&app, &no), "paid");
    let sales: i64 = app.db(|conn| {
        use campus::db::schema::products;
        products::table.find(pid).select(products::sales).first(conn).unwrap()
    });
    assert_eq!(sales, 982);
    // The merchant hears about it.
    let merchant = app.login("merchant", DEMO_PASSWORD);
    assert!(merchant.get("/me/messages").body.contains("新订单"));
    // A double submit of the cashier form applies the payment once.
    assert_eq!(pay_mock(&c, &no).status, 303);
    let sales_again: i64 = app.db(|conn| {
        use campus::db::schema::products;
        products::table.find(pid).select(products::sales).first(conn).unwrap()
    });
    assert_eq!(sales_again, 982, "sales counted once");
    let cashier = c.get(&format!("/pay/mock/{no}"));
    assert_eq!(cashier.status, 409);
    assert!(cashier.body.contains("无需支付"));

    let id = order_id(&app, &no);
    app.db(|conn| mall::ship_order(conn, id, None, mall::Shipping::Pickup, Duration::from_secs(86400)).unwrap());
    let shipped = c.get(&format!("/mall/orders/{no}"));
    assert!(shipped.body.contains("待收货") && shipped.body.contains("取货码"));
    let r = c.submit(&format!("/mall/orders/{no}"), &format!("/mall/orders/{no}/confirm"), &[]);
    assert_eq!(r.status, 303);
    assert_eq!(order_status(&app, &no), "completed");
    assert!(c.get("/mall/orders?tab=completed").body.contains(&no[..8]));
    // Completing twice is an illegal move: 409 with a clear message.
    let r = c.submit(&format!("/mall/orders/{no}"), &format!("/mall/orders/{no}/confirm"), &[]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("订单当前为「已完成」"));
}

#[test]
fn nobody_sees_or_touches_another_students_order() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, water) = sku(&app, "农夫山泉 饮用天然水 550ml", "单瓶");
    add_to_cart(&c, water, "1");
    let no = checkout(&c);
    let other = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(other.get(&format!("/mall/orders/{no}")).status, 404);
    assert_eq!(other.get(&format!("/pay/mock/{no}")).status, 404);
    assert_eq!(pay_mock(&other, &no).status, 404);
    let token = other.get("/mall").csrf();
    for action in ["cancel", "confirm", "refund"] {
        let r = other.post_form(&format!("/mall/orders/{no}/{action}"), &[("csrf_token", &token), ("reason", "x")]);
        assert_eq!(r.status, 404, "{action}");
    }
    assert_eq!(order_status(&app, &no), "pending");
    assert!(!other.get("/mall/orders").body.contains(&no));
}

#[test]
fn an_unpaid_order_cancels_itself_and_gives_the_stock_back_once() {
    let app = app().order_timeout(Duration::from_millis(300)).start();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, bag) = sku(&app, "宿舍折叠收纳箱 66L", "浅灰");
    add_to_cart(&c, bag, "3");
    let no = checkout(&c);
    assert_eq!(stock(&app, bag), 27);
    assert!(eventually(|| order_status(&app, &no) == "cancelled"));
    assert_eq!(stock(&app, bag), 30);
    // The same job run again (a retry, a second instance) changes nothing.
    let id = order_id(&app, &no);
    app.db(|conn| {
        mall::run_job(conn, mall::JOB_CANCEL_UNPAID, &serde_json::json!({"order_id": id})).unwrap();
        assert!(mall::cancel_order(conn, id, None, "again").is_err());
    });
    assert_eq!(stock(&app, bag), 30);
    let r = pay_mock(&c, &no);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("已取消"));
    let detail = c.get(&format!("/mall/orders/{no}"));
    assert!(detail.body.contains("超时未支付，系统自动取消"));
}

#[test]
fn a_student_cancels_a_pending_order() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, chips) = sku(&app, "乐事薯片 原味 70g", "");
    add_to_cart(&c, chips, "4");
    let no = checkout(&c);
    assert_eq!(stock(&app, chips), 116);
    let r = c.submit(&format!("/mall/orders/{no}"), &format!("/mall/orders/{no}/cancel"), &[]);
    assert_eq!(r.status, 303);
    assert_eq!(stock(&app, chips), 120);
    assert!(c.get("/mall/orders").body.contains("已取消"));
}

#[test]
fn refunds_full_and_partial_never_exceed_what_was_paid() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, power) = sku(&app, "罗马仕 充电宝 10000mAh", "白色");
    add_to_cart(&c, power, "2");
    let no = checkout(&c);
    pay_mock(&c, &no);
    assert_eq!(stock(&app, power), 23);
    let url = format!("/mall/orders/{no}/refund");
    let page = format!("/mall/orders/{no}");
    for (amount, reason, message) in [
        ("200", "太贵", "退款金额不能超过可退金额 ¥158.00"),
        ("-1", "x", "请输入正确的金额"),
        ("abc", "x", "请输入正确的金额"),
        ("0", "x", "退款金额必须大于 0"),
        ("10", "", "请填写退款原因"),
    ] {
        let r = c.submit(&page, &url, &[("amount", amount), ("reason", reason)]);
        assert_eq!(r.status, 422, "{amount}");
        assert!(r.body.contains(message), "{message}");
    }
    assert_eq!(order_status(&app, &no), "paid");

    // A partial refund first: the order goes back to 待发货.
    let r = c.submit(&page, &url, &[("amount", "50.5"), ("reason", "少发一个")]);
    assert_eq!(r.status, 303);
    assert_eq!(order_status(&app, &no), "refunding");
    assert!(c.get("/mall/orders?tab=refund").body.contains("退款中"));
    let refund_id = |app: &TestApp| -> i64 {
        use campus::db::schema::refunds;
        app.db(|conn| refunds::table.order(refunds::id.desc()).select(refunds::id).first(conn).unwrap())
    };
    let id = refund_id(&app);
    app.db(|conn| {
        let ticket = mall::approve_refund(conn, id).unwrap();
        assert_eq!(ticket.amount_cents, 5050);
        mall::refund_succeeded(conn, &ticket.refund_no, "MOCK-R1").unwrap();
        mall::refund_succeeded(conn, &ticket.refund_no, "MOCK-R1").unwrap();
    });
    assert_eq!(order_status(&app, &no), "paid");
    let detail = c.get(&page);
    assert!(detail.body.contains("已退款") && detail.body.contains("¥50.50"));

    // Then the rest: the order is refunded and, never shipped, its stock goes back.
    let r = c.submit(&page, &url, &[("amount", ""), ("reason", "不想要了")]);
    assert_eq!(r.status, 303);
    let id = refund_id(&app);
    app.db(|conn| {
        let ticket = mall::approve_refund(conn, id).unwrap();
        assert_eq!(ticket.amount_cents, 15800 - 5050);
        assert!(mall::approve_refund(conn, id).is_err(), "approved once");
        mall::refund_succeeded(conn, &ticket.refund_no, "MOCK-R2").unwrap();
    });
    assert_eq!(order_status(&app, &no), "refunded");
    assert_eq!(stock(&app, power), 25);
    let r = c.submit(&page, &url, &[("amount", "1"), ("reason", "再退")]);
    assert_eq!(r.status, 422);
    assert!(c.get("/me/messages").body.contains("退款成功"));
}

#[test]
fn a_rejected_refund_puts_the_order_back() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let (_, nuts) = sku(&app, "良品铺子 每日坚果 25g×7袋", "");
    add_to_cart(&c, nuts, "1");
    let no = checkout(&c);
    pay_mock(&c, &no);
    let id = order_id(&app, &no);
    app.db(|conn| {
        mall::ship_order(
            conn,
            id,
            None,
            mall::Shipping::Courier { courier: "顺丰".into(), tracking_no: "SF123".into() },
            Duration::from_secs(86400),
        )
        .unwrap()
    });
    c.submit(&format!("/mall/orders/{no}"), &format!("/mall/orders/{no}/refund"), &[("reason", "包装破损")]);
    use campus::db::schema::refunds;
    let rid: i64 = app.db(|conn| refunds::table.select(refunds::id).first(conn).unwrap());
    app.db(|conn| mall::reject_refund(conn, rid, None, "请先联系客服").unwrap());
    assert_eq!(order_status(&app, &no), "shipped");
    let page = c.get(&format!("/mall/orders/{no}"));
    assert!(page.body.contains("请先联系客服") && page.body.contains("顺丰 SF123"));
}

#[test]
fn checkout_never_oversells_under_concurrency() {
    let app = spawn_app();
    let (_, ball) = sku(&app, "斯伯丁 7号篮球 室内外通用", "");
    set_stock(&app, ball, 3);
    let buyers: Vec<Client> = (0..8)
        .map(|i| {
            let c = app.new_student(&format!("buyer{i}"));
            assert_eq!(add_to_cart(&c, ball, "1").status, 303);
            c
        })
        .collect();
    let forms: Vec<(String, String)> = buyers
        .iter()
        .map(|c| {
            let page = c.get("/mall/checkout");
            (page.csrf(), field(&page.body, "checkout_key"))
        })
        .collect();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = buyers
            .iter()
            .zip(&forms)
            .map(|(c, (token, key))| {
                s.spawn(move || {
                    c.post_form(
                        "/mall/checkout",
                        &[("csrf_token", token), ("checkout_key", key), ("delivery", "pickup"), ("pickup_point", "1")],
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 5, "{statuses:?}");
    assert_eq!(stock(&app, ball), 0);
    assert_eq!(order_count(&app), 3);
}
