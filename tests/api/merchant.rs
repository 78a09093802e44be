use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};
use crate::mall::{add_to_cart, checkout, pay_mock};

fn multipart(fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----campusMerchantBoundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (k, data) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn upload(c: &Client, url: &str, fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> crate::helpers::Resp {
    let token = c.get("/me").csrf();
    let (ct, body) = multipart(fields, files);
    c.post_raw(&format!("{url}?csrf_token={token}"), &ct, &body)
}

const APPLY: [(&str, &str); 5] = [
    ("shop_name", "阿强水果店"),
    ("contact_name", "阿强"),
    ("contact_phone", "13600136000"),
    ("location", "学生街 8 号"),
    ("category", "超市便利"),
];

/// A new user applies, the admin approves: a merchant with a shop, signed in.
pub fn new_merchant(app: &TestApp, username: &str) -> Client {
    let c = app.client();
    let r = c.submit(
        "/register",
        "/register",
        &[("username", username), ("password", "secret123"), ("password2", "secret123"), ("nickname", "店主")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(upload(&c, "/merchant/apply", &APPLY, &[("licence", png())]).status, 303);
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/merchants");
    use campus::db::schema::merchant_applications as ma;
    let (id, licence): (i64, Option<String>) = app.db(|conn| {
        ma::table
            .filter(ma::status.eq("pending"))
            .order(ma::id.desc())
            .select((ma::id, ma::licence_image))
            .first(conn)
            .unwrap()
    });
    // The licence photo is personal data: its applicant and the admins see it, nobody else.
    let licence = licence.expect("licence stored");
    assert!(licence.starts_with("/media/licences/"), "{licence}");
    assert_eq!(admin.get(&licence).status, 200);
    assert_eq!(c.get(&licence).status, 200);
    assert_eq!(app.login("student", DEMO_PASSWORD).get(&licence).status, 404, "another user");
    assert_ne!(app.client().get(&licence).status, 200, "signed out");
    let r = admin.post_form(&format!("/admin/merchants/applications/{id}/approve"), &[("csrf_token", &page.csrf())]);
    assert_eq!(r.status, 303);
    app.login(username, "secret123")
}

pub fn add_product(m: &Client, name: &str, skus: &str) -> crate::helpers::Resp {
    upload(
        m,
        "/merchant/products/new",
        &[
            ("name", name),
            ("category_id", "2"),
            ("description", "当季新鲜"),
            ("original_price", ""),
            ("skus", skus),
            ("price", ""),
            ("stock", ""),
        ],
        &[("images", png())],
    )
}

pub fn sku_ids(app: &TestApp, product: &str) -> Vec<(i64, String, i64)> {
    use campus::db::schema::{product_skus, products};
    app.db(|c| {
        product_skus::table
            .inner_join(products::table)
            .filter(products::name.eq(product))
            .order(product_skus::id)
            .select((product_skus::id, product_skus::name, product_skus::stock))
            .load(c)
            .unwrap()
    })
}

#[test]
fn a_user_applies_and_an_admin_approves_or_rejects() {
    let app = spawn_app();
    let c = app.client();
    c.submit(
        "/register",
        "/register",
        &[("username", "shopper1"), ("password", "secret123"), ("password2", "secret123"), ("nickname", "申请人")],
    );
    assert_eq!(c.get("/merchant").status, 403, "not a merchant yet");
    let bad_phone: Vec<(&str, &str)> =
        APPLY.iter().map(|(k, v)| if *k == "contact_phone" { (*k, "12") } else { (*k, *v) }).collect();
    let r = upload(&c, "/merchant/apply", &bad_phone, &[("licence", png())]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("手机号格式不正确"));
    let r = upload(&c, "/merchant/apply", &APPLY, &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请上传营业执照"));
    let r = upload(&c, "/merchant/apply", &APPLY, &[("licence", b"GIF89a not really".to_vec())]);
    assert_eq!(r.status, 422);
    assert_eq!(upload(&c, "/merchant/apply", &APPLY, &[("licence", png())]).status, 303);
    assert_eq!(upload(&c, "/merchant/apply", &APPLY, &[("licence", png())]).status, 409, "one pending application");
    assert!(c.get("/merchant/apply").body.contains("审核中"));

    use campus::db::schema::merchant_applications as ma;
    let id: i64 = app.db(|conn| ma::table.select(ma::id).first(conn).unwrap());
    let student = app.login("student", DEMO_PASSWORD);
    let st = student.get("/me").csrf();
    assert_eq!(
        student
            .post_form(&format!("/admin/merchants/applications/{id}/reject"), &[("csrf_token", &st), ("reason", "x")])
            .status,
        403
    );
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/merchants");
    assert!(page.body.contains("阿强水果店"));
    let at = page.csrf();
    assert_eq!(
        admin
            .post_form(&format!("/admin/merchants/applications/{id}/reject"), &[("csrf_token", &at), ("reason", "")])
            .status,
        422
    );
    assert_eq!(
        admin
            .post_form(
                &format!("/admin/merchants/applications/{id}/reject"),
                &[("csrf_token", &at), ("reason", "执照不清晰")]
            )
            .status,
        303
    );
    assert!(c.get("/me/messages").body.contains("执照不清晰"));
    assert!(c.get("/merchant/apply").body.contains("未通过"));
    assert_eq!(
        admin.post_form(&format!("/admin/merchants/applications/{id}/approve"), &[("csrf_token", &at)]).status,
        409,
        "already decided"
    );
    // Applying again after a rejection works, and approval opens the shop.
    assert_eq!(upload(&c, "/merchant/apply", &APPLY, &[("licence", png())]).status, 303);
    let id2: i64 = app.db(|conn| ma::table.order(ma::id.desc()).select(ma::id).first(conn).unwrap());
    assert_eq!(
        admin.post_form(&format!("/admin/merchants/applications/{id2}/approve"), &[("csrf_token", &at)]).status,
        303
    );
    let merchant = app.login("shopper1", "secret123");
    assert_eq!(merchant.get("/merchant").status, 200);
    assert!(merchant.get("/me/messages").body.contains("开店申请已通过"));
    use campus::db::schema::audit_log;
    let actions: Vec<String> = app.db(|conn| {
        audit_log::table.filter(audit_log::action.like("merchant.%")).select(audit_log::action).load(conn).unwrap()
    });
    assert_eq!(actions, vec!["merchant.reject", "merchant.approve"]);
}

#[test]
fn a_merchant_adds_a_product_with_options_a_student_buys_it_and_the_merchant_ships() {
    let app = spawn_app();
    let m = new_merchant(&app, "fruit1");
    for (skus, message) in [
        ("", "价格"),
        ("大果, abc, 5", "请输入正确的金额"),
        ("大果, 10, -1", "库存需为"),
        ("只有名字", "第 1 行规格格式"),
    ] {
        let r = add_product(&m, "红富士苹果", skus);
        assert_eq!(r.status, 422, "{skus}");
        assert!(r.body.contains(message), "{message}");
    }
    let r = add_product(&m, "红富士苹果", "小果 5斤, 19.9, 30\n大果 5斤，29.9，12");
    assert_eq!(r.status, 303, "{}", r.body);
    let skus = sku_ids(&app, "红富士苹果");
    assert_eq!(skus.iter().map(|s| (s.1.as_str(), s.2)).collect::<Vec<_>>(), vec![("小果 5斤", 30), ("大果 5斤", 12)]);
    assert!(m.get("/merchant/products").body.contains("红富士苹果"));

    let student = app.login("student", DEMO_PASSWORD);
    add_to_cart(&student, skus[1].0, "2");
    let no = checkout(&student);
    pay_mock(&student, &no);
    assert!(m.get("/me/messages").body.contains("新订单"));
    let list = m.get("/merchant/orders?tab=paid");
    assert!(list.body.contains(&no));
    let detail = m.get(&format!("/merchant/orders/{no}"));
    assert!(detail.body.contains("大果 5斤") && detail.body.contains("打印拣货单"));
    let t = detail.csrf();
    assert_eq!(
        m.post_form(
            &format!("/merchant/orders/{no}/ship"),
            &[("csrf_token", &t), ("method", "courier"), ("courier", ""), ("tracking_no", "")]
        )
        .status,
        422
    );
    let r = m.post_form(
        &format!("/merchant/orders/{no}/ship"),
        &[("csrf_token", &t), ("method", "courier"), ("courier", "中通"), ("tracking_no", "ZT2026112501")],
    );
    assert_eq!(r.status, 303);
    assert!(student.get(&format!("/mall/orders/{no}")).body.contains("中通 ZT2026112501"));
    // The dashboard counts the sale and draws it.
    let dash = m.get("/merchant");
    assert!(dash.body.contains("¥59.80"), "today's sales");
    assert!(dash.body.contains("<svg") && dash.body.contains("¥59.80</title>"));
}

#[test]
fn merchants_only_ever_touch_their_own_shop() {
    let app = spawn_app();
    let a = new_merchant(&app, "shopa");
    add_product(&a, "甲店商品", "默认, 10, 5");
    let sku = sku_ids(&app, "甲店商品")[0].0;
    let student = app.login("student", DEMO_PASSWORD);
    add_to_cart(&student, sku, "1");
    let no = checkout(&student);
    let b = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(b.get(&format!("/merchant/orders/{no}")).status, 404);
    let t = b.get("/merchant").csrf();
    assert_eq!(
        b.post_form(&format!("/merchant/skus/{sku}/stock"), &[("csrf_token", &t), ("stock", "999")]).status,
        404
    );
    use campus::db::schema::products;
    let pid: i64 =
        app.db(|c| products::table.filter(products::name.eq("甲店商品")).select(products::id).first(c).unwrap());
    assert_eq!(b.post_form(&format!("/merchant/products/{pid}/shelf"), &[("csrf_token", &t), ("on", "0")]).status, 404);
    assert_eq!(
        b.post_form(&format!("/merchant/orders/{no}/ship"), &[("csrf_token", &t), ("method", "pickup")]).status,
        404
    );
    assert!(!b.get("/merchant/products").body.contains("甲店商品"));
    assert_eq!(sku_ids(&app, "甲店商品")[0].2, 4, "untouched by the other merchant");
    assert_eq!(student.get("/merchant").status, 403);
}

#[test]
fn inline_stock_edits_are_validated_logged_and_warn_once_when_low() {
    let app = spawn_app();
    let m = new_merchant(&app, "stock1");
    add_product(&m, "矿泉水", "默认, 2, 20");
    let sku = sku_ids(&app, "矿泉水")[0].0;
    let t = m.get("/merchant/products").csrf();
    let htmx = |stock: &str| {
        m.post_form_with(
            &format!("/merchant/skus/{sku}/stock"),
            &[("stock", stock)],
            &[("HX-Request", "true"), ("X-CSRF-Token", &t)],
        )
    };
    for bad in ["-1", "abc", "1000000", ""] {
        let r = htmx(bad);
        assert_eq!(r.status, 422, "{bad}");
        assert_eq!(r.header("hx-retarget"), Some("#toast"));
    }
    let r = htmx("8");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("value=\"8\"") && r.body.contains("已保存"));
    assert!(!m.get("/me/messages").body.contains("库存预警"), "8 is above the threshold of 5");
    htmx("3");
    htmx("2");
    let messages = m.get("/me/messages").body;
    assert_eq!(messages.matches("库存预警").count(), 1, "warned once when crossing");
    use campus::db::schema::stock_logs;
    let deltas: Vec<(i64, String)> = app.db(|c| {
        stock_logs::table
            .filter(stock_logs::sku_id.eq(sku))
            .order(stock_logs::id)
            .select((stock_logs::delta, stock_logs::reason))
            .load(c)
            .unwrap()
    });
    assert_eq!(
        deltas,
        vec![(20, "manual".into()), (-12, "manual".into()), (-5, "manual".into()), (-1, "manual".into())]
    );
    assert!(m.get("/merchant").body.contains("矿泉水"), "listed as low stock");
}

#[test]
fn refunds_are_approved_or_rejected_by_the_merchant() {
    let app = spawn_app();
    let m = new_merchant(&app, "refund1");
    add_product(&m, "台灯", "默认, 59, 10");
    let sku = sku_ids(&app, "台灯")[0].0;
    let student = app.login("student", DEMO_PASSWORD);
    let buy = || {
        add_to_cart(&student, sku, "1");
        let no = checkout(&student);
        pay_mock(&student, &no);
        student.submit(&format!("/mall/orders/{no}"), &format!("/mall/orders/{no}/refund"), &[("reason", "不亮")]);
        no
    };
    let first = buy();
    let second = buy();
    use campus::db::schema::{orders, refunds};
    let refund_of = |no: &str| -> i64 {
        app.db(|c| {
            refunds::table
                .inner_join(orders::table)
                .filter(orders::order_no.eq(no))
                .select(refunds::id)
                .first(c)
                .unwrap()
        })
    };
    let t = m.get("/merchant/orders?tab=refund").csrf();
    assert_eq!(
        m.post_form(&format!("/merchant/refunds/{}/approve", refund_of(&first)), &[("csrf_token", &t)]).status,
        303
    );
    assert_eq!(
        m.post_form(&format!("/merchant/refunds/{}/approve", refund_of(&first)), &[("csrf_token", &t)]).status,
        409
    );
    assert_eq!(
        m.post_form(
            &format!("/merchant/refunds/{}/reject", refund_of(&second)),
            &[("csrf_token", &t), ("reason", "已过退货期")]
        )
        .status,
        303
    );
    let status = |no: &str| -> String {
        app.db(|c| orders::table.filter(orders::order_no.eq(no)).select(orders::status).first(c).unwrap())
    };
    assert_eq!(status(&first), "refunded");
    assert_eq!(status(&second), "paid");
    assert!(student.get(&format!("/mall/orders/{second}")).body.contains("已过退货期"));
    let other = app.login("merchant", DEMO_PASSWORD);
    let ot = other.get("/merchant").csrf();
    assert_eq!(
        other.post_form(&format!("/merchant/refunds/{}/approve", refund_of(&second)), &[("csrf_token", &ot)]).status,
        404
    );
}

#[test]
fn a_suspended_shop_leaves_the_mall_until_resumed() {
    let app = spawn_app();
    let m = new_merchant(&app, "susp1");
    add_product(&m, "暂停测试商品", "默认, 9, 9");
    use campus::db::schema::{products, shops};
    let (pid, shop): (i64, i64) = app.db(|c| {
        products::table
            .filter(products::name.eq("暂停测试商品"))
            .select((products::id, products::shop_id))
            .first(c)
            .unwrap()
    });
    let visitor = app.client();
    assert_eq!(visitor.get(&format!("/mall/products/{pid}")).status, 200);
    let admin = app.login("admin", DEMO_PASSWORD);
    let t = admin.get("/admin/merchants").csrf();
    assert_eq!(admin.post_form(&format!("/admin/shops/{shop}/suspend"), &[("csrf_token", &t)]).status, 303);
    assert_eq!(visitor.get(&format!("/mall/products/{pid}")).status, 404);
    let status: String = app.db(|c| shops::table.find(shop).select(shops::status).first(c).unwrap());
    assert_eq!(status, "suspended");
    assert_eq!(admin.post_form(&format!("/admin/shops/{shop}/resume"), &[("csrf_token", &t)]).status, 303);
    assert_eq!(visitor.get(&format!("/mall/products/{pid}")).status, 200);
}

#[test]
fn coupons_are_created_with_checked_rules() {
    let app = spawn_app();
    let m = new_merchant(&app, "coupon1");
    let t = m.get("/merchant/coupons").csrf();
    let base = [
        ("title", "满30减5"),
        ("kind", "full_reduction"),
        ("threshold", "30"),
        ("amount", "5"),
        ("percent_off", ""),
        ("starts", "2026-11-01"),
        ("ends", "2026-12-31"),
        ("total", "100"),
        ("per_user_limit", "1"),
    ];
    let with = |k: &str, v: &'static str| -> Vec<(&'static str, &'static str)> {
        base.iter().map(|(a, b)| if *a == k { (*a, v) } else { (*a, *b) }).collect()
    };
    for (fields, message) in [
        (with("title", ""), "优惠券名称"),
        (with("amount", "40"), "减免金额需大于 0 且小于使用门槛"),
        (with("kind", "discount"), "折扣比例需为 1–90"),
        (with("ends", "2026-10-01"), "结束日期不能早于开始日期"),
        (with("starts", "tomorrow"), "开始日期格式"),
        (with("total", "0"), "发放总量"),
    ] {
        let mut f = fields.clone();
        f.push(("csrf_token", &t));
        let r = m.post_form("/merchant/coupons", &f);
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "{message}");
    }
    let mut f = base.to_vec();
    f.push(("csrf_token", &t));
    assert_eq!(m.post_form("/merchant/coupons", &f).status, 303);
    assert!(m.get("/merchant/coupons").body.contains("满¥30.00减¥5.00"));
}

#[test]
fn a_coupon_is_claimed_within_limits_and_applied_exactly_once() {
    let app = spawn_app();
    let m = new_merchant(&app, "coupon2");
    add_product(&m, "果篮", "默认, 34, 50");
    let sku = sku_ids(&app, "果篮")[0].0;
    let t = m.get("/merchant/coupons").csrf();
    let r = m.post_form(
        "/merchant/coupons",
        &[
            ("csrf_token", &t),
            ("title", "开业券"),
            ("kind", "full_reduction"),
            ("threshold", "30"),
            ("amount", "5"),
            ("starts", "2026-01-01"),
            ("ends", "2030-12-31"),
            ("total", "1"),
            ("per_user_limit", "1"),
        ],
    );
    assert_eq!(r.status, 303);
    use campus::db::schema::{coupons, orders, user_coupons};
    let coupon: i64 = app.db(|c| coupons::table.select(coupons::id).first(c).unwrap());
    let student = app.login("student", DEMO_PASSWORD);
    assert!(student.get("/mall/coupons").body.contains("满¥30.00减¥5.00"));
    let claim = |c: &Client| {
        let t = c.get("/mall/coupons").csrf();
        c.post_form(&format!("/mall/coupons/{coupon}/claim"), &[("csrf_token", &t)])
    };
    assert_eq!(claim(&student).status, 303);
    let again = claim(&student);
    assert_eq!(again.status, 409);
    assert!(again.body.contains("每人限领 1 张"));
    let teacher = app.login("teacher", DEMO_PASSWORD);
    let gone = claim(&teacher);
    assert_eq!(gone.status, 409);
    assert!(gone.body.contains("已领完"));
    let user_coupon: i64 = app.db(|c| user_coupons::table.select(user_coupons::id).first(c).unwrap());

    // Nothing is ordered before the checkout below.
    add_to_cart(&student, sku, "1");
    let page = student.get("/mall/checkout");
    assert!(page.body.contains("开业券"));
    let key = crate::mall::field(&page.body, "checkout_key");
    let uc = user_coupon.to_string();
    let form = |key: &str, token: &str| -> Vec<(String, String)> {
        [
            ("csrf_token", token),
            ("checkout_key", key),
            ("delivery", "pickup"),
            ("pickup_point", "1"),
            ("coupon", uc.as_str()),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    };
    let post = |fields: Vec<(String, String)>| {
        let f: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        student.post_form("/mall/checkout", &f)
    };
    assert_eq!(app.db(|c| orders::table.count().get_result::<i64>(c).unwrap()), 0);
    // 34 ≥ 30: the discount applies, computed by the server.
    let r = post(form(&key, &page.csrf()));
    assert_eq!(r.status, 303, "{}", r.body);
    let (pay, discount): (i64, i64) =
        app.db(|c| orders::table.select((orders::pay_cents, orders::discount_cents)).first(c).unwrap());
    assert_eq!((pay, discount), (2900, 500));
    // The same coupon cannot be used again.
    add_to_cart(&student, sku, "1");
    let page2 = student.get("/mall/checkout");
    assert!(!page2.body.contains("开业券"), "spent coupons are not offered");
    let r = post(form(&crate::mall::field(&page2.body, "checkout_key"), &page2.csrf()));
    assert_eq!(r.status, 409);
    assert!(r.body.contains("优惠券不可用"));
    // Cancelling the order gives the coupon back.
    let no: String = app.db(|c| orders::table.select(orders::order_no).first(c).unwrap());
    let ct = student.get("/mall").csrf();
    assert_eq!(student.post_form(&format!("/mall/orders/{no}/cancel"), &[("csrf_token", &ct)]).status, 303);
    let status: String = app.db(|c| user_coupons::table.select(user_coupons::status).first(c).unwrap());
    assert_eq!(status, "unused");
    assert!(student.get("/mall/checkout").body.contains("开业券"));
}

#[test]
fn a_merchant_edits_a_product_its_prices_options_and_photos() {
    let app = spawn_app();
    let m = new_merchant(&app, "edit1");
    assert_eq!(
        upload(
            &m,
            "/merchant/products/new",
            &[
                ("name", "帆布包"),
                ("category_id", "2"),
                ("description", "旧描述"),
                ("skus", "米白, 39, 5"),
                ("price", ""),
                ("stock", "")
            ],
            &[("images", png()), ("images", png())]
        )
        .status,
        303
    );
    use campus::db::schema::products;
    let (pid, images): (i64, String) = app.db(|c| {
        products::table.filter(products::name.eq("帆布包")).select((products::id, products::images)).first(c).unwrap()
    });
    let images: Vec<String> = serde_json::from_str(&images).unwrap();
    assert_eq!(images.len(), 2);
    let sku = sku_ids(&app, "帆布包")[0].0;
    let form = m.get(&format!("/merchant/products/{pid}/edit"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains("旧描述") && form.body.contains("value=\"39.00\""));
    let price_field = format!("price_{sku}");
    let fields = |price: &'static str, new_skus: &'static str| -> Vec<(String, String)> {
        vec![
            ("name".into(), "帆布托特包".into()),
            ("category_id".into(), "2".into()),
            ("description".into(), "加厚帆布".into()),
            ("original_price".into(), "59".into()),
            (price_field.clone(), price.into()),
            ("new_skus".into(), new_skus.into()),
            ("keep_1".into(), images[1].clone()),
            ("order_1".into(), "1".into()),
        ]
    };
    let send = |f: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        upload(&m, &format!("/merchant/products/{pid}/edit"), &refs, &[])
    };
    let r = send(fields("abc", ""));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请输入正确的金额"));
    let r = send(fields("35", "米白, 30, 1"));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("规格「米白」已存在"));
    let r = send(fields("35", "藏青, 36, 4"));
    assert_eq!(r.status, 303, "{}", r.body);
    let (name, price, stored): (String, i64, String) = app.db(|c| {
        products::table.find(pid).select((products::name, products::price_cents, products::images)).first(c).unwrap()
    });
    assert_eq!(name, "帆布托特包");
    assert_eq!(price, 3500, "the listed price is the lowest option");
    assert_eq!(
        serde_json::from_str::<Vec<String>>(&stored).unwrap(),
        vec![images[1].clone()],
        "the first photo was removed"
    );
    let skus = sku_ids(&app, "帆布托特包");
    assert_eq!(skus.iter().map(|s| (s.1.as_str(), s.2)).collect::<Vec<_>>(), vec![("米白", 5), ("藏青", 4)]);
    let other = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(other.get(&format!("/merchant/products/{pid}/edit")).status, 404);
}

#[test]
fn a_merchant_reorders_product_photos_and_the_first_is_the_cover() {
    let app = spawn_app();
    let m = new_merchant(&app, "photos1");
    let r = upload(
        &m,
        "/merchant/products/new",
        &[("name", "马克杯"), ("category_id", "2"), ("description", ""), ("skus", ""), ("price", "25"), ("stock", "3")],
        &[("images", png()), ("images", png()), ("images", png())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    use campus::db::schema::products;
    let photos = |app: &TestApp| -> (i64, Vec<String>) {
        let (id, images): (i64, String) = app.db(|c| {
            products::table
                .filter(products::name.eq("马克杯"))
                .select((products::id, products::images))
                .first(c)
                .unwrap()
        });
        (id, serde_json::from_str(&images).unwrap())
    };
    let (pid, before) = photos(&app);
    assert_eq!(before.len(), 3);
    let edit = m.get(&format!("/merchant/products/{pid}/edit"));
    assert!(edit.body.contains("name=\"order_2\" value=\"3\""), "each photo shows its place");
    let send = |orders: [&str; 3]| {
        let mut f: Vec<(String, String)> = vec![
            ("name".into(), "马克杯".into()),
            ("category_id".into(), "2".into()),
            ("description".into(), "".into()),
            ("original_price".into(), "".into()),
            ("new_skus".into(), "".into()),
        ];
        let sku = sku_ids(&app, "马克杯")[0].0;
        f.push((format!("price_{sku}"), "25".into()));
        for (i, url) in before.iter().enumerate() {
            f.push((format!("keep_{i}"), url.clone()));
            f.push((format!("order_{i}"), orders[i].into()));
        }
        let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        upload(&m, &format!("/merchant/products/{pid}/edit"), &refs, &[])
    };
    for bad in [["x", "1", "2"], ["0", "1", "2"], ["1", "9", "2"]] {
        let r = send(bad);
        assert_eq!(r.status, 422, "{bad:?}");
        assert!(r.body.contains("图片序号需为 1 到 8 之间的数字"));
        assert_eq!(photos(&app).1, before, "nothing changed");
    }
    assert_eq!(send(["3", "1", "2"]).status, 303);
    let after = photos(&app).1;
    assert_eq!(after, vec![before[1].clone(), before[2].clone(), before[0].clone()]);
    let product = app.client().get(&format!("/mall/products/{pid}"));
    assert_eq!(product.status, 200);
    let first_img = product.body.find(&before[1]).expect("cover shown");
    assert!(product.body.find(&before[0]).unwrap() > first_img, "the old cover is now last");
}
