//! The user's own data (issue 25): the personal-data registry covers every table naming a user
//! (read from the live schema), the export holds one item of every kind with its photos, closing
//! the account forgets them in one transaction, and removed uploads are gone.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use diesel::prelude::*;

use crate::activity::{png, publish, signup};
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, eventually, spawn_app};

/// Column names that point at a person, besides foreign keys to `users`.
const PERSON_COLUMNS: [&str; 18] = [
    "user_id",
    "author_id",
    "buyer_id",
    "seller_id",
    "owner_id",
    "reviewer_id",
    "reporter_id",
    "actor_id",
    "organizer_id",
    "sender_id",
    "created_by",
    "decided_by",
    "resolved_by",
    "uploaded_by",
    "reviewed_by",
    "granted_by",
    "student_no",
    "school_no",
];

#[derive(QueryableByName)]
struct Col {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    c: String,
}

/// Every table of the live database and, for each, the columns that point at a person.
fn person_columns(app: &TestApp) -> BTreeMap<String, BTreeSet<String>> {
    let (columns, user_fks): (Vec<Col>, Vec<Col>) = app.db(|conn| match conn {
        campus::db::DbConn::Sqlite(c) => {
            let tables: Vec<Col> = diesel::sql_query(
                "SELECT name AS t, '' AS c FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .unwrap();
            let mut columns = Vec::new();
            let mut fks = Vec::new();
            for t in tables {
                let q = format!("SELECT '{0}' AS t, name AS c FROM pragma_table_info('{0}')", t.t);
                columns.extend(diesel::sql_query(q).load::<Col>(c).unwrap());
                let q = format!(
                    "SELECT '{0}' AS t, \"from\" AS c FROM pragma_foreign_key_list('{0}') WHERE \"table\" = 'users'",
                    t.t
                );
                fks.extend(diesel::sql_query(q).load::<Col>(c).unwrap());
            }
            (columns, fks)
        }
        campus::db::DbConn::Pg(c) => {
            let columns = diesel::sql_query(
                "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .unwrap();
            let fks = diesel::sql_query(
                "SELECT kcu.table_name::text AS t, kcu.column_name::text AS c \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu \
                   ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                 JOIN information_schema.constraint_column_usage ccu \
                   ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' AND ccu.table_name = 'users'",
            )
            .load(c)
            .unwrap();
            (columns, fks)
        }
    });
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for col in columns {
        let entry = out.entry(col.t.clone()).or_default();
        if PERSON_COLUMNS.contains(&col.c.as_str()) {
            entry.insert(col.c);
        }
    }
    for fk in user_fks {
        out.entry(fk.t).or_default().insert(fk.c);
    }
    out.entry("users".into()).or_default().insert("id".into());
    out
}

#[test]
fn every_table_naming_a_user_is_registered() {
    let app = spawn_app();
    let registry = campus::app::personal_data();
    let schema = person_columns(&app);
    let naming: Vec<(&String, &BTreeSet<String>)> = schema.iter().filter(|(_, cols)| !cols.is_empty()).collect();
    // The detector itself sees what it must (a test that finds nothing proves nothing).
    for t in ["users", "forum_posts", "orders", "second_hand_items", "chat_messages", "grades", "user_sessions"] {
        assert!(naming.iter().any(|(name, _)| name.as_str() == t), "{t} not detected as naming a user");
    }
    let missing: Vec<String> = naming
        .iter()
        .filter(|(name, _)| !registry.covers(name))
        .map(|(name, cols)| format!("{name} ({})", cols.iter().cloned().collect::<Vec<_>>().join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "tables naming a user that no module registered for export or deletion (add a `.table(...)` line to the module's privacy part, or `exempt` it with a reason): {}",
        missing.join("; ")
    );
    assert!(registry.duplicates().is_empty(), "registered twice: {:?}", registry.duplicates());
    // An exemption counts only with a reason.
    let mut probe = campus::app::personal_data();
    probe.exempt("probe_without_reason", " ").exempt("probe_with_reason", "只存放公开的参考数据");
    assert!(!probe.covers("probe_without_reason") && probe.covers("probe_with_reason"));
    let unknown: Vec<&str> = registry
        .parts()
        .iter()
        .flat_map(|p| p.tables.iter().map(|t| t.name))
        .filter(|t| !schema.contains_key(*t))
        .collect();
    assert!(unknown.is_empty(), "registered tables that do not exist: {unknown:?}");
    for part in registry.parts() {
        for (folder, columns) in &part.uploads {
            for (table, column) in columns {
                let cols = app.db(|c| column_exists(c, table, column));
                assert!(cols, "upload folder {folder} refers to {table}.{column}, which does not exist");
            }
        }
    }
}

fn column_exists(conn: &mut campus::db::DbConn, table: &str, column: &str) -> bool {
    let sql = format!("SELECT {column} AS v FROM {table} WHERE 1 = 0");
    campus::on_backend!(conn, |c| diesel::sql_query(&sql).execute(c)).is_ok()
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    crate::forum::user_id(app, username)
}

/// The zip's `data.json` and the names of its other entries.
fn unzip(bytes: &[u8]) -> (serde_json::Value, Vec<String>) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut json = String::new();
    zip.by_name("data.json").expect("data.json").read_to_string(&mut json).unwrap();
    let names = zip.file_names().map(|n| n.unwrap().to_string()).filter(|n| n != "data.json").collect();
    (serde_json::from_str(&json).unwrap(), names)
}

fn has(list: &serde_json::Value, f: impl Fn(&serde_json::Value) -> bool) -> bool {
    list.as_array().is_some_and(|l| l.iter().any(f))
}

fn stored(app: &TestApp, url_path: &str) -> bool {
    let rel = url_path.trim_start_matches("/media/");
    let folder = rel.split('/').next().unwrap();
    let area = campus::web::media::area_of(folder).dir();
    app.data_dir.join(area).join(rel).exists()
}

fn avatar(c: &Client) -> crate::helpers::Resp {
    let token = c.get("/me/settings").csrf();
    let (ct, body) = crate::market::form(&[], &[("avatar", "me.png", png(300, 200))]);
    c.post_raw(&format!("/me/avatar?csrf_token={token}"), &ct, &body)
}

#[test]
fn export_then_delete_round_trip_with_one_item_of_every_kind() {
    use campus::db::schema::{
        activity_registrations as reg, audit_log, calendar_feeds, cart_items, chat_messages, classroom_bookings,
        email_outbox, feedback, forum_comments, forum_likes, forum_posts, messages, orders, second_hand_items,
        user_coupons, user_sessions, users,
    };
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let activity = publish(&admin, "读书会", "1", 48, "");
    let student = app.login("student", DEMO_PASSWORD);
    let uid = user_id(&app, "student");
    assert_eq!(signup(&student, activity, "林晓", &[]).status, 303);
    let waiting = app.new_student("next_in_line");
    assert_eq!(signup(&waiting, activity, "候补同学", &[]).status, 303);
    // Feedback with a screenshot, an avatar.
    let r = crate::feedback::send(&student, "other", "想要一个深色模式", &[("images", "a.png", png(300, 300))]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(avatar(&student).status, 303);
    // A post with a photo, a comment and a like on a classmate's post.
    let b = crate::forum::board(&app, "学习交流").to_string();
    let fields = [("board_id", b.as_str()), ("title", "期末复习笔记分享"), ("body", "整理了一份数据结构笔记")];
    let r = crate::forum::publish(&student, &fields, &[("images", "n.png", crate::market::png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    let post = crate::forum::id_after(&r, "/forum/posts/");
    let classmate = crate::forum::student(&app, "classmate", "同班同学");
    let theirs = crate::forum::post(&app, &classmate, "学习交流", "图书馆几点关门", "求问");
    assert_eq!(crate::forum::comment(&student, theirs, "晚上十点半关门", None).status, 303);
    assert!(crate::forum::action(&student, &format!("/forum/posts/{theirs}/like"), &[]).status < 400);
    // A second-hand item with a photo and a chat about it.
    let r = crate::market::post(&student, &crate::market::GOOD, &[("images", "book.png", crate::market::png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    let item: i64 = r.location().unwrap().trim_start_matches("/mall/second-hand/").parse().unwrap();
    let ct = classmate.get("/mall").csrf();
    let r = classmate.post_form(&format!("/mall/second-hand/{item}/contact"), &[("csrf_token", &ct)]);
    assert_eq!(r.status, 303);
    let thread = r.location().unwrap().to_string();
    assert_eq!(classmate.post_form(&thread, &[("csrf_token", &ct), ("body", "还在吗？")]).status, 303);
    let st = student.get("/mall").csrf();
    assert_eq!(student.post_form(&thread, &[("csrf_token", &st), ("body", "在的，下午三点图书馆")]).status, 303);
    // A classroom request, a coupon, a paid order, a cart line, the calendar feed.
    let room = crate::classrooms::room(&app, "C110");
    let r = crate::classrooms::request(&student, room, &crate::classrooms::day(3), "7", "8", "社团例会", "20");
    assert_eq!(r.status, 303, "{}", r.body);
    let coupon = crate::concurrency::coupon(&app, "10", "1");
    let t = student.get("/mall/coupons").csrf();
    assert_eq!(student.post_form(&format!("/mall/coupons/{coupon}/claim"), &[("csrf_token", &t)]).status, 303);
    let (_, sku) = crate::mall::sku(&app, "农夫山泉 饮用天然水 550ml", "单瓶");
    assert_eq!(crate::mall::add_to_cart(&student, sku, "1").status, 303);
    let order_no = crate::mall::checkout(&student);
    assert!(crate::mall::pay_mock(&student, &order_no).status < 400);
    assert_eq!(crate::mall::add_to_cart(&student, sku, "2").status, 303);
    assert!(student.submit("/academic/schedule", "/academic/schedule.ics/token", &[]).status < 400);
    let photo_of_post: String = app.db(|c| forum_posts::table.find(post).select(forum_posts::images).first(c).unwrap());
    let post_photo =
        serde_json::from_str::<serde_json::Value>(&photo_of_post).unwrap()[0]["full"].as_str().unwrap().to_string();
    let item_photo: String =
        app.db(|c| second_hand_items::table.find(item).select(second_hand_items::images).first(c).unwrap());
    let item_photo = serde_json::from_str::<Vec<String>>(&item_photo).unwrap()[0].clone();
    let avatar_path: String =
        app.db(|c| users::table.find(uid).select(users::avatar).first::<Option<String>>(c).unwrap().unwrap());
    let shot: String =
        app.db(|c| feedback::table.filter(feedback::user_id.eq(uid)).select(feedback::images).first(c).unwrap());
    let shot = serde_json::from_str::<Vec<String>>(&shot).unwrap()[0].clone();

    // The export: everything of her own, her photos beside it.
    let (status, ct, bytes) = student.download("/me/export");
    assert_eq!((status, ct.as_str()), (200, "application/zip"));
    let (data, files) = unzip(&bytes);
    assert_eq!(data["profile"]["student_no"], "2023010101");
    assert!(has(&data["activity_registrations"], |r| r["activity"] == "读书会"));
    assert!(has(&data["feedback"], |f| f["feedback"]["body"] == "想要一个深色模式"));
    assert!(has(&data["forum_posts"], |p| p["title"] == "期末复习笔记分享"));
    assert!(has(&data["forum_comments"], |c| c["body"] == "晚上十点半关门"));
    assert!(has(&data["forum_likes"], |l| l["id"] == theirs));
    assert!(has(&data["second_hand_items"], |i| i["title"] == crate::market::GOOD[0].1));
    assert!(has(&data["second_hand_chats"], |t| has(&t["messages"], |m| m["body"] == "还在吗？" && m["mine"] == false)));
    assert!(has(&data["classroom_bookings"], |b| b["purpose"] == "社团例会"));
    assert!(has(&data["coupons"], |c| c["coupon"] == "抢购券"));
    assert!(has(&data["orders"], |o| o["order_no"] == order_no.as_str()));
    assert!(has(&data["cart"], |l| l["quantity"] == 2));
    assert!(has(&data["grades"], |g| g["total"].is_number()), "the school's grades of her");
    assert!(has(&data["sessions"], |s| s["signed_in_at"].is_string()));
    assert!(data["calendar_feed"]["subscribed_since"].is_string());
    assert!(data["messages"].as_array().unwrap().len() >= 2);
    for photo in [&post_photo, &item_photo, &avatar_path, &shot] {
        let rel = photo.trim_start_matches("/media/");
        assert!(files.iter().any(|f| f == &format!("photos/{rel}")), "{photo} in the zip: {files:?}");
    }
    let json = student.get("/me/export.json");
    assert_eq!(json.status, 200);
    assert_eq!(json.json()["profile"]["nickname"], data["profile"]["nickname"]);

    // The page lists what is kept before confirming; bad input deletes nothing.
    let page = student.get("/me/delete");
    assert!(page.body.contains("电子商务法") && page.body.contains("网络安全法"), "kept records and why");
    let r = student.submit("/me/delete", "/me/delete", &[("confirm", "注销"), ("content", "burn")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择如何处理你发布的帖子和评论"));
    let r = student.submit("/me/delete", "/me/delete", &[("confirm", "好的")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请在输入框中填写“注销”两个字以确认"));
    assert_eq!(crate::forum::status(&app, post), "visible", "nothing half-deleted");
    assert_eq!(student.get("/me").status, 200, "still signed in");

    let r = student.submit("/me/delete", "/me/delete", &[("confirm", "注销")]);
    assert_eq!(r.status, 303);
    assert!(student.get("/").body.contains("账号已注销，感谢你的陪伴"), "told what happened");
    assert_eq!(student.get("/me").status, 303, "signed out");
    assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 401, "and cannot sign in again");

    let (nick, phone, status): (String, Option<String>, String) =
        app.db(|c| users::table.find(uid).select((users::nickname, users::phone, users::status)).first(c).unwrap());
    assert_eq!((nick.as_str(), phone, status.as_str()), ("已注销用户", None, "deleted"));
    // Posts and comments removed (the default), likes gone with their counter.
    assert_eq!(crate::forum::status(&app, post), "deleted");
    let (comment_status, body): (String, String) = app.db(|c| {
        forum_comments::table
            .filter(forum_comments::author_id.eq(uid))
            .select((forum_comments::status, forum_comments::body))
            .first(c)
            .unwrap()
    });
    assert_eq!((comment_status.as_str(), body.as_str()), ("deleted", ""));
    let likes: i64 = app.db(|c| forum_likes::table.filter(forum_likes::user_id.eq(uid)).count().get_result(c).unwrap());
    let like_count: i64 = app.db(|c| forum_posts::table.find(theirs).select(forum_posts::like_count).first(c).unwrap());
    assert_eq!((likes, like_count), (0, 0));
    // The item is off sale, nobody opens a chat about it, the chat is closed.
    assert_eq!(classmate.get(&format!("/mall/second-hand/{item}")).status, 404);
    let ct = classmate.get("/mall").csrf();
    assert_eq!(classmate.post_form(&format!("/mall/second-hand/{item}/contact"), &[("csrf_token", &ct)]).status, 404);
    let closed = classmate.post_form(&thread, &[("csrf_token", &ct), ("body", "人呢？")]);
    assert_eq!(closed.status, 409);
    assert!(closed.body.contains("会话已关闭"));
    assert!(classmate.get(&thread).body.contains("还在吗？"), "the other side still reads their own words");
    let hers: i64 =
        app.db(|c| chat_messages::table.filter(chat_messages::sender_id.eq(uid)).count().get_result(c).unwrap());
    assert_eq!(hers, 0);
    // Photos answer 404 at once, and leave the store.
    for photo in [&post_photo, &item_photo, &avatar_path, &shot] {
        assert_ne!(app.client().get(photo).status, 200, "{photo} not served");
        assert_eq!(admin.get(photo).status, 404, "{photo} not served to admins either");
    }
    assert!(
        eventually(|| [&post_photo, &item_photo, &avatar_path, &shot].iter().all(|p| !stored(&app, p))),
        "the photos are deleted from the store"
    );
    // What the books keep, without her; everything else gone.
    let kept: (String, String, String) = app.db(|c| {
        orders::table
            .filter(orders::order_no.eq(&order_no))
            .select((orders::receiver_name, orders::receiver_phone, orders::status))
            .first(c)
            .unwrap()
    });
    assert_eq!((kept.0.as_str(), kept.1.as_str()), ("已注销用户", ""));
    assert_ne!(kept.2, "cancelled", "the paid order stays");
    let gone = |n: i64, what: &str| assert_eq!(n, 0, "{what} of the closed account left behind");
    gone(
        app.db(|c| user_sessions::table.filter(user_sessions::user_id.eq(uid)).count().get_result(c).unwrap()),
        "sessions",
    );
    gone(app.db(|c| feedback::table.filter(feedback::user_id.eq(uid)).count().get_result(c).unwrap()), "feedback");
    gone(
        app.db(|c| email_outbox::table.filter(email_outbox::user_id.eq(uid)).count().get_result(c).unwrap()),
        "emails",
    );
    gone(
        app.db(|c| calendar_feeds::table.filter(calendar_feeds::user_id.eq(uid)).count().get_result(c).unwrap()),
        "feed token",
    );
    gone(app.db(|c| messages::table.filter(messages::user_id.eq(uid)).count().get_result(c).unwrap()), "messages");
    gone(app.db(|c| cart_items::table.filter(cart_items::user_id.eq(uid)).count().get_result(c).unwrap()), "cart");
    gone(
        app.db(|c| {
            user_coupons::table
                .filter(user_coupons::user_id.eq(uid))
                .filter(user_coupons::order_id.is_null())
                .count()
                .get_result(c)
                .unwrap()
        }),
        "unused coupons",
    );
    let booking: (String, String) = app.db(|c| {
        classroom_bookings::table
            .filter(classroom_bookings::user_id.eq(uid))
            .select((classroom_bookings::status, classroom_bookings::purpose))
            .first(c)
            .unwrap()
    });
    assert_eq!((booking.0.as_str(), booking.1.as_str()), ("cancelled", ""));
    let names: Vec<String> =
        app.db(|c| reg::table.filter(reg::activity_id.eq(activity)).order(reg::id).select(reg::name).load(c).unwrap());
    assert_eq!(names, ["已注销用户", "候补同学"], "this activity's registrations");
    assert!(waiting.get(&format!("/activities/{activity}")).body.contains("已报名"), "the seat passed on");
    let actions: Vec<String> = app.db(|c| audit_log::table.select(audit_log::action).load(c).unwrap());
    assert!(actions.iter().any(|a| a == "privacy.export") && actions.iter().any(|a| a == "privacy.delete"));
}

#[test]
fn a_leaver_may_keep_their_posts_under_the_closed_accounts_name() {
    let app = spawn_app();
    let s = crate::forum::student(&app, "leaver", "要走的同学");
    let b = crate::forum::board(&app, "学习交流").to_string();
    let fields = [("board_id", b.as_str()), ("title", "二食堂新窗口测评"), ("body", "麻辣香锅不错")];
    let r = crate::forum::publish(&s, &fields, &[("images", "n.png", crate::market::png())]);
    let post = crate::forum::id_after(&r, "/forum/posts/");
    let r = s.submit("/me/delete", "/me/delete", &[("confirm", "注销"), ("content", "anonymise")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.login("teacher", DEMO_PASSWORD).get(&format!("/forum/posts/{post}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("麻辣香锅不错") && page.body.contains("已注销用户") && !page.body.contains("要走的同学")
    );
    use campus::db::schema::forum_posts;
    let images: String = app.db(|c| forum_posts::table.find(post).select(forum_posts::images).first(c).unwrap());
    let photo = serde_json::from_str::<serde_json::Value>(&images).unwrap()[0]["full"].as_str().unwrap().to_string();
    assert_eq!(app.client().get(&photo).status, 200, "the kept post keeps its photo");
}

/// Makes every withdrawn upload due now and its purge job run now (the grace period passing).
fn grace_passes(app: &TestApp) {
    use campus::db::schema::{jobs, media_removed};
    let past = campus::db::now() - chrono::TimeDelta::seconds(1);
    app.db(|c| {
        diesel::update(media_removed::table).set(media_removed::purge_after.eq(past)).execute(c).unwrap();
        diesel::update(jobs::table.filter(jobs::kind.eq("privacy.purge")))
            .set(jobs::run_at.eq(past))
            .execute(c)
            .unwrap();
    });
}

#[test]
fn a_removed_posts_photo_is_gone_at_once_and_leaves_the_store_after_the_grace_period() {
    let app = spawn_app();
    let author = crate::forum::student(&app, "photographer", "摄影社");
    let b = crate::forum::board(&app, "校园生活").to_string();
    let photo_post = |title: &str| {
        let fields = [("board_id", b.as_str()), ("title", title), ("body", "随手拍")];
        let r = crate::forum::publish(&author, &fields, &[("images", "n.png", crate::market::png())]);
        let id = crate::forum::id_after(&r, "/forum/posts/");
        use campus::db::schema::forum_posts;
        let images: String = app.db(|c| forum_posts::table.find(id).select(forum_posts::images).first(c).unwrap());
        let v = serde_json::from_str::<serde_json::Value>(&images).unwrap();
        (id, v[0]["full"].as_str().unwrap().to_string(), v[0]["thumb"].as_str().unwrap().to_string())
    };
    let (deleted, full, thumb) = photo_post("晚霞");
    let anyone = app.client();
    assert_eq!(anyone.get(&full).status, 200);
    assert_eq!(crate::forum::action(&author, &format!("/forum/posts/{deleted}/delete"), &[]).status, 303);
    assert_eq!(anyone.get(&full).status, 404, "gone at once");
    assert_eq!(anyone.get(&thumb).status, 404);
    assert!(stored(&app, &full), "kept through the grace period");

    // Hidden by an admin: gone; shown again: back.
    let (hidden, photo, _) = photo_post("操场");
    let admin = app.login("admin", DEMO_PASSWORD);
    let manage = format!("/forum/posts/{hidden}/manage");
    assert!(crate::forum::action(&admin, &manage, &[("action", "hide"), ("reason", "待核实")]).status < 400);
    assert_eq!(anyone.get(&photo).status, 404);
    assert!(crate::forum::action(&admin, &manage, &[("action", "unhide")]).status < 400);
    assert_eq!(anyone.get(&photo).status, 200, "restored with its post");

    grace_passes(&app);
    assert!(eventually(|| !stored(&app, &full) && !stored(&app, &thumb)), "deleted from the store by the job");
    assert!(stored(&app, &photo), "the restored post's photo stays");
    assert_eq!(anyone.get(&full).status, 404);
}

#[test]
fn a_second_hand_item_taken_down_by_an_admin_loses_its_photos() {
    let app = spawn_app();
    let seller = app.login("student", DEMO_PASSWORD);
    let r = crate::market::post(&seller, &crate::market::GOOD, &[("images", "book.png", crate::market::png())]);
    let (id, _, images) = crate::market::items(&app)[0].clone();
    assert_eq!(r.status, 303);
    let photo = serde_json::from_str::<Vec<String>>(&images).unwrap()[0].clone();
    assert_eq!(app.client().get(&photo).status, 200);
    let admin = app.login("admin", DEMO_PASSWORD);
    let r = admin.submit("/admin/second-hand", &format!("/admin/second-hand/{id}/remove"), &[("reason", "违禁品")]);
    assert!(r.status < 400, "{}", r.body);
    assert_eq!(app.client().get(&photo).status, 404);
}

#[test]
fn a_replaced_avatar_is_gone() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    use campus::db::schema::users;
    let uid = user_id(&app, "student");
    let current = || -> String {
        app.db(|c| users::table.find(uid).select(users::avatar).first::<Option<String>>(c).unwrap().unwrap())
    };
    assert_eq!(avatar(&c).status, 303);
    let first = current();
    assert_eq!(avatar(&c).status, 303);
    let second = current();
    assert_ne!(first, second);
    assert_eq!(c.get(&first).status, 404, "the old avatar stops at once");
    assert_eq!(c.get(&second).status, 200);
    assert!(eventually(|| !stored(&app, &first)), "and leaves the store");
}

#[test]
fn feedback_screenshots_are_private_to_their_sender_and_admins() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    let r = crate::feedback::send(&student, "bug", "课表打不开", &[("images", "a.png", png(400, 600))]);
    assert_eq!(r.status, 303, "{}", r.body);
    use campus::db::schema::feedback;
    let images: String =
        app.db(|c| feedback::table.order(feedback::id.desc()).select(feedback::images).first(c).unwrap());
    let shot = serde_json::from_str::<Vec<String>>(&images).unwrap()[0].clone();
    let rel = shot.trim_start_matches("/media/");
    assert!(app.data_dir.join("private").join(rel).exists(), "kept in the private area");
    assert!(!app.data_dir.join("media").join(rel).exists(), "not in the public one");
    let mine = student.get(&shot);
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"));
    assert_eq!(app.login("admin", DEMO_PASSWORD).get(&shot).status, 200, "admins who answer feedback");
    assert_eq!(app.login("teacher", DEMO_PASSWORD).get(&shot).status, 404, "nobody else");
    assert_ne!(app.client().get(&shot).status, 200, "nor a stranger");
    assert_eq!(student.get("/media/feedback/..%2Fsecret.key").status, 404);
}

#[test]
fn uploads_never_attached_are_swept_by_the_job_runner() {
    let app = spawn_app();
    let author = crate::forum::student(&app, "sweeper", "扫地僧");
    let b = crate::forum::board(&app, "校园生活").to_string();
    let fields = [("board_id", b.as_str()), ("title", "留着的照片"), ("body", "有帖子的照片不会被清理")];
    let r = crate::forum::publish(&author, &fields, &[("images", "n.png", crate::market::png())]);
    let post = crate::forum::id_after(&r, "/forum/posts/");
    use campus::db::schema::forum_posts;
    let images: String = app.db(|c| forum_posts::table.find(post).select(forum_posts::images).first(c).unwrap());
    let attached = serde_json::from_str::<serde_json::Value>(&images).unwrap()[0]["full"].as_str().unwrap().to_string();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 24 * 3600);
    let age = |path: &std::path::Path| {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(old).unwrap();
    };
    let media = app.data_dir.join("media");
    age(&media.join(attached.trim_start_matches("/media/")));
    let orphan = media.join("forum/orphan-abc123.jpg");
    std::fs::write(&orphan, b"never attached").unwrap();
    age(&orphan);
    let fresh = media.join("forum/fresh-abc123.jpg");
    std::fs::write(&fresh, b"a form still being sent").unwrap();
    std::fs::create_dir_all(media.join("unowned")).unwrap();
    let unowned = media.join("unowned/old.jpg");
    std::fs::write(&unowned, b"a folder no module declares").unwrap();
    age(&unowned);
    // A screenshot sent before screenshots moved to the private area.
    std::fs::create_dir_all(media.join("feedback")).unwrap();
    std::fs::write(media.join("feedback/f1-legacy.jpg"), b"an old screenshot").unwrap();
    app.db(|c| {
        campus::jobs::enqueue(c, campus::privacy::JOB_SWEEP, &serde_json::json!({}), campus::db::now()).unwrap()
    });
    assert!(eventually(|| !orphan.exists()), "the old unattached upload is swept");
    assert!(!media.join("feedback/f1-legacy.jpg").exists(), "old screenshots leave the public area");
    assert!(app.data_dir.join("private/feedback/f1-legacy.jpg").exists(), "for the private one");
    assert!(fresh.exists(), "a fresh one waits a day");
    assert!(stored(&app, &attached), "an attached one stays");
    assert!(unowned.exists(), "folders nobody declared are left alone");
}

#[test]
fn a_product_photo_dropped_or_taken_down_stops_being_served() {
    use campus::db::schema::products;
    let app = spawn_app();
    let m = crate::merchant::new_merchant(&app, "photoshop");
    let fields = [
        ("name", "帆布包"),
        ("category_id", "2"),
        ("description", "加厚帆布"),
        ("original_price", ""),
        ("skus", "米白, 39, 5"),
        ("price", ""),
        ("stock", ""),
    ];
    let png = crate::merchant::png;
    let r = crate::merchant::upload(&m, "/merchant/products/new", &fields, &[("images", png()), ("images", png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    let (pid, images): (i64, String) = app.db(|c| {
        products::table.filter(products::name.eq("帆布包")).select((products::id, products::images)).first(c).unwrap()
    });
    let images: Vec<String> = serde_json::from_str(&images).unwrap();
    let anyone = app.client();
    assert_eq!(anyone.get(&images[0]).status, 200);
    // The merchant keeps only the second photo: the first is gone.
    let price = format!("price_{}", crate::merchant::sku_ids(&app, "帆布包")[0].0);
    let edit = [
        (price.as_str(), "39"),
        ("name", "帆布包"),
        ("category_id", "2"),
        ("description", "加厚帆布"),
        ("original_price", ""),
        ("new_skus", ""),
        ("keep_1", images[1].as_str()),
        ("order_1", "1"),
    ];
    let r = crate::merchant::upload(&m, &format!("/merchant/products/{pid}/edit"), &edit, &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(anyone.get(&images[0]).status, 404, "the dropped photo at once");
    assert!(eventually(|| !stored(&app, &images[0])), "and from the store");
    assert_eq!(anyone.get(&images[1]).status, 200);
    // Taken down by the platform: gone until the merchant puts it back on sale.
    let admin = app.login("admin", DEMO_PASSWORD);
    let t = admin.get("/admin/mall").csrf();
    let r =
        admin.post_form(&format!("/admin/mall/products/{pid}/takedown"), &[("csrf_token", &t), ("reason", "图片侵权")]);
    assert_eq!(r.status, 303);
    assert_eq!(anyone.get(&images[1]).status, 404);
    let t = m.get("/merchant/products").csrf();
    let r = m.post_form(&format!("/merchant/products/{pid}/shelf"), &[("csrf_token", &t), ("on", "1")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(anyone.get(&images[1]).status, 200, "back with its product");
}

#[test]
fn the_last_super_admin_cannot_close_their_account_and_nothing_is_touched() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let r = admin.submit("/me/delete", "/me/delete", &[("confirm", "注销")]);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("你是最后一位超级管理员"));
    assert_eq!(admin.get("/admin").status, 200, "still signed in, still an admin");
    use campus::db::schema::users;
    let uid = user_id(&app, "admin");
    let nick: String = app.db(|c| users::table.find(uid).select(users::nickname).first(c).unwrap());
    assert_ne!(nick, "已注销用户", "the transaction rolled back whole");
}
