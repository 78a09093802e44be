//! Uploads kept in S3-compatible object storage (`CAMPUS_MEDIA_S3_*`), against the S3 emulator
//! that `.ci/run` starts (moto in server mode, `TEST_S3_ENDPOINT`). Each test makes its own
//! bucket and reads it back over plain HTTP, independently of the app's own S3 client.
//! Without `TEST_S3_ENDPOINT` these tests say they were skipped and pass.

use std::path::Path;
use std::time::Duration;

use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, TestApp, app, spawn_app};

/// The emulator's address, or `None` (and a line saying the test was skipped).
fn emulator(test: &str) -> Option<String> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT").ok().filter(|e| !e.trim().is_empty());
    if endpoint.is_none() {
        eprintln!("{test}: skipped, TEST_S3_ENDPOINT is not set (.ci/run starts moto and sets it)");
    }
    endpoint.map(|e| e.trim_end_matches('/').to_string())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// moto keeps objects private to signed requests but checks no signature: any key will do.
const SIGNED: &str = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, \
                      SignedHeaders=host, Signature=0";

/// A new, empty bucket on the emulator.
fn new_bucket(endpoint: &str) -> String {
    let name = format!("campus-{}-{}", std::process::id(), rand::random::<u32>());
    let res = agent().put(format!("{endpoint}/{name}")).send_empty().expect("the S3 emulator answers");
    assert_eq!(res.status().as_u16(), 200, "bucket {name} created");
    name
}

/// The object at `key` (inside the test prefix `site/`), read straight from the emulator.
fn object(endpoint: &str, bucket: &str, key: &str) -> Option<Vec<u8>> {
    let mut res = agent()
        .get(format!("{endpoint}/{bucket}/site/{key}"))
        .header("authorization", SIGNED)
        .call()
        .expect("the S3 emulator answers");
    match res.status().as_u16() {
        200 => Some(res.body_mut().with_config().limit(50 << 20).read_to_vec().unwrap()),
        404 => None,
        other => panic!("GET {key}: {other}"),
    }
}

/// Every key in the bucket (ListObjectsV2, read from its XML).
fn keys(endpoint: &str, bucket: &str) -> Vec<String> {
    let mut res =
        agent().get(format!("{endpoint}/{bucket}?list-type=2")).header("authorization", SIGNED).call().unwrap();
    let xml = res.body_mut().read_to_string().unwrap();
    xml.split("<Key>").skip(1).filter_map(|s| s.split("</Key>").next()).map(str::to_string).collect()
}

fn s3_app(endpoint: &str, bucket: &str) -> TestApp {
    app().media_s3(endpoint, bucket).start()
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth as a;
    app.db(|c| a::table.filter(a::auth_key.eq(username)).select(a::user_id).first(c).unwrap())
}

fn avatar_of(app: &TestApp, username: &str) -> Option<String> {
    use campus::db::schema::users;
    let id = user_id(app, username);
    app.db(|c| users::table.find(id).select(users::avatar).first(c).unwrap())
}

fn upload_avatar(c: &Client) -> crate::helpers::Resp {
    let token = c.get("/me/settings").csrf();
    let (ct, body) = crate::market::form(&[], &[("avatar", "me.png", crate::merchant::png())]);
    c.post_raw(&format!("/me/avatar?csrf_token={token}"), &ct, &body)
}

/// Status, Content-Type and Cache-Control of a GET, with its body.
fn fetched(c: &Client, path: &str) -> (u16, String, String, Vec<u8>) {
    let (status, ct, body) = c.download(path);
    let cache = c.get(path).header("cache-control").unwrap_or_default().to_string();
    (status, ct, cache, body)
}

fn files_in(dir: &Path) -> usize {
    campus::web::storage::files_under(dir).unwrap().len()
}

