use crate::helpers::{Client, DEMO_PASSWORD, app};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

#[test]
fn a_session_made_on_one_instance_is_accepted_by_another_through_redis() {
    let secret = "s".repeat(64) + &rand::random::<u64>().to_string();
    let first = app().redis(&redis_url(), &secret).start();
    let second = app().redis(&redis_url(), &secret).same_database_as(&first).start();

    let c = first.client();
    let r = c.login("student", DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    assert_eq!(c.get("/me").status, 200);

    // The same cookie, sent to the second instance by a fresh client.
    let other = Client::new(&second.base);
    let r = other.get_with("/me", &[("Cookie", &cookie)]);
    assert_eq!(r.status, 200, "second instance knows the session");
    assert!(r.body.contains("小林同学"));

    // Signing out on the first instance ends the session everywhere: the state lives in Redis,
    // not in the cookie, so replaying the old cookie no longer works.
    let token = c.get("/me").csrf();
    assert_eq!(c.post_form("/logout", &[("csrf_token", &token)]).status, 303);
    let r = other.get_with("/me", &[("Cookie", &cookie)]);
    assert_eq!(r.status, 303);
}
