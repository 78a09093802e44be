//! The sensitive-word filter on mall text, and the shared moderation queue at `/admin/moderation`.
//! Demo words: 代考 and 代写论文 block; 刷单 and 兼职日结 send to review.

use campus::db::schema::{audit_log, moderation_flags, products, users};
use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};
use crate::mall::{add_to_cart, field, sku};
use crate::merchant::{new_merchant, upload};

fn new_product(m: &crate::helpers::Client, name: &str, description: &str) -> crate::helpers::Resp {
    upload(
        m,
        "/merchant/products/new",
        &[
            ("name", name),
            ("category_id", "2"),
            ("description", description),
            ("skus", ""),
            ("price", "20"),
            ("stock", "5"),
        ],
        &[],
    )
}

fn product_named(app: &TestApp, name: &str) -> Option<(i64, String)> {
    let name = name.to_string();
    app.db(|c| {
        products::table
            .filter(products::name.eq(name))
            .select((products::id, products::status))
            .first(c)
            .optional()
            .unwrap()
    })
}

fn open_flags(app: &TestApp) -> Vec<(i64, String, i64, String)> {
    app.db(|c| {
        moderation_flags::table
            .filter(moderation_flags::status.eq("open"))
            .order(moderation_flags::id.asc())
            .select((
                moderation_flags::id,
                moderation_flags::kind,
                moderation_flags::target_id,
                moderation_flags::reason,
            ))
            .load(c)
            .unwrap()
    })
}

