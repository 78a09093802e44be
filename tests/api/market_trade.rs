//! Second-hand trades done safely: reserve, hand over by code, rate; a seller's standing.
//! Runs on SQLite and (with `TEST_PG_URL`) PostgreSQL; the parallel tests are where the one
//! conditional UPDATE per step is proven.

use diesel::prelude::*;

use crate::concurrency::{at_once, count, no_server_errors};
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};
use crate::market::{GOOD, items, post};
use campus::db::schema::{messages, second_hand_items as t, second_hand_ratings as r};

/// An item posted by the demo student; its id.
pub fn listed(app: &TestApp) -> (Client, i64) {
    let seller = app.login("student", DEMO_PASSWORD);
    assert_eq!(post(&seller, &GOOD, &[]).status, 303);
    let id = items(app).last().unwrap().0;
    (seller, id)
}

pub fn act(c: &Client, url: &str, fields: &[(&str, &str)]) -> crate::helpers::Resp {
    let token = c.get("/mall").csrf();
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    c.post_form(url, &all)
}

/// (status, reserved_by, buyer_id, code_failures, handover_code) of an item.
type Row = (String, Option<i64>, Option<i64>, i32, Option<String>);

pub fn row(app: &TestApp, id: i64) -> Row {
    app.db(|c| {
        t::table
            .find(id)
            .select((t::status, t::reserved_by, t::buyer_id, t::code_failures, t::handover_code))
            .first(c)
            .unwrap()
    })
}

pub fn user(app: &TestApp, nickname_login: &str) -> i64 {
    app.db(|c| campus::auth::service::user_of_login(c, nickname_login).unwrap().unwrap())
}

fn inbox(app: &TestApp, uid: i64) -> Vec<String> {
    app.db(|c| messages::table.filter(messages::user_id.eq(uid)).select(messages::title).load(c).unwrap())
}

/// Ratings of one item's trade.
fn ratings(app: &TestApp, id: i64) -> i64 {
    app.db(|c| r::table.filter(r::item_id.eq(id)).count().get_result(c).unwrap())
}

#[test]
fn a_buyer_reserves_shows_the_code_and_both_rate_after_the_handover() {
    let app = spawn_app();
    let (seller, id) = listed(&app);
    let buyer = app.new_student("buyer_a");
    let rsv = act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]);
    assert_eq!(rsv.status, 303, "{}", rsv.body);
    assert_eq!(rsv.location(), Some(format!("/mall/second-hand/{id}/reserve").as_str()));
    let (status, reserved_by, _, _, code) = row(&app, id);
    assert_eq!((status.as_str(), reserved_by), ("on", Some(user(&app, "buyer_a"))));
    let code = code.expect("a handover code");
    assert_eq!(code.len(), 6);
    let page = buyer.get(&format!("/mall/second-hand/{id}/reserve"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&code) && page.body.contains("<svg"), "the code and its QR");
    assert!(inbox(&app, user(&app, "student")).iter().any(|m| m.contains("已被预订")));

    // Everyone else sees 已预订, cannot reserve, and never sees the code.
    let other = app.login("teacher", DEMO_PASSWORD);
    let item_page = other.get(&format!("/mall/second-hand/{id}"));
    assert!(item_page.body.contains("已预订") && !item_page.body.contains(&code));
    assert_eq!(other.get(&format!("/mall/second-hand/{id}/reserve")).status, 404);
    let second = act(&other, &format!("/mall/second-hand/{id}/reserve"), &[]);
    assert_eq!(second.status, 409);
    assert!(second.body.contains("已被其他同学预订"));
    assert!(!seller.get(&format!("/mall/second-hand/{id}")).body.contains(&code), "not even the seller");

    // The handover: only the seller, the right code, once.
    assert_eq!(buyer.get(&format!("/mall/second-hand/{id}/handover")).status, 404);
    assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/handover"), &[("code", &code)]).status, 404);
    let form = seller.get(&format!("/mall/second-hand/{id}/handover?code={code}"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains(&format!("value=\"{code}\"")), "prefilled by the scanned QR");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", wrong)]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("交接码不正确，还可以再试 4 次"), "{}", r.body);
    assert_eq!(row(&app, id).0, "on");
    let r = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", &code)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let (status, _, buyer_id, _, left) = row(&app, id);
    assert_eq!((status.as_str(), buyer_id, left), ("sold", Some(user(&app, "buyer_a")), None));
    let again = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", &code)]);
    assert_eq!(again.status, 409);
    assert!(again.body.contains("已经完成交接"));
    assert!(inbox(&app, user(&app, "buyer_a")).iter().any(|m| m.contains("已完成交接")));

    // Ratings: the two sides once each; nobody else.
    let rate = |c: &Client, score: &str, note: &str| {
        act(c, &format!("/mall/second-hand/{id}/rate"), &[("score", score), ("note", note)])
    };
    let stranger = rate(&other, "bad", "");
    assert_eq!(stranger.status, 409);
    assert!(stranger.body.contains("只有完成交接的买卖双方才能评价"));
    assert_eq!(rate(&buyer, "excellent", "").status, 422);
    assert_eq!(rate(&buyer, "good", "书很新，准时").status, 303);
    let twice = rate(&buyer, "bad", "");
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("你已经评价过这笔交易"));
    assert_eq!(rate(&seller, "neutral", "").status, 303);
    assert_eq!(ratings(&app, id), 2);

    let seller_id = user(&app, "student");
    let standing = other.get(&format!("/mall/second-hand/sellers/{seller_id}"));
    assert_eq!(standing.status, 200);
    assert!(standing.body.contains("卖出 <strong>1</strong> 件"), "{}", standing.body);
    // Hers as the demo bicycle's buyer too.
    assert!(standing.body.contains("好评 2") && standing.body.contains("书很新，准时"), "{}", standing.body);
    assert_eq!(app.client().get("/mall/second-hand/sellers/999999").status, 404);
}