#[test]
fn uploads_land_in_the_bucket_and_are_served_as_local_files_are() {
    let Some(s3) = emulator("uploads_land_in_the_bucket_and_are_served_as_local_files_are") else {
        return;
    };
    let bucket = new_bucket(&s3);
    let app = s3_app(&s3, &bucket);
    let local = spawn_app();

    // An avatar, through HTTP, on both kinds of store.
    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(upload_avatar(&student).status, 303);
    let avatar = avatar_of(&app, "student").expect("avatar stored");
    let stored = object(&s3, &bucket, &avatar[1..]).expect("the avatar is in the bucket");
    let (status, ct, cache, body) = fetched(&app.client(), &avatar);
    assert_eq!(status, 200);
    assert_eq!(body, stored, "served from the bucket, byte for byte");
    let local_student = local.login("student", DEMO_PASSWORD);
    assert_eq!(upload_avatar(&local_student).status, 303);
    let local_avatar = avatar_of(&local, "student").unwrap();
    let (_, local_ct, local_cache, _) = fetched(&local.client(), &local_avatar);
    assert_eq!((ct.as_str(), cache.as_str()), ("image/jpeg", "public, max-age=604800"));
    assert_eq!((ct, cache), (local_ct, local_cache), "the same headers as from the data dir");

    // The demo's drawn PNGs went to the bucket too, and keep their type.
    let demo: Vec<String> = keys(&s3, &bucket).into_iter().filter(|k| k.starts_with("site/media/demo/")).collect();
    assert!(!demo.is_empty(), "{:?}", keys(&s3, &bucket));
    let (status, ct, _, _) = fetched(&app.client(), &format!("/media/{}", &demo[0]["site/media/".len()..]));
    assert_eq!((status, ct.as_str()), (200, "image/png"));

    // A merchant's product photo.
    let merchant = app.login("merchant", DEMO_PASSWORD);
    assert_eq!(crate::merchant::add_product(&merchant, "云端苹果", "默认, 10, 5").status, 303);
    let images: String = app.db(|c| {
        use campus::db::schema::products as p;
        p::table.filter(p::name.eq("云端苹果")).select(p::images).first(c).unwrap()
    });
    let photo = serde_json::from_str::<Vec<String>>(&images).unwrap().remove(0);
    assert!(photo.starts_with("/media/products/"), "{photo}");
    assert!(object(&s3, &bucket, &photo[1..]).is_some(), "the product photo is in the bucket");
    assert_eq!(app.client().get(&photo).status, 200);

    // Nothing went to the data dir.
    assert_eq!(files_in(&app.data_dir.join("media")) + files_in(&app.data_dir.join("private")), 0);
    assert_eq!(app.client().get("/media/avatars/nothing-here.jpg").status, 404);
    assert_eq!(app.client().get("/media/../site/media/demo/x.png").status, 404);
}

