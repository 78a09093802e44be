use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn student_row(app: &TestApp) -> (String, Option<String>, Option<String>, Option<String>) {
    use campus::db::schema::{user_auth, users};
    app.db(|c| {
        let id: i64 =
            user_auth::table.filter(user_auth::auth_key.eq("student")).select(user_auth::user_id).first(c).unwrap();
        let (nickname, email, phone, avatar): (String, Option<String>, Option<String>, Option<String>) = users::table
            .find(id)
            .select((users::nickname, users::email, users::phone, users::avatar))
            .first(c)
            .unwrap();
        // The phone is stored sealed; the test reads it as the app would show it.
        let phone = phone.map(|p| app.state.keys.open("users.phone", &campus::db::sealed::Sealed::from(p)).unwrap());
        (nickname, email, phone, avatar)
    })
}

#[test]
fn me_shows_the_phone_masked() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let r = c.get("/me");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("138****8000"));
    assert!(!r.body.contains("13800138000"));
    let settings = c.get("/me/settings");
    assert!(settings.body.contains("138****8000"));
    assert!(!settings.body.contains("13800138000"));
}

#[test]
fn settings_save_nickname_and_email_but_never_a_typed_in_phone() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let r = c.submit(
        "/me/settings",
        "/me/settings",
        &[("nickname", "  新昵称 "), ("email", "New@Campus.EDU"), ("phone", "139 1234 5678")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get("/me/settings");
    assert!(page.body.contains("资料已保存"));
    let (nickname, email, phone, _) = student_row(&app);
    assert_eq!(nickname, "新昵称");
    assert_eq!(email.as_deref(), Some("new@campus.edu"));
    assert_eq!(phone.as_deref(), Some("13800138000"), "a phone changes only by SMS code, at /me/phone");
    assert!(page.body.contains("href=\"/me/phone\""), "the settings page links there");

    // Blank email clears the address.
    let r = c.submit("/me/settings", "/me/settings", &[("nickname", "新昵称"), ("email", "")]);
    assert_eq!(r.status, 303);
    let (_, email, phone, _) = student_row(&app);
    assert_eq!(email, None);
    assert_eq!(phone.as_deref(), Some("13800138000"));
}

#[test]
fn settings_refuse_bad_input_and_change_nothing() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let before = student_row(&app);
    let long = "长".repeat(21);
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("nickname", ""), ("email", "")], "请输入昵称"),
        (&[("nickname", &long), ("email", "")], "昵称不能超过 20 个字"),
        (&[("nickname", "ok"), ("email", "a@b")], "邮箱格式不正确"),
    ];
    for (fields, message) in cases {
        let r = c.submit("/me/settings", "/me/settings", fields);
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "{message}");
    }
    let r = c.submit("/me/settings", "/me/settings", &[("nickname", "<b>bold</b>"), ("email", "")]);
    assert_eq!(r.status, 303);
    let me = c.get("/me");
    assert!(!me.body.contains("<b>bold</b>"));
    assert_eq!(student_row(&app).0, "<b>bold</b>");
    assert_eq!(before.2, student_row(&app).2, "phone untouched");
}

fn multipart(field: &str, filename: &str, content_type: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----campusTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 255) as u8, (y % 255) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn an_avatar_is_checked_reencoded_and_served() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let token = c.get("/me/settings").csrf();
    let (ct, body) = multipart("avatar", "me.png", "image/png", &png(300, 200));
    let r = c.post_raw(&format!("/me/avatar?csrf_token={token}"), &ct, &body);
    assert_eq!(r.status, 303, "{}", r.body);
    let avatar = student_row(&app).3.expect("avatar stored");
    assert!(avatar.starts_with("/media/avatars/") && avatar.ends_with(".jpg"));
    let served = c.get(&avatar);
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/jpeg"));
    assert!(c.get("/me").body.contains(&avatar));
    assert_eq!(c.get("/media/../campus.db").status, 404);
}

#[test]
fn an_avatar_that_is_not_an_image_or_too_big_is_refused() {
    let app = spawn_app();
    let c = app.login("student", DEMO_PASSWORD);
    let token = c.get("/me/settings").csrf();
    let url = format!("/me/avatar?csrf_token={token}");
    let (ct, body) = multipart("avatar", "evil.png", "image/png", b"<?php echo 'hi'; ?>");
    let r = c.post_raw(&url, &ct, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只能上传 JPG 或 PNG 图片"));
    let mut truncated = png(64, 64);
    truncated.truncate(60);
    let (ct, body) = multipart("avatar", "half.png", "image/png", &truncated);
    let r = c.post_raw(&url, &ct, &body);
    assert_eq!(r.status, 422);
    let (ct, body) = multipart("avatar", "huge.png", "image/png", &vec![0u8; 6 * 1024 * 1024]);
    let r = c.post_raw(&url, &ct, &body);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("图片不能超过 5 MB"));
    let (ct, body) = multipart("other", "x.png", "image/png", &png(10, 10));
    assert_eq!(c.post_raw(&url, &ct, &body).status, 422);
    assert_eq!(student_row(&app).3, None, "no avatar stored");
    // Without the token in the URL the upload is refused.
    let (ct, body) = multipart("avatar", "me.png", "image/png", &png(10, 10));
    assert_eq!(c.post_raw("/me/avatar", &ct, &body).status, 403);
}
