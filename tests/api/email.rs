use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use crate::helpers::{app, eventually, spawn_app};

fn register_with_email(app: &crate::helpers::TestApp, username: &str, email: &str) {
    let c = app.client();
    let r = c.submit(
        "/register",
        "/register",
        &[
            ("username", username),
            ("password", "secret123"),
            ("password2", "secret123"),
            ("nickname", "收信人"),
            ("email", email),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

fn outbox_status(app: &crate::helpers::TestApp, to: &str) -> Option<String> {
    use campus::db::schema::email_outbox;
    app.db(|c| {
        email_outbox::table
            .filter(email_outbox::to_addr.eq(to))
            .select(email_outbox::status)
            .first(c)
            .optional()
            .unwrap()
    })
}

#[test]
fn without_smtp_the_welcome_email_is_written_to_the_outbox_dir() {
    let app = spawn_app();
    register_with_email(&app, "mailme", "mailme@campus.edu");
    let outbox = app.data_dir.join("outbox");
    let found = eventually(|| {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .any(|f| std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains("To: mailme@campus.edu")))
            })
            .unwrap_or(false)
    });
    assert!(found, "an .eml file for the new user");
    assert!(eventually(|| outbox_status(&app, "mailme@campus.edu").as_deref() == Some("sent")));
}

/// A minimal SMTP server: accepts one conversation per connection and keeps each message.
pub fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let inbox: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = inbox.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            let _ = out.write_all(b"220 sink ESMTP\r\n");
            let mut line = String::new();
            let mut data: Option<String> = None;
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(body) = data.as_mut() {
                    if line == ".\r\n" {
                        kept.lock().unwrap().push(std::mem::take(body));
                        data = None;
                        let _ = out.write_all(b"250 queued\r\n");
                    } else {
                        body.push_str(&line);
                    }
                } else {
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = out.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = out.write_all(reply);
                }
                line.clear();
            }
        }
    });
    (url, inbox)
}

#[test]
fn with_smtp_the_welcome_email_goes_to_the_mail_server() {
    let (url, inbox) = smtp_sink();
    let app = app().smtp(&url).start();
    register_with_email(&app, "smtpuser", "smtpuser@campus.edu");
    assert!(eventually(|| !inbox.lock().unwrap().is_empty()), "the SMTP server got a message");
    let message = inbox.lock().unwrap()[0].clone();
    assert!(message.contains("To: smtpuser@campus.edu"));
    assert!(message.contains("Subject: =?utf-8?") || message.contains("Subject:"));
    assert!(eventually(|| outbox_status(&app, "smtpuser@campus.edu").as_deref() == Some("sent")));
    assert!(!app.data_dir.join("outbox").exists(), "no .eml files when SMTP is set");
}

#[test]
fn an_unreachable_smtp_server_leaves_the_email_queued_for_retry() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let app = app().smtp(&url).start();
    register_with_email(&app, "retryme", "retryme@campus.edu");
    use campus::db::schema::jobs;
    assert!(eventually(|| app.db(|c| jobs::table
        .filter(jobs::last_error.is_not_null())
        .count()
        .get_result::<i64>(c)
        .unwrap())
        > 0));
    assert_eq!(outbox_status(&app, "retryme@campus.edu").as_deref(), Some("queued"));
    let (status, attempts): (String, i32) = app.db(|c| {
        jobs::table
            .filter(jobs::kind.eq(campus::notify::email::JOB_SEND))
            .select((jobs::status, jobs::attempts))
            .first(c)
            .unwrap()
    });
    assert_eq!(status, "pending", "retried later with backoff");
    assert_eq!(attempts, 1);
}
