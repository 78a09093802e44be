//! `campus backup` and `campus restore` on the running app's database (SQLite, or PostgreSQL
//! with `TEST_PG_URL`): round trip with every table compared, a backup under writes, damaged
//! backups and non-empty targets refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use campus::db::DbConn;
use campus::db::schema::{orders, products, users};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::forum::{comment, post};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}_{}_{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A database to restore into, on the same backend as `app`, dropped with its data dir.
pub struct Target {
    pub url: String,
    pub data_dir: PathBuf,
    pg: Option<(String, String)>,
}

impl Target {
    pub fn new(app: &TestApp) -> Target {
        let data_dir = temp_dir("campus_restore");
        if !app.is_postgres() {
            let url = format!("sqlite://{}", data_dir.join("campus.db").display());
            return Target { url, data_dir, pg: None };
        }
        let admin = std::env::var("TEST_PG_URL").unwrap();
        let name = format!("campus_r_{}_{}", std::process::id(), rand::random::<u32>());
        let mut conn = diesel::pg::PgConnection::establish(&admin).unwrap();
        conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = admin.split('?').next().unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Target { url, data_dir, pg: Some((admin, name)) }
    }

    fn conn(&self) -> DbConn {
        campus::db::connect_one(&self.url).unwrap()
    }

    fn restore(&self, backup: &Path, force: bool) -> Output {
        let mut args = vec!["restore".to_string(), backup.display().to_string()];
        if force {
            args.push("--force".into());
        }
        campus(&args, &self.url, &self.data_dir)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take()
            && let Ok(mut conn) = diesel::pg::PgConnection::establish(&admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn campus(args: &[String], url: &str, data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_campus"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("CAMPUS_DATA_DIR", data_dir)
        .env("CAMPUS_SEED_DEMO", "0")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `campus backup --to <new dir>` against the app's database and data dir.
fn backup(app: &TestApp) -> (PathBuf, serde_json::Value) {
    let dir = temp_dir("campus_backup").join("snapshot");
    let out = campus(
        &["backup".into(), "--to".into(), dir.display().to_string()],
        &app.state.config.database_url,
        &app.data_dir,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("backup written to"), "{}", text(&out));
    let manifest = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    (dir, manifest)
}

fn counts_of(conn: &mut DbConn) -> BTreeMap<String, i64> {
    campus::ops::manifest::table_counts(conn).unwrap()
}

fn manifest_counts(manifest: &serde_json::Value) -> BTreeMap<String, i64> {
    manifest["tables"].as_object().unwrap().iter().map(|(t, n)| (t.clone(), n.as_i64().unwrap())).collect()
}

/// A few rows that must come back exactly: accounts, products with prices, orders with totals.
type Sample = (Vec<(i64, String)>, Vec<(i64, String, i64)>, Vec<(String, i64, String)>);

fn sample(conn: &mut DbConn) -> Sample {
    (
        users::table.select((users::id, users::nickname)).order(users::id).load(conn).unwrap(),
        products::table
            .select((products::id, products::name, products::price_cents))
            .order(products::id)
            .load(conn)
            .unwrap(),
        orders::table
            .select((orders::order_no, orders::total_cents, orders::status))
            .order(orders::id)
            .load(conn)
            .unwrap(),
    )
}

/// Rows from the tables the round trip fills on purpose.
type MoreRows = (
    Vec<(i64, String)>,
    Vec<String>,
    Vec<(String, i64)>,
    Vec<(String, String)>,
    Vec<(i64, Option<chrono::NaiveDateTime>)>,
);

fn more_rows(conn: &mut DbConn) -> MoreRows {
    use campus::db::schema::{chat_messages as m, coupons as c, product_imports as p, refunds as r, two_factor as t};
    (
        r::table.select((r::amount_cents, r::status)).order(r::id).load(conn).unwrap(),
        m::table.select(m::body).order(m::id).load(conn).unwrap(),
        c::table.select((c::title, c::amount_cents)).order(c::id).load(conn).unwrap(),
        p::table.select((p::file_name, p::status)).order(p::id).load(conn).unwrap(),
        t::table.select((t::user_id, t::confirmed_at)).order(t::user_id).load(conn).unwrap(),
    )
}

/// The tables `src/db/schema.rs` declares.
fn schema_tables() -> Vec<String> {
    let schema = include_str!("../../src/db/schema.rs");
    let lines: Vec<&str> = schema.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].trim() == "diesel::table! {")
        .map(|w| w[1].trim().split([' ', '(']).next().unwrap().to_string())
        .collect()
}

/// Puts rows into the tables the demo data and the round trip's own steps leave empty, each
/// through the app's own HTTP paths: a refund, a second-hand chat and report, a coupon claimed,
/// a forum mute and ban, a merchant application, a product import, an academic import, a
/// password-reset code, a WeChat sign-in (its tokens) with a subscribe acceptance, reminder
/// settings with quiet hours and a reminder sent, and two-factor
/// sign-in with its recovery codes (last: the admin then needs a code to sign in).
fn fill_the_quiet_tables(app: &TestApp) {
    let student = app.login("student", DEMO_PASSWORD);
    let teacher = app.login("teacher", DEMO_PASSWORD);
    // refunds: a paid order, part of it asked back.
    let (_, sku_id) = crate::mall::sku(app, "农夫山泉 饮用天然水 550ml", "");
    assert_eq!(crate::mall::add_to_cart(&student, sku_id, "3").status, 303);
    let no = crate::mall::checkout(&student);
    assert!(crate::mall::pay_mock(&student, &no).status < 400);
    let (page, url) = (format!("/mall/orders/{no}"), format!("/mall/orders/{no}/refund"));
    let r = student.submit(&page, &url, &[("amount", "1"), ("reason", "少发了一瓶")]);
    assert_eq!(r.status, 303, "{}", r.body);
    // cart_items: that checkout took the cart; something is left in it again.
    assert_eq!(crate::mall::add_to_cart(&student, sku_id, "1").status, 303);
    // chat_threads, chat_messages, second_hand_reports: a buyer writes to a seller, and reports.
    assert_eq!(crate::market::post(&student, &crate::market::GOOD, &[]).status, 303);
    let item = crate::market::items(app)[0].0;
    let token = teacher.get("/mall").csrf();
    let r = teacher.post_form(&format!("/mall/second-hand/{item}/contact"), &[("csrf_token", &token)]);
    let thread = r.location().expect("a chat thread").to_string();
    let r = teacher.post_form(&thread, &[("csrf_token", &token), ("body", "还在吗？明天图书馆见")]);
    assert_eq!(r.status, 303);
    let r = teacher
        .post_form(&format!("/mall/second-hand/{item}/report"), &[("csrf_token", &token), ("reason", "价格写错了")]);
    assert_eq!(r.status, 303);
    // second_hand_favourites, second_hand_wanted_hits: a favourite, and a 求购 a new listing answers.
    let r = teacher.post_form(&format!("/mall/second-hand/{item}/favourite"), &[("csrf_token", &token), ("on", "1")]);
    assert_eq!(r.status, 303);
    let wanted = [("keywords", "同济"), ("max_price", "100")];
    assert_eq!(teacher.submit("/mall/second-hand/wanted", "/mall/second-hand/wanted", &wanted).status, 303);
    assert_eq!(crate::market::post(&student, &crate::market::GOOD, &[]).status, 303);
    // coupons, user_coupons.
    let coupon = crate::concurrency::coupon(app, "100", "1");
    let token = student.get("/mall").csrf();
    assert!(student.post_form(&format!("/mall/coupons/{coupon}/claim"), &[("csrf_token", &token)]).status < 400);
    // forum_mutes, forum_bans: an author silences a post's notices; an admin bans a spammer.
    let quiet = crate::forum::post(app, &student, "校园生活", "不想被提醒的帖子", "评论别提醒我。");
    assert_eq!(crate::forum::action(&student, &format!("/forum/posts/{quiet}/mute"), &[]).status, 303);
    let spammer = app.new_student("spammer");
    let spam = crate::forum::post(app, &spammer, "校园生活", "刷屏的帖子", "一遍又一遍。");
    let admin = app.login("admin", DEMO_PASSWORD);
    // media_removed: an admin hides a post with a photo (the photo waits out its grace period).
    let b = crate::forum::board(app, "校园生活").to_string();
    let fields = [("board_id", b.as_str()), ("title", "带图的刷屏"), ("body", "再来一遍。")];
    let r = crate::forum::publish(&spammer, &fields, &[("images", "s.png", crate::market::png())]);
    let shown = crate::forum::id_after(&r, "/forum/posts/");
    let r = admin.submit(
        &format!("/forum/posts/{shown}"),
        &format!("/forum/posts/{shown}/manage"),
        &[("action", "hide"), ("reason", "刷屏")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin.submit(
        &format!("/forum/posts/{spam}"),
        &format!("/forum/posts/{spam}/manage"),
        &[("action", "ban"), ("days", "3"), ("reason", "多次刷屏")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // forum_warnings, forum_comment_reports: the spammer is warned; a comment is reported.
    let r = admin.submit(
        &format!("/forum/posts/{spam}"),
        &format!("/forum/posts/{spam}/manage"),
        &[("action", "warn"), ("reason", "请勿刷屏")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let said = crate::forum::comment(&teacher, quiet, "老师路过", None);
    let c = crate::forum::id_after(&said, "#c");
    let r = crate::forum::action(&student, &format!("/forum/comments/{c}/report"), &[("reason", "无关内容")]);
    assert_eq!(r.status, 303, "{}", r.body);
    // merchant_applications: a new shop applies and is approved.
    crate::merchant::new_merchant(app, "backupshop");
    // product_imports: the demo merchant imports a CSV, academic_imports: the admin the contacts.
    let merchant = app.login("merchant", DEMO_PASSWORD);
    let csv = "商品名称,分类,规格,价格,库存,描述\n宿舍小夜灯,宿舍电器,暖光,19.9,40,USB 充电\n";
    crate::imports::finished(&merchant, &crate::imports::import(&merchant, "p.csv", csv.as_bytes()));
    let contacts = crate::academic_import::sample("contacts.csv");
    let r = crate::academic_import::upload(&admin, "contacts", "contacts.csv", &contacts, false);
    assert!(r.status < 400, "{}", r.body);
    let imported = || {
        use campus::db::schema::academic_imports as ai;
        app.db(|c| ai::table.filter(ai::status.eq_any(["done", "failed"])).count().get_result::<i64>(c).unwrap())
    };
    assert!(crate::helpers::eventually(|| imported() > 0), "the academic import finishes");
    // one_time_codes: a password reset code is mailed.
    crate::passwords::register(app, "forgetful", "forgetful@campus.edu");
    let r = app.client().submit("/password/forgot", "/password/forgot", &[("email", "forgetful@campus.edu")]);
    assert_eq!(r.status, 303);
    // sms_sends: a student binds a phone by a texted code (the outbox provider).
    let texter = app.new_student("texter");
    let r = crate::phone::bind(app, &texter, "13912345678");
    assert_eq!(r.status, 303, "{}", r.body);
    // auth_tokens, wx_subscriptions: a WeChat sign-in from the shell accepts a subscribe message.
    let (_, token) = crate::shell::login(app, "good-backup");
    let accepted = serde_json::json!({"accepted": ["TPL_PAID"]});
    assert_eq!(crate::shell::bearer(app, "/api/v1/wx/subscribe", &token, Some(accepted)).status, 200);
    // reminder_prefs, quiet_hours, reminder_log: the student sets class reminders with quiet
    // hours, and the reminder scan sends the one before Monday's 08:00 class of week 13.
    let r = student.submit(
        "/me/reminders",
        "/me/reminders",
        &[("class_lead", "20"), ("class_channel", "in_app"), ("quiet_from", "23:00"), ("quiet_to", "06:30")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_opt(23, 45, 0).unwrap();
    assert_eq!(app.db(|c| campus::reminders::service::scan(c, &[], monday).unwrap()), 1);
    // two_factor, two_factor_recovery.
    crate::two_factor::enrol(&admin);
}

#[test]
fn backup_and_restore_round_trip_every_table_and_the_media() {
    let wx = crate::helpers::FakeWeChat::start();
    let app = crate::helpers::app().wechat(&wx.base).wx_templates(&[("order_paid", "TPL_PAID")]).start();
    // More than the demo's first start: `campus seed-demo` with orders behind the dashboards.
    let seeded = campus(
        &["seed-demo".into(), "--products".into(), "5".into(), "--orders".into(), "40".into()],
        &app.state.config.database_url,
        &app.data_dir,
    );
    assert!(seeded.status.success(), "{}", text(&seeded));
    // Some activity beyond the demo data: a post with a comment.
    let student = app.login("student", DEMO_PASSWORD);
    let id = post(&app, &student, "校园生活", "备份之前的帖子", "这条帖子要在恢复后还在。");
    assert_eq!(comment(&student, id, "还有一条评论", None).status, 303);
    // A paid order, something left in the cart, a second-hand book with its photo.
    let (_, sku_id) = crate::mall::sku(&app, "农夫山泉 饮用天然水 550ml", "");
    assert_eq!(crate::mall::add_to_cart(&student, sku_id, "2").status, 303);
    let order_no = crate::mall::checkout(&student);
    assert!(crate::mall::pay_mock(&student, &order_no).status < 400);
    assert_eq!(crate::mall::add_to_cart(&student, sku_id, "1").status, 303);
    let book = [("images", "book.png", crate::market::png())];
    assert_eq!(crate::market::post(&student, &crate::market::GOOD, &book).status, 303);
    // Settings, notification switches, a timetable feed, a report on the post.
    let admin = app.login("admin", DEMO_PASSWORD);
    let settings =
        [("site_name", "校园助手"), ("order_timeout_mins", "30"), ("mail_from", "校园助手 <noreply@campus.local>")];
    assert_eq!(admin.submit("/admin/settings", "/admin/settings", &settings).status, 303);
    assert!(student.submit("/me/messages/settings", "/me/messages/settings", &[]).status < 400);
    assert!(student.submit("/academic/schedule", "/academic/schedule.ics/token", &[]).status < 400);
    // Her grades seen (grades_seen); the demo gave her own timetable entries.
    assert_eq!(student.get("/academic/grades").status, 200);
    let reporter = app.new_student("reporter");
    let r = crate::forum::action(&reporter, &format!("/forum/posts/{id}/report"), &[("reason", "广告")]);
    assert_eq!(r.status, 303, "{}", r.body);
    fill_the_quiet_tables(&app);
    // Every table the database has (asked of the database itself, so a new table is caught the
    // day it is added) holds rows before the backup.
    let live = app.db(counts_of);
    let empty: Vec<&String> = live.iter().filter(|(_, n)| **n == 0).map(|(t, _)| t).collect();
    assert!(empty.is_empty(), "tables without rows before the backup (fill them above): {empty:?}");
    let (dir, manifest) = backup(&app);

    let listed = manifest_counts(&manifest);
    for table in schema_tables() {
        assert!(listed.contains_key(&table), "the manifest counts {table}");
    }
    assert_eq!(listed.keys().collect::<Vec<_>>(), live.keys().collect::<Vec<_>>(), "the manifest lists every table");
    let empty: Vec<&String> = listed.iter().filter(|(_, n)| **n == 0).map(|(t, _)| t).collect();
    assert!(empty.is_empty(), "tables without rows in the backup: {empty:?}");
    let backend = if app.is_postgres() { "postgres" } else { "sqlite" };
    assert_eq!(manifest["backend"], backend);
    assert!(manifest["schema_version"].as_str().unwrap().starts_with("2026"));
    let media: Vec<&String> =
        manifest["files"].as_object().unwrap().keys().filter(|f| f.starts_with("media/")).collect();
    assert!(!media.is_empty(), "the demo's pictures are in the backup");
    for (name, sum) in manifest["files"].as_object().unwrap() {
        assert_eq!(sum["sha256"].as_str().unwrap().len(), 64, "{name}");
    }

    let target = Target::new(&app);
    let out = target.restore(&dir, false);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("row counts match the manifest"), "{}", text(&out));
    let mut restored = target.conn();
    assert_eq!(counts_of(&mut restored), listed, "every table has its rows back");
    assert_eq!(sample(&mut restored), app.db(sample), "the same accounts, products and orders");
    let title: String = {
        use campus::db::schema::forum_posts as p;
        p::table.find(id).select(p::title).first(&mut restored).unwrap()
    };
    assert_eq!(title, "备份之前的帖子");
    assert_eq!(more_rows(&mut restored), app.db(more_rows), "refunds, chats, coupons, imports, second factors");
    let first = media[0].strip_prefix("media/").unwrap();
    assert_eq!(
        std::fs::read(target.data_dir.join("media").join(first)).unwrap(),
        std::fs::read(app.data_dir.join("media").join(first)).unwrap(),
        "media come back byte for byte"
    );
    drop(restored);

    // The restored database now holds data: a second restore needs --force.
    let again = target.restore(&dir, false);
    assert!(!again.status.success());
    assert!(text(&again).contains("not empty") && text(&again).contains("--force"), "{}", text(&again));
    let forced = target.restore(&dir, true);
    assert!(forced.status.success(), "{}", text(&forced));
    assert_eq!(counts_of(&mut target.conn()), listed);

    // The app serves the restored database: the demo student signs in and sees the post.
    // The data key is not in the backup (it holds sealed values only): it is kept apart.
    let key = std::fs::read_to_string(app.data_dir.join("data.key")).unwrap();
    let restored_app = crate::helpers::app().database(&target.url).data_key(&key).start();
    let c = restored_app.login("student", DEMO_PASSWORD);
    assert!(c.get(&format!("/forum/posts/{id}")).body.contains("备份之前的帖子"));
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn restore_refuses_a_non_empty_database_without_force() {
    let app = spawn_app();
    let (dir, _) = backup(&app);
    let before = app.db(sample);
    // The app's own database holds the demo data.
    let out = campus(&["restore".into(), dir.display().to_string()], &app.state.config.database_url, &app.data_dir);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("not empty") && said.contains("users") && said.contains("--force"), "{said}");
    assert_eq!(app.db(sample), before, "nothing changed");
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn a_truncated_or_altered_backup_is_refused_naming_the_file() {
    let app = spawn_app();
    let (dir, manifest) = backup(&app);
    let db_file = if app.is_postgres() { "database.pgdump" } else { "database.sqlite3" };
    let target = Target::new(&app);

    // Cut the database snapshot in half.
    let path = dir.join(db_file);
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    let out = target.restore(&dir, false);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains(db_file) && said.contains("truncated"), "{said}");
    assert!(said.contains("nothing was restored"), "{said}");
    if !app.is_postgres() {
        assert!(!target.data_dir.join("campus.db").exists(), "no database was written");
    } else {
        let held = campus::ops::manifest::tables_with_rows(&counts_of(&mut target.conn()));
        assert!(held.is_empty(), "nothing restored: {held:?}");
    }
    std::fs::write(&path, &whole).unwrap();

    // Same size, one byte changed in a picture.
    let picture = manifest["files"].as_object().unwrap().keys().find(|f| f.starts_with("media/")).unwrap().clone();
    let mut bytes = std::fs::read(dir.join(&picture)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(dir.join(&picture), &bytes).unwrap();
    let out = target.restore(&dir, false);
    assert!(!out.status.success());
    assert!(text(&out).contains(&picture) && text(&out).contains("checksum"), "{}", text(&out));
    bytes[last] ^= 0xff;
    std::fs::write(dir.join(&picture), &bytes).unwrap();

    // A copy that stopped before every file arrived: the missing one is named.
    let card = manifest["files"].as_object().unwrap().keys().find(|f| f.starts_with("private/")).unwrap().clone();
    let kept = std::fs::read(dir.join(&card)).unwrap();
    std::fs::remove_file(dir.join(&card)).unwrap();
    let out = target.restore(&dir, false);
    assert!(!out.status.success());
    assert!(text(&out).contains(&card) && text(&out).contains("missing"), "{}", text(&out));
    assert!(text(&out).contains("nothing was restored"), "{}", text(&out));
    std::fs::write(dir.join(&card), kept).unwrap();

    // A manifest cut short is not a backup either.
    let manifest_text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    std::fs::write(dir.join("manifest.json"), &manifest_text[..manifest_text.len() / 2]).unwrap();
    let out = target.restore(&dir, false);
    assert!(!out.status.success());
    assert!(text(&out).contains("manifest.json is damaged"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn a_backup_taken_while_writes_land_restores_to_its_own_counts() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let id = post(&app, &student, "校园生活", "边写边备份", "评论会在备份进行时不断写入。");
    let comments = |app: &TestApp| app.db(|c| counts_of(c)["forum_comments"]);
    // A shopper checking out one product over and over: each order takes its stock in the same
    // transaction, so any snapshot holds exactly as many bottles sold as it lacks in stock.
    let (_, water) = crate::mall::sku(&app, "农夫山泉 饮用天然水 550ml", "");
    let sold_and_left = |conn: &mut DbConn| {
        use campus::db::schema::{order_items as oi, product_skus as k};
        let sold: Vec<i64> = oi::table.filter(oi::sku_id.eq(water)).select(oi::quantity).load(conn).unwrap();
        let left: i64 = k::table.find(water).select(k::stock).first(conn).unwrap();
        (sold.iter().sum::<i64>(), left)
    };
    crate::mall::set_stock(&app, water, 100_000);
    let (sold_before, _) = app.db(sold_and_left);
    // Several shoppers, each under the checkout limit (30 in 10 minutes per user).
    let shoppers: Vec<crate::helpers::Client> = (0..8).map(|i| app.new_student(&format!("shopper{i}"))).collect();
    // Several writers: each may comment 30 times in 10 minutes.
    let writers: Vec<crate::helpers::Client> = (0..8).map(|i| app.new_student(&format!("writer{i}"))).collect();
    let before = comments(&app);
    let stop = Arc::new(AtomicBool::new(false));
    let written = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut ok = 0;
            let mut n = 0;
            while (!stop.load(Ordering::SeqCst) || ok < 5) && n < 5000 {
                n += 1;
                if comment(&writers[n % writers.len()], id, &format!("第 {n} 条评论"), None).status == 303 {
                    ok += 1;
                }
            }
            ok
        });
        let buyer = s.spawn(|| {
            let mut orders = 0;
            while !stop.load(Ordering::SeqCst) && orders < 25 * shoppers.len() {
                let shopper = &shoppers[orders % shoppers.len()];
                assert_eq!(crate::mall::add_to_cart(shopper, water, "2").status, 303);
                crate::mall::checkout(shopper);
                orders += 1;
            }
            orders
        });
        // Let some writes land first, then back up while they go on.
        let waiting = std::time::Instant::now();
        while comments(&app) < before + 2 || app.db(sold_and_left).0 < sold_before + 2 {
            assert!(waiting.elapsed().as_secs() < 30, "the comments never landed");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let taken = backup(&app);
        stop.store(true, Ordering::SeqCst);
        let ok = writer.join().unwrap();
        let bought = buyer.join().unwrap();
        (taken, ok, bought)
    });
    let ((dir, manifest), ok, bought) = written;
    assert!(bought >= 1, "the shopper checked out while the backup ran");
    let after = comments(&app);
    assert!(ok >= 5 && after >= before + 5, "writes kept landing ({before} → {after})");
    let saved = manifest_counts(&manifest);
    assert!(saved["forum_comments"] >= before + 2 && saved["forum_comments"] <= after, "{saved:?}");

    let target = Target::new(&app);
    let out = target.restore(&dir, false);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(counts_of(&mut target.conn()), saved, "the restore matches the snapshot, table by table");
    let (sold, left) = sold_and_left(&mut target.conn());
    assert_eq!(
        sold - sold_before + left,
        100_000,
        "every restored order has its stock taken, and no stock is gone without one"
    );
    let (sold_now, _) = app.db(sold_and_left);
    assert!(
        sold <= sold_now && sold >= sold_before + 2,
        "the snapshot holds some of the orders ({sold} of {sold_now})"
    );
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn backup_keeps_the_newest_n_and_refuses_a_used_directory() {
    let app = spawn_app();
    let parent = temp_dir("campus_keep");
    let url = app.state.config.database_url.clone();
    for name in ["a", "b", "c"] {
        let to = parent.join(name).display().to_string();
        let out = campus(&["backup".into(), "--to".into(), to, "--keep".into(), "2".into()], &url, &app.data_dir);
        assert!(out.status.success(), "{}", text(&out));
        // Manifests carry the time to the second; keep their order unambiguous.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let mut left: Vec<String> =
        std::fs::read_dir(&parent).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    left.sort();
    assert_eq!(left, ["b", "c"]);
    let out = campus(&["backup".into(), "--to".into(), parent.join("c").display().to_string()], &url, &app.data_dir);
    assert!(!out.status.success());
    assert!(text(&out).contains("not empty"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&parent);
}
