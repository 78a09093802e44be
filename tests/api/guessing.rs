//! Guessing a secret (the last six ID digits of a student on the roster, a code sent to a phone)
//! is limited per target as well as per account and per address: fresh accounts from fresh
//! addresses share one student's guesses, and one address shares its guesses among its accounts.

use diesel::prelude::*;

use crate::academic_import::{import, sample};
use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, app};

/// 李娜's number on the sample roster, and the last six digits of her ID number.
const NO: &str = "2023010201";
const RIGHT: &str = "051236";

fn app_with_roster() -> TestApp {
    let app = app().trust_proxy().start();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    app
}

/// A fresh account (no school number yet, not verified), signed up through `/register`.
fn fresh(app: &TestApp, name: &str) -> Client {
    crate::passwords::register(app, name, "")
}

fn roster(c: &Client, ip: &str, no: &str, id6: &str) -> Resp {
    let token = c.get("/me/verify").csrf();
    c.post_form_with(
        "/me/verify/roster",
        &[("csrf_token", &token), ("student_no", no), ("name", "李娜"), ("id_last6", id6)],
        &[("X-Forwarded-For", ip)],
    )
}

fn linked_to(app: &TestApp, no: &str) -> i64 {
    use campus::db::schema::users;
    app.db(|c| users::table.filter(users::student_no.eq(no)).count().get_result(c).unwrap())
}

#[test]
fn roster_guesses_at_one_student_from_fresh_accounts_and_addresses_share_one_limit() {
    let app = app_with_roster();
    // Three fresh accounts from three addresses: 4 + 4 + 2 wrong guesses at one student.
    let mut guesses = 0;
    for (i, n) in [4, 4, 2].into_iter().enumerate() {
        let c = fresh(&app, &format!("guesser{i}"));
        let ip = format!("203.0.113.{}", i + 1);
        for k in 0..n {
            let r = roster(&c, &ip, NO, &format!("{:06}", 100 + guesses));
            assert_eq!(r.status, 422, "guess {guesses} ({i}/{k}): {}", r.body);
            guesses += 1;
        }
    }
    // A fourth fresh account from a fourth address, even with the right digits: that student's
    // guesses are spent for now.
    let late = fresh(&app, "guesser3");
    let r = roster(&late, "203.0.113.4", NO, RIGHT);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("分钟后再试"), "{}", r.body);
    assert_eq!(linked_to(&app, NO), 0, "nobody linked her");
    // Another student's number is still open to that account.
    let r = roster(&late, "203.0.113.4", "2023010102", "999999");
    assert_eq!(r.status, 422, "{}", r.body);
}

#[test]
fn one_address_shares_its_roster_guesses_among_fresh_accounts_and_numbers() {
    let app = app_with_roster();
    let numbers = ["2023010101", "2023010102", "2023010201", "2023010202", "2023010103"];
    let mut n = 0;
    for (i, no) in numbers.into_iter().enumerate() {
        let c = fresh(&app, &format!("dorm{i}"));
        for _ in 0..2 {
            let r = roster(&c, "198.51.100.7", no, "000001");
            assert_eq!(r.status, 422, "guess {n}: {}", r.body);
            n += 1;
        }
    }
    let next = fresh(&app, "dorm5");
    assert_eq!(roster(&next, "198.51.100.7", "2023010203", "000001").status, 429, "the address is spent");
    // The same account from another address is not.
    assert_eq!(roster(&next, "198.51.100.8", "2023010203", "000001").status, 422);
}

fn link(c: &Client, ip: &str, no: &str, id6: &str) -> Resp {
    let token = c.get("/academic/grades").csrf();
    c.post_form_with(
        "/academic/link",
        &[("csrf_token", &token), ("student_no", no), ("id_last6", id6)],
        &[("X-Forwarded-For", ip)],
    )
}

#[test]
fn academic_link_guesses_at_one_student_are_limited_across_accounts_and_addresses() {
    let app = app_with_roster();
    // Five wrong guesses (the limit) from fresh accounts on fresh addresses, spelled three ways.
    for (i, no) in [NO, " 2023010201", "2023010201 ", NO, NO].into_iter().enumerate() {
        let c = app.new_student(&format!("linker{i}"));
        let r = link(&c, &format!("192.0.2.{}", i + 1), no, "999999");
        assert_eq!(r.status, 422, "guess {i}: {}", r.body);
    }
    let late = app.new_student("linker5");
    let r = link(&late, "192.0.2.6", NO, RIGHT);
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(linked_to(&app, NO), 0);
    // Another student stays open.
    let r = link(&late, "192.0.2.6", "2023010102", "999999");
    assert_eq!(r.status, 422, "{}", r.body);
}
