//! Personal data sealed at rest (`db::sealed`): the raw database holds no phone number or
//! address in plaintext, the pages that need them still show them, plaintext left from before
//! is sealed at the next start, `campus rotate-data-key` moves everything to a new key while a
//! server runs, and a wrong key stops the start instead of writing under it.

use std::process::Command;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::activity::{publish, signup};
use crate::helpers::{Client, DEMO_PASSWORD, TestApp, app};
use crate::mall::{add_to_cart, field, sku};
use crate::merchant::{png, upload};
use crate::phone::bind;

const BUYER_PHONE: &str = "13912345671";
const ADDRESS: &str = "西区 12 号楼 418 室";
const CONTACT_PHONE: &str = "13912345672";
const SIGNUP_PHONE: &str = "13812345678";
const PROFILE_PHONE: &str = "13912345674";

#[derive(QueryableByName, Debug)]
struct Value {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    value: String,
}

/// Every non-empty value of every sealed column, as stored.
fn stored(app: &TestApp) -> Vec<(String, i64, String)> {
    let mut out = Vec::new();
    for c in campus::db::reseal::COLUMNS {
        let sql = format!(
            "SELECT id, {col} AS value FROM {table} WHERE {col} IS NOT NULL AND {col} <> ''",
            col = c.column,
            table = c.table
        );
        let rows: Vec<Value> = app.db(|conn| diesel::sql_query(sql).load(conn).unwrap());
        out.extend(rows.into_iter().map(|r| (c.name(), r.id, r.value)));
    }
    out
}