#[test]
fn a_blocking_word_refuses_a_product_and_a_review_word_queues_it_for_admins() {
    let app = spawn_app();
    let m = new_merchant(&app, "words1");
    let r = new_product(&m, "论文服务", "专业代写论文，包过");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("商品信息包含违规词「代写论文」，请修改后再提交"), "{}", r.body);
    assert!(r.body.contains("专业代写论文，包过"), "what was typed stays in the form");
    assert!(product_named(&app, "论文服务").is_none(), "nothing saved");

    assert_eq!(new_product(&m, "校园兼职日结 传单", "周末").status, 303, "published at once");
    let (pid, status) = product_named(&app, "校园兼职日结 传单").unwrap();
    assert_eq!(status, "on");
    let flags = open_flags(&app);
    assert_eq!(flags.len(), 1);
    assert_eq!((flags[0].1.as_str(), flags[0].2), ("product", pid));
    assert_eq!(flags[0].3, "敏感词待审核：兼职日结");
    // Editing it again while it waits does not queue it twice.
    let sku = crate::merchant::sku_ids(&app, "校园兼职日结 传单")[0].0;
    let price_field = format!("price_{sku}");
    let edit = upload(
        &m,
        &format!("/merchant/products/{pid}/edit"),
        &[
            ("name", "校园兼职日结 传单"),
            ("category_id", "2"),
            ("description", "周末，代考勿扰"),
            ("original_price", ""),
            (&price_field, "20"),
            ("new_skus", ""),
        ],
        &[],
    );
    assert_eq!(edit.status, 422, "a blocking word in an edit");
    assert!(edit.body.contains("违规词「代考」"));

    let admin = app.login("admin", DEMO_PASSWORD);
    assert!(admin.get("/admin").body.contains("待审核内容"));
    let page = admin.get("/admin/moderation");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("校园兼职日结 传单") && page.body.contains("敏感词待审核：兼职日结"));
    assert!(page.body.contains(&format!("/mall/products/{pid}")));
    let flag = flags[0].0;
    let t = page.csrf();
    let r = admin.post_form(&format!("/admin/moderation/{flag}/hide"), &[("csrf_token", &t), ("reason", "")]);
    assert_eq!(r.status, 422, "a reason is needed");
    assert_eq!(product_named(&app, "校园兼职日结 传单").unwrap().1, "on", "nothing changed");
    let r = admin.post_form(
        &format!("/admin/moderation/{flag}/hide"),
        &[("csrf_token", &t), ("reason", "招聘信息不在商城发布")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(product_named(&app, "校园兼职日结 传单").unwrap().1, "off", "taken off the shelf");
    assert!(open_flags(&app).is_empty());
    let r = admin.post_form(&format!("/admin/moderation/{flag}/approve"), &[("csrf_token", &t)]);
    assert_eq!(r.status, 409, "decided once");
    assert!(r.body.contains("这条已经有人处理过了"));
    let audited: i64 =
        app.db(|c| audit_log::table.filter(audit_log::action.eq("moderation.hidden")).count().get_result(c).unwrap());
    assert_eq!(audited, 1);
    assert!(m.get("/me/messages").body.contains("商品已被平台下架"), "the merchant is told");
    assert_eq!(admin.post_form("/admin/moderation/99999/approve", &[("csrf_token", &t)]).status, 404);
    // Only admins.
    let t = m.get("/merchant").csrf();
    assert_eq!(m.get("/admin/moderation").status, 403);
    assert_eq!(m.post_form(&format!("/admin/moderation/{flag}/approve"), &[("csrf_token", &t)]).status, 403);
}

#[test]
fn admins_approve_or_ban_the_author_from_the_queue() {
    let app = spawn_app();
    let m = new_merchant(&app, "words2");
    assert_eq!(new_product(&m, "刷单返现卡", "").status, 303);
    assert_eq!(new_product(&m, "兼职日结 家教", "").status, 303);
    let flags = open_flags(&app);
    assert_eq!(flags.len(), 2);
    let admin = app.login("admin", DEMO_PASSWORD);
    let t = admin.get("/admin/moderation").csrf();
    assert_eq!(
        admin.post_form(&format!("/admin/moderation/{}/approve", flags[1].0), &[("csrf_token", &t)]).status,
        303
    );
    assert_eq!(product_named(&app, "兼职日结 家教").unwrap().1, "on", "approved stays on sale");
    let r =
        admin.post_form(&format!("/admin/moderation/{}/ban", flags[0].0), &[("csrf_token", &t), ("reason", "刷单")]);
    assert_eq!(r.status, 303);
    assert_eq!(product_named(&app, "刷单返现卡").unwrap().1, "off");
    let author: i64 = app.db(|c| {
        moderation_flags::table.find(flags[0].0).select(moderation_flags::author_id.assume_not_null()).first(c).unwrap()
    });
    let status: String = app.db(|c| users::table.find(author).select(users::status).first(c).unwrap());
    assert_eq!(status, "banned");
    assert_eq!(m.get("/merchant").status, 303, "the banned author is signed out");
    assert!(admin.get("/admin/moderation").body.contains("没有待审核的内容"));
}

#[test]
fn blocking_words_are_refused_in_imports_remarks_and_messages() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let csv = "商品名称,分类,规格,价格,库存,描述\n代考服务,零食,,10,1,\n刷单神器,零食,,10,1,\n好吃的饼干,零食,,10,1,\n";
    let report = crate::imports::finished(&m, &crate::imports::import(&m, "p.csv", csv.as_bytes())).body;
    assert!(report.contains("<td>2</td><td>商品信息包含违规词「代考」"), "{report}");
    assert!(product_named(&app, "代考服务").is_none());
    let (pid, _) = product_named(&app, "刷单神器").expect("review words import");
    assert!(open_flags(&app).iter().any(|f| f.2 == pid), "and wait in the queue");
    assert!(product_named(&app, "好吃的饼干").is_some());

    let student = app.login("student", DEMO_PASSWORD);
    let (_, sku_id) = sku(&app, "罗马仕 充电宝 10000mAh", "");
    add_to_cart(&student, sku_id, "1");
    let form = student.get("/mall/checkout");
    let r = student.post_form(
        "/mall/checkout",
        &[
            ("csrf_token", &form.csrf()),
            ("checkout_key", &field(&form.body, "checkout_key")),
            ("delivery", "pickup"),
            ("pickup_point", "1"),
            ("remark", "帮我代考一下"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("备注包含违规词「代考」"));
    assert!(r.body.contains("帮我代考一下"), "the remark stays in the form");
    use campus::db::schema::orders;
    assert_eq!(app.db(|c| orders::table.count().get_result::<i64>(c).unwrap()), 0, "no order");
}

#[test]
fn the_queue_shows_the_flagged_text_and_counts_each_flag_of_a_waiting_thing() {
    let app = spawn_app();
    let m = new_merchant(&app, "words4");
    let long = format!("周末派传单，{}", "日结工资当天到账。".repeat(20));
    assert_eq!(new_product(&m, "校园兼职日结 招募", &long).status, 303);
    let (pid, _) = product_named(&app, "校园兼职日结 招募").unwrap();
    // Two more flags while it waits: one row, counted three times.
    app.db(|c| {
        for reason in ["举报：虚假宣传", "举报：联系方式可疑"] {
            campus::moderation::flag(
                c,
                campus::moderation::KIND_PRODUCT,
                pid,
                None,
                "校园兼职日结 招募",
                &long,
                reason,
            )
            .unwrap();
        }
    });
    assert_eq!(open_flags(&app).len(), 1, "one queue entry");
    let (excerpt, times): (String, i64) = app.db(|c| {
        moderation_flags::table
            .filter(moderation_flags::target_id.eq(pid))
            .select((moderation_flags::excerpt, moderation_flags::times))
            .first(c)
            .unwrap()
    });
    assert_eq!(times, 3);
    assert!(excerpt.starts_with("周末派传单，日结工资当天到账。") && excerpt.ends_with('…'), "{excerpt}");
    assert_eq!(excerpt.chars().count(), 121, "120 characters and the ellipsis");
    let page = app.login("admin", DEMO_PASSWORD).get("/admin/moderation");
    assert!(page.body.contains(&excerpt), "the excerpt in the row");
    assert!(page.body.contains("共 3 次举报或命中"));
    assert!(page.body.contains("class=\"approve\">通过"), "通过 drawn apart from 下架");
}
