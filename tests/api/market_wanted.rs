//! Second-hand around the trade: meetup points picked in the chat, 求购 posts that alert once,
//! 30-day expiry with a reminder, price cuts told to whoever favoured; and the demo market.

use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};
use crate::market::{GOOD, items, post};
use crate::market_trade::{act, listed, user};
use campus::db::schema::{messages, second_hand_items as t, second_hand_meetups as m, second_hand_wanted as w};

fn titles(app: &TestApp, uid: i64) -> Vec<String> {
    app.db(|c| messages::table.filter(messages::user_id.eq(uid)).select(messages::title).load(c).unwrap())
}

fn with(k: &str, v: &'static str) -> Vec<(&'static str, &'static str)> {
    GOOD.iter().map(|(gk, gv)| if *gk == k { (*gk, v) } else { (*gk, *gv) }).collect()
}

#[test]
fn the_seller_offers_safe_meetup_points_and_the_buyer_picks_one_in_the_chat() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get("/admin/second-hand/meetup-points");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("图书馆正门"), "the demo points");
    let poi: i64 = app.db(|c| {
        use campus::db::schema::campus_pois as p;
        p::table.filter(p::name.eq("体育馆")).select(p::id).first(c).unwrap()
    });
    let r = admin.submit(
        "/admin/second-hand/meetup-points",
        "/admin/second-hand/meetup-points",
        &[("name", "体育馆北门"), ("poi_id", &poi.to_string())],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        admin.submit("/admin/second-hand/meetup-points", "/admin/second-hand/meetup-points", &[("name", "")]).status,
        422
    );
    let student = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(student.get("/admin/second-hand/meetup-points").status, 403);
    use campus::db::schema::second_hand_meetup_points as pts;
    let point: i64 = app.db(|c| pts::table.filter(pts::name.eq("体育馆北门")).select(pts::id).first(c).unwrap());

    let (seller, id) = listed(&app);
    let url = format!("/mall/second-hand/{id}/meetups");
    let p = point.to_string();
    let offers = || -> i64 { app.db(|c| m::table.filter(m::item_id.eq(id)).count().get_result(c).unwrap()) };
    assert_eq!(act(&seller, &url, &[("point_id", &p), ("meet_at", "2020-01-01T12:00")]).status, 422);
    assert_eq!(act(&seller, &url, &[("point_id", "999999"), ("meet_at", "2099-06-01T12:00")]).status, 422);
    assert_eq!(act(&seller, &url, &[("point_id", &p), ("meet_at", "")]).status, 422);
    let buyer = app.new_student("meet_buyer");
    assert_eq!(act(&buyer, &url, &[("point_id", &p), ("meet_at", "2099-06-01T12:00")]).status, 404);
    assert_eq!(offers(), 0, "nothing stored");
    assert_eq!(act(&seller, &url, &[("point_id", &p), ("meet_at", "2099-06-01T12:00")]).status, 303);
    let item_page = buyer.get(&format!("/mall/second-hand/{id}"));
    assert!(item_page.body.contains("体育馆北门 · 06月01日 12:00"), "{}", item_page.body);
    assert!(item_page.body.contains(&format!("/campus/map?poi={poi}")), "linked to the campus map");

    let token = buyer.get("/mall").csrf();
    let thread = buyer.post_form(&format!("/mall/second-hand/{id}/contact"), &[("csrf_token", &token)]);
    let thread = thread.location().unwrap().to_string();
    let chat = buyer.get(&thread);
    assert!(chat.body.contains("选择见面时间地点"));
    let offer: i64 = app.db(|c| m::table.filter(m::item_id.eq(id)).select(m::id).first(c).unwrap());
    let pick = format!("{thread}/meetup");
    assert_eq!(act(&buyer, &pick, &[("meetup_id", "999999")]).status, 422);
    assert_eq!(act(&seller, &pick, &[("meetup_id", &offer.to_string())]).status, 422, "the buyer picks");
    let stranger = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(act(&stranger, &pick, &[("meetup_id", &offer.to_string())]).status, 404);
    assert_eq!(act(&buyer, &pick, &[("meetup_id", &offer.to_string())]).status, 303);
    assert!(seller.get(&thread).body.contains("我选择了见面：体育馆北门"));
    assert!(titles(&app, user(&app, "student")).iter().any(|m| m.contains("买家选好了见面")));
    let seen = seller.get(&format!("/mall/second-hand/{id}"));
    assert!(seen.body.contains("已约定的见面") && seen.body.contains("买家：体育馆北门"), "{}", seen.body);
    assert!(buyer.get(&format!("/mall/second-hand/{id}")).body.contains("已约定的见面"));
    assert!(!stranger.get(&format!("/mall/second-hand/{id}")).body.contains("已约定的见面"));
}