#[test]
fn private_files_stay_outside_the_public_prefix_and_are_shown_only_to_their_people() {
    let Some(s3) = emulator("private_files_stay_outside_the_public_prefix_and_are_shown_only_to_their_people") else {
        return;
    };
    let bucket = new_bucket(&s3);
    let app = s3_app(&s3, &bucket);

    // A business licence: in private/, its applicant and admins see it, others get 404.
    let applicant = crate::merchant::new_merchant(&app, "cloudshop");
    let licence: String = app.db(|c| {
        use campus::db::schema::merchant_applications as ma;
        ma::table.select(ma::licence_image).order(ma::id.desc()).first::<Option<String>>(c).unwrap().unwrap()
    });
    let name = licence.strip_prefix("/media/licences/").expect("licence path");
    assert!(object(&s3, &bucket, &format!("private/licences/{name}")).is_some(), "{:?}", keys(&s3, &bucket));
    assert!(object(&s3, &bucket, &format!("media/licences/{name}")).is_none(), "not under the public prefix");
    let (status, _, cache, _) = fetched(&applicant, &licence);
    assert_eq!((status, cache.as_str()), (200, "private, no-store"));
    assert_eq!(app.login("admin", DEMO_PASSWORD).get(&licence).status, 200);
    assert_eq!(app.login("student", DEMO_PASSWORD).get(&licence).status, 404, "another user");
    assert_ne!(app.client().get(&licence).status, 200, "signed out");

    // A student-card photo: in private/, the admin sees it, the public route never serves it,
    // and the decision deletes it from the bucket.
    let c = app.new_student("cardholder");
    use campus::db::schema::users;
    app.db(|conn| {
        diesel::update(users::table.find(user_id(&app, "cardholder")))
            .set(users::verified.eq(false))
            .execute(conn)
            .unwrap()
    });
    let token = c.get("/me/verify").csrf();
    let (ct, body) = crate::market::form(
        &[("school_no", "2023010199"), ("real_name", "云同学")],
        &[("photo", "card.png", crate::merchant::png())],
    );
    assert_eq!(c.post_raw(&format!("/me/verify/photo?csrf_token={token}"), &ct, &body).status, 303);
    let (id, file): (i64, Option<String>) = app.db(|conn| {
        use campus::db::schema::identity_reviews as r;
        r::table.order(r::id.desc()).select((r::id, r::photo_file)).first(conn).unwrap()
    });
    let file = file.unwrap();
    let key = format!("private/student-cards/{file}");
    assert!(object(&s3, &bucket, &key).is_some(), "{:?}", keys(&s3, &bucket));
    assert_eq!(c.get(&format!("/media/student-cards/{file}")).status, 404, "not even to its owner");
    assert_eq!(c.get(&format!("/media/../private/student-cards/{file}")).status, 404);
    assert_eq!(c.get(&format!("/admin/verifications/{id}/photo")).status, 403);
    let admin = app.login("admin", DEMO_PASSWORD);
    let (status, ct, _) = admin.download(&format!("/admin/verifications/{id}/photo"));
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    let r = admin.submit("/admin/verifications", &format!("/admin/verifications/{id}/reject"), &[("reason", "看不清")]);
    assert_eq!(r.status, 303);
    assert!(object(&s3, &bucket, &key).is_none(), "deleted from the bucket after the decision");
    assert!(keys(&s3, &bucket).iter().all(|k| k.starts_with("site/media/") || k.starts_with("site/private/")));
}

#[test]
fn two_instances_sharing_the_bucket_serve_each_others_uploads() {
    let Some(s3) = emulator("two_instances_sharing_the_bucket_serve_each_others_uploads") else {
        return;
    };
    let bucket = new_bucket(&s3);
    let one = s3_app(&s3, &bucket);
    let two = app().same_database_as(&one).media_s3(&s3, &bucket).start();

    let student = one.login("student", DEMO_PASSWORD);
    assert_eq!(upload_avatar(&student).status, 303);
    let avatar = avatar_of(&one, "student").unwrap();
    let book = [("images", "book.png", crate::market::png())];
    assert_eq!(crate::market::post(&student, &crate::market::GOOD, &book).status, 303);
    let item_images: String = one.db(|c| {
        use campus::db::schema::second_hand_items as m;
        m::table.order(m::id.desc()).select(m::images).first(c).unwrap()
    });
    let photo = serde_json::from_str::<Vec<String>>(&item_images).unwrap().remove(0);

    for path in [&avatar, &photo] {
        let (status, ct, cache, body) = fetched(&two.client(), path);
        assert_eq!((status, ct.as_str(), cache.as_str()), (200, "image/jpeg", "public, max-age=604800"), "{path}");
        assert_eq!(body, fetched(&one.client(), path).3, "{path}: the same bytes from either instance");
    }
    // The second instance's page shows the avatar the first one took.
    assert!(two.login("student", DEMO_PASSWORD).get("/me").body.contains(&avatar));
}

