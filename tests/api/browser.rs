//! Browser journeys in headless Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`). Ignored by default; `.ci/run` installs both and runs them with
//! `cargo test --test api -- --ignored browser`. Screenshots go to `artifacts/`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

/// The mini-program web-view on an iPhone.
pub const WEBVIEW_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN miniProgram/wx0000000000000000";
/// Safari on the same iPhone (outside WeChat).
pub const SAFARI_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

pub struct Driver {
    child: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Driver {
    /// A phone (with `ua`) or, with `None`, a desktop browser.
    pub fn start(width: u32, height: u32, ua: Option<&str>) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (apt-get install chromium-driver)"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(mut r) = agent.get(format!("{base}/status")).call() {
                let v: Value = r.body_mut().read_json().unwrap_or_default();
                if v["value"]["ready"] == true {
                    ready = true;
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(ready, "chromedriver did not become ready");
        let mut options = json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", format!("--window-size={width},{height}")],
        });
        if let Some(ua) = ua {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0},
                "userAgent": ua,
            });
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}});
        let v: Value = agent.post(format!("{base}/session")).send_json(&caps).unwrap().body_mut().read_json().unwrap();
        let session = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Driver { child, base, session, agent }
    }

    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut r = match method {
            "GET" => self.agent.get(&url).call().unwrap(),
            _ => self.agent.post(&url).send_json(body.unwrap_or(json!({}))).unwrap(),
        };
        let v: Value = r.body_mut().read_json().unwrap();
        assert!(v["value"].get("error").is_none(), "webdriver {path}: {v}");
        v["value"].clone()
    }

    /// The text of an open alert or confirm dialog, if one is open.
    pub fn alert_text(&self) -> Option<String> {
        let url = format!("{}/session/{}/alert/text", self.base, self.session);
        let v: Value = self.agent.get(&url).call().ok()?.body_mut().read_json().ok()?;
        v["value"].as_str().map(str::to_string)
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    pub fn find(&self, css: &str) -> String {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        v.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_string()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    pub fn clear(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/clear"), None);
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), None);
    }

    pub fn scroll_to(&self, css: &str) {
        let id = self.find(css);
        let element = json!({ "element-6066-11e4-a52e-4f735466cecf": id });
        self.cmd("POST", "/execute/sync", Some(json!({"script": "arguments[0].scrollIntoView()", "args": [element]})));
    }

    pub fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap().to_string()
    }

    pub fn source(&self) -> String {
        self.cmd("GET", "/source", None).as_str().unwrap().to_string()
    }

    pub fn screenshot(&self, name: &str) {
        use base64::Engine;
        let data = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    pub fn wait_for(&self, what: &str, check: impl Fn(&Driver) -> bool) {
        for _ in 0..100 {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}; at {}", self.url());
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.agent.delete(format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn sign_in_as_student(app: &TestApp, driver: &Driver) {
    // The home page is public now (news, activities, a login button); sign in from the login page.
    driver.goto(&app.url("/login"));
    driver.wait_for("the login page", |d| d.url().contains("/login"));
    driver.type_into("input[name=username]", "student");
    driver.type_into("input[name=password]", DEMO_PASSWORD);
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_for("the home page", |d| d.url() == app.url("/"));
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_logs_in_and_sees_the_home_page_on_a_phone() {
    let app = spawn_app();
    let driver = Driver::start(390, 844, Some(WEBVIEW_UA));
    sign_in_as_student(&app, &driver);
    let html = driver.source();
    assert!(html.contains("你好，小林同学"));
    assert!(html.contains("weui-tabbar"));
    // The stylesheet really loaded under the CSP: WeUI's tab bar is laid out as a flex row.
    let display = driver.cmd(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "return getComputedStyle(document.querySelector('.weui-tabbar')).display;", "args": []
        })),
    );
    assert_eq!(display, "flex");
    // Inside the web-view the JSSDK bridge is loaded from our own origin.
    driver.wait_for("the JSSDK", |d| {
        d.cmd("POST", "/execute/sync", Some(json!({"script": "return !!(window.wx && window.wx.miniProgram) && document.documentElement.classList.contains('in-miniprogram');", "args": []}))) == true
    });
    driver.screenshot("home-phone.png");
    crate::browser_rules::check_axe(&driver, "home-phone");
    driver.goto(&app.url("/me/messages"));
    driver.wait_for("the message center", |d| d.source().contains("消息中心"));
    let unread = driver.source().matches("标为已读").count();
    assert!(unread >= 2, "the demo student's unread messages");
    driver.click(".message.unread button[type=submit]");
    driver.wait_for("htmx to swap the message", |d| d.source().matches("标为已读").count() == unread - 1);
    driver.screenshot("messages-phone.png");
    crate::browser_rules::check_axe(&driver, "messages-phone");
    crate::browser_rules::assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_admin_sees_the_dashboard_on_a_desktop() {
    let app = spawn_app();
    let driver = Driver::start(1280, 800, None);
    driver.goto(&app.url("/login?next=/admin"));
    driver.type_into("input[name=username]", "admin");
    driver.type_into("input[name=password]", DEMO_PASSWORD);
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_for("the dashboard", |d| d.url() == app.url("/admin"));
    assert!(driver.source().contains("用户总数"));
    driver.screenshot("admin-desktop.png");
    crate::browser_rules::check_axe(&driver, "admin-desktop");

    // The moderation queue: a product the word filter sent to review is taken down from it.
    let (pid, name) = app.db(|c| {
        use campus::db::schema::products;
        use diesel::prelude::*;
        let (pid, name): (i64, String) =
            products::table.order(products::id).select((products::id, products::name)).first(c).unwrap();
        campus::moderation::flag(
            c,
            campus::moderation::KIND_PRODUCT,
            pid,
            None,
            &name,
            "包邮，下单返现",
            "敏感词待审核：刷单",
        )
        .unwrap();
        (pid, name)
    });
    driver.goto(&app.url("/admin/moderation"));
    assert!(driver.source().contains(&name));
    driver.type_into("form[action$='/hide'] input[name=reason]", "描述与实物不符");
    driver.screenshot("admin-moderation-desktop.png");
    crate::browser_rules::check_axe(&driver, "admin-moderation-desktop");
    driver.click("form[action$='/hide'] button[type=submit]");
    crate::browser_rules::answer_confirm(&driver, true);
    driver.wait_for("the emptied queue", |d| d.source().contains("没有待审核的内容"));
    let status: String = app.db(|c| {
        use campus::db::schema::products;
        use diesel::prelude::*;
        products::table.find(pid).select(products::status).first(c).unwrap()
    });
    assert_eq!(status, "off");
    crate::browser_rules::assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_student_searches_buys_and_pays_on_a_phone() {
    let app = spawn_app();
    let driver = Driver::start(390, 844, Some(SAFARI_UA));
    sign_in_as_student(&app, &driver);
    driver.goto(&app.url("/mall"));
    driver.screenshot("mall-phone.png");
    crate::browser_rules::check_axe(&driver, "mall-phone");
    driver.type_into("form.search-bar input[name=q]", "充电宝");
    driver.click("form.search-bar button[type=submit]");
    driver.wait_for("search results", |d| d.source().contains("<mark>充电</mark>"));
    driver.screenshot("search-phone.png");
    crate::browser_rules::check_axe(&driver, "search-phone");
    driver.click("a.search-hit");
    driver.wait_for("the product page", |d| d.url().contains("/mall/products/"));
    driver.click(".buy-bar button[type=submit]");
    driver.wait_for("the toast", |d| d.source().contains("已加入购物车"));
    driver.screenshot("product-phone.png");
    crate::browser_rules::check_axe(&driver, "product-phone");
    driver.goto(&app.url("/mall/cart"));
    driver.wait_for("the cart", |d| d.source().contains("去结算"));
    driver.screenshot("cart-phone.png");
    crate::browser_rules::check_axe(&driver, "cart-phone");
    driver.click(".checkout-bar a");
    driver.wait_for("checkout", |d| d.url().ends_with("/mall/checkout"));
    // A remark with a blocked word is refused on the page, what was typed kept.
    driver.type_into("input[name=remark]", "顺便代考");
    driver.click(".checkout-bar button[type=submit]");
    driver.wait_for("the refusal", |d| d.source().contains("备注包含违规词「代考」"));
    driver.screenshot("checkout-refused-phone.png");
    crate::browser_rules::check_axe(&driver, "checkout-refused-phone");
    driver.clear("input[name=remark]");
    driver.click(".checkout-bar button[type=submit]");
    driver.wait_for("the new order", |d| d.url().contains("/mall/orders/"));
    driver.click("a[data-pay-order]");
    driver.wait_for("the cashier", |d| d.url().contains("/pay/mock/"));
    driver.screenshot("cashier-phone.png");
    crate::browser_rules::check_axe(&driver, "cashier-phone");
    driver.click("button[value=pay]");
    assert!(crate::browser_rules::answer_confirm(&driver, true).contains("确认支付"));
    driver.wait_for("the paid order", |d| d.source().contains("支付成功") && d.source().contains("待发货"));
    driver.screenshot("order-phone.png");
    crate::browser_rules::check_axe(&driver, "order-phone");
    crate::browser_rules::assert_no_problems();
}

#[test]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
fn browser_merchant_adds_a_product_with_options_and_a_photo() {
    let app = spawn_app();
    let driver = Driver::start(1280, 900, None);
    driver.goto(&app.url("/login?next=/merchant/products/new"));
    driver.type_into("input[name=username]", "merchant");
    driver.type_into("input[name=password]", DEMO_PASSWORD);
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_for("the product form", |d| d.url().ends_with("/merchant/products/new"));
    driver.type_into("input[name=name]", "浏览器测试 保温杯");
    // The category is picked from the tree (no silent default).
    driver.click("select[name=category_id] optgroup option");
    driver.type_into("textarea[name=description]", "316 不锈钢，保温 12 小时");
    driver.type_into("textarea[name=skus]", "白色 500ml, 59, 10\n黑色 500ml, 59, 8");
    let photo = app.data_dir.join("cup.png");
    image::RgbImage::from_fn(300, 300, |x, _| image::Rgb([x as u8, 120, 200])).save(&photo).unwrap();
    driver.type_into("input[name=images]", photo.to_str().unwrap());
    driver.screenshot("merchant-new-product-desktop.png");
    crate::browser_rules::check_axe(&driver, "merchant-new-product-desktop");
    driver.click("form.form button.primary");
    driver
        .wait_for("the product list", |d| d.url().ends_with("/merchant/products") && d.source().contains("商品已上架"));
    let html = driver.source();
    assert!(html.contains("浏览器测试 保温杯") && html.contains("白色 500ml") && html.contains("黑色 500ml"));
    driver.screenshot("merchant-products-desktop.png");
    crate::browser_rules::check_axe(&driver, "merchant-products-desktop");

    // A CSV import through the form lands on its report.
    let csv = app.data_dir.join("stock.csv");
    std::fs::write(&csv, "商品名称,分类,规格,价格,库存,描述\n浏览器测试 帆布袋,收纳,,25,12,\n坏行,火星,,1,1,\n")
        .unwrap();
    driver.type_into("input[name=file]", csv.to_str().unwrap());
    driver.click("form[action^='/merchant/products/import'] button[type=submit]");
    driver.wait_for("the import report", |d| d.url().contains("/merchant/imports/") && d.source().contains("导入完成"));
    assert!(driver.source().contains("没有分类「火星」"));
    driver.screenshot("merchant-import-report-desktop.png");
    crate::browser_rules::check_axe(&driver, "merchant-import-report-desktop");

    // A running import: the page polls (htmx) and shows the report when it is done, in place.
    use campus::db::schema::{product_imports, products};
    use diesel::prelude::*;
    let (shop, user): (i64, i64) = app
        .db(|c| product_imports::table.select((product_imports::shop_id, product_imports::user_id)).first(c).unwrap());
    let now = campus::db::now();
    let id: i64 = app.db(|c| {
        diesel::insert_into(product_imports::table)
            .values((
                product_imports::shop_id.eq(shop),
                product_imports::user_id.eq(user),
                product_imports::file_name.eq("big.xlsx"),
                product_imports::status.eq("running"),
                product_imports::total_rows.eq(5000),
                product_imports::done_rows.eq(1500),
                product_imports::created_at.eq(now),
                product_imports::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap();
        product_imports::table.select(diesel::dsl::max(product_imports::id)).first::<Option<i64>>(c).unwrap().unwrap()
    });
    let page = app.url(&format!("/merchant/imports/{id}"));
    driver.goto(&page);
    assert!(driver.source().contains("已处理 1500 / 5000 行（30%）"));
    driver.screenshot("merchant-import-progress-desktop.png");
    crate::browser_rules::check_axe(&driver, "merchant-import-progress-desktop");
    app.db(|c| {
        diesel::update(product_imports::table.find(id))
            .set((
                product_imports::status.eq("done"),
                product_imports::done_rows.eq(5000),
                product_imports::created.eq(5000),
                product_imports::updated_at.eq(campus::db::now()),
            ))
            .execute(c)
            .unwrap()
    });
    driver.wait_for("the polled report", |d| d.source().contains("导入完成：共 5000 行"));
    assert_eq!(driver.url(), page, "updated in place, no navigation");

    // Photos are ordered by number on the edit page.
    let pid: i64 = app
        .db(|c| products::table.filter(products::name.eq("浏览器测试 保温杯")).select(products::id).first(c).unwrap());
    driver.goto(&app.url(&format!("/merchant/products/{pid}/edit")));
    assert!(driver.source().contains("name=\"order_0\""));
    driver.scroll_to("input[name=order_0]");
    driver.screenshot("merchant-edit-product-desktop.png");
    crate::browser_rules::check_axe(&driver, "merchant-edit-product-desktop");
    crate::browser_rules::assert_no_problems();
}
