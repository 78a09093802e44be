//! Readable by everyone (issue 29), in headless Chromium: the twelve pages the issue measured and
//! the ten defects it saw, each checked where a browser sees it. Every page passes the phone rules
//! and axe-core in light and dark mode (`browser_rules.rs`); the pictures are kept in
//! `artifacts/a11y-*.png` and `artifacts/a11y-*-dark.png`.

use diesel::prelude::*;
use serde_json::json;

use crate::browser::{Driver, WEBVIEW_UA, sign_in_as_student};
use crate::browser_rules::{assert_no_problems, check_desk_page, check_phone_page, color_scheme, js, visit_phone};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn sign_in(app: &TestApp, d: &Driver, username: &str, next: &str) {
    d.goto(&app.url(&format!("/login?next={next}")));
    d.type_into("input[name=username]", username);
    d.type_into("input[name=password]", DEMO_PASSWORD);
    d.click("form[action='/login'] button[type=submit]");
    d.wait_for("the signed-in page", |d| d.url().starts_with(&app.url(next)) && !d.url().contains("/login"));
}

/// A tap: the element scrolled into view first, so the sticky tab bar never takes the click.
fn tap(d: &Driver, css: &str) {
    d.scroll_to(css);
    d.click(css);
}

/// Texts of `css` that the browser broke over more than one line (a name broken mid-word).
fn wrapped(d: &Driver, css: &str) -> serde_json::Value {
    js(
        d,
        &format!(
            "return [...document.querySelectorAll({css:?})].filter(e => {{ const r = document.createRange(); r.selectNodeContents(e); \
             const tops = new Set([...r.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top))); return tops.size > 1; }})\
             .map(e => e.textContent.trim());"
        ),
    )
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_a_student_reads_every_page_in_light_and_dark_mode_on_a_phone() {
    let app = spawn_app();
    let d = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in_as_student(&app, &d);

    // The student pages, each in both modes (the phone rules run axe in light and dark).
    visit_phone(&d, &app.url("/"), "home", "a11y-home-phone");
    // Dark mode reaches our own stylesheet: the page and its cards turn dark, the section
    // headings stay readable (论坛热帖 was nearly invisible).
    color_scheme(&d, true);
    let v = js(
        &d,
        "const h = [...document.querySelectorAll('h2.section-head')].find(e => e.textContent.includes('论坛热帖')); \
         return [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.post-card')).backgroundColor, getComputedStyle(h).color];",
    );
    color_scheme(&d, false);
    assert_eq!(v[0], "rgb(17, 17, 17)", "the page is dark: {v}");
    assert_eq!(v[1], "rgb(25, 25, 25)", "the cards are dark: {v}");
    assert_ne!(v[2], "rgba(0, 0, 0, 0.6)", "the heading is not dark grey on dark: {v}");

    visit_phone(&d, &app.url("/academic/grades"), "grades", "a11y-grades-phone");
    visit_phone(&d, &app.url("/forum"), "forum list", "a11y-forum-phone");
    visit_phone(&d, &app.url("/forum/new"), "new post", "a11y-forum-new-phone");
    visit_phone(&d, &app.url("/mall"), "mall", "a11y-mall-phone");
    tap(&d, "a.card");
    d.wait_for("a product", |d| d.url().contains("/mall/products/"));
    visit_phone(&d, &d.url(), "product", "a11y-product-phone");
    d.click(".buy-bar button[type=submit]");
    d.wait_for("the toast", |d| d.source().contains("已加入购物车"));
    visit_phone(&d, &app.url("/mall/cart"), "cart", "a11y-cart-phone");
    visit_phone(&d, &app.url("/me"), "me", "a11y-me-phone");
    // The tab bar names each place and marks the lit one.
    let tabs = js(
        &d,
        "return [...document.querySelectorAll('.weui-tabbar a')].map(a => [a.textContent.replace(/\\s+/g, ''), a.getAttribute('aria-current')]);",
    );
    assert_eq!(
        tabs,
        json!([["首页", null], ["教务", null], ["论坛", null], ["商城", null], ["3条未读消息我的", "page"]]),
        "the tab bar's names (the badge's count says what it counts): {tabs}"
    );

    // 6. The post's breadcrumb links are thumb-sized (they were 26×15 and 72×15 px).
    visit_phone(&d, &app.url("/forum/posts/1"), "post", "a11y-post-phone");
    let crumbs = js(
        &d,
        "return [...document.querySelectorAll('.post__crumbs a')].map(a => { const r = a.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; });",
    );
    let crumbs = crumbs.as_array().unwrap();
    assert_eq!(crumbs.len(), 2, "{crumbs:?}");
    for c in crumbs {
        assert!(c[0].as_i64().unwrap() >= 44 && c[1].as_i64().unwrap() >= 44, "breadcrumb link {c}");
    }

    // 3. The timetable: dates on one line, course names never broken inside a word; a name that
    // does not fit ends in an ellipsis and the tap shows it whole.
    visit_phone(&d, &app.url("/academic/schedule?week=13"), "timetable", "a11y-schedule-phone");
    assert_eq!(wrapped(&d, ".timetable__date"), json!([]), "dates on one line");
    assert_eq!(wrapped(&d, ".class-cell__name"), json!([]), "course names on one line");
    let cut = js(
        &d,
        "const e = [...document.querySelectorAll('.class-cell__name')].find(e => e.scrollWidth > e.clientWidth); \
         return e ? [e.textContent, getComputedStyle(e).textOverflow] : null;",
    );
    assert_eq!(cut[1], "ellipsis", "a long name is cut with an ellipsis: {cut}");
    let name = cut[0].as_str().unwrap().to_string();
    let id = js(
        &d,
        &format!(
            "const e = [...document.querySelectorAll('.class-cell__name')].find(e => e.textContent === {name:?}); \
             const s = e.closest('summary'); s.id = 'long-name'; s.scrollIntoView({{block: 'center'}}); return s.id;"
        ),
    );
    assert_eq!(id, "long-name");
    d.click("#long-name");
    d.wait_for("the class detail", |d| {
        js(d, "const e = document.querySelector('details[open] .class-detail'); return e ? e.innerText : '';")
            .as_str()
            .unwrap()
            .contains(&name)
    });
    d.screenshot("a11y-schedule-detail-phone.png");
    d.click("#long-name");

    // 4. Every place of the 教务 nav is in sight at 390 px (学籍 was off-screen).
    let off = js(
        &d,
        "return [...document.querySelectorAll('.acad-nav a')].filter(a => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; }).map(a => a.innerText);",
    );
    assert_eq!(off, json!([]), "nav items off-screen");
    assert_eq!(
        js(&d, "return document.querySelector('.acad-nav a[href=\"/academic/student-info\"]').innerText;"),
        "学籍"
    );

    // 2. The feed link: the URL in one field (no token broken mid-word), 返回课表 a button in
    // our colours, the 教务 tab and 课表 lit.
    d.scroll_to("form[action='/academic/schedule.ics/token'] button");
    d.click("form[action='/academic/schedule.ics/token'] button");
    d.wait_for("the feed link", |d| d.source().contains("webcal://"));
    d.screenshot("a11y-feed-link-phone.png");
    check_phone_page(&d, "feed link");
    let v = js(
        &d,
        "const f = document.getElementById('feed-url'); const back = [...document.querySelectorAll('a')].find(a => a.innerText.trim() === '返回课表'); \
         return [f.tagName, f.readOnly, f.value, f.labels.length, getComputedStyle(back).color, back.className, \
                 document.querySelector('.weui-tabbar a[aria-current=page]').innerText.trim(), document.querySelector('.acad-nav a.on').innerText];",
    );
    assert_eq!(v[0], "INPUT");
    assert_eq!(v[1], true);
    assert!(v[2].as_str().unwrap().contains("/academic/schedule.ics?token="), "{v}");
    assert_eq!(v[3], 1, "the field has a label");
    assert_ne!(v[4], "rgb(0, 0, 238)", "not the browser's default blue");
    assert!(v[5].as_str().unwrap().contains("weui-btn"), "{v}");
    assert_eq!(v[6], "教务");
    assert_eq!(v[7], "课表");

    // 5. The map: every name and marker inside the map, markers at least 44 px, no two names
    // on top of each other; tapping a place keeps the map in sight with its panel.
    visit_phone(&d, &app.url("/campus/map"), "map", "a11y-map-phone");
    let v = js(
        &d,
        "const svg = document.querySelector('svg.campus-map').getBoundingClientRect(); \
         const labels = [...document.querySelectorAll('.marker__label')].map(t => [t.textContent, t.getBoundingClientRect()]); \
         const out = labels.filter(([_, r]) => r.left < svg.left - 0.5 || r.right > svg.right + 0.5 || r.top < svg.top || r.bottom > svg.bottom).map(l => l[0]); \
         const hits = [...document.querySelectorAll('.marker__hit')].map(c => c.getBoundingClientRect()); \
         const pins = [...document.querySelectorAll('.marker__pin')].map(c => c.getBoundingClientRect()) \
           .filter(r => r.left < svg.left || r.right > svg.right || r.top < svg.top || r.bottom > svg.bottom).length; \
         const crowd = []; \
         for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) { const a = labels[i][1], b = labels[j][1]; \
           if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) crowd.push(labels[i][0] + '/' + labels[j][0]); } \
         return [out, Math.min(...hits.map(r => Math.min(r.width, r.height))), pins, crowd, labels.length];",
    );
    assert_eq!(v[0], json!([]), "names cut by the map's edge: {v}");
    assert!(v[1].as_f64().unwrap() >= 44.0, "marker tap size: {v}");
    assert_eq!(v[2], 0, "pins cut by the map's edge: {v}");
    assert_eq!(v[3], json!([]), "names on top of each other: {v}");
    assert!(v[4].as_i64().unwrap() >= 8, "{v}");
    tap(&d, "svg.campus-map a[aria-label='东门']");
    d.wait_for("the gate's panel", |d| d.source().contains("id=\"poi-panel\""));
    d.screenshot("a11y-map-gate-phone.png");
    check_phone_page(&d, "the gate on the map");
    let v = js(
        &d,
        "const m = document.querySelector('svg.campus-map').getBoundingClientRect(), p = document.querySelector('.poi-panel__name').getBoundingClientRect(); \
         return [m.top >= 0 && m.top < innerHeight / 2, p.top > 0 && p.bottom < innerHeight - 56, document.querySelector('.poi-panel__name').innerText];",
    );
    assert_eq!(v[0], true, "the map stays in sight: {v}");
    assert_eq!(v[1], true, "the panel is in sight: {v}");
    assert!(v[2].as_str().unwrap().contains("东门"), "{v}");

    // 7. The demo's activities are in the day (Shanghai), and 立即报名 is on the first screen.
    let hours: Vec<chrono::NaiveDateTime> = app.db(|c| {
        use campus::db::schema::activities as a;
        a::table.select(a::starts_at).load(c).unwrap()
    });
    for t in &hours {
        let local = *t + chrono::TimeDelta::hours(8);
        assert!((7..=20).contains(&chrono::Timelike::hour(&local)), "a demo activity at {local} (Shanghai)");
    }
    let open: i64 = app.db(|c| {
        use campus::db::schema::activities as a;
        a::table.filter(a::title.eq("周末环湖跑")).select(a::id).first(c).unwrap()
    });
    visit_phone(&d, &app.url(&format!("/activities/{open}")), "activity", "a11y-activity-phone");
    let v = js(
        &d,
        "const b = [...document.querySelectorAll('a.weui-btn')].find(a => a.innerText.includes('报名')); const r = b.getBoundingClientRect(); \
         const bar = document.querySelector('.weui-tabbar').getBoundingClientRect(); return [b.innerText, r.top >= 0 && r.bottom <= bar.top, scrollY];",
    );
    assert_eq!(v[0], "立即报名");
    assert_eq!(v[1], true, "立即报名 in sight on the first screen: {v}");
    assert_eq!(v[2], 0);

    // 9. /me/2fa is for staff: the student is told so on a page of her own, with the way to her
    // own account's safety.
    visit_phone(&d, &app.url("/me/2fa"), "two-factor for a student", "a11y-2fa-student-phone");
    let v = js(
        &d,
        "return [document.querySelector('h1').innerText, !!document.querySelector('.weui-tabbar'), !!document.querySelector('a[href=\"/me/security\"]'), document.body.innerText.includes('管理员和商家')];",
    );
    assert_eq!(v, json!(["两步验证", true, true, true]));

    // 10. An uploaded avatar's URL does not carry the account's id.
    let uid: i64 = app.db(|c| {
        use campus::db::schema::user_auth;
        user_auth::table.filter(user_auth::auth_key.eq("student")).select(user_auth::user_id).first(c).unwrap()
    });
    let photo = app.data_dir.join("me.png");
    image::RgbImage::from_fn(120, 120, |x, y| image::Rgb([x as u8, y as u8, 160])).save(&photo).unwrap();
    d.goto(&app.url("/me/settings"));
    d.type_into("input[name=avatar]", photo.to_str().unwrap());
    tap(&d, ".avatar-form button[type=submit]");
    d.wait_for("the new avatar", |d| d.source().contains("头像已更新"));
    visit_phone(&d, &d.url(), "settings with an avatar", "a11y-settings-avatar-phone");
    let src = js(&d, "return document.querySelector('.hero__avatar img').getAttribute('src');");
    let src = src.as_str().unwrap();
    assert!(src.starts_with("/media/avatars/"), "{src}");
    assert!(!src.contains(&format!("u{uid}-")) && !src.contains(&format!("/{uid}")), "the account id in {src}");
    drop(d);

    // 1. The teacher's 教务 tab opens her teaching week, not the student's 学号 form.
    let t = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in(&app, &t, "teacher", "/");
    tap(&t, ".weui-tabbar a:nth-child(2)");
    t.wait_for("the teaching week", |d| d.url().contains("/academic/teacher-schedule"));
    assert!(!t.source().contains("还没有关联学籍"));
    visit_phone(&t, &t.url(), "teaching week", "a11y-teacher-week-phone");
    // A bookmark of the student timetable goes the same way.
    t.goto(&app.url("/academic/schedule"));
    t.wait_for("the teaching week", |d| d.url().contains("/academic/teacher-schedule"));
    assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_the_back_office_reads_in_light_and_dark_mode_and_the_queue_says_what_it_is_about() {
    let app = spawn_app();
    // A product the word filter sent to review, and reported again while it waits.
    let name = app.db(|c| {
        use campus::db::schema::products;
        let (pid, name): (i64, String) =
            products::table.order(products::id).select((products::id, products::name)).first(c).unwrap();
        for reason in ["敏感词待审核：刷单", "举报：描述与实物不符"] {
            campus::moderation::flag(
                c,
                campus::moderation::KIND_PRODUCT,
                pid,
                None,
                &name,
                "下单返现 五元，好评再返",
                reason,
            )
            .unwrap();
        }
        name
    });
    let d = Driver::start(1366, 768, None);
    sign_in(&app, &d, "admin", "/admin");
    d.screenshot("a11y-admin-dashboard-desk.png");
    color_scheme(&d, true);
    d.screenshot("a11y-admin-dashboard-desk-dark.png");
    let bg = js(&d, "return getComputedStyle(document.body).backgroundColor;");
    color_scheme(&d, false);
    assert_eq!(bg, "rgb(17, 17, 17)", "the back office follows dark mode");
    check_desk_page(&d, "dashboard");

    // 8. 通过 is not drawn like 下架; the row shows the text and how often it was flagged.
    d.goto(&app.url("/admin/moderation"));
    d.screenshot("a11y-admin-moderation-desk.png");
    color_scheme(&d, true);
    d.screenshot("a11y-admin-moderation-desk-dark.png");
    color_scheme(&d, false);
    check_desk_page(&d, "moderation");
    let v = js(
        &d,
        "const row = [...document.querySelectorAll('tbody tr')].find(r => r.querySelector('form[action$=\"/approve\"]')); \
         const ok = row.querySelector('form[action$=\"/approve\"] button'), down = row.querySelector('form[action$=\"/hide\"] button'); \
         return [getComputedStyle(ok).borderTopColor, getComputedStyle(down).borderTopColor, row.innerText];",
    );
    assert_ne!(v[0], v[1], "通过 and 下架 look different: {v}");
    let row = v[2].as_str().unwrap();
    assert!(row.contains(&name) && row.contains("下单返现 五元，好评再返"), "the excerpt: {row}");
    assert!(row.contains("共 2 次举报或命中"), "the count: {row}");

    for path in ["/admin/users", "/admin/audit", "/admin/feedback", "/admin/academic/bookings"] {
        d.goto(&app.url(path));
        check_desk_page(&d, path);
    }
    assert_no_problems();
}