/// A dorm-delivery order by a new student; answers its order number.
fn dorm_order(app: &TestApp, c: &Client) -> String {
    let (_, pens) = sku(app, "晨光 中性笔 0.5mm 黑色 12支", "蓝色");
    add_to_cart(c, pens, "1");
    let page = c.get("/mall/checkout");
    let key = field(&page.body, "checkout_key");
    let r = c.post_form(
        "/mall/checkout",
        &[
            ("csrf_token", &page.csrf()),
            ("checkout_key", &key),
            ("delivery", "dorm"),
            ("receiver_name", "周同学"),
            ("receiver_phone", BUYER_PHONE),
            ("address", ADDRESS),
            ("remark", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    use campus::db::schema::orders;
    app.db(|conn| orders::table.order(orders::id.desc()).select(orders::order_no).first(conn).unwrap())
}

/// Writes a value of every sealed kind through the pages.
fn fill(app: &TestApp) -> (Client, String, i64) {
    let buyer = app.new_student("sealed_buyer");
    let order_no = dorm_order(app, &buyer);
    let applicant = app.new_student("sealed_applicant");
    let apply = [
        ("shop_name", "周记文具"),
        ("contact_name", "周老板"),
        ("contact_phone", CONTACT_PHONE),
        ("location", "学生街 3 号"),
        ("category", "文具图书"),
    ];
    assert_eq!(upload(&applicant, "/merchant/apply", &apply, &[("licence", png())]).status, 303);
    let admin = app.login("admin", DEMO_PASSWORD);
    let activity = publish(&admin, "隐私讲座", "30", 48, "");
    assert_eq!(signup(&buyer, activity, "周同学", &[]).status, 303);
    let r = buyer.submit("/me/settings", "/me/settings", &[("nickname", "周同学"), ("email", "")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let r = bind(app, &buyer, PROFILE_PHONE);
    assert_eq!(r.status, 303, "{}", r.body);
    (buyer, order_no, activity)
}

#[test]
fn the_raw_database_holds_no_plaintext_phone_or_address() {
    let app = app().start();
    let (buyer, order_no, activity) = fill(&app);

    let values = stored(&app);
    for column in ["users.phone", "orders.receiver_phone", "orders.address", "merchant_applications.contact_phone"] {
        assert!(values.iter().any(|(c, _, _)| c == column), "{column} holds a value to check");
    }
    assert!(values.iter().any(|(c, _, _)| c == "activity_registrations.phone"));
    for (column, id, value) in &values {
        assert!(value.starts_with("k1:"), "{column} of row {id} is not sealed: {value}");
        for plain in [BUYER_PHONE, CONTACT_PHONE, SIGNUP_PHONE, PROFILE_PHONE, ADDRESS, "13800138000"] {
            assert!(!value.contains(plain), "{column} of row {id} holds {plain}");
        }
    }
    // The same number sealed twice reads differently (a random nonce each time).
    let phones: Vec<&String> = values.iter().filter(|(c, _, _)| c == "users.phone").map(|(_, _, v)| v).collect();
    assert_eq!(phones.len(), phones.iter().collect::<std::collections::HashSet<_>>().len());
    if !app.is_postgres() {
        // Not even in the file's bytes (after the write-ahead log is folded in).
        app.db(|c| diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(c).unwrap());
        let bytes = std::fs::read(app.data_dir.join("campus.db")).unwrap();
        for plain in [BUYER_PHONE, CONTACT_PHONE, PROFILE_PHONE, ADDRESS] {
            let hit = bytes.windows(plain.len()).any(|w| w == plain.as_bytes());
            assert!(!hit, "the database file holds {plain}");
        }
    }

    // Those who need them see them in the clear: the buyer, the shop, the reviewing admin, the
    // organizer, the person's own export.
    let mine = buyer.get(&format!("/mall/orders/{order_no}"));
    assert!(mine.body.contains(BUYER_PHONE) && mine.body.contains(ADDRESS), "{}", mine.body);
    let shop = app.login("merchant", DEMO_PASSWORD).get(&format!("/merchant/orders/{order_no}"));
    assert!(shop.body.contains(BUYER_PHONE) && shop.body.contains(ADDRESS), "{}", shop.body);
    let admin = app.login("admin", DEMO_PASSWORD);
    assert!(admin.get("/admin/merchants").body.contains(CONTACT_PHONE));
    assert!(admin.get(&format!("/activities/{activity}/registrants")).body.contains(SIGNUP_PHONE));
    assert!(buyer.get("/me/settings").body.contains("139****5674"));
    let export = buyer.get("/me/export.json");
    assert_eq!(export.status, 200, "{}", export.body);
    for plain in [PROFILE_PHONE, BUYER_PHONE, ADDRESS, SIGNUP_PHONE] {
        assert!(export.body.contains(plain), "the export gives back {plain}");
    }
    // A prefilled checkout opens the account's phone.
    add_to_cart(&buyer, sku(&app, "晨光 中性笔 0.5mm 黑色 12支", "蓝色").1, "1");
    assert!(buyer.get("/mall/checkout").body.contains(PROFILE_PHONE));
}

#[test]
fn a_phone_belongs_to_one_account_and_its_blind_index_finds_it() {
    let app = app().start();
    let first = app.new_student("phone_first");
    let second = app.new_student("phone_second");
    assert_eq!(first.submit("/me/settings", "/me/settings", &[("nickname", "同学"), ("email", "")]).status, 303);
    assert_eq!(bind(&app, &first, PROFILE_PHONE).status, 303);
    // Refused before a code goes out: the index finds the number's owner.
    let r = second.submit("/me/phone", "/me/phone/code", &[("phone", PROFILE_PHONE)]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("该手机号已绑定其他账号"), "{}", r.body);
    // Found by the index of the number, not by reading every row.
    let index = app.state.keys.blind("users.phone", PROFILE_PHONE);
    use campus::db::schema::users;
    let owner: Vec<String> =
        app.db(|c| users::table.filter(users::phone_index.eq(&index)).select(users::nickname).load(c).unwrap());
    assert_eq!(owner, vec!["同学".to_string()]);
    assert!(second.get("/me/settings").body.contains("未绑定"));
}

#[test]
fn plaintext_from_before_is_sealed_at_the_next_start() {
    let first = app().start();
    let (buyer, order_no, _) = fill(&first);
    // As the rows were before sealing existed: plaintext, and no index.
    first.db(|c| {
        use campus::db::schema::{orders, users};
        diesel::update(orders::table.filter(orders::order_no.eq(&order_no)))
            .set((orders::receiver_phone.eq(BUYER_PHONE), orders::address.eq(ADDRESS)))
            .execute(c)
            .unwrap();
        diesel::update(users::table.filter(users::nickname.eq("周同学")))
            .set((users::phone.eq(PROFILE_PHONE), users::phone_index.eq(None::<String>)))
            .execute(c)
            .unwrap();
    });
    assert!(stored(&first).iter().any(|(_, _, v)| v == BUYER_PHONE));
    let second = app().same_database_as(&first).start();
    for (column, id, value) in stored(&second) {
        assert!(value.starts_with("k1:"), "{column} of row {id} left in plaintext");
    }
    let page = buyer.get(&format!("/mall/orders/{order_no}"));
    assert!(page.body.contains(BUYER_PHONE) && page.body.contains(ADDRESS));
    let index = second.state.keys.blind("users.phone", PROFILE_PHONE);
    use campus::db::schema::users;
    let n: i64 = second.db(|c| users::table.filter(users::phone_index.eq(&index)).count().get_result(c).unwrap());
    assert_eq!(n, 1, "the index is written beside the sealed phone");
}

#[test]
fn rotate_data_key_reseals_everything_while_the_server_runs() {
    let app = app().start();
    let (buyer, order_no, _) = fill(&app);
    let before = stored(&app);
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_campus"))
            .arg("rotate-data-key")
            .env("DATABASE_URL", &app.state.config.database_url)
            .env("CAMPUS_DATA_DIR", &app.data_dir)
            .env_remove("CAMPUS_DATA_KEY")
            .output()
            .unwrap()
    };
    let out = run();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("new data key 2") && text.contains("every value is sealed under key 2"), "{text}");
    assert!(text.contains("key(s) 1 may be removed"), "{text}");
    let after = stored(&app);
    assert_eq!(after.len(), before.len());
    for (column, id, value) in &after {
        assert!(value.starts_with("k2:"), "{column} of row {id} still under the old key: {value}");
    }
    let file = std::fs::read_to_string(app.data_dir.join("data.key")).unwrap();
    assert!(file.starts_with("2:") && file.contains(",1:"), "the new key first, the old one kept");
    // The running server reads the new key from the file when it first meets it...
    let page = buyer.get(&format!("/mall/orders/{order_no}"));
    assert!(page.body.contains(BUYER_PHONE) && page.body.contains(ADDRESS), "{}", page.body);
    // ...and seals what it writes from then on under it.
    let again = dorm_order(&app, &buyer);
    use campus::db::schema::orders;
    let sealed: String =
        app.db(|c| orders::table.filter(orders::order_no.eq(&again)).select(orders::receiver_phone).first(c).unwrap());
    assert!(sealed.starts_with("k2:"), "{sealed}");
    // The account is still found by its phone (the index moved to the new key too).
    let index = app.state.keys.blind("users.phone", PROFILE_PHONE);
    assert!(index.starts_with("k2:"));
    use campus::db::schema::users;
    let n: i64 = app.db(|c| users::table.filter(users::phone_index.eq(&index)).count().get_result(c).unwrap());
    assert_eq!(n, 1);
}

#[test]
fn a_wrong_data_key_stops_the_start_and_a_malformed_one_is_refused() {
    let first = app().start();
    fill(&first);
    let other = format!("1:{}", "ab".repeat(32));
    let dir = first.data_dir.join("second");
    std::fs::create_dir_all(&dir).unwrap();
    let mut second = campus::config::Config::for_data_dir(&dir, &first.state.config.database_url);
    second.data_key = Some(secrecy::SecretString::from(other));
    let err = campus::app::prepare(&second).err().expect("an instance with another key must not start");
    assert!(format!("{err:#}").contains("every instance needs the same CAMPUS_DATA_KEY"), "{err:#}");

    let mut config = campus::config::Config::for_data_dir(&first.data_dir, "sqlite://unused.db");
    let cases: [(String, &str); 4] = [
        ("1:abcd".into(), "must be 32 bytes"),
        (format!("x:{}", "ab".repeat(32)), "is not a number"),
        (format!("1:{0},1:{0}", "ab".repeat(32)), "appears twice"),
        (format!("1:{}", "zz".repeat(32)), "is not hex"),
    ];
    for (spec, why) in cases {
        config.data_key = Some(secrecy::SecretString::from(spec.clone()));
        let err = campus::app::load_keys(&config).unwrap_err().to_string();
        assert!(err.contains(why), "{spec}: {err}");
    }
}

#[test]
fn a_sealed_value_does_not_open_in_another_column_or_after_tampering() {
    let keys = campus::db::sealed::Keyring::parse(&"cd".repeat(32)).unwrap();
    let sealed = keys.seal("orders.address", ADDRESS);
    assert_eq!(keys.open("orders.address", &sealed).unwrap(), ADDRESS);
    assert!(keys.open("users.phone", &sealed).is_err(), "bound to its column");
    let mut tampered = sealed.as_str().to_string();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert!(keys.open("orders.address", &campus::db::sealed::Sealed::from(tampered)).is_err());
    assert_eq!(keys.seal("orders.address", "").as_str(), "", "nothing to hide stays empty");
    assert_eq!(keys.blind("users.phone", PROFILE_PHONE), keys.blind("users.phone", PROFILE_PHONE));
    assert_ne!(keys.blind("users.phone", PROFILE_PHONE), keys.blind("orders.receiver_phone", PROFILE_PHONE));
}