#[test]
fn bad_trades_are_refused_with_a_reason_and_change_nothing() {
    let app = spawn_app();
    let (seller, id) = listed(&app);
    let before = row(&app, id);
    let own = act(&seller, &format!("/mall/second-hand/{id}/reserve"), &[]);
    assert_eq!(own.status, 422);
    assert!(own.body.contains("不能预订自己发布的商品"));
    let early = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", "123456")]);
    assert_eq!(early.status, 409);
    assert!(early.body.contains("还没有被预订"));
    let buyer = app.new_student("buyer_b");
    let unrated = act(&buyer, &format!("/mall/second-hand/{id}/rate"), &[("score", "good")]);
    assert_eq!(unrated.status, 409);
    assert!(unrated.body.contains("只有完成交接的买卖双方才能评价"));
    assert_eq!(row(&app, id), before, "nothing changed");
    assert_eq!(ratings(&app, id), 0);

    assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]).status, 303);
    let reserved = row(&app, id);
    let twice = act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]);
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("你已经预订了这件商品"));
    for bad in ["abc", "12", "1234567", ""] {
        let r = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", bad)]);
        assert_eq!(r.status, 422, "{bad}");
        assert!(r.body.contains("4–6 位数字交接码"));
    }
    assert_eq!(row(&app, id), reserved, "a malformed code does not count, the code stays");
    assert_eq!(act(&seller, "/mall/second-hand/999999/handover", &[("code", "123456")]).status, 404);
    // Another student's item: not yours to hand over (404), nor to cancel.
    let other = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(act(&other, &format!("/mall/second-hand/{id}/handover"), &[("code", "123456")]).status, 404);
    assert_eq!(act(&other, &format!("/mall/second-hand/{id}/reserve/cancel"), &[]).status, 404);
    assert_eq!(row(&app, id), reserved);
    // The buyer lets go; the item is open again.
    assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/reserve/cancel"), &[]).status, 303);
    assert_eq!(row(&app, id).1, None);
    assert!(inbox(&app, user(&app, "student")).iter().any(|m| m.contains("预订已取消")));
}

#[test]
fn wrong_codes_count_and_too_many_call_the_reservation_off() {
    let app = spawn_app();
    let (seller, id) = listed(&app);
    let buyer = app.new_student("buyer_c");
    assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]).status, 303);
    let code = row(&app, id).4.unwrap();
    let wrong = if code == "999999" { "888888" } else { "999999" };
    for left in (1..=4).rev() {
        let r = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", wrong)]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains(&format!("还可以再试 {left} 次")), "{}", r.body);
    }
    assert_eq!(row(&app, id).3, 4, "each wrong code counted");
    let r = act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", wrong)]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("预订已取消"));
    let (status, reserved_by, buyer_id, failures, left) = row(&app, id);
    assert_eq!((status.as_str(), reserved_by, buyer_id, failures, left), ("on", None, None, 0, None));
    assert!(inbox(&app, user(&app, "buyer_c")).iter().any(|m| m.contains("预订已取消")));
    // The old code is worth nothing now; the buyer reserves again and gets a fresh one.
    assert_eq!(act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", &code)]).status, 409);
    assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]).status, 303);
    let fresh = row(&app, id).4.unwrap();
    assert_eq!(act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", &fresh)]).status, 303);
}

