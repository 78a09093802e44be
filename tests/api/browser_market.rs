//! A second-hand trade in Chromium, on phones: the seller lists a book and offers a meetup
//! point, the buyer writes in the chat and picks the meetup, reserves, shows the code; the
//! seller enters it; both rate. Every page is checked against the phone rules.

use crate::browser::{Driver, WEBVIEW_UA, sign_in_as_student};
use crate::browser_rules::{answer_confirm, assert_no_problems, js, visit_phone};
use crate::helpers::spawn_app;

/// Scrolls the element to the middle of the screen (clear of the tab bar) and clicks it.
fn press(d: &Driver, css: &str) {
    let script = format!("document.querySelector({css:?}).scrollIntoView({{block: 'center'}}); return 1;");
    js(d, &script);
    d.click(css);
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_a_second_hand_trade_from_listing_to_both_ratings() {
    let app = spawn_app();
    let seller = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in_as_student(&app, &seller);
    visit_phone(&seller, &app.url("/mall/second-hand/new"), "new listing", "market-new-phone");
    seller.type_into("input[name=title]", "概率论与数理统计 浙大第四版");
    seller.type_into("input[name=price]", "18");
    seller.type_into("textarea[name=description]", "书页干净，附习题答案。");
    seller.type_into("input[name=pickup_place]", "图书馆正门");
    press(&seller, "form[enctype] button[type=submit]");
    seller.wait_for("the item page", |d| d.source().contains("概率论与数理统计"));
    let item = seller.url();
    let path = item.trim_start_matches(&app.url("")).to_string();
    // A meetup at one of the admin's safe points.
    js(&seller, "document.querySelector('input[name=meet_at]').value = '2099-06-01T12:30'; return 1;");
    press(&seller, "form.meetup-offer button[type=submit]");
    seller.wait_for("the offer", |d| d.source().contains("06月01日 12:30"));
    visit_phone(&seller, &item, "item (seller)", "market-item-seller-phone");

    let buyer = Driver::start(390, 844, Some(WEBVIEW_UA));
    buyer.goto(&app.url("/login"));
    buyer.wait_for("the login page", |d| d.url().contains("/login"));
    buyer.type_into("input[name=username]", "teacher");
    buyer.type_into("input[name=password]", crate::helpers::DEMO_PASSWORD);
    press(&buyer, "form[action='/login'] button[type=submit]");
    buyer.wait_for("signed in", |d| !d.url().contains("/login"));
    visit_phone(&buyer, &item, "item (buyer)", "market-item-buyer-phone");
    press(&buyer, &format!("form[action='{path}/contact'] button"));
    buyer.wait_for("the chat", |d| d.url().contains("/threads/"));
    press(&buyer, "form.meetup-pick label");
    press(&buyer, "form.meetup-pick button[type=submit]");
    buyer.wait_for("the picked meetup in the chat", |d| d.source().contains("我选择了见面"));
    buyer.type_into("input[name=body]", "明天中午见，我带现金");
    press(&buyer, "form.chat-form button[type=submit]");
    buyer.wait_for("the message", |d| d.source().contains("我带现金"));
    visit_phone(&buyer, &buyer.url(), "chat", "market-chat-phone");

    buyer.goto(&item);
    press(&buyer, &format!("form[action='{path}/reserve'] button"));
    assert!(answer_confirm(&buyer, true).contains("交接码"));
    buyer.wait_for("the reservation", |d| d.url().ends_with("/reserve"));
    let code = js(&buyer, "return document.querySelector('.handover-code').innerText.trim();");
    let code = code.as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    visit_phone(&buyer, &buyer.url(), "reservation", "market-reserve-phone");

    seller.goto(&item);
    seller.wait_for("已预订", |d| d.source().contains("已预订"));
    press(&seller, &format!("a[href='{path}/handover']"));
    seller.wait_for("the handover form", |d| d.source().contains("确认交接"));
    visit_phone(&seller, &seller.url(), "handover", "market-handover-phone");
    seller.type_into("input[name=code]", &code);
    press(&seller, "form[action$='/handover'] button[type=submit]");
    seller.wait_for("sold", |d| d.source().contains("交接完成"));
    press(&seller, "form.rate-form button[type=submit]");
    seller.wait_for("rated", |d| d.source().contains("评价已提交"));

    buyer.goto(&item);
    buyer.wait_for("the rating form", |d| d.source().contains("评价卖家"));
    press(&buyer, "form.rate-form input[name=note]");
    buyer.type_into("form.rate-form input[name=note]", "书很新");
    press(&buyer, "form.rate-form button[type=submit]");
    buyer.wait_for("rated", |d| d.source().contains("评价已提交"));
    let seller_page = js(&buyer, "return document.querySelector('a[href^=\"/mall/second-hand/sellers/\"]').href;");
    visit_phone(&buyer, seller_page.as_str().unwrap(), "seller", "market-seller-phone");
    assert!(buyer.source().contains("书很新"));
    visit_phone(&buyer, &app.url("/mall/second-hand/wanted"), "wanted", "market-wanted-phone");
    assert_no_problems();
}
