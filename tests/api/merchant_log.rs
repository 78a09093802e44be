//! A shop's own activity log (`/merchant/log`): shipping, stock, product create/edit, refund
//! decisions and platform takedowns land there by name, admins see them in the audit log, and
//! no shop sees another's.

use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, spawn_app};
use crate::mall::{add_to_cart, checkout, pay_mock};
use crate::merchant::{add_product, new_merchant, sku_ids};

#[test]
fn a_shops_actions_are_in_its_own_log_and_the_admins_audit_log() {
    let app = spawn_app();
    let m = new_merchant(&app, "logshop");
    assert_eq!(add_product(&m, "日志台灯", "默认, 59, 10").status, 303);
    let sku = sku_ids(&app, "日志台灯")[0].0;
    let t = m.get("/merchant/products").csrf();
    // A stock change, a bad one refused (nothing logged for it).
    assert_eq!(m.post_form(&format!("/merchant/skus/{sku}/stock"), &[("csrf_token", &t), ("stock", "7")]).status, 303);
    let bad = m.post_form(&format!("/merchant/skus/{sku}/stock"), &[("csrf_token", &t), ("stock", "-3")]);
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("库存需为 0 到 999999 之间的整数"));

    // A student buys twice; one order is shipped, one refund approved, one refused.
    let student = app.login("student", DEMO_PASSWORD);
    let buy = || {
        add_to_cart(&student, sku, "1");
        let no = checkout(&student);
        pay_mock(&student, &no);
        no
    };
    let (shipped, refunded) = (buy(), buy());
    let r = m.post_form(
        &format!("/merchant/orders/{shipped}/ship"),
        &[("csrf_token", &t), ("method", "courier"), ("courier", "顺丰"), ("tracking_no", "SF1234567")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    student.submit(
        &format!("/mall/orders/{refunded}"),
        &format!("/mall/orders/{refunded}/refund"),
        &[("reason", "不亮")],
    );
    use campus::db::schema::{orders, refunds};
    let refund: i64 = app.db(|c| {
        refunds::table
            .inner_join(orders::table)
            .filter(orders::order_no.eq(&refunded))
            .select(refunds::id)
            .first(c)
            .unwrap()
    });
    assert_eq!(m.post_form(&format!("/merchant/refunds/{refund}/approve"), &[("csrf_token", &t)]).status, 303);

    let log = m.get("/merchant/log");
    assert_eq!(log.status, 200);
    for text in [
        "操作记录",
        "上架新商品",
        "商品「日志台灯」",
        "修改库存",
        "库存 10 → 7",
        "发货",
        &format!("订单「{shipped}」"),
        "顺丰 SF1234567",
        "同意退款",
        "金额 ¥59.00",
        "店主",
    ] {
        assert!(log.body.contains(text), "{text} in {}", log.body);
    }
    // Names link where the merchant can follow them; no raw codes.
    assert!(log.body.contains(&format!("href=\"/merchant/orders/{shipped}\"")));
    assert!(!log.body.contains("product.stock") && !log.body.contains("order.ship"));

    // The admin sees the same actions, named, in the audit log and can filter to refunds.
    let admin = app.login("admin", DEMO_PASSWORD);
    let audit = admin.get("/admin/audit");
    assert!(audit.body.contains("修改库存") && audit.body.contains("商品「日志台灯」"), "{}", audit.body);
    let only = admin.get("/admin/audit?action=refund.");
    assert!(only.body.contains("同意退款") && !only.body.contains("修改库存"));
    assert!(!audit.body.contains("user.login"), "codes are named");
    assert!(audit.body.contains("登录"));
}

#[test]
fn a_shop_never_sees_another_shops_log() {
    let app = spawn_app();
    let a = new_merchant(&app, "logshopa");
    assert_eq!(add_product(&a, "甲店秘密商品", "默认, 9, 3").status, 303);
    let b = new_merchant(&app, "logshopb");
    let other = b.get("/merchant/log");
    assert_eq!(other.status, 200);
    assert!(!other.body.contains("甲店秘密商品"), "{}", other.body);
    assert!(a.get("/merchant/log").body.contains("甲店秘密商品"));
    // Not a merchant: no log at all.
    let student = app.login("student", DEMO_PASSWORD);
    let r = student.get("/merchant/log");
    assert!(r.status == 403 || r.status == 303, "{}", r.status);
    // Signed out: sent to sign in.
    assert_eq!(app.client().get("/merchant/log").status, 303);
}

#[test]
fn the_seller_sees_why_the_platform_took_a_product_down() {
    let app = spawn_app();
    let m = new_merchant(&app, "logshopc");
    assert_eq!(add_product(&m, "被下架的商品", "默认, 9, 3").status, 303);
    use campus::db::schema::products;
    let pid: i64 =
        app.db(|c| products::table.filter(products::name.eq("被下架的商品")).select(products::id).first(c).unwrap());
    let admin = app.login("admin", DEMO_PASSWORD);
    let t = admin.get("/admin/mall").csrf();
    // No reason: refused with a message, nothing taken down.
    let r = admin.post_form(&format!("/admin/mall/products/{pid}/takedown"), &[("csrf_token", &t), ("reason", "")]);
    assert!((400..500).contains(&r.status), "{}", r.status);
    assert!(m.get("/merchant/products").body.contains("在售"));
    let r =
        admin.post_form(&format!("/admin/mall/products/{pid}/takedown"), &[("csrf_token", &t), ("reason", "图片侵权")]);
    assert_eq!(r.status, 303);
    let list = m.get("/merchant/products");
    assert!(list.body.contains("平台已下架，原因：图片侵权"), "{}", list.body);
    assert!(m.get("/merchant/log").body.contains("下架商品（平台）"));
}