#[test]
fn a_wanted_post_hears_once_of_a_matching_listing() {
    let app = spawn_app();
    let looker = app.login("teacher", DEMO_PASSWORD);
    let page = looker.get("/mall/second-hand/wanted");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("线性代数"), "the demo wanted post");
    let open = || -> i64 { app.db(|c| w::table.count().get_result(c).unwrap()) };
    let before = open();
    for (fields, message) in [
        (vec![("keywords", ""), ("max_price", "30")], "关键词需为 1–30 个字"),
        (vec![("keywords", "高等数学"), ("max_price", "abc")], "请输入正确的金额"),
        (vec![("keywords", "高等数学"), ("max_price", "30"), ("category", "cars")], "请选择分类"),
        (vec![("keywords", "代考 资料"), ("max_price", "30")], "包含违规词「代考」"),
    ] {
        let r = looker.submit("/mall/second-hand/wanted", "/mall/second-hand/wanted", &fields);
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    assert_eq!(open(), before, "nothing stored");
    let r = looker.submit(
        "/mall/second-hand/wanted",
        "/mall/second-hand/wanted",
        &[("keywords", "高等数学 同济"), ("category", "books"), ("max_price", "30"), ("note", "上下册都要")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(app.client().get("/mall/second-hand/wanted").body.contains("高等数学 同济"));

    let me = user(&app, "teacher");
    let told = || titles(&app, me).iter().filter(|t| t.contains("符合你的求购")).count();
    let seller = app.login("student", DEMO_PASSWORD);
    // Too dear, another category, a missing keyword: not told.
    assert_eq!(post(&seller, &with("price", "45"), &[]).status, 303);
    let mut other_kind = with("price", "20");
    other_kind.push(("category", "electronics"));
    assert_eq!(post(&seller, &other_kind, &[]).status, 303);
    assert_eq!(post(&seller, &with("title", "高等数学 习题册"), &[]).status, 303);
    assert_eq!(told(), 0);
    let mut good = GOOD.to_vec();
    good.push(("category", "books"));
    assert_eq!(post(&seller, &good, &[]).status, 303);
    assert_eq!(told(), 1);
    // The seller answered from the wanted page; a second listing tells her of that one too, once.
    assert_eq!(post(&seller, &good, &[]).status, 303);
    assert_eq!(told(), 2);
    // Closed posts hear nothing; only their owner closes them.
    let wid: i64 = app.db(|c| w::table.filter(w::user_id.eq(me)).select(w::id).first(c).unwrap());
    assert_eq!(act(&seller, &format!("/mall/second-hand/wanted/{wid}/close"), &[]).status, 404);
    assert_eq!(act(&looker, &format!("/mall/second-hand/wanted/{wid}/close"), &[]).status, 303);
    assert_eq!(post(&seller, &good, &[]).status, 303);
    assert_eq!(told(), 2);
    // A seller answering a wanted post starts with its keywords.
    let answer = seller.get("/mall/second-hand/new?title=%E9%AB%98%E7%AD%89%E6%95%B0%E5%AD%A6");
    assert!(answer.body.contains("value=\"高等数学\""));
}

#[test]
fn listings_expire_after_thirty_days_unless_renewed_with_a_reminder() {
    let app = spawn_app();
    let (seller, id) = listed(&app);
    let expires: chrono::NaiveDateTime = app.db(|c| t::table.find(id).select(t::expires_at).first(c).unwrap());
    let days = (expires - campus::db::now()).num_hours();
    assert!((29 * 24..=30 * 24).contains(&days), "{days} hours");
    let remind = || app.db(|c| campus::market::expiry::remind_expiring(c).unwrap());
    assert_eq!(remind(), 0, "not yet");
    let soon = campus::db::now() + chrono::TimeDelta::days(2);
    app.db(|c| diesel::update(t::table.find(id)).set(t::expires_at.eq(soon)).execute(c).unwrap());
    assert_eq!(remind(), 1);
    assert_eq!(remind(), 0, "once");
    let me = user(&app, "student");
    assert!(titles(&app, me).iter().any(|m| m.contains("即将到期")));

    let past = campus::db::now() - chrono::TimeDelta::minutes(1);
    app.db(|c| diesel::update(t::table.find(id)).set(t::expires_at.eq(past)).execute(c).unwrap());
    let buyer = app.login("teacher", DEMO_PASSWORD);
    assert!(!buyer.get("/mall/second-hand").body.contains("同济第七版"), "out of the list at once");
    let q = "/mall/second-hand?q=%E5%90%8C%E6%B5%8E";
    assert!(!buyer.get(q).body.contains("同济第七版"), "and out of the search");
    assert!(buyer.get(&format!("/mall/second-hand/{id}")).body.contains("已过期"));
    let r = act(&buyer, &format!("/mall/second-hand/{id}/reserve"), &[]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("已不在售"));
    assert_eq!(act(&buyer, &format!("/mall/second-hand/{id}/renew"), &[]).status, 404, "the seller's");
    assert_eq!(act(&seller, &format!("/mall/second-hand/{id}/renew"), &[]).status, 303);
    assert!(buyer.get("/mall/second-hand").body.contains("同济第七版"));
    // Sold items leave the list at once too.
    assert_eq!(act(&seller, &format!("/mall/second-hand/{id}/sold"), &[]).status, 303);
    assert!(!buyer.get(q).body.contains("同济第七版"));
}

#[test]
fn a_price_cut_tells_whoever_favoured_the_item_once() {
    let app = spawn_app();
    let (seller, id) = listed(&app);
    let fan = app.login("teacher", DEMO_PASSWORD);
    assert_eq!(act(&fan, &format!("/mall/second-hand/{id}/favourite"), &[("on", "1")]).status, 303);
    assert_eq!(act(&fan, &format!("/mall/second-hand/{id}/favourite"), &[("on", "1")]).status, 303, "twice is once");
    assert_eq!(act(&seller, &format!("/mall/second-hand/{id}/favourite"), &[("on", "1")]).status, 422);
    let me = user(&app, "teacher");
    let cuts = || titles(&app, me).iter().filter(|t| t.contains("降价了")).count();
    let price = |p: &str| act(&seller, &format!("/mall/second-hand/{id}/price"), &[("price", p)]).status;
    assert_eq!(act(&fan, &format!("/mall/second-hand/{id}/price"), &[("price", "1")]).status, 404);
    assert_eq!(price("abc"), 422);
    assert_eq!(price("0"), 422);
    assert_eq!(price("30"), 303, "a raise");
    assert_eq!(cuts(), 0);
    assert_eq!(price("20"), 303);
    assert_eq!(cuts(), 1);
    assert_eq!(price("20"), 303, "the same price again");
    assert_eq!(cuts(), 1);
    assert_eq!(price("18"), 303);
    assert_eq!(cuts(), 2);
    assert_eq!(act(&fan, &format!("/mall/second-hand/{id}/favourite"), &[("on", "0")]).status, 303);
    assert_eq!(price("10"), 303);
    assert_eq!(cuts(), 2, "un-favoured");
}

#[test]
fn the_demo_market_is_alive() {
    let app = spawn_app();
    let list = app.client().get("/mall/second-hand");
    assert!(list.body.contains("护眼台灯") && list.body.contains("卡西欧"), "{}", list.body);
    assert_eq!(list.body.matches("已预订").count(), 1, "the reserved lamp says so in the list");
    assert!(!list.body.contains("山地自行车"), "the sold bicycle is off the list");
    let photos: Vec<String> = app.db(|c| t::table.select(t::images).load(c).unwrap());
    assert!(photos.iter().all(|p| p.contains("/media/demo/")), "each with a photo");
    let student = app.login("student", DEMO_PASSWORD);
    let lamp: i64 = app.db(|c| t::table.filter(t::title.like("护眼台灯%")).select(t::id).first(c).unwrap());
    assert!(app.client().get(&format!("/mall/second-hand/{lamp}")).body.contains("已预订"));
    assert!(student.get(&format!("/mall/second-hand/{lamp}/reserve")).body.contains("246810"));
    let me = user(&app, "student");
    let standing = app.client().get(&format!("/mall/second-hand/sellers/{me}"));
    assert!(standing.body.contains("买入 <strong>1</strong> 件") && standing.body.contains("爽快守时"));
    assert!(items(&app).is_empty(), "the demo items are hours old");
}