#[test]
fn backup_copies_the_bucket_and_restore_puts_it_back() {
    let Some(s3) = emulator("backup_copies_the_bucket_and_restore_puts_it_back") else {
        return;
    };
    let bucket = new_bucket(&s3);
    let app = s3_app(&s3, &bucket);
    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(upload_avatar(&student).status, 303);
    let avatar = avatar_of(&app, "student").unwrap();
    let s3_env = |bucket: &str| {
        vec![
            ("CAMPUS_MEDIA_S3_BUCKET", bucket.to_string()),
            ("CAMPUS_MEDIA_S3_ENDPOINT", s3.clone()),
            ("CAMPUS_MEDIA_S3_ACCESS_KEY_ID", "testing".into()),
            ("CAMPUS_MEDIA_S3_SECRET_ACCESS_KEY", "testing".into()),
            ("CAMPUS_MEDIA_S3_PREFIX", "site".into()),
        ]
    };
    let dir = std::env::temp_dir().join(format!("campus_s3_backup_{}_{}", std::process::id(), rand::random::<u32>()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
        .args(["backup", "--to"])
        .arg(&dir)
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("CAMPUS_DATA_DIR", &app.data_dir)
        .envs(s3_env(&bucket))
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert!(said.contains(&format!("copied from s3://{bucket}/site/")), "{said}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["media"], format!("copied from s3://{bucket}/site/"));
    let saved = std::fs::read(dir.join(&avatar[1..])).expect("the avatar is inside the backup");
    assert_eq!(Some(saved), object(&s3, &bucket, &avatar[1..]));
    let private: Vec<&String> =
        manifest["files"].as_object().unwrap().keys().filter(|k| k.starts_with("private/student-cards/")).collect();
    assert_eq!(private.len(), 1, "the demo's waiting student card is backed up, under private/");

    // Restored into an empty database and another bucket: every object comes back.
    let target_bucket = new_bucket(&s3);
    let target = crate::backup::Target::new(&app);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
        .arg("restore")
        .arg(&dir)
        .env("DATABASE_URL", &target.url)
        .env("CAMPUS_DATA_DIR", &target.data_dir)
        .env("CAMPUS_SEED_DEMO", "0")
        .envs(s3_env(&target_bucket))
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    let mut before = keys(&s3, &bucket);
    let mut after = keys(&s3, &target_bucket);
    before.sort();
    after.sort();
    assert_eq!(before, after, "the same objects in the restored bucket");
    assert_eq!(object(&s3, &target_bucket, &avatar[1..]), object(&s3, &bucket, &avatar[1..]));
    assert_eq!(files_in(&target.data_dir.join("media")), 0, "nothing in the data dir");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_replaced_avatar_and_a_closed_accounts_photos_leave_the_bucket() {
    let Some(s3) = emulator("a_replaced_avatar_and_a_closed_accounts_photos_leave_the_bucket") else {
        return;
    };
    let bucket = new_bucket(&s3);
    let app = s3_app(&s3, &bucket);
    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(upload_avatar(&student).status, 303);
    let first = avatar_of(&app, "student").unwrap();
    assert_eq!(upload_avatar(&student).status, 303);
    let second = avatar_of(&app, "student").unwrap();
    assert!(
        crate::helpers::eventually(|| object(&s3, &bucket, &first[1..]).is_none()),
        "the replaced avatar leaves the bucket"
    );
    let r = crate::feedback::send(&student, "bug", "截图在这里", &[("images", "a.png", crate::merchant::png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    use campus::db::schema::feedback;
    let images: String =
        app.db(|c| feedback::table.order(feedback::id.desc()).select(feedback::images).first(c).unwrap());
    let shot = serde_json::from_str::<Vec<String>>(&images).unwrap()[0].clone();
    let shot_key = format!("private/{}", shot.trim_start_matches("/media/"));
    assert!(object(&s3, &bucket, &shot_key).is_some(), "screenshots go to the private prefix");
    assert!(object(&s3, &bucket, &shot[1..]).is_none(), "never the public one");
    assert_eq!(student.get(&shot).status, 200);
    assert_eq!(student.submit("/me/delete", "/me/delete", &[("confirm", "注销")]).status, 303);
    assert!(
        crate::helpers::eventually(
            || object(&s3, &bucket, &second[1..]).is_none() && object(&s3, &bucket, &shot_key).is_none()
        ),
        "a closed account's photos leave the bucket"
    );
}