#[test]
fn a_lapsed_reservation_frees_the_item_for_the_next_buyer() {
    let app = spawn_app();
    let (_seller, id) = listed(&app);
    let first = app.new_student("buyer_d");
    assert_eq!(act(&first, &format!("/mall/second-hand/{id}/reserve"), &[]).status, 303);
    let lapsed = campus::db::now() - chrono::TimeDelta::minutes(1);
    app.db(|c| diesel::update(t::table.find(id)).set(t::reserved_until.eq(Some(lapsed))).execute(c).unwrap());
    let next = app.new_student("buyer_e");
    assert!(!next.get(&format!("/mall/second-hand/{id}")).body.contains("已预订"));
    assert_eq!(act(&next, &format!("/mall/second-hand/{id}/reserve"), &[]).status, 303);
    assert_eq!(row(&app, id).1, Some(user(&app, "buyer_e")));
    assert_eq!(first.get(&format!("/mall/second-hand/{id}/reserve")).status, 404, "the old code is gone");
}

#[test]
fn parallel_reservations_hold_the_item_for_exactly_one_buyer() {
    let app = spawn_app();
    let (seller, id) = listed(&app);
    const BUYERS: usize = 24;
    let buyers: Vec<(Client, String)> = (0..BUYERS)
        .map(|i| {
            let c = app.new_student(&format!("rush{i}"));
            let token = c.get("/mall").csrf();
            (c, token)
        })
        .collect();
    let url = format!("/mall/second-hand/{id}/reserve");
    let answers = at_once(BUYERS, |i| buyers[i].0.post_form(&url, &[("csrf_token", &buyers[i].1)]));
    no_server_errors(&answers);
    assert_eq!(
        count(&answers, 303),
        1,
        "{:?}",
        answers.iter().map(|r| (r.status, r.location().map(str::to_string))).collect::<Vec<_>>()
    );
    assert_eq!(count(&answers, 409), BUYERS - 1);
    let winner = answers.iter().position(|r| r.status == 303).unwrap();
    assert_eq!(row(&app, id).1, Some(user(&app, &format!("rush{winner}"))));

    // The seller's handover sent many times at once sells once; both ratings at once count once.
    let code = row(&app, id).4.unwrap();
    let token = seller.get("/mall").csrf();
    let hand = format!("/mall/second-hand/{id}/handover");
    let answers = at_once(12, |_| seller.post_form(&hand, &[("csrf_token", &token), ("code", &code)]));
    no_server_errors(&answers);
    assert_eq!(count(&answers, 303), 1);
    assert_eq!(count(&answers, 409), 11);
    let (buyer, btoken) = &buyers[winner];
    let rate = format!("/mall/second-hand/{id}/rate");
    let answers = at_once(12, |_| buyer.post_form(&rate, &[("csrf_token", btoken), ("score", "good")]));
    no_server_errors(&answers);
    assert_eq!(count(&answers, 303), 1);
    assert_eq!(ratings(&app, id), 1);
}

#[test]
fn many_bad_ratings_bring_the_seller_to_the_moderation_queue() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    for i in 0..3 {
        assert_eq!(post(&seller, &GOOD, &[]).status, 303);
        let id = items(&app).last().unwrap().0;
        let buyer = app.new_student(&format!("unhappy{i}"));
        assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]).status, 303);
        let code = row(&app, id).4.unwrap();
        assert_eq!(act(&seller, &format!("/mall/second-hand/{id}/handover"), &[("code", &code)]).status, 303);
        assert_eq!(
            act(&buyer, &format!("/mall/second-hand/{id}/rate"), &[("score", "bad"), ("note", "货不对板")]).status,
            303
        );
    }
    let admin = app.login("admin", DEMO_PASSWORD);
    let queue = admin.get("/admin/moderation");
    let seller_id = user(&app, "student");
    assert!(queue.body.contains("二手卖家信誉：3 条差评"), "{}", queue.body);
    assert!(queue.body.contains(&format!("/mall/second-hand/sellers/{seller_id}")));
    // Taking the seller's items down from the queue withdraws what is still on sale.
    assert_eq!(post(&seller, &GOOD, &[]).status, 303);
    let on_sale = items(&app).last().unwrap().0;
    use campus::db::schema::moderation_flags as f;
    let flag: i64 = app.db(|c| {
        f::table.filter(f::kind.eq("second_hand_seller")).filter(f::status.eq("open")).select(f::id).first(c).unwrap()
    });
    let at = queue.csrf();
    let r = admin.post_form(&format!("/admin/moderation/{flag}/hide"), &[("csrf_token", &at), ("reason", "多次差评")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(row(&app, on_sale).0, "down");
}
