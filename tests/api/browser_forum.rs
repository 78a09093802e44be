//! The forum in headless Chromium at 390×844 (ignored by default, like `browser.rs`; run with
//! `cargo test --test api -- --ignored browser`). Screenshots go to `artifacts/forum-*.png`.

use serde_json::{Value, json};

use crate::browser::{Driver, WEBVIEW_UA, sign_in_as_student};
use crate::forum::{comment, student};
use crate::helpers::spawn_app;

fn js(d: &Driver, script: &str) -> Value {
    d.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
}

/// The smallest height and width among the elements `css` matches, in CSS pixels.
fn smallest_box(d: &Driver, css: &str) -> (f64, f64) {
    let v = js(
        d,
        &format!(
            "const r = [...document.querySelectorAll({css:?})].map(e => e.getBoundingClientRect()).filter(b => b.width > 0);\
             return [Math.min(...r.map(b => b.height)), Math.min(...r.map(b => b.width))];"
        ),
    );
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_posts_anonymously_with_photos_and_talks_in_the_thread_on_a_phone() {
    let app = spawn_app();
    let driver = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in_as_student(&app, &driver);
    driver.goto(&app.url("/forum"));
    driver.wait_for("the forum", |d| d.source().contains("最新帖子"));
    driver.screenshot("forum-index-phone.png");
    crate::browser_rules::check_axe(&driver, "forum-index-phone");
    // Infinite scroll: the next page arrives when the end of the list is reached.
    let before = driver.source().matches("class=\"post-card\"").count();
    driver.scroll_to(".load-more");
    driver.wait_for("the next page", |d| d.source().matches("class=\"post-card\"").count() > before);

    // A new anonymous post with two photos, chosen through the WeUI uploader.
    driver.click(".tabs__post");
    driver.wait_for("the form", |d| d.url().ends_with("/forum/new"));
    let dir = std::env::temp_dir().join(format!("forum-photos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<String> = (0..2)
        .map(|i| {
            let p = dir.join(format!("photo{i}.png"));
            std::fs::write(&p, crate::market::png()).unwrap();
            p.display().to_string()
        })
        .collect();
    driver.click("select[name=board_id] option:nth-child(6)");
    driver.type_into("input[name=title]", "致图书馆三楼的你");
    driver.type_into("textarea[name=body]", "每天都看到你。\n今天终于鼓起勇气写下来。");
    driver.type_into("input[type=file][name=images]", &paths.join("\n"));
    driver.wait_for("two previews", |d| d.source().matches("weui-uploader__file\"").count() == 2);
    driver.click("label[for=anonymous]");
    assert_eq!(js(&driver, "return document.querySelector('#anonymous').checked;"), true);
    driver.screenshot("forum-new-phone.png");
    crate::browser_rules::check_axe(&driver, "forum-new-phone");
    driver.click("form button[type=submit]");
    driver.wait_for("the post", |d| d.url().contains("/forum/posts/"));
    let html = driver.source();
    assert!(html.contains("匿名同学#") && !html.contains("小林同学</p>"), "shown under a pseudonym");
    assert_eq!(html.matches("alt=\"帖子图片").count(), 2);
    let id: i64 = driver.url().rsplit('/').next().unwrap().parse().unwrap();
    driver.screenshot("forum-post-phone.png");
    crate::browser_rules::check_axe(&driver, "forum-post-phone");

    // Someone answers; she likes the post and replies in place (htmx), under her pseudonym.
    let other = student(&app, "azhe", "阿哲");
    let r = comment(&other, id, "写得真好，祝你成功！", None);
    assert_eq!(r.status, 303);
    driver.goto(&app.url(&format!("/forum/posts/{id}")));
    driver.click(".post__actions .like-btn");
    driver.wait_for("the like", |d| d.source().contains("已赞 1"));
    let (h, w) = smallest_box(&driver, ".like-btn, .text-btn, .comment-form button");
    assert!(h >= 44.0 && w >= 44.0, "tap targets at least 44 px, smallest {h}×{w}");
    driver.click(".comment a.text-btn[href*='reply=']");
    driver.wait_for("the reply form", |d| d.source().contains("回复 @阿哲"));
    driver.type_into("#comment-form textarea", "谢谢你呀");
    driver.click("#comment-form button[type=submit]");
    driver.wait_for("the reply", |d| d.source().contains("谢谢你呀"));
    assert!(driver.source().contains("楼主"));
    driver.screenshot("forum-thread-phone.png");
    crate::browser_rules::check_axe(&driver, "forum-thread-phone");

    // A refused comment: the reason beside the box, the words kept, the focus there.
    driver.type_into("#comment-form textarea", "有人代考吗");
    driver.click("#comment-form button[type=submit]");
    driver.wait_for("the refusal", |d| d.source().contains("违规词「代考」"));
    assert_eq!(js(&driver, "return document.querySelector('#comment-form textarea').value;"), "有人代考吗");
    // The focus moves back to the box once htmx has settled the swap (a tick after the text).
    driver.wait_for("the focus back in the box", |d| {
        js(d, "return document.activeElement && document.activeElement.name;") == "body"
    });
    let colour = js(&driver, "return getComputedStyle(document.querySelector('#comment-error')).color;");
    assert_eq!(colour, "rgb(200, 50, 50)", "the warn colour (WeUI's red darkened to 5.3:1 on white, issue 29)");
    driver.screenshot("forum-comment-refused-phone.png");
    crate::browser_rules::check_axe(&driver, "forum-comment-refused-phone");

    app.db(|c| campus::forum::service::refresh_ranking(c).unwrap());
    driver.goto(&app.url("/forum/ranking"));
    driver.wait_for("the hot list", |d| d.source().contains("致图书馆三楼的你"));
    driver.screenshot("forum-ranking-phone.png");
    crate::browser_rules::check_axe(&driver, "forum-ranking-phone");
    let _ = std::fs::remove_dir_all(&dir);
    crate::browser_rules::assert_no_problems();
}
